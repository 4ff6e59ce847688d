/**
 * Thread records as value types (paper §3.1, go-threads {@code cbor} package): the {@link io.weft.api.record.RecordEnvelope}
 * that travels between peers and is stored, the verified {@link io.weft.api.record.Record} view that a holder of
 * the service key obtains, the plaintext {@link io.weft.api.record.Event} that links header and body, and the
 * {@link io.weft.api.record.Payload} that only a holder of the read key can open. Building, verifying and opening
 * records is done by the core bundle ({@code io.weft.core.record.Records}); these types carry no crypto.
 *
 * <p>Note that {@link io.weft.api.record.Record} shadows {@code java.lang.Record} inside this package; that is
 * deliberate (it is the paper's name for the concept). Import it by name ({@code import io.weft.api.record.Record;}):
 * with {@code import io.weft.api.record.*;} the simple name {@code Record} is ambiguous with {@code java.lang.Record}
 * and does not compile.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.weft.api.record;
