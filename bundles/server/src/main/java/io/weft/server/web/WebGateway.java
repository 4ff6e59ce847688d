package io.weft.server.web;

import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web gateway: serves gRPC calls to browsers and JavaScript clients on one HTTP/1.1 port (default
 * {@code 127.0.0.1:6007}) and forwards each to a gRPC {@link Channel} (in the server, an in-process channel to the
 * in-process gRPC server), as opaque bytes: it knows the services only by their method names and types.
 * <ul>
 * <li>grpc-websockets (improbable-eng's WebSocket transport, used by {@code @textile/threads-client} for every call):
 * one WebSocket per call at {@code /<service>/<method>}, subprotocol {@code grpc-websockets}; unary, server-,
 * client- and bidi-streaming calls;</li>
 * <li>grpc-web over HTTP/1.1 ({@code POST /<service>/<method>}, {@code application/grpc-web[+proto]} or
 * {@code application/grpc-web-text}): unary and server-streaming calls, with CORS;</li>
 * <li>plain HTTP {@link HttpRoute}s, by path prefix, on the same port; everything else is 404.</li>
 * </ul>
 * Every forwarded call carries the metadata {@value #REMOTE_ADDR_HEADER} (the client's IP address; a copy sent by
 * the client is dropped) and, for browsers, {@value #ORIGIN_HEADER} (their {@code Origin}), for the server's auth.
 * See docs/web-transports.md.
 */
public final class WebGateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebGateway.class);

    /** Metadata key carrying the client's IP address ({@link java.net.InetAddress#getHostAddress()} form). */
    public static final String REMOTE_ADDR_HEADER = GrpcFrames.REMOTE_ADDR;
    /** Metadata key carrying the {@code Origin} header of a browser's request, when it sent one. */
    public static final String ORIGIN_HEADER = GrpcFrames.ORIGIN;

    static final String IDLE = "idle";

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw Status.INTERNAL.withDescription("cannot read a message").withCause(e).asRuntimeException();
            }
        }
    };

    private final WebConfig config;
    private final Channel channel;
    private final Function<String, MethodDescriptor.MethodType> methodTypes;
    private final List<HttpRoute> routes;
    private final Map<String, MethodDescriptor<byte[], byte[]>> descriptors = new ConcurrentHashMap<>();
    private final AtomicInteger activeCalls = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private ChannelGroup allChannels;
    private io.netty.channel.Channel serverChannel;
    private boolean closed;

    /**
     * A gateway, not started yet.
     *
     * @param config address, CORS and limits
     * @param channel where calls are forwarded (the gateway never shuts it down)
     * @param methodTypes the type of each known method by full name ({@code threads.pb.API/Create}), {@code null}
     *        for an unknown method (answered UNIMPLEMENTED)
     * @param routes plain HTTP routes; the longest matching prefix wins
     */
    public WebGateway(WebConfig config, Channel channel, Function<String, MethodDescriptor.MethodType> methodTypes,
            List<HttpRoute> routes) {
        this.config = Objects.requireNonNull(config, "config");
        this.channel = Objects.requireNonNull(channel, "channel");
        this.methodTypes = Objects.requireNonNull(methodTypes, "methodTypes");
        List<HttpRoute> sorted = new ArrayList<>(routes);
        for (HttpRoute r : sorted) {
            String prefix = r.prefix();
            if (prefix == null || !prefix.startsWith("/") || !prefix.endsWith("/")) {
                throw new IllegalArgumentException("a route prefix must start and end with '/', got '" + prefix + "'");
            }
        }
        sorted.sort(Comparator.comparingInt((HttpRoute r) -> r.prefix().length()).reversed());
        this.routes = List.copyOf(sorted);
    }

    /** A gateway for the methods of {@code services} (see {@link #methodTypes(Collection)}). */
    public WebGateway(WebConfig config, Channel channel, Collection<ServerServiceDefinition> services,
            List<HttpRoute> routes) {
        this(config, channel, methodTypes(services), routes);
    }

    /** The method-type lookup of {@code services}: full method name to type, {@code null} if not among them. */
    public static Function<String, MethodDescriptor.MethodType> methodTypes(
            Collection<ServerServiceDefinition> services) {
        Map<String, MethodDescriptor.MethodType> types = new HashMap<>();
        for (ServerServiceDefinition s : services) {
            for (ServerMethodDefinition<?, ?> m : s.getMethods()) {
                types.put(m.getMethodDescriptor().getFullMethodName(), m.getMethodDescriptor().getType());
            }
        }
        Map<String, MethodDescriptor.MethodType> copy = Map.copyOf(types);
        return copy::get;
    }

    /**
     * Binds the port and starts serving.
     *
     * @throws UncheckedIOException if the address cannot be bound
     * @throws IllegalStateException if already started or closed
     */
    public synchronized void start() {
        if (closed || serverChannel != null) {
            throw new IllegalStateException(closed ? "closed" : "already started");
        }
        bossGroup = new NioEventLoopGroup(1, new DefaultThreadFactory("weft-web-accept", true));
        workerGroup = new NioEventLoopGroup(0, new DefaultThreadFactory("weft-web", true));
        allChannels = new DefaultChannelGroup("weft-web", GlobalEventExecutor.INSTANCE);
        ServerBootstrap b = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        initConnection(ch);
                    }
                });
        try {
            serverChannel = b.bind(config.host(), config.port()).syncUninterruptibly().channel();
        } catch (Exception e) { // the bind exception is rethrown unchecked
            shutdownGroups();
            serverChannel = null;
            throw new UncheckedIOException("cannot listen on " + config.host() + ":" + config.port() + ": "
                    + e.getMessage(), e instanceof IOException io ? io : new IOException(e));
        }
        allChannels.add(serverChannel);
        LOG.info("Weft web gateway (grpc-websockets, grpc-web{}) listening on {}",
                routes.isEmpty() ? "" : ", " + routes.size() + " HTTP routes", address());
    }

    private void initConnection(SocketChannel ch) {
        if (connections.incrementAndGet() > config.maxConnections()) {
            connections.decrementAndGet();
            LOG.warn("refusing a web connection from {}: {} connections open", ch.remoteAddress(),
                    config.maxConnections());
            ch.close();
            return;
        }
        ch.closeFuture().addListener(f -> connections.decrementAndGet());
        allChannels.add(ch);
        int bodyLimit = (config.maxMessageSize() + GrpcFrames.PREFIX + 2) / 3 * 4 + 64;
        ChannelPipeline p = ch.pipeline();
        p.addLast(IDLE, new IdleStateHandler(0, 0, config.idleTimeout().toNanos(), TimeUnit.NANOSECONDS));
        p.addLast("http", new HttpServerCodec(8192, config.maxMetadataSize() + 8192, 8192));
        p.addLast("http-aggregator", new GatewayAggregator(bodyLimit));
        p.addLast("http-exchange", new HttpExchangeTracker());
        p.addLast("http-dispatch", new HttpDispatcher(this));
    }

    /** The bound address (with the actual port when configured with port 0). */
    public synchronized InetSocketAddress address() {
        if (serverChannel == null) {
            throw new IllegalStateException("not started");
        }
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** The bound port. */
    public int port() {
        return address().getPort();
    }

    /** Stops listening, closes every connection (cancelling their calls) and stops the gateway's threads. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (allChannels != null) {
            allChannels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        shutdownGroups();
        serverChannel = null;
    }

    private void shutdownGroups() {
        if (workerGroup != null) {
            workerGroup.shutdownGracefully(50, 2000, TimeUnit.MILLISECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (bossGroup != null) {
            bossGroup.shutdownGracefully(0, 1000, TimeUnit.MILLISECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    WebConfig config() {
        return config;
    }

    Channel channel() {
        return channel;
    }

    /** The type of {@code fullMethodName}, or {@code null} if unknown. */
    MethodDescriptor.MethodType methodType(String fullMethodName) {
        if (fullMethodName.isEmpty() || fullMethodName.indexOf('/') <= 0) {
            return null;
        }
        return methodTypes.apply(fullMethodName);
    }

    /** A pass-through descriptor of {@code fullMethodName}: messages stay bytes. */
    MethodDescriptor<byte[], byte[]> descriptor(String fullMethodName, MethodDescriptor.MethodType type) {
        return descriptors.computeIfAbsent(fullMethodName, n -> MethodDescriptor.<byte[], byte[]>newBuilder()
                .setFullMethodName(n)
                .setType(type)
                .setRequestMarshaller(BYTES)
                .setResponseMarshaller(BYTES)
                .build());
    }

    HttpRoute routeFor(String path) {
        for (HttpRoute r : routes) {
            if (path.startsWith(r.prefix())) {
                return r;
            }
        }
        return null;
    }

    boolean tryAcquireCall() {
        if (activeCalls.incrementAndGet() > config.maxConcurrentCalls()) {
            activeCalls.decrementAndGet();
            return false;
        }
        return true;
    }

    void releaseCall() {
        activeCalls.decrementAndGet();
    }

    /** Open connections (for tests and monitoring). */
    int openConnections() {
        return connections.get();
    }

    /** Calls in progress (for tests and monitoring). */
    int activeCalls() {
        return activeCalls.get();
    }

    /**
     * Aggregates HTTP requests up to the body limit; an oversized grpc-web request gets a RESOURCE_EXHAUSTED
     * grpc-web response (other requests the usual 413), and the connection is closed.
     */
    private final class GatewayAggregator extends HttpObjectAggregator {
        private boolean closeAfterBody;

        GatewayAggregator(int maxContentLength) {
            super(maxContentLength);
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
            String variant = GrpcWebCall.variant(oversized.headers().get(HttpHeaderNames.CONTENT_TYPE));
            if (oversized instanceof HttpRequest && variant != null) {
                String origin = oversized.headers().get(HttpHeaderNames.ORIGIN);
                FullHttpResponse r = GrpcWebCall.trailersOnly(ctx.alloc(),
                        GrpcWebCall.TEXT.equals(variant), Status.RESOURCE_EXHAUSTED.withDescription(
                                "request larger than the limit of " + config.maxMessageSize() + " bytes"),
                        new Metadata(), config, origin);
                HttpUtil.setKeepAlive(r, false);
                ctx.writeAndFlush(r);
                // Close once the rest of the body has been read (and dropped), so the client, still sending, gets
                // the answer rather than a connection reset; at the latest after a few seconds.
                closeAfterBody = true;
                ctx.executor().schedule(() -> {
                    ctx.close();
                }, 5, TimeUnit.SECONDS);
                return;
            }
            super.handleOversizedMessage(ctx, oversized);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            boolean last = closeAfterBody && msg instanceof LastHttpContent;
            super.channelRead(ctx, msg);
            if (last) {
                ctx.close();
            }
        }
    }
}
