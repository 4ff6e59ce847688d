package io.weft.itests.libp2p;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.weft.api.format.Multiaddr;
import io.weft.api.net.Connection;
import io.weft.api.net.ConnectionListener;
import io.weft.api.net.PeerInfo;
import io.weft.api.net.PubSubMessage;
import io.weft.api.net.Registration;
import io.weft.api.net.Stream;
import io.weft.api.net.Transport;
import io.weft.api.net.TransportConfig;
import io.weft.api.net.TransportException;
import io.weft.api.net.TransportProvider;
import io.weft.api.thread.PeerId;
import io.weft.core.crypto.Ed25519;
import io.weft.itests.libp2p.StreamLoops.Served;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Interop of Weft's libp2p transport (found through {@link TransportProvider}) with js-libp2p 3.3.11 (the
 * {@code itests/libp2p-harness} peer), in both directions: the Java peer dials a js peer ({@code jsServer}) and a
 * js peer dials the Java peer ({@code jsClient}). Covered: {@code /noise} + {@code /yamux/1.0.0} connections,
 * identify checked on both sides, ping, {@code /echo/1.0.0} of 1 B, 64 KiB and 8 MiB with byte-exact comparison,
 * 100 concurrent streams, gossipsub and floodsub messages each way with valid signatures, and a js stream closed or
 * reset mid-transfer leaving the Java peer serving echo, ping and new connections.
 */
class Libp2pInteropIT {
    static final Duration T = Duration.ofSeconds(30);
    static final String ECHO = "/echo/1.0.0";
    static final String BULK = "/bulk/1.0.0";
    static final int MIB = 1024 * 1024;

    /** Who opens the connection. */
    enum Direction { JAVA_DIALS_JS, JS_DIALS_JAVA }

    static Transport java;
    static JsPeer jsServer;
    static JsPeer jsClient;
    static final ServedLog served = new ServedLog();
    static final BlockingQueue<Connection> inbound = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start() throws Exception {
        java = startJava("gossipsub", inbound);
        java.handle(ECHO, Libp2pInteropIT::serveEcho);
        jsServer = JsPeer.start();
        jsClient = JsPeer.start();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {jsServer, jsClient, java}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Tests

    @ParameterizedTest
    @EnumSource(Direction.class)
    void connectionUsesNoiseAndYamux(Direction d) throws Exception {
        BlockingQueue<Connection> in = new LinkedBlockingQueue<>();
        try (Transport t = startJava("gossipsub", in); JsPeer js = JsPeer.start()) {
            String javaId = t.localPeer().toString();
            Connection conn;
            if (d == Direction.JAVA_DIALS_JS) {
                conn = t.connect(js.address()).get(T.toSeconds(), TimeUnit.SECONDS);
                assertTrue(conn.isInitiator());
                JsonNode open = js.awaitEvent(e -> e.path("event").asText().equals("connection:open")
                        && e.path("remotePeer").asText().equals(javaId), T);
                assertEquals("/noise", open.path("encryption").asText(), open.toString());
                assertEquals("/yamux/1.0.0", open.path("muxer").asText(), open.toString());
                assertEquals("inbound", open.path("direction").asText());
            } else {
                JsonNode r = js.callOk("dial " + address(t), T);
                assertEquals("/noise", r.path("encryption").asText(), r.toString());
                assertEquals("/yamux/1.0.0", r.path("muxer").asText(), r.toString());
                assertEquals(javaId, r.path("remotePeer").asText());
                assertEquals("outbound", r.path("direction").asText());
                conn = awaitConnection(in, js.peerId());
                assertFalse(conn.isInitiator());
            }
            assertEquals(js.peerId(), conn.remotePeer());
            assertEquals("/noise", conn.security());
            assertEquals("/yamux/1.0.0", conn.muxer());
            assertTrue(conn.isOpen());
            assertEquals("127.0.0.1", conn.remoteAddress().value(Multiaddr.Protocol.IP4).orElseThrow());

            int mark = js.eventCount();
            conn.close();
            conn.closeFuture().get(T.toSeconds(), TimeUnit.SECONDS);
            assertFalse(conn.isOpen());
            js.awaitEvent(e -> e.path("event").asText().equals("connection:close")
                    && e.path("remotePeer").asText().equals(javaId), T, mark);
        }
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    void identifyIsExchangedAndVerifiedBothWays(Direction d) throws Exception {
        JsPeer js = js(d);
        Connection conn = connection(d);

        PeerInfo info = conn.identify().get(T.toSeconds(), TimeUnit.SECONDS);
        assertEquals(js.peerId(), info.peerId());
        assertTrue(info.agentVersion().startsWith("js-libp2p/3.3.11"), info.agentVersion());
        assertTrue(info.protocols().containsAll(List.of(ECHO, BULK, "/ipfs/id/1.0.0", "/ipfs/ping/1.0.0", "/meshsub/1.1.0")),
                info.protocols().toString());
        assertTrue(info.publicKey().isPresent(), "js sent an Ed25519 public key");
        assertEquals(js.peerId(), PeerId.of(info.publicKey().orElseThrow()), "js's key derives to its peer id");
        assertFalse(info.listenAddresses().isEmpty());

        JsonNode r = js.callOk("identify-info " + java.localPeer(), T);
        assertTrue(r.path("agentVersion").asText().startsWith("weft/"), r.toString());
        assertTrue(r.path("publicKeyMatches").asBoolean(), "Java's identify key derives to its peer id: " + r);
        Set<String> jsSees = new HashSet<>();
        r.path("protocols").forEach(p -> jsSees.add(p.asText()));
        assertTrue(jsSees.containsAll(List.of(ECHO, "/ipfs/id/1.0.0", "/ipfs/ping/1.0.0")), jsSees.toString());
        assertEquals(new HashSet<>(java.protocols()), jsSees, "js learned exactly the protocols Java advertises");
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    void pingBothWays(Direction d) throws Exception {
        Connection conn = connection(d);
        Duration rtt = conn.ping().get(T.toSeconds(), TimeUnit.SECONDS);
        assertFalse(rtt.isNegative());
        assertTrue(rtt.compareTo(Duration.ofSeconds(5)) < 0, rtt.toString());

        JsonNode r = js(d).callOk("ping " + java.localPeer(), T);
        assertTrue(r.path("rtt").isNumber() && r.path("rtt").asDouble() >= 0, r.toString());
        assertTrue(conn.isOpen(), "ping reused the connection");
    }

    static List<Arguments> echoCases() {
        List<Arguments> a = new ArrayList<>();
        for (Direction d : Direction.values()) {
            for (int size : new int[] {1, 64 * 1024, 8 * MIB}) {
                a.add(Arguments.of(d, size));
            }
        }
        return a;
    }

    @ParameterizedTest
    @MethodSource("echoCases")
    void echoBothWays(Direction d, int size) throws Exception {
        JsPeer js = js(d);
        Connection conn = connection(d);
        String javaId = java.localPeer().toString();

        // Java opens the stream, js echoes
        byte[] data = StreamLoops.pattern(size, 0x5EED + size);
        int mark = js.eventCount();
        byte[] back = javaEcho(conn, data);
        assertArrayEquals(data, back, "echo from js of " + size + " bytes");
        JsonNode servedByJs = js.awaitEvent(e -> e.path("event").asText().equals("served")
                && e.path("protocol").asText().equals(ECHO) && e.path("remotePeer").asText().equals(javaId), T, mark);
        assertTrue(servedByJs.path("ok").asBoolean(), servedByJs.toString());
        assertEquals(size, servedByJs.path("bytes").asLong());
        assertEquals(StreamLoops.sha256(data), servedByJs.path("sha256").asText(), "js read exactly what Java sent");

        // js opens the stream, Java echoes
        int servedMark = served.size();
        JsonNode r = js.callOk("echo " + javaId + " " + ECHO + " " + size, T);
        String expected = StreamLoops.sha256(StreamLoops.pattern(size));
        assertEquals(expected, r.path("sentSha256").asText(), "harness pattern = StreamLoops.pattern");
        assertEquals(expected, r.path("receivedSha256").asText(), "js got its bytes back intact: " + r);
        assertEquals(size, r.path("received").asLong());
        Served s = served.await(x -> x.remotePeer().equals(js.peerId()), servedMark);
        assertNull(s.failure());
        assertEquals(size, s.bytes());
        assertEquals(expected, s.sha256(), "Java's handler read exactly what js sent");
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    void hundredConcurrentStreamsOnOneConnection(Direction d) throws Exception {
        JsPeer js = js(d);
        Connection conn = connection(d);
        int n = 100;
        int size = 4096;

        // Java opens 100 streams (all open before any finishes: each waits for its half-close), js echoes
        List<Stream> streams = new ArrayList<>();
        List<CompletableFuture<Stream>> opening = IntStream.range(0, n).mapToObj(i -> conn.newStream(ECHO)).toList();
        for (CompletableFuture<Stream> f : opening) {
            streams.add(f.get(T.toSeconds(), TimeUnit.SECONDS));
        }
        assertEquals(n, new HashSet<>(streams).size());
        List<CompletableFuture<byte[]>> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Stream s = streams.get(i);
            CompletableFuture<byte[]> read = StreamLoops.readAll(s);
            s.write(StreamLoops.pattern(size, i + 1)).thenCompose(v -> s.closeWrite());
            results.add(read);
        }
        for (int i = 0; i < n; i++) {
            assertArrayEquals(StreamLoops.pattern(size, i + 1), results.get(i).get(T.toSeconds(), TimeUnit.SECONDS), "stream " + i);
            streams.get(i).close();
        }
        assertTrue(conn.isOpen());

        // js opens 100 concurrent streams, Java echoes
        int mark = served.size();
        JsonNode r = js.call("streams " + java.localPeer() + " " + ECHO + " " + n + " " + size, T);
        assertTrue(r.path("ok").asBoolean(), r + js.diagnostics());
        assertEquals(n, r.path("okCount").asInt());
        List<Served> all = served.awaitCount(x -> x.remotePeer().equals(js.peerId()), mark, n);
        assertTrue(all.stream().allMatch(x -> x.failure() == null && x.bytes() == size), all.toString());
    }

    static List<Arguments> pubsubCases() {
        List<Arguments> a = new ArrayList<>();
        for (String router : List.of("gossipsub", "floodsub")) {
            for (Direction d : Direction.values()) {
                a.add(Arguments.of(router, d));
            }
        }
        return a;
    }

    @ParameterizedTest
    @MethodSource("pubsubCases")
    void pubsubMessagesBothWays(String router, Direction d) throws Exception {
        String topic = "weft-interop-" + router + "-" + d;
        BlockingQueue<Connection> in = new LinkedBlockingQueue<>();
        BlockingQueue<PubSubMessage> received = new LinkedBlockingQueue<>();
        try (Transport t = startJava(router, in); JsPeer js = JsPeer.start("--pubsub", router, "--topic", topic)) {
            String javaId = t.localPeer().toString();
            Registration sub = t.pubsub().subscribe(topic, received::add);
            assertTrue(t.pubsub().topics().contains(topic));
            if (d == Direction.JAVA_DIALS_JS) {
                t.connect(js.address()).get(T.toSeconds(), TimeUnit.SECONDS);
            } else {
                js.callOk("dial " + address(t), T);
                awaitConnection(in, js.peerId());
            }
            // both sides learn the other's subscription
            js.awaitEvent(e -> e.path("event").asText().equals("subscription-change") && e.path("peerId").asText().equals(javaId)
                    && StreamSupport.stream(e.path("subscriptions").spliterator(), false)
                            .anyMatch(s -> s.path("topic").asText().equals(topic) && s.path("subscribe").asBoolean()), T);
            awaitCondition(() -> t.pubsub().peers(topic).contains(js.peerId()), T, "Java sees js subscribed to " + topic);

            // js -> Java
            String fromJs = "hello from js over " + router;
            js.callOk("publish " + topic + " " + fromJs, T);
            PubSubMessage m = received.poll(T.toSeconds(), TimeUnit.SECONDS);
            assertTrue(m != null, "Java received js's message" + js.diagnostics());
            assertEquals(js.peerId(), m.from());
            assertEquals(topic, m.topic());
            assertEquals(fromJs, new String(m.data(), StandardCharsets.UTF_8));

            // Java -> js
            String fromJava = "hello from weft over " + router;
            t.pubsub().publish(topic, fromJava.getBytes(StandardCharsets.UTF_8)).get(T.toSeconds(), TimeUnit.SECONDS);
            JsonNode got = js.awaitEvent(e -> e.path("event").asText().equals("message") && e.path("text").asText().equals(fromJava), T);
            assertEquals("signed", got.path("type").asText(), "js verified the StrictSign signature: " + got);
            assertEquals(javaId, got.path("from").asText());
            assertEquals(topic, got.path("topic").asText());
            assertTrue(got.path("keyMatchesFrom").asBoolean(), got.toString());
            assertEquals(64, got.path("signatureBytes").asInt());
            sub.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gossipsub", "floodsub"})
    void javaRelaysMessagesBetweenJsPeersThatAreNotConnected(String router) throws Exception {
        String topic = "weft-relay-" + router;
        BlockingQueue<Connection> in = new LinkedBlockingQueue<>();
        BlockingQueue<PubSubMessage> received = new LinkedBlockingQueue<>();
        try (Transport t = startJava(router, in);
                JsPeer a = JsPeer.start("--pubsub", router, "--topic", topic);
                JsPeer b = JsPeer.start("--pubsub", router, "--topic", topic)) {
            String javaId = t.localPeer().toString();
            Registration sub = t.pubsub().subscribe(topic, received::add);
            t.connect(a.address()).get(T.toSeconds(), TimeUnit.SECONDS);
            t.connect(b.address()).get(T.toSeconds(), TimeUnit.SECONDS);
            for (JsPeer js : List.of(a, b)) {
                js.awaitEvent(e -> e.path("event").asText().equals("subscription-change")
                        && e.path("peerId").asText().equals(javaId), T);
                awaitCondition(() -> t.pubsub().peers(topic).contains(js.peerId()), T, "Java sees " + js.peerId() + " subscribed");
            }
            // a and b only know Java: what one publishes reaches the other through Weft's router, still signed by its
            // author. Gossipsub forwards along the mesh, which Weft builds at its next heartbeat (1 s): a message that
            // arrives before that reaches only the mesh of that moment, as in every gossipsub; so publish fresh
            // messages until one gets through (floodsub relays the first)
            for (JsPeer[] pair : List.of(new JsPeer[] {a, b}, new JsPeer[] {b, a})) {
                JsPeer from = pair[0];
                JsPeer to = pair[1];
                long deadline = System.nanoTime() + T.toNanos();
                JsonNode got = null;
                for (int attempt = 0; got == null && System.nanoTime() < deadline; attempt++) {
                    String text = "relayed by weft from " + from.peerId() + " #" + attempt;
                    int mark = to.eventCount();
                    from.callOk("publish " + topic + " " + text, T);
                    try {
                        got = to.awaitEvent(e -> e.path("event").asText().equals("message")
                                && e.path("text").asText().equals(text), Duration.ofSeconds(3), mark);
                    } catch (AssertionError notYet) {
                        assertTrue(router.equals("gossipsub"), "floodsub relays at once: " + notYet.getMessage());
                    }
                }
                assertTrue(got != null, "no message relayed within " + T);
                assertEquals(from.peerId().toString(), got.path("from").asText(), "the author, not the relay: " + got);
                assertEquals("signed", got.path("type").asText(), got.toString());
                PubSubMessage m = received.poll(T.toSeconds(), TimeUnit.SECONDS);
                assertTrue(m != null && m.from().equals(from.peerId()), "Java received it too");
                received.clear();
            }
            sub.close();
        }
    }

    static List<Arguments> abortCases() {
        List<Arguments> a = new ArrayList<>();
        for (Direction d : Direction.values()) {
            for (String mode : List.of("close", "reset")) {
                a.add(Arguments.of(d, mode));
            }
        }
        return a;
    }

    @ParameterizedTest
    @MethodSource("abortCases")
    void jsClosingOrResettingMidTransferLeavesJavaHealthy(Direction d, String mode) throws Exception {
        JsPeer js = js(d);
        Connection conn = connection(d);
        String javaId = java.localPeer().toString();
        int size = 8 * MIB;

        int mark = served.size();
        JsonNode r = js.callOk("abort " + javaId + " " + ECHO + " " + size + " " + mode, T);
        assertEquals(size / 2, r.path("sent").asInt());
        Served s = served.await(x -> x.remotePeer().equals(js.peerId()), mark);
        if (mode.equals("close")) {
            // js stopped after half and half-closed: Java echoed that half and closed
            assertNull(s.failure(), () -> "Java echo handler failed: " + s.failure());
            assertEquals(size / 2, s.bytes());
            assertEquals(StreamLoops.sha256(Arrays.copyOf(StreamLoops.pattern(size), size / 2)), s.sha256());
            assertEquals(size / 2, r.path("received").asInt(), r.toString());
        } else {
            TransportException e = assertInstanceOf(TransportException.class, s.failure(), "handler saw the reset");
            assertEquals(TransportException.Kind.STREAM_RESET, e.kind());
        }

        // the connection and the peer still work
        assertTrue(conn.isOpen());
        assertTrue(js.callOk("echo " + javaId + " " + ECHO + " 65536", T).path("ok").asBoolean());
        js.callOk("ping " + javaId, T);
        conn.ping().get(T.toSeconds(), TimeUnit.SECONDS);
        byte[] data = StreamLoops.pattern(1024, 99);
        assertArrayEquals(data, javaEcho(conn, data));

        // and so does a new connection
        js.callOk("hangup " + javaId, T);
        conn.closeFuture().get(T.toSeconds(), TimeUnit.SECONDS);
        Connection fresh = connection(d);
        assertNotSame(conn, fresh);
        assertTrue(fresh.isOpen());
        assertTrue(js.callOk("echo " + javaId + " " + ECHO + " 65536", T).path("ok").asBoolean());
        assertArrayEquals(data, javaEcho(fresh, data));
        fresh.ping().get(T.toSeconds(), TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers

    /** Starts a Java transport on 127.0.0.1 (any port) with a new key; inbound connections go to {@code inbound}. */
    static Transport startJava(String router, BlockingQueue<Connection> inbound) {
        TransportProvider provider = ServiceLoader.load(TransportProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("libp2p"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no libp2p TransportProvider on the class path (io.weft:weft-transport-libp2p)"));
        Transport t = provider.start(Ed25519.generate(), TransportConfig.defaults()
                .withListen(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")))
                .withPubsubRouter(router));
        t.addConnectionListener(new ConnectionListener() {
            @Override
            public void connected(Connection c) {
                if (!c.isInitiator()) {
                    inbound.add(c);
                }
            }
        });
        return t;
    }

    /** The Java peer's dialable address, with {@code /p2p}. */
    static String address(Transport t) {
        return t.listenAddresses().get(0).encapsulate(Multiaddr.parse("/p2p/" + t.localPeer())).toString();
    }

    static JsPeer js(Direction d) {
        return d == Direction.JAVA_DIALS_JS ? jsServer : jsClient;
    }

    /** The open connection of the shared Java transport to {@code js(d)}, made by the side {@code d} says if there is none. */
    static Connection connection(Direction d) throws Exception {
        JsPeer js = js(d);
        for (Connection c : java.connections()) {
            if (c.isOpen() && c.remotePeer().equals(js.peerId())) {
                return c;
            }
        }
        if (d == Direction.JAVA_DIALS_JS) {
            return java.connect(js.address()).get(T.toSeconds(), TimeUnit.SECONDS);
        }
        js.callOk("dial " + address(java), T);
        return awaitConnection(inbound, js.peerId());
    }

    /** The next open inbound connection from {@code peer} reported to the connection listener. */
    static Connection awaitConnection(BlockingQueue<Connection> queue, PeerId peer) throws InterruptedException {
        long deadline = System.nanoTime() + T.toNanos();
        while (true) {
            Connection c = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (c == null) {
                throw new AssertionError("no inbound connection from " + peer + " within " + T);
            }
            if (c.isOpen() && c.remotePeer().equals(peer)) {
                return c;
            }
        }
    }

    /** Echo of {@code data} through js's {@code /echo/1.0.0} on a new stream of {@code conn}: write, half-close, read to end. */
    static byte[] javaEcho(Connection conn, byte[] data) throws Exception {
        Stream s = conn.newStream(ECHO).get(T.toSeconds(), TimeUnit.SECONDS);
        try {
            assertEquals(ECHO, s.protocol());
            assertTrue(s.isInitiator());
            CompletableFuture<byte[]> back = StreamLoops.readAll(s);
            CompletableFuture<Void> sent = s.write(data).thenCompose(v -> s.closeWrite());
            byte[] result = back.get(T.toSeconds(), TimeUnit.SECONDS);
            sent.get(T.toSeconds(), TimeUnit.SECONDS);
            return result;
        } finally {
            s.close();
        }
    }

    /** The Java {@code /echo/1.0.0} handler: non-blocking echo; logs what it read or why it failed. */
    static void serveEcho(Stream s) {
        PeerId peer = s.remotePeer();
        StreamLoops.echo(s).whenComplete((result, err) -> {
            if (err != null) {
                s.reset();
                served.add(new Served(ECHO, peer, -1, null, StreamLoops.unwrap(err)));
            } else {
                s.close();
                served.add(result);
            }
        });
    }

    /** Polls {@code condition} until it holds (there is no event for it in the API); fails at the deadline. */
    static void awaitCondition(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + ": " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /** What the Java handlers served, in completion order, with waiting. */
    static final class ServedLog {
        private final List<Served> entries = new ArrayList<>();

        synchronized void add(Served s) {
            entries.add(s);
            notifyAll();
        }

        synchronized int size() {
            return entries.size();
        }

        /** The first entry from index {@code from} on matching {@code match}. */
        Served await(Predicate<Served> match, int from) throws InterruptedException {
            return awaitCount(match, from, 1).get(0);
        }

        /** The first {@code count} entries from index {@code from} on matching {@code match}. */
        synchronized List<Served> awaitCount(Predicate<Served> match, int from, int count) throws InterruptedException {
            long deadline = System.nanoTime() + T.toNanos();
            while (true) {
                List<Served> found = entries.subList(from, entries.size()).stream().filter(match).limit(count).toList();
                if (found.size() == count) {
                    return found;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("Java handlers served " + found.size() + " of " + count + " expected streams: " + found);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }
}
