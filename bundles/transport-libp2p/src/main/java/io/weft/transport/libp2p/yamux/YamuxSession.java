package io.weft.transport.libp2p.yamux;

import static io.weft.transport.libp2p.yamux.YamuxFrame.FLAG_ACK;
import static io.weft.transport.libp2p.yamux.YamuxFrame.FLAG_FIN;
import static io.weft.transport.libp2p.yamux.YamuxFrame.FLAG_RST;
import static io.weft.transport.libp2p.yamux.YamuxFrame.FLAG_SYN;
import static io.weft.transport.libp2p.yamux.YamuxFrame.HEADER_LENGTH;
import static io.weft.transport.libp2p.yamux.YamuxFrame.TYPE_DATA;
import static io.weft.transport.libp2p.yamux.YamuxFrame.TYPE_GO_AWAY;
import static io.weft.transport.libp2p.yamux.YamuxFrame.TYPE_PING;
import static io.weft.transport.libp2p.yamux.YamuxFrame.TYPE_WINDOW_UPDATE;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.weft.api.format.Multiaddr;
import io.weft.api.net.TransportException;
import io.weft.api.net.TransportException.Kind;
import io.weft.api.thread.PeerId;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One yamux session ({@code /yamux/1.0.0}) over a connection, as the last handler of a Netty pipeline whose inbound
 * side delivers plaintext {@link ByteBuf}s (any chunking) and whose outbound side accepts {@link ByteBuf}s.
 *
 * <p>The dialer is the client (odd stream ids), the listener the server (even ids). Remote pings are answered,
 * keep-alive pings are sent per {@link YamuxConfig#keepAliveInterval()} (an unanswered one closes the session when
 * the next is due), and any protocol violation (bad version or type, a peer exceeding the window it was granted,
 * duplicate or wrongly numbered stream ids) sends GoAway(protocol error), logs the reason and closes the channel.
 * Frames for unknown streams are ignored, like go-yamux does.
 *
 * <p>Flow control: a stream's receive window is replenished only as the application reads, so unread data stays
 * bounded by the window. The window doubles (up to {@link YamuxConfig#maxWindow()}) when half of it was consumed
 * within four round-trip times (the go-yamux rule; the round trip comes from the last answered ping), or, while no
 * round trip is known, when the reader had drained everything buffered. Outbound data frames are only written while
 * the channel is writable, so a fast writer waits instead of queueing; the host may raise the channel's write buffer
 * water marks for throughput.
 *
 * <p>All state lives on the channel's event loop; the public methods may be called from any thread.
 */
public final class YamuxSession extends ChannelDuplexHandler {
    /** Outbound bytes beyond which the session closes rather than queue another control frame (at least). */
    static final long MIN_PENDING_LIMIT = 1 << 20;

    private static final Logger LOG = LoggerFactory.getLogger(YamuxSession.class);
    private static final long MAX_STREAM_ID = 0xFFFFFFFFL;

    private final boolean client;
    private final YamuxConfig config;
    private final PeerId remotePeer;
    private final Multiaddr remoteAddress;
    private final Consumer<YamuxStream> onInboundStream;

    private volatile ChannelHandlerContext ctx;
    private volatile boolean closed;
    private volatile String closeReason;
    private volatile int openStreams;

    // Everything below is confined to the event loop.
    private final IntObjectHashMap<YamuxStream> streams = new IntObjectHashMap<>();
    private final ArrayDeque<CompletableFuture<YamuxStream>> waitingOpens = new ArrayDeque<>();
    private final ArrayDeque<YamuxStream> ready = new ArrayDeque<>();
    private final IntObjectHashMap<PendingPing> pings = new IntObjectHashMap<>();
    private final Runnable flushTask = this::runFlushTask;
    private int inboundCount;
    private int outboundCount;
    private int unacked;
    private long nextStreamId;
    private boolean localGoAway;
    private boolean remoteGoAway;
    private boolean started;
    private boolean flushScheduled;
    private boolean flushNeeded;
    private int nextPing;
    private int keepAliveOpaque;
    private boolean keepAliveOutstanding;
    private long rttNanos;
    private ScheduledFuture<?> keepAlive;
    int readNesting;

    // Decoder state.
    private final byte[] header = new byte[HEADER_LENGTH];
    private int headerFill;
    private long payloadRemaining;
    private YamuxStream payloadStream;
    private int payloadFlags;

    /**
     * A session; add it to the pipeline of the (secured, negotiated) connection.
     *
     * @param client          true on the side that dialled the connection
     * @param onInboundStream called on the event loop with each stream the remote opens (already acknowledged)
     */
    public YamuxSession(boolean client, YamuxConfig config, PeerId remotePeer, Multiaddr remoteAddress,
                        Consumer<YamuxStream> onInboundStream) {
        this.client = client;
        this.config = Objects.requireNonNull(config, "config");
        this.remotePeer = remotePeer;
        this.remoteAddress = remoteAddress;
        this.onInboundStream = Objects.requireNonNull(onInboundStream, "onInboundStream");
        this.nextStreamId = client ? 1 : 2;
    }

    /**
     * Opens a stream (sends WindowUpdate|SYN); completes at once, data may flow before the remote acknowledges. Fails
     * with {@code LIMIT_EXCEEDED} when {@link YamuxConfig#maxStreams()} outbound streams are open, with {@code CLOSED}
     * when the session is closed or going away. Waits while {@link YamuxConfig#maxAckBacklog()} streams are
     * unacknowledged.
     */
    public CompletableFuture<YamuxStream> openStream() {
        CompletableFuture<YamuxStream> future = new CompletableFuture<>();
        runOnLoop(() -> doOpen(future), () -> future.completeExceptionally(closedException("session closed")));
        return future;
    }

    /** Sends a ping and completes with the round-trip time; fails with {@code CLOSED} if the session closes first. */
    public CompletableFuture<Duration> ping() {
        CompletableFuture<Duration> future = new CompletableFuture<>();
        runOnLoop(() -> {
            if (closed) {
                future.completeExceptionally(closedException("session closed"));
                return;
            }
            sendPing(future);
        }, () -> future.completeExceptionally(closedException("session closed")));
        return future;
    }

    /** Sends GoAway(normal): neither side opens new streams; existing streams finish normally. */
    public void goAway() {
        runOnLoop(() -> {
            if (closed || localGoAway) {
                return;
            }
            localGoAway = true;
            LOG.debug("yamux session with {}: going away", remotePeer);
            writeControl(TYPE_GO_AWAY, 0, 0, YamuxFrame.GO_AWAY_NORMAL);
        }, () -> { });
    }

    /** Streams currently open in either direction. */
    public int openStreamCount() {
        return openStreams;
    }

    /** True once the session ended (channel closed, protocol error or keep-alive timeout). */
    public boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Netty life cycle

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start();
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        terminate("connection closed", false);
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        terminate("handler removed", false);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closed || cause instanceof ClosedChannelException) {
            LOG.debug("yamux session with {}: error on closed connection", remotePeer, cause);
            terminate("connection closed", true);
            return;
        }
        if (cause instanceof java.io.IOException) {
            // the connection was reset or broken: routine when a peer goes away
            LOG.debug("yamux session with {} ended: {}", remotePeer, cause.toString());
        } else {
            LOG.warn("yamux session with {} failed: {}", remotePeer, cause.toString());
        }
        terminate("connection error: " + cause, true);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable() && !ready.isEmpty()) {
            requestFlush();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.fireChannelReadComplete();
    }

    private void start() {
        if (started || closed) {
            return;
        }
        started = true;
        Duration interval = config.keepAliveInterval();
        if (!interval.isZero()) {
            sendKeepAlive();
            long nanos = interval.toNanos();
            keepAlive = ctx.executor().scheduleAtFixedRate(this::keepAliveTick, nanos, nanos, TimeUnit.NANOSECONDS);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Inbound decoding

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            while (buf.isReadable() && !closed) {
                if (payloadRemaining > 0) {
                    readPayload(buf);
                } else if (headerFill == 0 && buf.readableBytes() >= HEADER_LENGTH) {
                    int version = buf.readUnsignedByte();
                    int type = buf.readUnsignedByte();
                    int flags = buf.readUnsignedShort();
                    int id = buf.readInt();
                    int length = buf.readInt();
                    onHeader(version, type, flags, id, length);
                } else {
                    int n = Math.min(HEADER_LENGTH - headerFill, buf.readableBytes());
                    buf.readBytes(header, headerFill, n);
                    headerFill += n;
                    if (headerFill == HEADER_LENGTH) {
                        headerFill = 0;
                        onHeader(header[0] & 0xFF, header[1] & 0xFF, ((header[2] & 0xFF) << 8) | (header[3] & 0xFF),
                                getInt(header, 4), getInt(header, 8));
                    }
                }
            }
        } catch (RuntimeException e) {
            // Decoding itself never throws; this guards against a failure in application callbacks.
            LOG.error("yamux session with {}: internal error", remotePeer, e);
            goAwayAndClose(YamuxFrame.GO_AWAY_INTERNAL_ERROR, "internal error: " + e);
        } finally {
            buf.release();
        }
    }

    private static int getInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    private void readPayload(ByteBuf buf) {
        int n = (int) Math.min(payloadRemaining, buf.readableBytes());
        payloadRemaining -= n;
        YamuxStream stream = payloadStream;
        if (stream == null) {
            buf.skipBytes(n);
            return;
        }
        stream.onData(buf, n);
        if (payloadRemaining == 0) {
            payloadStream = null;
            if ((payloadFlags & FLAG_FIN) != 0) {
                stream.onRemoteFin();
            }
        }
    }

    private void onHeader(int version, int type, int flags, int id, int length) {
        if (LOG.isTraceEnabled()) {
            LOG.trace("yamux {} <- {}", remotePeer, new YamuxFrame(version, type, flags, id, length));
        }
        if (version != YamuxFrame.VERSION) {
            protocolError("unsupported version " + version);
            return;
        }
        switch (type) {
            case TYPE_DATA, TYPE_WINDOW_UPDATE -> onStreamFrame(type, flags, id, length);
            case TYPE_PING -> onPing(flags, length);
            case TYPE_GO_AWAY -> onGoAway(length);
            default -> protocolError("unknown frame type " + type);
        }
    }

    private void onStreamFrame(int type, int flags, int id, int length) {
        long len = Integer.toUnsignedLong(length);
        YamuxStream stream;
        if ((flags & FLAG_SYN) != 0) {
            if (!acceptInbound(id)) {
                if (!closed && type == TYPE_DATA) {
                    discardPayload(len);
                }
                return;
            }
        }
        stream = streams.get(id);
        if (stream == null) {
            if (type == TYPE_DATA) {
                if (len > 0) {
                    LOG.debug("yamux session with {}: discarding {} bytes for unknown stream {}", remotePeer, len,
                            Integer.toUnsignedString(id));
                }
                discardPayload(len);
            }
            return;
        }
        if ((flags & FLAG_ACK) != 0) {
            stream.onAck();
        }
        if (type == TYPE_WINDOW_UPDATE) {
            stream.onWindowUpdate(len);
            if ((flags & FLAG_RST) != 0) {
                stream.onRemoteReset();
            } else if ((flags & FLAG_FIN) != 0) {
                stream.onRemoteFin();
            }
            return;
        }
        if ((flags & FLAG_RST) != 0) {
            stream.onRemoteReset();
            discardPayload(len);
            return;
        }
        if (!stream.acceptsData()) {
            discardPayload(len);
            if ((flags & FLAG_FIN) != 0) {
                stream.onRemoteFin();
            }
            return;
        }
        if (len > stream.receiveCredit()) {
            protocolError("stream " + Integer.toUnsignedString(id) + " sent " + len + " bytes with a window of "
                    + stream.receiveCredit());
            return;
        }
        stream.reserve(len);
        if (len == 0) {
            if ((flags & FLAG_FIN) != 0) {
                stream.onRemoteFin();
            }
            return;
        }
        payloadStream = stream;
        payloadRemaining = len;
        payloadFlags = flags;
    }

    private void discardPayload(long len) {
        payloadStream = null;
        payloadRemaining = len;
    }

    /** Handles a SYN; true if the stream now exists. */
    private boolean acceptInbound(int id) {
        boolean odd = (id & 1) == 1;
        if (id == 0 || odd == client) {
            protocolError("remote opened stream " + Integer.toUnsignedString(id) + " with an id of the wrong parity");
            return false;
        }
        if (streams.containsKey(id)) {
            protocolError("remote opened stream " + Integer.toUnsignedString(id) + " twice");
            return false;
        }
        if (localGoAway) {
            LOG.debug("yamux session with {}: refusing stream {} after go-away", remotePeer, id);
            writeControl(TYPE_WINDOW_UPDATE, FLAG_RST, id, 0);
            return false;
        }
        if (inboundCount >= config.maxStreams()) {
            LOG.warn("yamux session with {}: inbound stream limit exceeded ({}), resetting stream {}", remotePeer,
                    config.maxStreams(), Integer.toUnsignedString(id));
            writeControl(TYPE_WINDOW_UPDATE, FLAG_RST, id, 0);
            return false;
        }
        YamuxStream stream = new YamuxStream(this, id, false, config);
        streams.put(id, stream);
        inboundCount++;
        openStreams = streams.size();
        writeControl(TYPE_WINDOW_UPDATE, FLAG_ACK, id, config.initialWindow() - YamuxConfig.SPEC_INITIAL_WINDOW);
        try {
            onInboundStream.accept(stream);
        } catch (RuntimeException e) {
            LOG.warn("yamux session with {}: inbound stream handler failed, resetting stream {}", remotePeer, id, e);
            stream.reset();
        }
        return true;
    }

    private void onPing(int flags, int opaque) {
        if ((flags & FLAG_SYN) != 0) {
            writeControl(TYPE_PING, FLAG_ACK, 0, opaque);
            return;
        }
        if ((flags & FLAG_ACK) == 0) {
            return;
        }
        PendingPing ping = pings.remove(opaque);
        if (ping == null) {
            LOG.debug("yamux session with {}: unexpected ping answer {}", remotePeer, opaque);
            return;
        }
        long rtt = Math.max(1, System.nanoTime() - ping.startNanos);
        rttNanos = rtt;
        if (keepAliveOutstanding && opaque == keepAliveOpaque) {
            keepAliveOutstanding = false;
        }
        if (ping.future != null) {
            ping.future.complete(Duration.ofNanos(rtt));
        }
    }

    private void onGoAway(int code) {
        if (code != YamuxFrame.GO_AWAY_NORMAL) {
            LOG.warn("yamux session with {}: remote went away with error code {}", remotePeer, code);
        } else {
            LOG.debug("yamux session with {}: remote went away", remotePeer);
        }
        remoteGoAway = true;
        while (!waitingOpens.isEmpty()) {
            waitingOpens.poll().completeExceptionally(closedException("remote sent go-away"));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Streams

    private void doOpen(CompletableFuture<YamuxStream> future) {
        if (closed) {
            future.completeExceptionally(closedException("session closed"));
            return;
        }
        if (localGoAway || remoteGoAway) {
            future.completeExceptionally(closedException("session is going away"));
            return;
        }
        if (outboundCount >= config.maxStreams()) {
            future.completeExceptionally(new TransportException(Kind.LIMIT_EXCEEDED,
                    "yamux: " + config.maxStreams() + " outbound streams already open"));
            return;
        }
        if (unacked >= config.maxAckBacklog()) {
            waitingOpens.add(future);
            return;
        }
        if (nextStreamId > MAX_STREAM_ID) {
            future.completeExceptionally(closedException("stream ids exhausted"));
            return;
        }
        int id = (int) nextStreamId;
        nextStreamId += 2;
        YamuxStream stream = new YamuxStream(this, id, true, config);
        streams.put(id, stream);
        outboundCount++;
        unacked++;
        openStreams = streams.size();
        writeControl(TYPE_WINDOW_UPDATE, FLAG_SYN, id, config.initialWindow() - YamuxConfig.SPEC_INITIAL_WINDOW);
        if (!future.complete(stream)) {
            stream.reset();
        }
    }

    void onStreamAcked() {
        unacked--;
        drainWaitingOpens();
    }

    private void drainWaitingOpens() {
        while (!waitingOpens.isEmpty() && unacked < config.maxAckBacklog() && !closed) {
            doOpen(waitingOpens.poll());
        }
    }

    /** Forgets a finished or reset stream. */
    void release(YamuxStream stream) {
        if (streams.get(stream.id()) != stream) {
            return;
        }
        streams.remove(stream.id());
        if (stream.isInitiator()) {
            outboundCount--;
            if (!stream.acked()) {
                unacked--;
                drainWaitingOpens();
            }
        } else {
            inboundCount--;
        }
        openStreams = streams.size();
    }

    /** Queues {@code stream} for the data pump if it has something to send. */
    void markReady(YamuxStream stream) {
        if (!stream.inReady && stream.hasSendable()) {
            stream.inReady = true;
            ready.add(stream);
            requestFlush();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Outbound

    /** Writes a header-only frame (flushed with the next batch). */
    void writeControl(int type, int flags, int id, int length) {
        ChannelHandlerContext c = ctx;
        if (c == null || closed) {
            return;
        }
        ChannelOutboundBuffer pending = c.channel().unsafe().outboundBuffer();
        long limit = Math.max(MIN_PENDING_LIMIT, 4L * c.channel().config().getWriteBufferHighWaterMark());
        if (pending != null && pending.totalPendingWriteBytes() > limit) {
            // control frames (ping answers, window updates, resets) ignore writability; a peer that makes us
            // answer while never reading must not grow this buffer without bound
            protocolError("peer does not read: " + pending.totalPendingWriteBytes() + " bytes waiting to be sent");
            return;
        }
        ByteBuf frame = c.alloc().buffer(HEADER_LENGTH);
        YamuxFrame.encode(frame, type, flags, id, length);
        c.write(frame, c.voidPromise());
        flushNeeded = true;
        requestFlush();
    }

    /** Marks that a frame was written and a flush is due with the next batch. */
    void wroteFrame() {
        flushNeeded = true;
    }

    private void requestFlush() {
        if (!flushScheduled && !closed) {
            flushScheduled = true;
            try {
                ctx.executor().execute(flushTask);
            } catch (RejectedExecutionException e) {
                flushScheduled = false;
            }
        }
    }

    private void runFlushTask() {
        flushScheduled = false;
        ChannelHandlerContext c = ctx;
        if (closed || c == null) {
            return;
        }
        while (!ready.isEmpty() && c.channel().isWritable() && !closed) {
            YamuxStream stream = ready.poll();
            stream.inReady = false;
            if (stream.emitFrame(c)) {
                flushNeeded = true;
            }
            if (!stream.inReady && stream.hasSendable()) {
                stream.inReady = true;
                ready.add(stream);
            }
        }
        if (flushNeeded) {
            flushNeeded = false;
            c.flush();
        }
    }

    private void sendPing(CompletableFuture<Duration> future) {
        int opaque = nextPing++;
        pings.put(opaque, new PendingPing(System.nanoTime(), future));
        writeControl(TYPE_PING, FLAG_SYN, 0, opaque);
    }

    private void sendKeepAlive() {
        keepAliveOpaque = nextPing;
        keepAliveOutstanding = true;
        sendPing(null);
    }

    private void keepAliveTick() {
        if (closed) {
            return;
        }
        if (keepAliveOutstanding) {
            LOG.warn("yamux session with {}: keep-alive ping unanswered for {}, closing", remotePeer,
                    config.keepAliveInterval());
            terminate("keep-alive timeout", true);
            return;
        }
        sendKeepAlive();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Termination

    private void protocolError(String reason) {
        if (closed) {
            return;
        }
        LOG.warn("yamux session with {} closed: protocol error: {}", remotePeer, reason);
        goAwayAndClose(YamuxFrame.GO_AWAY_PROTOCOL_ERROR, "protocol error: " + reason);
    }

    private void goAwayAndClose(int code, String reason) {
        if (closed) {
            return;
        }
        ChannelHandlerContext c = ctx;
        terminate(reason, false);
        if (c != null) {
            ByteBuf frame = c.alloc().buffer(HEADER_LENGTH);
            YamuxFrame.encode(frame, TYPE_GO_AWAY, 0, 0, code);
            c.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void terminate(String reason, boolean closeChannel) {
        if (closed) {
            return;
        }
        closed = true;
        closeReason = reason;
        LOG.debug("yamux session with {} ended: {}", remotePeer, reason);
        if (keepAlive != null) {
            keepAlive.cancel(false);
        }
        TransportException cause = closedException(reason);
        payloadStream = null;
        payloadRemaining = 0;
        List<YamuxStream> all = new ArrayList<>(streams.values());
        streams.clear();
        inboundCount = 0;
        outboundCount = 0;
        unacked = 0;
        openStreams = 0;
        ready.clear();
        for (YamuxStream stream : all) {
            stream.onSessionClosed(cause);
        }
        while (!waitingOpens.isEmpty()) {
            waitingOpens.poll().completeExceptionally(cause);
        }
        List<PendingPing> pending = new ArrayList<>(pings.values());
        pings.clear();
        for (PendingPing ping : pending) {
            if (ping.future != null) {
                ping.future.completeExceptionally(cause);
            }
        }
        ChannelHandlerContext c = ctx;
        if (closeChannel && c != null) {
            c.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers for streams

    /** Runs {@code task} on the event loop (directly if already there); {@code rejected} if the loop is gone. */
    void runOnLoop(Runnable task, Runnable rejected) {
        ChannelHandlerContext c = ctx;
        if (c == null) {
            rejected.run();
            return;
        }
        EventExecutor executor = c.executor();
        if (executor.inEventLoop()) {
            task.run();
            return;
        }
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            rejected.run();
        }
    }

    /** Runs {@code task} later on the event loop. */
    void runLater(Runnable task, Runnable rejected) {
        try {
            ctx.executor().execute(task);
        } catch (RejectedExecutionException e) {
            rejected.run();
        }
    }

    boolean inEventLoop() {
        ChannelHandlerContext c = ctx;
        return c != null && c.executor().inEventLoop();
    }

    ByteBufAllocator alloc() {
        ChannelHandlerContext c = ctx;
        return c != null ? c.alloc() : ByteBufAllocator.DEFAULT;
    }

    /** Why the session ended, or null while it is open. */
    String closeReason() {
        return closeReason;
    }

    long rttNanos() {
        return rttNanos;
    }

    boolean sessionClosed() {
        return closed;
    }

    PeerId remotePeer() {
        return remotePeer;
    }

    Multiaddr remoteAddress() {
        return remoteAddress;
    }

    static TransportException closedException(String reason) {
        return new TransportException(Kind.CLOSED, "yamux: " + reason);
    }

    private record PendingPing(long startNanos, CompletableFuture<Duration> future) {
    }
}
