/**
 * Plugin SPI of the document database: {@link io.weft.api.db.spi.EventCodec}s turn a write transaction's
 * actions into one record body and back, and apply decoded events to instances (paper §4.1.2). Codecs register
 * as services with {@code weft.codec=<name>}; outside OSGi they are found with {@link java.util.ServiceLoader}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.weft.api.db.spi;
