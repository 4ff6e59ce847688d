package io.weft.server.net;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Multiaddr;
import io.weft.api.net.Transport;
import io.weft.api.net.TransportConfig;
import io.weft.core.cbor.CborValue;
import io.weft.core.cbor.DagCbor;
import io.weft.core.crypto.Ed25519;
import io.weft.grpc.netpb.APIGrpc;
import io.weft.logstore.LocalLogService;
import io.weft.net.NetConfig;
import io.weft.net.ThreadNet;
import io.weft.server.Await;
import io.weft.store.memory.MemoryDatastore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * One real peer for the net API tests: a memory store, a log service, libp2p on loopback, ThreadNet, and the
 * {@link NetApiService} served in-process, reached through the generated stubs.
 */
final class ApiPeer implements AutoCloseable {
    static final NetConfig TEST_CONFIG = NetConfig.defaults()
            .withPullInterval(Duration.ofMillis(500))
            .withPullStartDelay(Duration.ofMillis(100))
            .withBackoffBase(Duration.ofMillis(200))
            .withBackoffMax(Duration.ofSeconds(1))
            .withCallTimeout(Duration.ofSeconds(5));

    final PrivateKey hostKey = Ed25519.generate();
    /** Who the service writes as (what the auth layer would resolve per call); the host by default. */
    final AtomicReference<PublicKey> author = new AtomicReference<>(hostKey.publicKey());
    final MemoryDatastore store = new MemoryDatastore();
    final LocalLogService logService = new LocalLogService(store);
    final Transport transport;
    final ThreadNet net;
    final NetApiService service;
    final Server server;
    final ManagedChannel channel;
    final APIGrpc.APIBlockingStub stub;
    final APIGrpc.APIStub async;

    ApiPeer() {
        this(NetApiService.DEFAULT_SUBSCRIBE_BUFFER, null);
    }

    ApiPeer(int subscribeBuffer, TokenIssuer tokens) {
        transport = io.weft.transport.libp2p.Libp2pHost.start(hostKey, TransportConfig.defaults()
                .withListen(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")))
                .withDialBackoff(Duration.ofMillis(100)));
        net = ThreadNet.start(transport, logService, TEST_CONFIG);
        service = new NetApiService(net, author::get, tokens, subscribeBuffer);
        String name = "net-api-" + UUID.randomUUID();
        try {
            server = InProcessServerBuilder.forName(name).addService(service).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        channel = InProcessChannelBuilder.forName(name).build();
        stub = APIGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        async = APIGrpc.newStub(channel);
    }

    /** This peer's libp2p address with its peer id ({@code /ip4/…/tcp/…/p2p/<id>}). */
    Multiaddr p2pAddr() {
        return transport.listenAddresses().get(0).encapsulate(
                Multiaddr.Component.of(Multiaddr.Protocol.P2P, net.hostId().bytes()));
    }

    static byte[] body(String text) {
        return DagCbor.encode(CborValue.map("text", CborValue.text(text)));
    }

    @Override
    public void close() {
        channel.shutdownNow();
        server.shutdownNow();
        net.close();
        transport.close();
        store.close();
    }

    /** Waits for a condition, polling, up to a deadline. */
    static void await(String what, Duration within, BooleanSupplier condition) {
        Await.until(what, within, condition);
    }
}
