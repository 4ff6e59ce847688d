package io.weft.transport.libp2p;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.api.format.Multiaddr;
import io.weft.api.net.Connection;
import io.weft.api.net.ConnectionListener;
import io.weft.api.net.PeerInfo;
import io.weft.api.net.Stream;
import io.weft.api.net.TransportConfig;
import io.weft.api.net.TransportException;
import io.weft.api.net.TransportException.Kind;
import io.weft.api.thread.PeerId;
import io.weft.core.crypto.Ed25519;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two real hosts on 127.0.0.1: the whole stack (TCP, multistream-select, Noise, yamux, identify, ping). */
class Libp2pHostTest {

    static final String ECHO = "/test/echo/1.0.0";
    private final List<Libp2pHost> hosts = new ArrayList<>();

    private Libp2pHost host(TransportConfig config) {
        Libp2pHost h = Libp2pHost.start(Ed25519.generate(), config);
        hosts.add(h);
        return h;
    }

    private Libp2pHost host() {
        return host(local());
    }

    static TransportConfig local() {
        return TransportConfig.defaults().withListen(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")))
                .withConnectTimeout(Duration.ofSeconds(5));
    }

    static Multiaddr addressOf(Libp2pHost h) {
        return h.listenAddresses().get(0).encapsulate(Multiaddr.Component.of(Multiaddr.Protocol.P2P, h.localPeer().bytes()));
    }

    static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    /** Serves {@link #ECHO}: everything read is written back; end of stream closes the write side. */
    static void echo(Stream s) {
        s.read().whenComplete((bytes, e) -> {
            if (e != null) {
                s.reset();
            } else if (bytes == null) {
                s.closeWrite();
            } else {
                s.write(bytes).whenComplete((v, we) -> {
                    if (we != null) {
                        s.reset();
                    } else {
                        echo(s);
                    }
                });
            }
        });
    }

    static CompletableFuture<byte[]> readAll(Stream s, ByteArrayOutputStream into) {
        return s.read().thenCompose(b -> {
            if (b == null) {
                return CompletableFuture.completedFuture(into.toByteArray());
            }
            into.writeBytes(b);
            return readAll(s, into);
        });
    }

    static byte[] roundTrip(Connection c, byte[] payload) throws Exception {
        Stream s = await(c.newStream(ECHO));
        CompletableFuture<byte[]> back = readAll(s, new ByteArrayOutputStream());
        await(s.write(payload).thenCompose(v -> s.closeWrite()));
        byte[] out = await(back);
        s.close();
        return out;
    }

    @AfterEach
    void closeHosts() {
        hosts.forEach(Libp2pHost::close);
    }

    @Test
    void connectsIdentifiesAndPingsBothWays() throws Exception {
        Libp2pHost a = host();
        Libp2pHost b = host();
        CompletableFuture<Connection> inbound = nextConnection(b, a.localPeer());
        Connection c = await(a.connect(addressOf(b)));
        assertEquals(b.localPeer(), c.remotePeer());
        assertEquals("/noise", c.security());
        assertEquals("/yamux/1.0.0", c.muxer());
        PeerInfo info = await(c.identify());
        assertEquals(b.localPeer(), info.peerId());
        assertEquals("weft/0.1.0", info.agentVersion());
        assertTrue(info.protocols().contains("/ipfs/ping/1.0.0"), info.protocols().toString());
        assertTrue(info.listenAddresses().contains(b.listenAddresses().get(0)));
        assertTrue(await(c.ping()).toNanos() > 0);
        // b sees the inbound connection and identifies a in turn
        Connection back = await(inbound);
        assertFalse(back.isInitiator());
        assertEquals(a.localPeer(), await(back.identify()).peerId());
        assertTrue(await(back.ping()).toNanos() > 0);
        assertEquals(List.of(b.listenAddresses().get(0)), a.peerStore().addresses(b.localPeer()));
    }

    /** Completes with the first connection {@code h} opens with {@code peer} from now on. */
    static CompletableFuture<Connection> nextConnection(Libp2pHost h, PeerId peer) {
        CompletableFuture<Connection> f = new CompletableFuture<>();
        h.addConnectionListener(new ConnectionListener() {
            @Override
            public void connected(Connection connection) {
                if (connection.remotePeer().equals(peer)) {
                    f.complete(connection);
                }
            }
        });
        return f;
    }

    @Test
    void echoesPayloadsIntact() throws Exception {
        Libp2pHost a = host();
        Libp2pHost b = host();
        b.handle(ECHO, Libp2pHostTest::echo);
        Connection c = await(a.connect(addressOf(b)));
        Random random = new Random(7);
        for (int size : new int[] {1, 64 * 1024, 8 * 1024 * 1024}) {
            byte[] payload = new byte[size];
            random.nextBytes(payload);
            assertArrayEquals(payload, roundTrip(c, payload), "size " + size);
        }
    }

    @Test
    void hundredConcurrentStreams() throws Exception {
        Libp2pHost a = host();
        Libp2pHost b = host();
        b.handle(ECHO, Libp2pHostTest::echo);
        Connection c = await(a.connect(addressOf(b)));
        List<CompletableFuture<Boolean>> all = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            byte[] payload = new byte[1000 + i];
            new Random(i).nextBytes(payload);
            all.add(c.newStream(ECHO).thenCompose(s -> {
                CompletableFuture<byte[]> back = readAll(s, new ByteArrayOutputStream());
                return s.write(payload).thenCompose(v -> s.closeWrite()).thenCompose(v -> back)
                        .thenApply(got -> java.util.Arrays.equals(got, payload));
            }));
        }
        for (CompletableFuture<Boolean> f : all) {
            assertTrue(await(f));
        }
    }

    @Test
    void unknownProtocolIsRefused() throws Exception {
        Libp2pHost a = host();
        Libp2pHost b = host();
        Connection c = await(a.connect(addressOf(b)));
        ExecutionException e = assertThrows(ExecutionException.class, () -> await(c.newStream("/nobody/1.0.0")));
        TransportException te = assertInstanceOf(TransportException.class, Futures.unwrap(e));
        assertEquals(Kind.PROTOCOL_NOT_SUPPORTED, te.kind());
        assertTrue(await(c.ping()).toNanos() > 0, "the connection stays usable");
    }

    @Test
    void wrongPeerIdIsRejectedAndBackedOff() throws Exception {
        Libp2pHost a = host();
        Libp2pHost b = host();
        PeerId impostor = PeerId.of(Ed25519.generate().publicKey());
        Multiaddr wrong = b.listenAddresses().get(0).encapsulate(Multiaddr.Component.of(Multiaddr.Protocol.P2P, impostor.bytes()));
        ExecutionException e = assertThrows(ExecutionException.class, () -> await(a.connect(wrong)));
        assertEquals(Kind.PEER_ID_MISMATCH, assertInstanceOf(TransportException.class, Futures.unwrap(e)).kind());
        ExecutionException again = assertThrows(ExecutionException.class, () -> await(a.connect(wrong)));
        TransportException te = assertInstanceOf(TransportException.class, Futures.unwrap(again));
        assertEquals(Kind.CONNECT_FAILED, te.kind());
        assertTrue(te.getMessage().contains("backoff"), te.getMessage());
        // the right id still connects
        assertEquals(b.localPeer(), await(a.connect(addressOf(b))).remotePeer());
    }

    @Test
    void refusedConnectionIsATypedError() throws Exception {
        Libp2pHost a = host();
        Libp2pHost b = host();
        Multiaddr gone = addressOf(b);
        b.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> await(a.connect(gone)));
        assertEquals(Kind.CONNECT_FAILED, assertInstanceOf(TransportException.class, Futures.unwrap(e)).kind());
    }

    @Test
    void connectionLimitIsEnforced() throws Exception {
        Libp2pHost server = host(local().withMaxConnections(1));
        Libp2pHost first = host();
        Libp2pHost second = host();
        await(first.connect(addressOf(server)));
        ExecutionException e = assertThrows(ExecutionException.class, () -> await(second.connect(addressOf(server))));
        assertInstanceOf(TransportException.class, Futures.unwrap(e));
        assertEquals(1, server.connections().size());
    }

    @Test
    void garbageFromARawSocketClosesOnlyThatConnection() throws Exception {
        // garbage that looks like the start of a longer message is closed by the handshake deadline
        Libp2pHost server = host(local().withConnectTimeout(Duration.ofSeconds(1)));
        server.handle(ECHO, Libp2pHostTest::echo);
        InetSocketAddress where = Addresses.toSocketAddress(server.listenAddresses().get(0));
        int threadsBefore = Thread.activeCount();
        Random random = new Random(42);
        for (int round = 0; round < 30; round++) {
            try (Socket s = new Socket()) {
                s.connect(where, 5000);
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                byte[] junk = new byte[1 + random.nextInt(4096)];
                random.nextBytes(junk);
                if (round % 3 == 1) {
                    // a valid multistream header, then garbage where the Noise handshake should be
                    out.write(new byte[] {0x13});
                    out.write("/multistream/1.0.0\n".getBytes());
                    out.write(new byte[] {0x07});
                    out.write("/noise\n".getBytes());
                }
                out.write(junk);
                out.flush();
                InputStream in = s.getInputStream();
                // the server answers what it can, then closes: read to end of stream
                while (in.read(new byte[4096]) >= 0) {
                    // drain
                }
            } catch (java.net.SocketException e) {
                // a reset is an acceptable way to close
            }
        }
        // the host is still healthy
        Libp2pHost client = host();
        Connection c = await(client.connect(addressOf(server)));
        assertArrayEquals(new byte[] {1, 2, 3}, roundTrip(c, new byte[] {1, 2, 3}));
        assertTrue(Thread.activeCount() <= threadsBefore + 8, "no thread leak: " + threadsBefore + " → " + Thread.activeCount());
    }

    @Test
    void ipv6LoopbackWorksWhereTheHostHasIt() throws Exception {
        boolean hasIpv6;
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.bind(new InetSocketAddress("::1", 0));
            hasIpv6 = true;
        } catch (java.io.IOException e) {
            hasIpv6 = false;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(hasIpv6, "no IPv6 loopback on this machine");
        TransportConfig v6 = local().withListen(List.of(Multiaddr.parse("/ip6/::1/tcp/0")));
        Libp2pHost a = host(v6);
        Libp2pHost b = host(v6);
        assertTrue(b.listenAddresses().get(0).toString().startsWith("/ip6/::1/tcp/"), b.listenAddresses().toString());
        Connection c = await(a.connect(addressOf(b)));
        assertTrue(c.remoteAddress().toString().startsWith("/ip6/::1/tcp/"), c.remoteAddress().toString());
        assertTrue(await(c.ping()).toNanos() > 0);
    }

    @Test
    void announceAddressesAreWhatIdentifyTellsAndWildcardsExpand() throws Exception {
        Multiaddr announced = Multiaddr.parse("/dns4/peer.example.org/tcp/4006");
        Libp2pHost b = host(local().withAnnounce(List.of(announced)));
        Libp2pHost a = host(local().withListen(List.of(Multiaddr.parse("/ip4/0.0.0.0/tcp/0"))));
        assertEquals(List.of(announced), b.announceAddresses());
        PeerInfo info = await(await(a.connect(addressOf(b))).identify());
        assertEquals(List.of(announced), info.listenAddresses());
        assertTrue(a.listenAddresses().get(0).toString().startsWith("/ip4/0.0.0.0/tcp/"));
        String port = a.listenAddresses().get(0).value(Multiaddr.Protocol.TCP).orElseThrow();
        assertTrue(a.announceAddresses().contains(Multiaddr.parse("/ip4/127.0.0.1/tcp/" + port)), a.announceAddresses().toString());
    }

    @Test
    void defaultWildcardsOnOnePortServeIpv4AndIpv6() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Libp2pHost server = host(local().withListen(List.of(Multiaddr.parse("/ip4/0.0.0.0/tcp/" + port),
                Multiaddr.parse("/ip6/::/tcp/" + port))));
        assertTrue(server.listenAddresses().contains(Multiaddr.parse("/ip4/0.0.0.0/tcp/" + port)), server.listenAddresses().toString());
        Libp2pHost client = host();
        Multiaddr v4 = Multiaddr.parse("/ip4/127.0.0.1/tcp/" + port + "/p2p/" + server.localPeer());
        assertTrue(await(await(client.connect(v4)).ping()).toNanos() > 0);
    }

    @Test
    void listeningOnNothingStillDials() throws Exception {
        Libp2pHost b = host();
        Libp2pHost dialOnly = host(local().withListen(List.of()));
        assertTrue(dialOnly.listenAddresses().isEmpty());
        assertEquals(b.localPeer(), await(dialOnly.connect(addressOf(b))).remotePeer());
    }

    @Test
    void protocolRegistrationRules() {
        Libp2pHost a = host();
        var reg = a.handle(ECHO, Libp2pHostTest::echo);
        assertThrows(IllegalStateException.class, () -> a.handle(ECHO, Libp2pHostTest::echo));
        assertThrows(IllegalArgumentException.class, () -> a.handle("no-slash", Libp2pHostTest::echo));
        assertTrue(a.protocols().contains(ECHO));
        reg.close();
        assertFalse(a.protocols().contains(ECHO));
        assertTrue(a.protocols().containsAll(List.of("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0")));
    }
}
