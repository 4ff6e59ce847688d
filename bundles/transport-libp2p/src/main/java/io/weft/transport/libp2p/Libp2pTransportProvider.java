package io.weft.transport.libp2p;

import io.weft.api.crypto.PrivateKey;
import io.weft.api.net.Transport;
import io.weft.api.net.TransportConfig;
import io.weft.api.net.TransportProvider;

/** The libp2p transport for {@link java.util.ServiceLoader} users (classpath or module path). */
public final class Libp2pTransportProvider implements TransportProvider {

    @Override
    public String name() {
        return "libp2p";
    }

    @Override
    public Transport start(PrivateKey identity, TransportConfig config) {
        return Libp2pHost.start(identity, config);
    }
}
