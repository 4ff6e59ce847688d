package io.weft.net;

import io.weft.api.crypto.PrivateKey;
import io.weft.api.format.Multiaddr;
import io.weft.api.net.Transport;
import io.weft.api.net.TransportConfig;
import io.weft.api.store.Datastore;
import io.weft.api.thread.ThreadId;
import io.weft.core.cbor.CborValue;
import io.weft.core.cbor.DagCbor;
import io.weft.core.crypto.Ed25519;
import io.weft.logstore.LocalLogService;
import io.weft.store.memory.MemoryDatastore;
import io.weft.transport.libp2p.Libp2pHost;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/** One in-process peer for tests: a store, a log service, a libp2p transport on loopback, and a ThreadNet. */
final class NetPeer implements AutoCloseable {
    /** Fast rounds so tests converge in seconds; backoff short so a healed peer is retried soon. */
    static final NetConfig TEST_CONFIG = NetConfig.defaults()
            .withPullInterval(Duration.ofMillis(500))
            .withPullStartDelay(Duration.ofMillis(100))
            .withBackoffBase(Duration.ofMillis(200))
            .withBackoffMax(Duration.ofSeconds(1))
            .withCallTimeout(Duration.ofSeconds(5));

    final PrivateKey hostKey;
    final PrivateKey identity = Ed25519.generate();
    final Datastore store;
    final LocalLogService logService;
    final NetConfig config;
    Transport transport;
    final ThreadNet net;
    private int port;

    NetPeer() {
        this(new MemoryDatastore(), TEST_CONFIG);
    }

    NetPeer(Datastore store, NetConfig config) {
        this(Ed25519.generate(), store, config);
    }

    NetPeer(PrivateKey hostKey, Datastore store, NetConfig config) {
        this.hostKey = hostKey;
        this.store = store;
        this.config = config;
        this.logService = new LocalLogService(store);
        this.transport = startTransport(0);
        this.port = Integer.parseInt(transport.listenAddresses().get(0).value(Multiaddr.Protocol.TCP).orElseThrow());
        this.net = ThreadNet.start(transport, logService, config);
    }

    private Transport startTransport(int p) {
        return Libp2pHost.start(hostKey, TransportConfig.defaults()
                .withListen(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/" + p)))
                .withDialBackoff(Duration.ofMillis(100)));
    }

    /** Cuts this peer off: its transport stops (connections close, nothing listens). */
    void disconnect() {
        net.unbind();
        transport.close();
    }

    /** Brings the transport back on the same port and identity. */
    void reconnect() {
        transport = startTransport(port);
        net.bind(transport);
    }

    byte[] body(String text) {
        return DagCbor.encode(CborValue.map("text", CborValue.text(text)));
    }

    void write(ThreadId thread, String text) {
        logService.createRecord(thread, identity, body(text));
    }

    @Override
    public void close() {
        net.close();
        transport.close();
        store.close();
    }

    /** Waits for a condition, polling, up to a deadline; fails with {@code what} if it does not hold by then. */
    static void await(String what, Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + within + " waiting for: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what);
            }
        }
    }
}
