package io.weft.benchmarks.transport;

import io.weft.api.format.Multiaddr;
import io.weft.api.net.Transport;
import io.weft.api.net.TransportConfig;
import io.weft.api.net.TransportProvider;
import io.weft.core.crypto.Ed25519;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The receiving peer of {@link TransportThroughput}'s two-JVM Java path: a transport in its own process serving
 * {@code /bulk/1.0.0}, as the JS peers each run in their own node process. Prints its address, then runs until its
 * standard input ends.
 */
public final class BulkSink {
    private BulkSink() {
    }

    public static void main(String[] args) throws Exception {
        TransportProvider provider = ServiceLoader.load(TransportProvider.class).findFirst().orElseThrow();
        try (Transport t = provider.start(Ed25519.generate(),
                TransportConfig.defaults().withListen(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))))) {
            t.handle(TransportThroughput.BULK, TransportThroughput::serveBulk);
            System.out.println("address " + TransportThroughput.address(t));
            System.out.flush();
            while (System.in.read() >= 0) {
                // run until the parent closes our stdin
            }
        }
    }
}
