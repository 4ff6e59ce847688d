package io.weft.server.web;

import io.grpc.MethodDescriptor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each HTTP request of a connection: a WebSocket upgrade asking for subprotocol {@code grpc-websockets} becomes
 * a {@link GrpcWebSocketHandler} call; a grpc-web request a {@link GrpcWebCall}; a CORS preflight is answered here; a
 * path under an {@link HttpRoute}'s prefix goes to that route; anything else is 404. Messages that are not HTTP
 * requests (after a route upgraded the connection) are passed on down the pipeline.
 */
final class HttpDispatcher extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(HttpDispatcher.class);
    private static final String EXPOSED = "grpc-status, grpc-message";
    private static final String DEFAULT_ALLOWED_HEADERS = "content-type, x-grpc-web, x-user-agent, grpc-timeout,"
            + " authorization";

    private final WebGateway gateway;
    private GrpcWebCall current;

    HttpDispatcher(WebGateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        boolean routed = false;
        try {
            routed = dispatch(ctx, request);
        } catch (RuntimeException e) {
            // the path only: a query string may carry a token
            LOG.warn("error answering {} {}", request.method(), safePath(request.uri()), e);
            if (ctx.channel().isActive()) {
                respond(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error", false);
            }
        } finally {
            if (!routed && request.refCnt() > 0) {
                request.release();
            }
        }
    }

    /** Answers {@code request}; returns true if a route took it (and owns it). */
    private boolean dispatch(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            respond(ctx, request, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request", false);
            return false;
        }
        String path;
        try {
            path = new QueryStringDecoder(request.uri()).path();
        } catch (IllegalArgumentException e) {
            respond(ctx, request, HttpResponseStatus.BAD_REQUEST, "malformed request path", false);
            return false;
        }
        HttpHeaders headers = request.headers();
        String origin = headers.get(HttpHeaderNames.ORIGIN);
        if (isGrpcWebSocketUpgrade(request)) {
            upgradeGrpc(ctx, request, path, origin);
            return false;
        }
        if (GrpcWebCall.variant(headers.get(HttpHeaderNames.CONTENT_TYPE)) != null) {
            grpcWeb(ctx, request, path, origin);
            return false;
        }
        HttpRoute route = gateway.routeFor(path);
        if (route == null && request.method().equals(HttpMethod.OPTIONS)
                && headers.contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD)) {
            preflight(ctx, request, origin);
            return false;
        }
        if (route != null) {
            route.handle(ctx, request);
            return true;
        }
        respond(ctx, request, HttpResponseStatus.NOT_FOUND, "not found", HttpUtil.isKeepAlive(request));
        return false;
    }

    private static boolean isGrpcWebSocketUpgrade(FullHttpRequest request) {
        HttpHeaders h = request.headers();
        if (!request.method().equals(HttpMethod.GET)
                || !h.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            return false;
        }
        String protocols = h.get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        if (protocols == null) {
            return false;
        }
        for (String p : protocols.split(",")) {
            if (p.trim().equals(GrpcWebSocketHandler.SUBPROTOCOL)) {
                return true;
            }
        }
        return false;
    }

    private void upgradeGrpc(ChannelHandlerContext ctx, FullHttpRequest request, String path, String origin) {
        WebConfig config = gateway.config();
        if (origin != null && !config.allowsOrigin(origin)) {
            respond(ctx, request, HttpResponseStatus.FORBIDDEN, "origin not allowed", false);
            return;
        }
        String method = path.startsWith("/") ? path.substring(1) : path;
        MethodDescriptor.MethodType type = gateway.methodType(method);
        int frameLimit = config.maxMessageSize() + GrpcFrames.PREFIX + 1 + 64 * 1024;
        WebSocketDecoderConfig decoderConfig = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(frameLimit)
                .allowExtensions(false)
                .closeOnProtocolViolation(false)
                .build();
        String url = "ws://" + headerOr(request, HttpHeaderNames.HOST, "localhost") + path;
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(url,
                GrpcWebSocketHandler.SUBPROTOCOL, decoderConfig).newHandshaker(request);
        if (handshaker == null || handshaker.version() != WebSocketVersion.V13) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel())
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        String key = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
        if (key == null || key.isBlank()) {
            respond(ctx, request, HttpResponseStatus.BAD_REQUEST, "missing Sec-WebSocket-Key", false);
            return;
        }
        GrpcWebSocketHandler handler = new GrpcWebSocketHandler(gateway, method, type, remoteAddr(ctx), origin);
        ChannelPipeline p = ctx.pipeline();
        p.replace(WebGateway.IDLE, WebGateway.IDLE, new IdleStateHandler(
                config.keepaliveInterval().toNanos(), 0, 0, TimeUnit.NANOSECONDS));
        p.remove(HttpExchangeTracker.class);
        p.addAfter(ctx.name(), "grpc-websockets", handler);
        p.addAfter(ctx.name(), "ws-aggregator", new WebSocketFrameAggregator(frameLimit));
        p.remove(this);
        try {
            handshaker.handshake(ctx.channel(), request).addListener(f -> {
                if (f.isSuccess()) {
                    handler.upgraded();
                } else {
                    ctx.channel().close();
                }
            });
        } catch (RuntimeException e) { // a malformed upgrade request
            LOG.debug("refused a WebSocket upgrade: {}", e.toString());
            ctx.channel().writeAndFlush(plain(HttpResponseStatus.BAD_REQUEST, "malformed WebSocket upgrade"))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void grpcWeb(ChannelHandlerContext ctx, FullHttpRequest request, String path, String origin) {
        if (origin != null && !gateway.config().allowsOrigin(origin)) {
            respond(ctx, request, HttpResponseStatus.FORBIDDEN, "origin not allowed", false);
            return;
        }
        if (!request.method().equals(HttpMethod.POST)) {
            FullHttpResponse r = plain(HttpResponseStatus.METHOD_NOT_ALLOWED, "grpc-web calls are POST requests");
            r.headers().set(HttpHeaderNames.ALLOW, "POST, OPTIONS");
            write(ctx, request, r, HttpUtil.isKeepAlive(request));
            return;
        }
        String method = path.startsWith("/") ? path.substring(1) : path;
        GrpcWebCall call = GrpcWebCall.handle(gateway, ctx, this, request, method, origin, remoteAddr(ctx));
        if (!call.finished()) {
            current = call;
        }
    }

    /** The grpc-web call ended (its response is complete). */
    void callEnded(GrpcWebCall call) {
        if (current == call) {
            current = null;
        }
    }

    private void preflight(ChannelHandlerContext ctx, FullHttpRequest request, String origin) {
        if (origin == null || !gateway.config().allowsOrigin(origin)) {
            respond(ctx, request, HttpResponseStatus.FORBIDDEN, "origin not allowed", HttpUtil.isKeepAlive(request));
            return;
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
        HttpHeaders h = r.headers();
        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "POST, OPTIONS");
        String asked = request.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS,
                asked != null && asked.chars().allMatch(c -> c >= 0x20 && c <= 0x7e) && !asked.isBlank()
                        ? asked : DEFAULT_ALLOWED_HEADERS);
        h.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED);
        h.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
        h.set(HttpHeaderNames.VARY, "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
        HttpUtil.setContentLength(r, 0);
        write(ctx, request, r, HttpUtil.isKeepAlive(request));
    }

    /** Adds the CORS response headers for a request from {@code origin} (none if it sent no Origin). */
    static void corsHeaders(HttpHeaders h, WebConfig config, String origin) {
        if (origin != null && config.allowsOrigin(origin)) {
            h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            h.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED);
            h.set(HttpHeaderNames.VARY, "Origin");
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null) {
            current.onWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (current != null) {
            current.cancel("client closed the connection");
            current = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof java.io.IOException) {
            LOG.debug("web connection error: {}", cause.toString());
        } else {
            LOG.warn("unexpected error on a web connection", cause);
        }
        if (current != null) {
            current.cancel("connection error");
            current = null;
        }
        ctx.close();
    }

    /** The client's IP address, as the {@code x-weft-remote-addr} metadata carries it. */
    static String remoteAddr(ChannelHandlerContext ctx) {
        SocketAddress a = ctx.channel().remoteAddress();
        if (a instanceof InetSocketAddress i && i.getAddress() != null) {
            return i.getAddress().getHostAddress();
        }
        return "unknown";
    }

    private static String safePath(String uri) {
        int q = uri.indexOf('?');
        String p = q < 0 ? uri : uri.substring(0, q);
        return p.length() > 200 ? p.substring(0, 200) + "…" : p;
    }

    private static String headerOr(FullHttpRequest request, CharSequence name, String fallback) {
        String v = request.headers().get(name);
        return v == null ? fallback : v;
    }

    static FullHttpResponse plain(HttpResponseStatus status, String text) {
        ByteBuf body = Unpooled.copiedBuffer(text + "\n", StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        HttpUtil.setContentLength(r, body.readableBytes());
        return r;
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
            String text, boolean keepAlive) {
        write(ctx, request, plain(status, text), keepAlive);
    }

    private static void write(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse r,
            boolean keepAlive) {
        HttpUtil.setKeepAlive(r, keepAlive);
        var f = ctx.writeAndFlush(r);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
