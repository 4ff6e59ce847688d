package io.weft.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.crypto.PublicKey;
import io.weft.api.db.ChangeType;
import io.weft.api.db.spi.WriteValidator;
import io.weft.api.format.Multiaddr;
import io.weft.api.net.Transport;
import io.weft.api.net.TransportConfig;
import io.weft.codec.jsonpatch.JsonPatchCodec;
import io.weft.core.crypto.Ed25519;
import io.weft.db.Manager;
import io.weft.logstore.LocalLogService;
import io.weft.net.NetConfig;
import io.weft.net.ThreadNet;
import io.weft.server.ServerConfig;
import io.weft.server.WeftServer;
import io.weft.server.auth.Caller;
import io.weft.server.auth.TokenService;
import io.weft.server.net.NetApiService;
import io.weft.store.memory.MemoryDatastore;
import io.weft.transport.libp2p.Libp2pHost;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * One real peer for client and command-line tests: a memory store, the logstore, libp2p on loopback, thread sync,
 * the database manager (jsonpatch codec), and a {@link WeftServer} on an ephemeral loopback port serving
 * {@code threads.pb.API} and {@code threads.net.pb.API} (as the distribution wires them).
 *
 * <p>Write validator {@code "audit"}: records {@code "<writer> <type> <id>"} in {@link #audited}, and refuses writers
 * that are not in {@link #owners} when that map is not empty.
 */
public final class TestPeer implements AutoCloseable {
    static final NetConfig NET = NetConfig.defaults()
            .withPullInterval(Duration.ofMillis(500))
            .withPullStartDelay(Duration.ofMillis(100))
            .withBackoffBase(Duration.ofMillis(200))
            .withBackoffMax(Duration.ofSeconds(1))
            .withCallTimeout(Duration.ofSeconds(5));

    public final PrivateKey hostKey = Ed25519.generate();
    public final List<String> audited = new CopyOnWriteArrayList<>();
    public final Map<PublicKey, Boolean> owners = new ConcurrentHashMap<>();
    public final MemoryDatastore store = new MemoryDatastore();
    public final LocalLogService logs = new LocalLogService(store);
    public final Transport transport;
    public final ThreadNet net;
    public final Manager manager;
    public final WeftServer server;

    /** A peer whose server has the default configuration but an ephemeral loopback port. */
    public TestPeer() {
        this(ServerConfig.defaults().withAddress("127.0.0.1", 0), Clock.systemUTC());
    }

    public TestPeer(ServerConfig config, Clock clock) {
        transport = Libp2pHost.start(hostKey, TransportConfig.defaults()
                .withListen(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")))
                .withDialBackoff(Duration.ofMillis(100)));
        net = ThreadNet.start(transport, logs, NET);
        WriteValidator audit = new WriteValidator() {
            @Override
            public String name() {
                return "audit";
            }

            @Override
            public String validate(PublicKey writer, String collection, ChangeType type, JsonNode before, JsonNode after) {
                JsonNode doc = after != null ? after : before;
                audited.add(writer + " " + type + " " + doc.path("_id").asText());
                return !owners.isEmpty() && !owners.containsKey(writer) ? "not an owner" : null;
            }
        };
        manager = Manager.builder(logs, store, hostKey)
                .codecs(new JsonPatchCodec())
                .writeValidators(n -> n.equals("audit") ? audit : null)
                .threadService(net)
                .build();
        server = WeftServer.builder(config, manager, () -> hostKey).threadService(net).clock(clock).start();
        TokenService tokens = server.tokens();
        server.addService(new NetApiService(net, () -> {
            Caller c = Caller.current();
            return c.isHost() ? hostKey.publicKey() : c.identity();
        }, replies -> tokens.getToken(replies, TokenService.NET_API)));
    }

    /** The client API address, {@code 127.0.0.1:<port>}. */
    public String api() {
        return "127.0.0.1:" + server.grpcPort();
    }

    /** A client of this peer without an identity. */
    public WeftClient client() {
        return WeftClient.builder().address(api()).timeout(Duration.ofSeconds(20)).build();
    }

    /** A client of this peer acting as {@code identity}. */
    public WeftClient client(PrivateKey identity) {
        return WeftClient.builder().address(api()).identity(identity).timeout(Duration.ofSeconds(20)).build();
    }

    @Override
    public void close() {
        server.close();
        manager.close();
        net.close();
        transport.close();
        store.close();
    }

    /** Waits for a condition, polling every 10 ms, up to a deadline. */
    public static void await(String what, Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + within + " waiting for: " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what);
            }
        }
    }
}
