/**
 * Deterministic dag-cbor: an immutable value model ({@link io.weft.core.cbor.CborValue}) and a canonical encoder
 * and strict decoder ({@link io.weft.core.cbor.DagCbor}).
 *
 * <p>Exported as part of the <b>core SPI</b>: a stable interface for other Weft bundles (logstore, net, codecs),
 * not for applications, which use {@code io.weft.api}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.weft.core.cbor;
