package io.weft.server.web;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One grpc-websockets call (improbable-eng's WebsocketTransport, as {@code @textile/threads-client} speaks it) on an
 * upgraded connection. Client frames: first the header block ({@code key: value\r\n…}), then {@code 0x00} followed by
 * the gRPC byte stream (5-byte prefixed messages), and a single {@code 0x01} byte to half-close. Server frames: a
 * header frame (flag 0x80, length, block), message frames, a trailer frame ({@code grpc-status}, {@code grpc-message}),
 * then a close frame. Closing the socket cancels the call.
 */
final class GrpcWebSocketHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcWebSocketHandler.class);
    static final String SUBPROTOCOL = "grpc-websockets";
    private static final String CONTENT_TYPE = "application/grpc-web+proto";
    /** How long the server waits for the client's close frame after sending its own. */
    private static final long CLOSE_TIMEOUT_MILLIS = 2000;

    private enum Phase { AWAIT_HEADERS, OPEN, HALF_CLOSED }

    private final WebGateway gateway;
    private final String method;
    private final MethodDescriptor.MethodType type;
    private final String remoteAddr;
    private final String origin;
    private ChannelHandlerContext ctx;
    private WsCall call;
    private Phase phase = Phase.AWAIT_HEADERS;
    private ByteBuf pending;
    private int messagesIn;
    private boolean pingOutstanding;
    private ScheduledFuture<?> headerTimer;
    private boolean closeSent;

    /**
     * @param type the method's type, or {@code null} if the method is unknown (answered UNIMPLEMENTED)
     */
    GrpcWebSocketHandler(WebGateway gateway, String method, MethodDescriptor.MethodType type, String remoteAddr,
            String origin) {
        this.gateway = gateway;
        this.method = method;
        this.type = type;
        this.remoteAddr = remoteAddr;
        this.origin = origin;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.call = new WsCall(gateway, ctx, method);
        this.pending = ctx.alloc().buffer(256);
    }

    /** The upgrade response was written: the call may begin. */
    void upgraded() {
        long timeout = gateway.config().headerTimeout().toNanos();
        headerTimer = ctx.executor().schedule(() -> {
            if (phase == Phase.AWAIT_HEADERS) {
                call.finish(Status.DEADLINE_EXCEEDED.withDescription("no header block received within "
                        + gateway.config().headerTimeout().toMillis() + " ms"), null);
            }
        }, timeout, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        pingOutstanding = false;
        if (!(msg instanceof WebSocketFrame frame)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            if (frame instanceof PingWebSocketFrame) {
                ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
            } else if (frame instanceof CloseWebSocketFrame) {
                if (closeSent) {
                    ctx.close();
                } else {
                    call.cancel("client closed the WebSocket");
                    closeSent = true;
                    ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
                            .addListener(ChannelFutureListener.CLOSE);
                }
            } else if (frame instanceof PongWebSocketFrame || call.finished()) {
                // ignored
            } else if (phase == Phase.AWAIT_HEADERS
                    && (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame)) {
                onHeaderBlock(frame.content());
            } else if (frame instanceof BinaryWebSocketFrame) {
                onData(frame.content());
            } else {
                throw Status.INVALID_ARGUMENT.withDescription("grpc-websockets expects binary frames after the header"
                        + " block").asException();
            }
        } catch (StatusException e) {
            call.finish(e.getStatus(), null);
        } finally {
            frame.release();
        }
    }

    private void onHeaderBlock(ByteBuf content) throws StatusException {
        if (headerTimer != null) {
            headerTimer.cancel(false);
        }
        if (content.readableBytes() > gateway.config().maxMetadataSize()) {
            throw Status.RESOURCE_EXHAUSTED.withDescription("header block larger than "
                    + gateway.config().maxMetadataSize() + " bytes").asException();
        }
        phase = Phase.OPEN;
        if (type == null) { // answered once the client has sent its header block, as a gRPC server would
            throw Status.UNIMPLEMENTED.withDescription("unknown method " + method).asException();
        }
        String block = content.toString(StandardCharsets.ISO_8859_1);
        List<Map.Entry<String, String>> headers = GrpcFrames.parseHeaderBlock(block);
        Long timeout = null;
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase("grpc-timeout")) {
                timeout = GrpcFrames.parseTimeoutNanos(h.getValue());
            }
        }
        Metadata md = GrpcFrames.toMetadata(headers);
        md.put(Metadata.Key.of(GrpcFrames.REMOTE_ADDR, Metadata.ASCII_STRING_MARSHALLER), remoteAddr);
        if (origin != null) {
            md.put(Metadata.Key.of(GrpcFrames.ORIGIN, Metadata.ASCII_STRING_MARSHALLER), printable(origin));
        }
        call.start(gateway.descriptor(method, type), md, timeout);
    }

    private static String printable(String s) {
        return s.chars().allMatch(c -> c >= 0x20 && c <= 0x7e) ? s : "invalid";
    }

    private void onData(ByteBuf content) throws StatusException {
        if (content.readableBytes() == 0) {
            return;
        }
        int flag = content.getUnsignedByte(content.readerIndex());
        if (flag == 1 && content.readableBytes() == 1) {
            onHalfClose();
            return;
        }
        if (flag != 0) {
            throw Status.INVALID_ARGUMENT.withDescription("malformed grpc-websockets frame: first byte "
                    + flag + " (expected 0 for data or a lone 1 for end of stream)").asException();
        }
        if (phase == Phase.HALF_CLOSED) {
            throw Status.INVALID_ARGUMENT.withDescription("data after the end of the request stream").asException();
        }
        pending.writeBytes(content, content.readerIndex() + 1, content.readableBytes() - 1);
        drainMessages();
    }

    private void drainMessages() throws StatusException {
        int max = gateway.config().maxMessageSize();
        while (pending.readableBytes() >= GrpcFrames.PREFIX) {
            int r = pending.readerIndex();
            int flag = pending.getUnsignedByte(r);
            long length = pending.getUnsignedInt(r + 1);
            if (flag != 0) {
                throw Status.INVALID_ARGUMENT.withDescription(flag == 1
                        ? "compressed request messages are not supported"
                        : "malformed message prefix: flag " + flag).asException();
            }
            if (length > max) {
                throw Status.RESOURCE_EXHAUSTED.withDescription("request message of " + length
                        + " bytes is larger than the limit of " + max + " bytes").asException();
            }
            if (pending.readableBytes() < GrpcFrames.PREFIX + length) {
                break;
            }
            if (type.clientSendsOneMessage() && messagesIn >= 1) {
                throw Status.INVALID_ARGUMENT.withDescription(method + " takes a single request message")
                        .asException();
            }
            pending.skipBytes(GrpcFrames.PREFIX);
            byte[] message = new byte[(int) length];
            pending.readBytes(message);
            messagesIn++;
            call.send(message);
        }
        pending.discardReadBytes();
        // Stop reading while the call cannot take more. Only for client-streaming methods: for the others at most one
        // message is ever forwarded, and grpc-java never reports them ready again.
        if (!type.clientSendsOneMessage() && !call.isReady()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    private void onHalfClose() throws StatusException {
        if (phase == Phase.HALF_CLOSED) {
            return;
        }
        if (pending.readableBytes() > 0) {
            throw Status.INVALID_ARGUMENT.withDescription("request stream ended inside a message").asException();
        }
        if (type.clientSendsOneMessage() && messagesIn == 0) {
            throw Status.INVALID_ARGUMENT.withDescription(method + " needs a request message").asException();
        }
        phase = Phase.HALF_CLOSED;
        call.halfClose();
        // keep reading: only a close can follow, and it must cancel the call
        ctx.channel().config().setAutoRead(true);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        call.onWritable();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        call.cancel("client closed the connection");
        if (headerTimer != null) {
            headerTimer.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (pingOutstanding) {
                LOG.debug("{}: no answer to keepalive ping, closing", method);
                call.cancel("client stopped answering keepalive pings");
                ctx.close();
            } else {
                pingOutstanding = true;
                ctx.writeAndFlush(new PingWebSocketFrame());
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException || cause.getCause() instanceof TooLongFrameException
                || (cause instanceof CorruptedWebSocketFrameException c
                        && c.closeStatus() == WebSocketCloseStatus.MESSAGE_TOO_BIG)) {
            call.finish(Status.RESOURCE_EXHAUSTED.withDescription("WebSocket frame larger than the limit of "
                    + gateway.config().maxMessageSize() + " bytes plus framing"), null);
        } else if (cause instanceof CorruptedWebSocketFrameException) {
            call.finish(Status.INVALID_ARGUMENT.withDescription("malformed WebSocket frame"), null);
        } else if (cause instanceof IOException) {
            LOG.debug("{}: connection error: {}", method, cause.toString());
            call.cancel("connection error");
            ctx.close();
        } else {
            LOG.warn("{}: unexpected error in the grpc-websockets handler", method, cause);
            call.finish(Status.INTERNAL.withDescription("web gateway error"), null);
            ctx.close();
        }
    }

    /** The call's writes: each frame one binary WebSocket message. */
    private final class WsCall extends ForwardedCall {
        private final ChannelHandlerContext ctx;

        WsCall(WebGateway gateway, ChannelHandlerContext ctx, String method) {
            super(gateway, ctx.channel(), method);
            this.ctx = ctx;
        }

        @Override
        protected void writeHeaders(Metadata headers) {
            String block = GrpcFrames.headerBlock(CONTENT_TYPE, headers);
            ctx.writeAndFlush(new BinaryWebSocketFrame(GrpcFrames.trailerFrame(ctx.alloc(), block)));
        }

        @Override
        protected void writeMessage(byte[] message) {
            ctx.writeAndFlush(new BinaryWebSocketFrame(GrpcFrames.dataFrame(ctx.alloc(), message)));
        }

        @Override
        protected void writeEnd(Status status, Metadata trailers, boolean headersSent) {
            if (headerTimer != null) {
                headerTimer.cancel(false);
            }
            if (!ctx.channel().isActive()) {
                return;
            }
            if (!headersSent) {
                writeHeaders(new Metadata());
            }
            if (status.getCode() != Status.Code.OK) {
                LOG.debug("{} ended: {} {}", method, status.getCode(), status.getDescription());
            }
            ctx.write(new BinaryWebSocketFrame(GrpcFrames.trailerFrame(ctx.alloc(),
                    GrpcFrames.trailerBlock(status, trailers))));
            // The closing handshake: wait (a little) for the client's close frame before closing the connection, and
            // read (and drop) what it still sends meanwhile, so that it does not get a reset before the trailers.
            closeSent = true;
            ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE));
            ctx.channel().config().setAutoRead(true);
            ctx.executor().schedule(() -> {
                ctx.close();
            }, CLOSE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        }

        @Override
        protected void onReady() {
            if (!ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(true);
            }
        }
    }
}
