package io.weft.transport.libp2p.pubsub;

import io.weft.api.crypto.PrivateKey;
import io.weft.api.net.Stream;
import io.weft.api.net.TransportException;
import io.weft.api.thread.PeerId;
import io.weft.core.crypto.Ed25519;
import io.weft.transport.libp2p.testing.PipeStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * An in-process network of pubsub hosts: each {@link Node} is a {@link PubSubNetwork} whose streams are
 * {@link PipeStream} pairs. {@link #connect} plays the host's part: it tells both sides (after "identify") which
 * protocols the other speaks.
 */
final class MemNetwork implements AutoCloseable {
    final ExecutorService io = Executors.newFixedThreadPool(4);
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    /** A manual clock for routers built with {@link #router(boolean, boolean)}: nanoseconds. */
    final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final Map<PeerId, Node> nodes = new ConcurrentHashMap<>();
    private final List<PubSubRouter> routers = new ArrayList<>();

    /** One host. */
    final class Node implements PubSubNetwork {
        final PrivateKey key = Ed25519.generate();
        final PeerId id = PeerId.of(key.publicKey());
        final Set<PeerId> connected = ConcurrentHashMap.newKeySet();
        final List<PipeStream> streams = new ArrayList<>();
        volatile List<String> protocols = List.of();
        volatile Consumer<Stream> inbound = Stream::reset;
        volatile BiConsumer<PeerId, Collection<String>> onConnect = (p, protos) -> { };
        volatile Consumer<PeerId> onDisconnect = p -> { };
        volatile int maxMessageSize = 1 << 20;
        PubSubRouter router;

        @Override
        public PeerId localPeer() {
            return id;
        }

        @Override
        public PrivateKey identity() {
            return key;
        }

        @Override
        public CompletableFuture<Stream> newStream(PeerId peer, String... wanted) {
            Node remote = nodes.get(peer);
            if (remote == null || !connected.contains(peer)) {
                return CompletableFuture.failedFuture(
                        new TransportException(TransportException.Kind.CONNECT_FAILED, "not connected to " + peer));
            }
            for (String protocol : wanted) {
                if (remote.protocols.contains(protocol)) {
                    PipeStream[] pair = PipeStream.pair(id, peer, protocol, io);
                    synchronized (streams) {
                        streams.add(pair[0]);
                    }
                    synchronized (remote.streams) {
                        remote.streams.add(pair[1]);
                    }
                    CompletableFuture<Stream> opened = new CompletableFuture<>();
                    io.execute(() -> {
                        remote.inbound.accept(pair[1]);
                        opened.complete(pair[0]);
                    });
                    return opened;
                }
            }
            return CompletableFuture.failedFuture(new TransportException(
                    TransportException.Kind.PROTOCOL_NOT_SUPPORTED, peer + " speaks none of " + List.of(wanted)));
        }

        @Override
        public ScheduledExecutorService scheduler() {
            return scheduler;
        }

        @Override
        public int maxMessageSize() {
            return maxMessageSize;
        }
    }

    /** A bare node (for hand-written peers). */
    Node node() {
        Node n = new Node();
        nodes.put(n.id, n);
        return n;
    }

    /**
     * A node with a router. Manual routers use {@link #clock} and do not schedule heartbeats (the test calls
     * {@link PubSubRouter#heartbeat()}); others use the real clock and a 1 s heartbeat.
     */
    PubSubRouter router(boolean gossip, boolean manual) {
        Node n = node();
        PubSubRouter r = manual ? new PubSubRouter(n, gossip, clock::get, false) : new PubSubRouter(n, gossip);
        n.router = r;
        n.protocols = r.protocols();
        n.inbound = r::handleInbound;
        n.onConnect = r::peerConnected;
        n.onDisconnect = r::peerDisconnected;
        synchronized (routers) {
            routers.add(r);
        }
        return r;
    }

    Node nodeOf(PubSubRouter r) {
        for (Node n : nodes.values()) {
            if (n.router == r) {
                return n;
            }
        }
        throw new IllegalArgumentException("not a router of this network");
    }

    PeerId idOf(PubSubRouter r) {
        return nodeOf(r).id;
    }

    void connect(PubSubRouter a, PubSubRouter b) {
        connect(nodeOf(a), nodeOf(b));
    }

    /** Connects two nodes and tells both (as identify would) what the other speaks. */
    void connect(Node a, Node b) {
        a.connected.add(b.id);
        b.connected.add(a.id);
        a.onConnect.accept(b.id, b.protocols);
        b.onConnect.accept(a.id, a.protocols);
    }

    /** Drops the connection: resets the streams between the two and tells both. */
    void disconnect(Node a, Node b) {
        a.connected.remove(b.id);
        b.connected.remove(a.id);
        List<PipeStream> toReset = new ArrayList<>();
        synchronized (a.streams) {
            for (PipeStream s : a.streams) {
                if (s.remotePeer().equals(b.id)) {
                    toReset.add(s);
                }
            }
        }
        toReset.forEach(PipeStream::reset);
        a.onDisconnect.accept(b.id);
        b.onDisconnect.accept(a.id);
    }

    @Override
    public void close() throws InterruptedException {
        synchronized (routers) {
            routers.forEach(PubSubRouter::close);
        }
        scheduler.shutdownNow();
        io.shutdown();
        io.awaitTermination(5, TimeUnit.SECONDS);
    }
}
