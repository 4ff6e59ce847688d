package io.weft.transport.libp2p;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.weft.api.InvalidInputException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.format.Multiaddr;
import io.weft.api.net.Connection;
import io.weft.api.net.ConnectionListener;
import io.weft.api.net.PeerStore;
import io.weft.api.net.PubSub;
import io.weft.api.net.Registration;
import io.weft.api.net.Stream;
import io.weft.api.net.StreamHandler;
import io.weft.api.net.Transport;
import io.weft.api.net.TransportConfig;
import io.weft.api.net.TransportException;
import io.weft.api.net.TransportException.Kind;
import io.weft.api.thread.PeerId;
import io.weft.transport.libp2p.pubsub.PubSubNetwork;
import io.weft.transport.libp2p.pubsub.PubSubRouter;
import io.weft.transport.libp2p.yamux.YamuxConfig;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A libp2p host on Netty: listens on TCP, dials, upgrades every connection (Noise, yamux), runs identify on each new
 * connection, serves ping and the registered protocols, and routes pubsub. Enforces the configured connection and
 * message limits and backs off from peers whose dials fail. Plain Java: the OSGi component and the
 * {@link java.util.ServiceLoader} provider both just call {@link #start}.
 */
public final class Libp2pHost implements Transport {

    /** How long addresses learnt from identify and dials are kept. */
    static final Duration ADDRESS_TTL = Duration.ofHours(1);
    static final int MAX_KNOWN_PEERS = 10_000;
    /** Outbound buffering per connection before yamux streams wait (Netty's 64 KiB default stalls every frame). */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(512 * 1024, 1024 * 1024);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    private static final Logger LOG = LoggerFactory.getLogger(Libp2pHost.class);

    private final PrivateKey identity;
    private final PeerId localPeer;
    private final TransportConfig config;
    private final YamuxConfig yamuxConfig;
    private final EventLoopGroup group;
    private final List<Channel> servers = new CopyOnWriteArrayList<>();
    private final List<Multiaddr> listenAddresses = new CopyOnWriteArrayList<>();
    private final Map<PeerId, List<Libp2pConnection>> connections = new ConcurrentHashMap<>();
    private final Map<PeerId, CompletableFuture<Connection>> pendingDials = new ConcurrentHashMap<>();
    private final Map<Object, Backoff> backoffs = new ConcurrentHashMap<>();
    private final Map<String, StreamHandler> handlers = new ConcurrentHashMap<>();
    private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger channels = new AtomicInteger();
    private final MemoryPeerStore peerStore = new MemoryPeerStore(Clock.systemUTC(), MAX_KNOWN_PEERS);
    private final PubSubRouter pubsub;
    private volatile boolean closed;
    private volatile List<Multiaddr> announce = List.of();

    private record Backoff(Instant until, Duration next) {
    }

    private Libp2pHost(PrivateKey identity, TransportConfig config) {
        this.identity = identity;
        this.localPeer = PeerId.of(identity.publicKey());
        this.config = config;
        YamuxConfig defaults = YamuxConfig.defaults();
        this.yamuxConfig = new YamuxConfig(config.maxStreamsPerConnection(), defaults.initialWindow(),
                defaults.maxWindow(), defaults.maxFrameSize(), defaults.keepAliveInterval(), defaults.maxAckBacklog());
        this.group = new NioEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory("weft-p2p", true));
        handlers.put(Identify.PROTOCOL, stream -> Identify.respond(stream, identifyMessage(stream.remoteAddress())));
        handlers.put(Ping.PROTOCOL, Ping::respond);
        this.pubsub = new PubSubRouter(new Network(), config.pubsubRouter().equals("gossipsub"));
        for (String p : pubsub.protocols()) {
            handlers.put(p, pubsub::handleInbound);
        }
    }

    /**
     * Starts a host with {@code identity} and {@code config}, bound to every listen address.
     *
     * @throws TransportException ({@code CONNECT_FAILED}) if no listen address could be bound (when some are given)
     */
    public static Libp2pHost start(PrivateKey identity, TransportConfig config) {
        Libp2pHost host = new Libp2pHost(identity, config);
        try {
            host.listen();
            host.announce = host.computeAnnounce();
        } catch (RuntimeException e) {
            host.close();
            throw e;
        }
        return host;
    }

    private void listen() {
        List<String> failures = new ArrayList<>();
        // IPv6 wildcards first: on a dual-stack host the :: socket also accepts IPv4, and then serves the IPv4
        // wildcard of the same port (binding 0.0.0.0 first would only take IPv4 and make :: fail)
        List<Multiaddr> ordered = new ArrayList<>(config.listen());
        ordered.sort(java.util.Comparator.comparing((Multiaddr a) -> !(Addresses.isWildcard(a)
                && a.components().get(0).protocol() == Multiaddr.Protocol.IP6)));
        List<Multiaddr> ipv6Wildcards = new ArrayList<>();
        for (Multiaddr address : ordered) {
            InetSocketAddress socket;
            try {
                socket = Addresses.toSocketAddress(address);
            } catch (InvalidInputException | NumberFormatException e) {
                throw new InvalidInputException("listen address " + address + ": " + e.getMessage());
            }
            boolean wildcard = Addresses.isWildcard(address);
            boolean ipv6 = address.components().get(0).protocol() == Multiaddr.Protocol.IP6;
            if (wildcard && !ipv6 && socket.getPort() != 0 && ipv6Wildcards.stream().anyMatch(
                    a -> a.value(Multiaddr.Protocol.TCP).orElse("").equals(Integer.toString(socket.getPort())))) {
                // already served by the dual-stack IPv6 wildcard socket on this port
                listenAddresses.add(address);
                LOG.info("libp2p listening on {}/p2p/{} (dual-stack)", address, localPeer);
                continue;
            }
            ChannelFuture bound = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 256)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                    .childHandler(initializer(false, null, null))
                    .bind(socket).awaitUninterruptibly();
            if (!bound.isSuccess()) {
                if (wildcard && ipv6) {
                    LOG.info("not listening on {} (no IPv6 here?): {}", address, bound.cause().getMessage());
                } else {
                    LOG.warn("cannot listen on {}: {}", address, bound.cause().getMessage());
                }
                failures.add(address + " (" + bound.cause().getMessage() + ")");
                continue;
            }
            servers.add(bound.channel());
            // the configured address with the real port
            int port = ((InetSocketAddress) bound.channel().localAddress()).getPort();
            Multiaddr actual = Addresses.toMultiaddr(new InetSocketAddress(socket.getAddress(), port));
            if (wildcard && ipv6) {
                ipv6Wildcards.add(actual);
            }
            listenAddresses.add(actual);
            LOG.info("libp2p listening on {}/p2p/{}", actual, localPeer);
        }
        if (!config.listen().isEmpty() && servers.isEmpty()) {
            throw new TransportException(Kind.CONNECT_FAILED, "could not listen on any address: " + failures);
        }
    }

    /**
     * The configured announce addresses, else the listen addresses with wildcards expanded to this host's interface
     * addresses (enumerated once, at start: identify sends them on every connection).
     */
    private List<Multiaddr> computeAnnounce() {
        if (!config.announce().isEmpty()) {
            return config.announce();
        }
        List<Multiaddr> out = new ArrayList<>();
        for (Multiaddr a : listenAddresses) {
            out.addAll(Addresses.expandWildcard(a));
        }
        return List.copyOf(out);
    }

    private ChannelInitializer<SocketChannel> initializer(boolean initiator, PeerId expected,
            CompletableFuture<Libp2pConnection> dialResult) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                if (closed || channels.incrementAndGet() > config.maxConnections()) {
                    channels.decrementAndGet();
                    if (!initiator) {
                        LOG.warn("refusing a connection from {}: {} connections open (maxConnections)",
                                ch.remoteAddress(), config.maxConnections());
                    }
                    if (dialResult != null) {
                        dialResult.completeExceptionally(new TransportException(Kind.LIMIT_EXCEEDED,
                                "too many connections open (maxConnections " + config.maxConnections() + ")"));
                    }
                    ch.close();
                    return;
                }
                ch.closeFuture().addListener(f -> channels.decrementAndGet());
                CompletableFuture<Libp2pConnection> result = dialResult != null ? dialResult : new CompletableFuture<>();
                if (!initiator) {
                    result.whenComplete((c, e) -> {
                        if (e == null) {
                            register(c);
                        }
                    });
                }
                ch.pipeline().addLast("mss-security", ConnectionUpgrader.securityNegotiator(initiator));
                ch.pipeline().addLast(ConnectionUpgrader.NAME, new ConnectionUpgrader(Libp2pHost.this, initiator,
                        expected, result));
            }
        };
    }

    // ---------------------------------------------------------------------------------------------------------
    // Dialling

    @Override
    public CompletableFuture<Connection> connect(Multiaddr address) {
        if (closed) {
            return CompletableFuture.failedFuture(new TransportException(Kind.CLOSED, "transport is closed"));
        }
        Optional<PeerId> expected = address.peerId();
        Multiaddr target = address.decapsulate(Multiaddr.Protocol.P2P);
        if (expected.isPresent()) {
            if (expected.get().equals(localPeer)) {
                return CompletableFuture.failedFuture(new TransportException(Kind.CONNECT_FAILED, "cannot dial self"));
            }
            Optional<Libp2pConnection> open = openConnection(expected.get());
            if (open.isPresent()) {
                return CompletableFuture.completedFuture(open.get());
            }
            CompletableFuture<Connection> pending = pendingDials.get(expected.get());
            if (pending != null) {
                return pending;
            }
        }
        Object backoffKey = expected.isPresent() ? expected.get() : target;
        Backoff backoff = backoffs.get(backoffKey);
        if (backoff != null && Instant.now().isBefore(backoff.until())) {
            return CompletableFuture.failedFuture(new TransportException(Kind.CONNECT_FAILED,
                    "not dialling " + address + ": in dial backoff after a failed dial"));
        }
        InetSocketAddress socket;
        try {
            socket = Addresses.toSocketAddress(target);
        } catch (InvalidInputException e) {
            return CompletableFuture.failedFuture(new TransportException(Kind.CONNECT_FAILED, e.getMessage(), e));
        }
        CompletableFuture<Connection> result = new CompletableFuture<>();
        expected.ifPresent(p -> pendingDials.put(p, result));
        CompletableFuture<Libp2pConnection> upgraded = new CompletableFuture<>();
        new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
                .handler(initializer(true, expected.orElse(null), upgraded))
                .connect(socket).addListener((ChannelFuture f) -> {
                    if (!f.isSuccess()) {
                        upgraded.completeExceptionally(new TransportException(Kind.CONNECT_FAILED,
                                "cannot connect to " + target + ": " + f.cause().getMessage()));
                    }
                });
        upgraded.whenComplete((connection, e) -> {
            expected.ifPresent(p -> pendingDials.remove(p, result));
            if (e != null) {
                TransportException te = Futures.asTransport(e, Kind.CONNECT_FAILED, "dialling " + address);
                Duration next = backoff == null ? config.dialBackoff() : min(backoff.next().multipliedBy(2), MAX_BACKOFF);
                if (te.kind() != Kind.LIMIT_EXCEEDED) {
                    backoffs.put(backoffKey, new Backoff(Instant.now().plus(next), next));
                }
                result.completeExceptionally(te);
                return;
            }
            backoffs.remove(backoffKey);
            peerStore.addAddresses(connection.remotePeer(), List.of(target), ADDRESS_TTL);
            register(connection);
            result.complete(connection);
        });
        return result;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public CompletableFuture<Connection> connect(PeerId peer) {
        Optional<Libp2pConnection> open = openConnection(peer);
        if (open.isPresent()) {
            return CompletableFuture.completedFuture(open.get());
        }
        List<Multiaddr> known = peerStore.addresses(peer);
        if (known.isEmpty()) {
            return CompletableFuture.failedFuture(new TransportException(Kind.CONNECT_FAILED, "no known address for " + peer));
        }
        return dialInTurn(peer, known, 0, null);
    }

    private CompletableFuture<Connection> dialInTurn(PeerId peer, List<Multiaddr> addresses, int i, Throwable last) {
        if (i == addresses.size()) {
            return CompletableFuture.failedFuture(Futures.asTransport(last, Kind.CONNECT_FAILED, "dialling " + peer));
        }
        Multiaddr full = addresses.get(i).encapsulate(Multiaddr.Component.of(Multiaddr.Protocol.P2P, peer.bytes()));
        return connect(full).handle((c, e) -> e == null ? CompletableFuture.completedFuture(c)
                : dialInTurn(peer, addresses, i + 1, e)).thenCompose(f -> f);
    }

    @Override
    public CompletableFuture<Stream> newStream(PeerId peer, String... protocols) {
        return connect(peer).thenCompose(c -> c.newStream(protocols));
    }

    private Optional<Libp2pConnection> openConnection(PeerId peer) {
        List<Libp2pConnection> list = connections.get(peer);
        if (list != null) {
            for (Libp2pConnection c : list) {
                if (c.isOpen()) {
                    return Optional.of(c);
                }
            }
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Connection bookkeeping

    private void register(Libp2pConnection connection) {
        PeerId peer = connection.remotePeer();
        connections.computeIfAbsent(peer, p -> new CopyOnWriteArrayList<>()).add(connection);
        LOG.debug("opened {}", connection);
        connection.closeFuture().whenComplete((v, e) -> unregister(connection));
        for (ConnectionListener l : listeners) {
            try {
                l.connected(connection);
            } catch (RuntimeException ex) {
                LOG.warn("connection listener failed", ex);
            }
        }
        connection.newStream(Identify.PROTOCOL)
                .thenCompose(s -> Identify.request(s, config.maxMessageSize()))
                .whenComplete((info, e) -> {
                    if (e != null) {
                        TransportException te = Futures.asTransport(e, Kind.PROTOCOL_ERROR, "identify with " + peer);
                        connection.identifyFuture().completeExceptionally(te);
                        if (te.kind() == Kind.PEER_ID_MISMATCH) {
                            LOG.warn("closing {}: {}", connection, te.getMessage());
                            connection.close();
                        } else {
                            LOG.debug("identify with {} failed: {}", peer, te.getMessage());
                        }
                        return;
                    }
                    peerStore.putInfo(info);
                    peerStore.addAddresses(peer, info.listenAddresses(), ADDRESS_TTL);
                    connection.identifyFuture().complete(info);
                    pubsub.peerConnected(peer, info.protocols());
                });
    }

    private void unregister(Libp2pConnection connection) {
        PeerId peer = connection.remotePeer();
        List<Libp2pConnection> list = connections.get(peer);
        if (list != null) {
            list.remove(connection);
            if (list.isEmpty()) {
                connections.remove(peer, list);
            }
        }
        LOG.debug("closed {}", connection);
        if (openConnection(peer).isEmpty()) {
            pubsub.peerDisconnected(peer);
        }
        for (ConnectionListener l : listeners) {
            try {
                l.disconnected(connection);
            } catch (RuntimeException ex) {
                LOG.warn("connection listener failed", ex);
            }
        }
    }

    private byte[] identifyMessage(Multiaddr observed) {
        return Identify.message(identity.publicKey(), config.agentVersion(), protocols(), announceAddresses(), observed);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Protocols

    @Override
    public Registration handle(String protocol, StreamHandler handler) {
        if (protocol == null || !protocol.startsWith("/") || protocol.length() > 256 || protocol.contains("\n")) {
            throw new IllegalArgumentException("a protocol id starts with / and has at most 256 characters: " + protocol);
        }
        if (handler == null) {
            throw new IllegalArgumentException("missing handler for " + protocol);
        }
        if (handlers.putIfAbsent(protocol, handler) != null) {
            throw new IllegalStateException("protocol " + protocol + " already has a handler");
        }
        return () -> handlers.remove(protocol, handler);
    }

    boolean serves(String protocol) {
        return handlers.containsKey(protocol);
    }

    StreamHandler handler(String protocol) {
        return handlers.get(protocol);
    }

    @Override
    public List<String> protocols() {
        return List.copyOf(new TreeSet<>(handlers.keySet()));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Accessors

    @Override
    public PeerId localPeer() {
        return localPeer;
    }

    @Override
    public List<Multiaddr> listenAddresses() {
        return List.copyOf(listenAddresses);
    }

    @Override
    public List<Multiaddr> announceAddresses() {
        return announce;
    }

    @Override
    public List<Connection> connections() {
        List<Connection> out = new ArrayList<>();
        connections.values().forEach(out::addAll);
        return out;
    }

    @Override
    public Registration addConnectionListener(ConnectionListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public PeerStore peerStore() {
        return peerStore;
    }

    @Override
    public PubSub pubsub() {
        return pubsub;
    }

    PrivateKey identity() {
        return identity;
    }

    TransportConfig config() {
        return config;
    }

    YamuxConfig yamuxConfig() {
        return yamuxConfig;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pubsub.close();
        for (Channel server : servers) {
            server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        for (Connection c : connections()) {
            c.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        LOG.info("libp2p host {} stopped", localPeer);
    }

    /** The host as the pubsub router sees it. */
    private final class Network implements PubSubNetwork {
        @Override
        public PeerId localPeer() {
            return localPeer;
        }

        @Override
        public PrivateKey identity() {
            return identity;
        }

        @Override
        public CompletableFuture<Stream> newStream(PeerId peer, String... protocols) {
            Optional<Libp2pConnection> c = openConnection(peer);
            if (c.isEmpty()) {
                return CompletableFuture.failedFuture(new TransportException(Kind.CLOSED, "not connected to " + peer));
            }
            return c.get().newStream(protocols);
        }

        @Override
        public ScheduledExecutorService scheduler() {
            return group;
        }

        @Override
        public int maxMessageSize() {
            return config.maxMessageSize();
        }
    }

}
