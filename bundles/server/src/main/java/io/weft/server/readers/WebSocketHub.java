package io.weft.server.readers;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.timeout.IdleStateEvent;
import io.weft.api.thread.ThreadId;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open WebSocket pushes, per thread. A push writes one text frame per new record to every socket of the record's
 * thread without waiting; each socket counts the bytes written but not yet sent, and a socket whose client lets more
 * than the configured limit pile up is closed (code 1008) instead of buffering without bound.
 */
final class WebSocketHub {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketHub.class);

    private final int maxSockets;
    private final long maxPendingBytes;
    private final Map<ThreadId, Set<Session>> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();

    WebSocketHub(int maxSockets, long maxPendingBytes) {
        this.maxSockets = maxSockets;
        this.maxPendingBytes = maxPendingBytes;
    }

    /** Reserves a socket slot; false if the limit is reached. Release with {@link #release()} unless attached. */
    boolean reserve() {
        while (true) {
            int n = open.get();
            if (n >= maxSockets) {
                return false;
            }
            if (open.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void release() {
        open.decrementAndGet();
    }

    int openSockets() {
        return open.get();
    }

    long droppedSlowSockets() {
        return dropped.get();
    }

    /**
     * A socket for the thread's pushes, whose slot was {@link #reserve() reserved}; it receives records once
     * {@link Session#register() registered} (after its handshake). {@link Session#detach()} frees the slot.
     */
    Session newSession(ThreadId thread, Channel channel, WebSocketServerHandshaker handshaker) {
        Session s = new Session(thread, channel, handshaker);
        channel.closeFuture().addListener(f -> s.detach());
        return s;
    }

    /** Whether any socket follows {@code thread}. */
    boolean hasSessions(ThreadId thread) {
        Set<Session> set = sessions.get(thread);
        return set != null && !set.isEmpty();
    }

    /** Sends {@code json} to every socket of the thread; never blocks. */
    void push(ThreadId thread, Supplier<byte[]> json) {
        Set<Session> set = sessions.get(thread);
        if (set == null || set.isEmpty()) {
            return;
        }
        byte[] bytes = json.get();
        for (Session s : set) {
            s.send(bytes);
        }
    }

    /** Closes every socket of the thread (it was deleted), or of every thread. */
    void closeAll(ThreadId thread) {
        Set<Session> set = thread == null ? null : sessions.get(thread);
        if (thread == null) {
            sessions.values().forEach(ss -> ss.forEach(s -> s.close(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE)));
        } else if (set != null) {
            set.forEach(s -> s.close(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE));
        }
    }

    /** One pushed-to socket. */
    final class Session {
        private final ThreadId thread;
        private final Channel channel;
        private final WebSocketServerHandshaker handshaker;
        private final AtomicLong pending = new AtomicLong();
        private final java.util.concurrent.atomic.AtomicBoolean detached = new java.util.concurrent.atomic.AtomicBoolean();

        Session(ThreadId thread, Channel channel, WebSocketServerHandshaker handshaker) {
            this.thread = thread;
            this.channel = channel;
            this.handshaker = handshaker;
        }

        void register() {
            sessions.computeIfAbsent(thread, t -> ConcurrentHashMap.newKeySet()).add(this);
            if (detached.get() || !channel.isActive()) {
                detach();
                Set<Session> set = sessions.get(thread);
                if (set != null) {
                    set.remove(this);
                }
            }
        }

        void send(byte[] bytes) {
            if (!channel.isActive()) {
                return;
            }
            long len = bytes.length;
            if (pending.addAndGet(len) > maxPendingBytes) {
                pending.addAndGet(-len);
                dropped.incrementAndGet();
                LOG.info("readers: closing a WebSocket of thread {}: the client did not keep up ({} bytes pending)",
                        thread, pending.get());
                close(WebSocketCloseStatus.POLICY_VIOLATION);
                return;
            }
            channel.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(bytes)))
                    .addListener(f -> pending.addAndGet(-len));
        }

        void close(WebSocketCloseStatus status) {
            detach();
            if (channel.isActive()) {
                // the close frame is best effort: a stalled client may never read it
                channel.writeAndFlush(new CloseWebSocketFrame(status, status == WebSocketCloseStatus.POLICY_VIOLATION
                        ? "too slow" : "closing"));
                channel.close();
            }
        }

        void detach() {
            if (detached.compareAndSet(false, true)) {
                Set<Session> set = sessions.get(thread);
                if (set != null) {
                    set.remove(this);
                    if (set.isEmpty()) {
                        sessions.remove(thread, set);
                    }
                }
                open.decrementAndGet();
            }
        }

        /** The inbound side: answers pings and closes; other client frames are ignored. */
        SimpleChannelInboundHandler<WebSocketFrame> handler() {
            return new SimpleChannelInboundHandler<>() {
                private boolean pingOutstanding;

                @Override
                protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
                    pingOutstanding = false;
                    if (frame instanceof CloseWebSocketFrame close) {
                        detach();
                        handshaker.close(ctx.channel(), close.retain());
                    } else if (frame instanceof PingWebSocketFrame ping) {
                        ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
                    }
                }

                /** The gateway's idle timer: ping a quiet client, close one that did not answer the last ping. */
                @Override
                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
                    if (evt instanceof IdleStateEvent) {
                        if (pingOutstanding) {
                            LOG.debug("readers: a WebSocket of thread {} did not answer a ping, closing", thread);
                            close(WebSocketCloseStatus.POLICY_VIOLATION);
                        } else {
                            pingOutstanding = true;
                            ctx.writeAndFlush(new PingWebSocketFrame());
                        }
                        return;
                    }
                    super.userEventTriggered(ctx, evt);
                }

                @Override
                public void channelInactive(ChannelHandlerContext ctx) throws Exception {
                    detach();
                    super.channelInactive(ctx);
                }

                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    LOG.debug("readers: WebSocket of thread {} failed: {}", thread, cause.toString());
                    detach();
                    ctx.close();
                }
            };
        }
    }
}
