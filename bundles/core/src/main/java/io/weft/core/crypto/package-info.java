/**
 * The cryptographic primitives of the Threads protocol: {@link io.weft.core.crypto.Ed25519} signatures (log and
 * identity keys) and {@link io.weft.core.crypto.AesGcm} authenticated encryption (service, read and content keys).
 *
 * <p>Exported as part of the <b>core SPI</b>: a stable interface for other Weft bundles (logstore, net), not for
 * applications, which use {@code io.weft.api}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.weft.core.crypto;
