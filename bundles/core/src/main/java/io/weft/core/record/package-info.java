/**
 * Building, verifying and opening thread records ({@link io.weft.core.record.Records}), byte-compatible with
 * go-threads and js-threads.
 *
 * <p>Exported as part of the <b>core SPI</b>: a stable interface for other Weft bundles (logstore, net), not for
 * applications, which use {@code io.weft.api}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.weft.core.record;
