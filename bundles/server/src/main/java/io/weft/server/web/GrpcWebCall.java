package io.weft.server.web;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One grpc-web call over HTTP/1.1 ({@code POST /<service>/<method>}, body one 5-byte-prefixed message, base64 for
 * {@code application/grpc-web-text}); the response streams message frames in a chunked body and ends with a trailer
 * frame (flag 0x80). Only unary and server-streaming methods: HTTP/1.1 cannot stream a request while reading the
 * response.
 */
final class GrpcWebCall extends ForwardedCall {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcWebCall.class);
    static final String BINARY = "application/grpc-web+proto";
    static final String TEXT = "application/grpc-web-text+proto";

    private final ChannelHandlerContext ctx;
    private final HttpDispatcher dispatcher;
    private final boolean text;
    private final boolean keepAlive;
    private final String origin;

    private GrpcWebCall(WebGateway gateway, ChannelHandlerContext ctx, HttpDispatcher dispatcher, String method,
            boolean text, boolean keepAlive, String origin) {
        super(gateway, ctx.channel(), method);
        this.ctx = ctx;
        this.dispatcher = dispatcher;
        this.text = text;
        this.keepAlive = keepAlive;
        this.origin = origin;
    }

    /** The content type's grpc-web variant: {@code TEXT}, {@code BINARY}, or {@code null} if not grpc-web. */
    static String variant(String contentType) {
        if (contentType == null) {
            return null;
        }
        String base = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return switch (base) {
            case "application/grpc-web", "application/grpc-web+proto" -> BINARY;
            case "application/grpc-web-text", "application/grpc-web-text+proto" -> TEXT;
            default -> null;
        };
    }

    /**
     * Starts the call for {@code request} (which the caller releases).
     *
     * @return the call, registered with the dispatcher until it ends
     */
    static GrpcWebCall handle(WebGateway gateway, ChannelHandlerContext ctx, HttpDispatcher dispatcher,
            FullHttpRequest request, String method, String origin, String remoteAddr) {
        boolean text = TEXT.equals(variant(request.headers().get(HttpHeaderNames.CONTENT_TYPE)));
        GrpcWebCall call = new GrpcWebCall(gateway, ctx, dispatcher, method, text, HttpUtil.isKeepAlive(request),
                origin);
        MethodDescriptor.MethodType type = gateway.methodType(method);
        if (type == null) {
            call.finish(Status.UNIMPLEMENTED.withDescription("unknown method " + method), null);
            return call;
        }
        if (!type.clientSendsOneMessage()) {
            call.finish(Status.UNIMPLEMENTED.withDescription(method + " streams requests (" + type
                    + "): grpc-web over HTTP/1.1 carries only unary and server-streaming calls; use the"
                    + " grpc-websockets transport (WebSocket, subprotocol grpc-websockets) for it"), null);
            return call;
        }
        try {
            byte[] message = requestMessage(request, text, gateway.config().maxMessageSize());
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            Long timeout = null;
            for (Map.Entry<String, String> h : request.headers()) {
                headers.add(h);
                if (h.getKey().equalsIgnoreCase("grpc-timeout")) {
                    timeout = GrpcFrames.parseTimeoutNanos(h.getValue());
                }
            }
            Metadata md = GrpcFrames.toMetadata(headers);
            md.put(Metadata.Key.of(GrpcFrames.REMOTE_ADDR, Metadata.ASCII_STRING_MARSHALLER), remoteAddr);
            if (origin != null && origin.chars().allMatch(c -> c >= 0x20 && c <= 0x7e)) {
                md.put(Metadata.Key.of(GrpcFrames.ORIGIN, Metadata.ASCII_STRING_MARSHALLER), origin);
            }
            if (call.start(gateway.descriptor(method, type), md, timeout)) {
                call.send(message);
                call.halfClose();
            }
        } catch (StatusException e) {
            call.finish(e.getStatus(), null);
        }
        return call;
    }

    private static byte[] requestMessage(FullHttpRequest request, boolean text, int max) throws StatusException {
        ByteBuf content = request.content();
        byte[] body;
        if (text) {
            try {
                body = GrpcFrames.decodeBase64(content.toString(StandardCharsets.US_ASCII));
            } catch (IllegalArgumentException e) {
                throw Status.INVALID_ARGUMENT.withDescription("grpc-web-text body is not base64").asException();
            }
        } else {
            body = ByteBufUtil.getBytes(content);
        }
        if (body.length < GrpcFrames.PREFIX) {
            throw Status.INVALID_ARGUMENT.withDescription("request body holds no message frame").asException();
        }
        int flag = body[0] & 0xff;
        long length = ((body[1] & 0xffL) << 24) | ((body[2] & 0xff) << 16) | ((body[3] & 0xff) << 8)
                | (body[4] & 0xff);
        if (flag != 0) {
            throw Status.INVALID_ARGUMENT.withDescription(flag == 1 ? "compressed request messages are not supported"
                    : "malformed message prefix: flag " + flag).asException();
        }
        if (length > max) {
            throw Status.RESOURCE_EXHAUSTED.withDescription("request message of " + length
                    + " bytes is larger than the limit of " + max + " bytes").asException();
        }
        if (body.length < GrpcFrames.PREFIX + length) {
            throw Status.INVALID_ARGUMENT.withDescription("request body ends inside its message").asException();
        }
        if (body.length > GrpcFrames.PREFIX + length) {
            throw Status.INVALID_ARGUMENT.withDescription("request body holds more than one message").asException();
        }
        byte[] message = new byte[(int) length];
        System.arraycopy(body, GrpcFrames.PREFIX, message, 0, message.length);
        return message;
    }

    /** A complete trailers-only response ({@code grpc-status} in headers and in a body trailer frame). */
    static FullHttpResponse trailersOnly(ByteBufAllocator alloc, boolean text, Status status, Metadata trailers,
            WebConfig config, String origin) {
        ByteBuf body = encode(alloc, GrpcFrames.trailerFrame(alloc, GrpcFrames.trailerBlock(status, trailers)), text);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        HttpHeaders h = r.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, text ? TEXT : BINARY);
        h.set("grpc-status", String.valueOf(status.getCode().value()));
        h.set("grpc-message", GrpcFrames.percentEncode(status.getDescription()));
        for (Map.Entry<String, String> e : GrpcFrames.entries(trailers)) {
            h.add(e.getKey(), e.getValue());
        }
        HttpDispatcher.corsHeaders(h, config, origin);
        HttpUtil.setContentLength(r, body.readableBytes());
        return r;
    }

    private static ByteBuf encode(ByteBufAllocator alloc, ByteBuf frame, boolean text) {
        if (!text) {
            return frame;
        }
        try {
            byte[] b64 = Base64.getEncoder().encode(ByteBufUtil.getBytes(frame));
            return Unpooled.wrappedBuffer(b64);
        } finally {
            frame.release();
        }
    }

    @Override
    protected void writeHeaders(Metadata headers) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpHeaders h = r.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, text ? TEXT : BINARY);
        StringBuilder expose = new StringBuilder();
        for (Map.Entry<String, String> e : GrpcFrames.entries(headers)) {
            h.add(e.getKey(), e.getValue());
            if (expose.indexOf(e.getKey()) < 0) {
                expose.append(", ").append(e.getKey());
            }
        }
        HttpDispatcher.corsHeaders(h, gateway.config(), origin);
        if (expose.length() > 0 && h.contains(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS)) {
            h.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS,
                    h.get(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS) + expose);
        }
        HttpUtil.setTransferEncodingChunked(r, true);
        ctx.writeAndFlush(r);
    }

    @Override
    protected void writeMessage(byte[] message) {
        ctx.writeAndFlush(new DefaultHttpContent(encode(ctx.alloc(), GrpcFrames.dataFrame(ctx.alloc(), message),
                text)));
    }

    @Override
    protected void writeEnd(Status status, Metadata trailers, boolean headersSent) {
        dispatcher.callEnded(this);
        if (!ctx.channel().isActive()) {
            return;
        }
        if (status.getCode() != Status.Code.OK) {
            LOG.debug("{} ended: {} {}", method, status.getCode(), status.getDescription());
        }
        ChannelFuture f;
        if (!headersSent) {
            FullHttpResponse r = trailersOnly(ctx.alloc(), text, status, trailers, gateway.config(), origin);
            HttpUtil.setKeepAlive(r, keepAlive);
            f = ctx.writeAndFlush(r);
        } else {
            ByteBuf frame = GrpcFrames.trailerFrame(ctx.alloc(), GrpcFrames.trailerBlock(status, trailers));
            ctx.write(new DefaultHttpContent(encode(ctx.alloc(), frame, text)));
            f = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
