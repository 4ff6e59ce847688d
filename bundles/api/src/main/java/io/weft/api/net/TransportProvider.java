package io.weft.api.net;

import io.weft.api.crypto.PrivateKey;

/**
 * Creates transports outside OSGi, found with {@link java.util.ServiceLoader} (classpath or module path). In OSGi
 * the transport bundle registers a configured {@link Transport} service instead.
 */
public interface TransportProvider {

    /** The name of the implementation, e.g. {@code libp2p}. */
    String name();

    /** Starts a transport with {@code identity} as its host key, listening as configured. */
    Transport start(PrivateKey identity, TransportConfig config);
}
