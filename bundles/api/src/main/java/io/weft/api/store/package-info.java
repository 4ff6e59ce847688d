/** Storage SPI: an ordered byte-key store with snapshots and atomic write transactions. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.weft.api.store;
