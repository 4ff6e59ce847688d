package io.weft.transport.libp2p.yamux;

import static io.weft.transport.libp2p.yamux.YamuxFrame.FLAG_FIN;
import static io.weft.transport.libp2p.yamux.YamuxFrame.FLAG_RST;
import static io.weft.transport.libp2p.yamux.YamuxFrame.HEADER_LENGTH;
import static io.weft.transport.libp2p.yamux.YamuxFrame.TYPE_DATA;
import static io.weft.transport.libp2p.yamux.YamuxFrame.TYPE_WINDOW_UPDATE;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.weft.api.format.Multiaddr;
import io.weft.api.format.Varint;
import io.weft.api.net.Stream;
import io.weft.api.net.TransportException;
import io.weft.api.net.TransportException.Kind;
import io.weft.api.thread.PeerId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One yamux stream of a {@link YamuxSession}, implementing {@link Stream} with pull-based reads: the receive window
 * is replenished only for bytes the application has read. Writes are split into frames of at most
 * {@link YamuxConfig#maxFrameSize()} bytes within the remote's window; a write completes once its last frame has
 * been written to the connection. All state changes happen on the connection's event loop; futures complete there.
 */
public final class YamuxStream implements Stream {
    private static final int READ_ANY = 1;
    private static final int READ_FULLY = 2;
    private static final int READ_MESSAGE = 3;
    /** Largest array one {@link #read()} returns (below G1's humongous-object threshold on small heaps). */
    private static final int MAX_READ_CHUNK = 256 * 1024;
    /** Received pieces at least this large may be kept as slices of the inbound buffer. */
    private static final int MIN_SLICE = 1024;
    /** Smaller pieces are copied into buffers of this size, appended to while they have room. */
    private static final int COPY_CHUNK = 8192;
    /** Payloads up to this size are copied next to the header instead of being composed. */
    private static final int COPY_THRESHOLD = 1024;
    /** Synchronously completed reads nest at most this deep before the next read is deferred to a task. */
    private static final int MAX_READ_NESTING = 8;
    private static final long NEED_MORE = -1;
    private static final long BAD_VARINT = -2;

    private final YamuxSession session;
    private final int id;
    private final boolean initiator;
    private final int maxWindow;
    private final int maxFrameSize;
    private final AtomicBoolean readBusy = new AtomicBoolean();
    private volatile String protocol;
    private volatile boolean open = true;

    // State below is confined to the event loop.
    boolean inReady;
    private boolean acked;
    private boolean reset;
    private boolean sessionClosed;
    private boolean released;
    private boolean finQueued;
    private boolean finSent;
    private boolean remoteFin;
    private boolean discarding;
    private CompletableFuture<Void> finFuture;

    private final ArrayDeque<PendingWrite> writes = new ArrayDeque<>();
    private long sendWindow = YamuxConfig.SPEC_INITIAL_WINDOW;

    private final ArrayDeque<ByteBuf> received = new ArrayDeque<>();
    private ByteBuf tailCopy;
    private int buffered;
    private long receiveCredit;
    private int receiveWindow;
    private long consumedUngranted;
    private long epochStart;

    private int readKind;
    private CompletableFuture<byte[]> readFuture;
    private byte[] readTarget;
    private int readFilled;
    private int readMax;
    private int varintLength;

    YamuxStream(YamuxSession session, int id, boolean initiator, YamuxConfig config) {
        this.session = session;
        this.id = id;
        this.initiator = initiator;
        this.maxWindow = config.maxWindow();
        this.maxFrameSize = config.maxFrameSize();
        this.receiveWindow = config.initialWindow();
        this.receiveCredit = config.initialWindow();
        this.epochStart = System.nanoTime();
    }

    /** Sets the protocol negotiated for this stream (the host calls this after multistream-select). */
    public void protocol(String negotiated) {
        this.protocol = negotiated;
    }

    /** The yamux stream id (unsigned 32-bit). */
    public int id() {
        return id;
    }

    @Override
    public String protocol() {
        return protocol;
    }

    @Override
    public PeerId remotePeer() {
        return session.remotePeer();
    }

    @Override
    public Multiaddr remoteAddress() {
        return session.remoteAddress();
    }

    @Override
    public boolean isInitiator() {
        return initiator;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public String toString() {
        return "YamuxStream(" + Integer.toUnsignedString(id) + (initiator ? ", outbound" : ", inbound")
                + (protocol != null ? ", " + protocol : "") + ")";
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reading

    @Override
    public CompletableFuture<byte[]> read() {
        return startRead(READ_ANY, 0);
    }

    @Override
    public CompletableFuture<byte[]> readFully(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length);
        }
        return startRead(READ_FULLY, length);
    }

    @Override
    public CompletableFuture<byte[]> readMessage(int maxLength) {
        if (maxLength < 0) {
            throw new IllegalArgumentException("negative maxLength " + maxLength);
        }
        return startRead(READ_MESSAGE, maxLength);
    }

    private CompletableFuture<byte[]> startRead(int kind, int arg) {
        if (!readBusy.compareAndSet(false, true)) {
            throw new IllegalStateException("a read is already outstanding on " + this);
        }
        CompletableFuture<byte[]> future = new CompletableFuture<>();
        Runnable task = () -> {
            readKind = kind;
            readFuture = future;
            readFilled = 0;
            readMax = arg;
            readTarget = kind == READ_FULLY ? new byte[arg] : null;
            tryCompleteRead();
        };
        Runnable rejected = () -> {
            readBusy.set(false);
            future.completeExceptionally(YamuxSession.closedException("session closed"));
        };
        if (session.inEventLoop() && session.readNesting >= MAX_READ_NESTING) {
            session.runLater(task, rejected);
        } else {
            session.runOnLoop(task, rejected);
        }
        return future;
    }

    private void tryCompleteRead() {
        if (readFuture == null) {
            return;
        }
        if (reset) {
            failRead(new TransportException(Kind.STREAM_RESET, "yamux: stream " + idText() + " was reset"));
            return;
        }
        if (discarding) {
            failRead(new TransportException(Kind.CLOSED, "yamux: stream " + idText() + " is closed"));
            return;
        }
        switch (readKind) {
            case READ_ANY -> {
                if (buffered > 0) {
                    byte[] out = new byte[Math.min(buffered, MAX_READ_CHUNK)];
                    take(out, 0, out.length);
                    completeRead(out);
                } else if (remoteFin) {
                    completeRead(null);
                } else if (sessionClosed) {
                    failRead(YamuxSession.closedException("session closed"));
                }
            }
            case READ_FULLY -> continueFill(false);
            case READ_MESSAGE -> {
                if (readTarget == null) {
                    long length = peekVarint();
                    if (length == NEED_MORE) {
                        if (remoteFin && buffered == 0) {
                            completeRead(null);
                        } else if (remoteFin) {
                            failAndReset(Kind.PROTOCOL_ERROR, "end of stream inside a message length prefix");
                        } else if (sessionClosed) {
                            failRead(YamuxSession.closedException("session closed"));
                        }
                        return;
                    }
                    if (length == BAD_VARINT) {
                        failAndReset(Kind.PROTOCOL_ERROR, "malformed message length prefix");
                        return;
                    }
                    if (length > readMax) {
                        failAndReset(Kind.LIMIT_EXCEEDED, "message of " + length + " bytes exceeds " + readMax);
                        return;
                    }
                    skip(varintLength);
                    readTarget = new byte[(int) length];
                }
                continueFill(true);
            }
            default -> throw new IllegalStateException("read kind " + readKind);
        }
    }

    private void continueFill(boolean message) {
        int n = Math.min(buffered, readTarget.length - readFilled);
        if (n > 0) {
            take(readTarget, readFilled, n);
            readFilled += n;
        }
        if (readFilled == readTarget.length) {
            completeRead(readTarget);
        } else if (remoteFin) {
            if (message) {
                failAndReset(Kind.PROTOCOL_ERROR, "end of stream inside a message");
            } else {
                failRead(new TransportException(Kind.CLOSED, "yamux: stream " + idText() + " ended after "
                        + readFilled + " of " + readTarget.length + " bytes"));
            }
        } else if (sessionClosed) {
            failRead(YamuxSession.closedException("session closed"));
        }
    }

    private void failAndReset(Kind kind, String message) {
        failRead(new TransportException(kind, "yamux: stream " + idText() + ": " + message));
        resetLocally();
    }

    private void completeRead(byte[] value) {
        CompletableFuture<byte[]> future = clearRead();
        session.readNesting++;
        try {
            future.complete(value);
        } finally {
            session.readNesting--;
        }
    }

    private void failRead(TransportException error) {
        CompletableFuture<byte[]> future = clearRead();
        if (future != null) {
            future.completeExceptionally(error);
        }
    }

    private CompletableFuture<byte[]> clearRead() {
        CompletableFuture<byte[]> future = readFuture;
        readFuture = null;
        readTarget = null;
        readKind = 0;
        readFilled = 0;
        if (future != null) {
            readBusy.set(false);
        }
        return future;
    }

    /** Parses the varint at the front of the buffered data without consuming it. */
    private long peekVarint() {
        long value = 0;
        int i = 0;
        for (ByteBuf buf : received) {
            for (int j = buf.readerIndex(); j < buf.writerIndex(); j++) {
                int b = buf.getByte(j) & 0xFF;
                value |= (long) (b & 0x7F) << (7 * i);
                i++;
                if ((b & 0x80) == 0) {
                    if (b == 0 && i > 1) {
                        return BAD_VARINT;
                    }
                    varintLength = i;
                    return value;
                }
                if (i >= 9) {
                    return BAD_VARINT;
                }
            }
        }
        return NEED_MORE;
    }

    private void take(byte[] out, int offset, int length) {
        int remaining = length;
        int pos = offset;
        while (remaining > 0) {
            ByteBuf head = received.peek();
            int n = Math.min(remaining, head.readableBytes());
            head.readBytes(out, pos, n);
            pos += n;
            remaining -= n;
            if (!head.isReadable()) {
                releaseHead();
            }
        }
        buffered -= length;
        consumed(length);
    }

    private void skip(int length) {
        int remaining = length;
        while (remaining > 0) {
            ByteBuf head = received.peek();
            int n = Math.min(remaining, head.readableBytes());
            head.skipBytes(n);
            remaining -= n;
            if (!head.isReadable()) {
                releaseHead();
            }
        }
        buffered -= length;
        consumed(length);
    }

    private void releaseHead() {
        ByteBuf head = received.poll();
        if (head == tailCopy) {
            tailCopy = null;
        }
        head.release();
    }

    private void releaseReceived() {
        tailCopy = null;
        ByteBuf buf;
        while ((buf = received.poll()) != null) {
            buf.release();
        }
        buffered = 0;
    }

    /** Credits consumed bytes and sends a window update once half the window was consumed. */
    private void consumed(long n) {
        consumedUngranted += n;
        if (reset || remoteFin || sessionClosed || released || consumedUngranted < receiveWindow / 2) {
            if (remoteFin && buffered == 0) {
                maybeRelease();
            }
            return;
        }
        long now = System.nanoTime();
        long delta = consumedUngranted;
        long rtt = session.rttNanos();
        boolean grow = rtt > 0 ? now - epochStart < 4 * rtt : buffered == 0;
        if (grow && receiveWindow < maxWindow) {
            int grown = (int) Math.min(2L * receiveWindow, maxWindow);
            delta += grown - receiveWindow;
            receiveWindow = grown;
        }
        epochStart = now;
        consumedUngranted = 0;
        receiveCredit += delta;
        session.writeControl(TYPE_WINDOW_UPDATE, 0, id, (int) delta);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Writing

    @Override
    public CompletableFuture<Void> write(byte[] data) {
        Objects.requireNonNull(data, "data");
        ByteBuf buf = session.alloc().buffer(data.length);
        buf.writeBytes(data);
        return enqueue(buf);
    }

    @Override
    public CompletableFuture<Void> writeMessage(byte[] data) {
        Objects.requireNonNull(data, "data");
        byte[] prefix = Varint.encode(data.length);
        ByteBuf buf = session.alloc().buffer(prefix.length + data.length);
        buf.writeBytes(prefix);
        buf.writeBytes(data);
        return enqueue(buf);
    }

    private CompletableFuture<Void> enqueue(ByteBuf buf) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        session.runOnLoop(() -> {
            TransportException refused = writeRefusal();
            if (refused != null) {
                buf.release();
                future.completeExceptionally(refused);
                return;
            }
            writes.add(new PendingWrite(buf, future));
            session.markReady(this);
        }, () -> {
            buf.release();
            future.completeExceptionally(YamuxSession.closedException("session closed"));
        });
        return future;
    }

    private TransportException writeRefusal() {
        if (reset) {
            return new TransportException(Kind.STREAM_RESET, "yamux: stream " + idText() + " was reset");
        }
        if (sessionClosed) {
            return YamuxSession.closedException("session closed");
        }
        if (finQueued) {
            return new TransportException(Kind.CLOSED, "yamux: stream " + idText() + " is closed for writing");
        }
        return null;
    }

    @Override
    public CompletableFuture<Void> closeWrite() {
        CompletableFuture<Void> future = new CompletableFuture<>();
        session.runOnLoop(() -> {
            if (reset) {
                future.completeExceptionally(new TransportException(Kind.STREAM_RESET,
                        "yamux: stream " + idText() + " was reset"));
            } else if (finQueued) {
                finFuture.whenComplete((v, e) -> {
                    if (e != null) {
                        future.completeExceptionally(e);
                    } else {
                        future.complete(null);
                    }
                });
            } else if (sessionClosed) {
                future.completeExceptionally(YamuxSession.closedException("session closed"));
            } else {
                queueFin(future);
            }
        }, () -> future.completeExceptionally(YamuxSession.closedException("session closed")));
        return future;
    }

    private void queueFin(CompletableFuture<Void> future) {
        finQueued = true;
        finFuture = future;
        session.markReady(this);
    }

    @Override
    public void reset() {
        open = false; // visible at once to the caller; the loop does the rest
        session.runOnLoop(this::resetLocally, () -> { });
    }

    @Override
    public void close() {
        session.runOnLoop(() -> {
            if (reset) {
                return;
            }
            discarding = true;
            failRead(new TransportException(Kind.CLOSED, "yamux: stream " + idText() + " is closed"));
            int unread = buffered;
            releaseReceived();
            if (sessionClosed) {
                return;
            }
            if (unread > 0) {
                consumed(unread);
            }
            if (!finQueued) {
                queueFin(new CompletableFuture<>());
            }
            maybeRelease();
        }, () -> { });
    }

    /** True if data or a FIN can be sent now. */
    boolean hasSendable() {
        if (reset || sessionClosed || finSent) {
            return false;
        }
        if (writes.isEmpty()) {
            return finQueued;
        }
        return sendWindow > 0 || !writes.peek().buf.isReadable();
    }

    /** Writes one frame (data and/or FIN) to the channel; true if it wrote something. */
    boolean emitFrame(ChannelHandlerContext ctx) {
        PendingWrite head;
        while ((head = writes.peek()) != null && !head.buf.isReadable()) {
            writes.poll();
            head.buf.release();
            head.future.complete(null);
        }
        if (writes.isEmpty()) {
            if (finQueued && !finSent) {
                finSent = true;
                ByteBuf frame = ctx.alloc().buffer(HEADER_LENGTH);
                YamuxFrame.encode(frame, TYPE_DATA, FLAG_FIN, id, 0);
                ctx.write(frame, completing(ctx, List.of(finFuture)));
                afterFinSent();
                return true;
            }
            return false;
        }
        int budget = (int) Math.min(sendWindow, maxFrameSize);
        if (budget <= 0) {
            return false;
        }
        List<ByteBuf> pieces = new ArrayList<>(2);
        List<CompletableFuture<Void>> completed = null;
        int total = 0;
        while (total < budget && (head = writes.peek()) != null) {
            int n = Math.min(budget - total, head.buf.readableBytes());
            pieces.add(head.buf.readRetainedSlice(n));
            total += n;
            if (head.buf.isReadable()) {
                break;
            }
            writes.poll();
            head.buf.release();
            if (completed == null) {
                completed = new ArrayList<>(2);
            }
            completed.add(head.future);
        }
        int flags = 0;
        if (writes.isEmpty() && finQueued) {
            flags = FLAG_FIN;
            finSent = true;
            if (completed == null) {
                completed = new ArrayList<>(1);
            }
            completed.add(finFuture);
        }
        sendWindow -= total;
        ByteBuf frame;
        if (total <= COPY_THRESHOLD) {
            frame = ctx.alloc().buffer(HEADER_LENGTH + total);
            YamuxFrame.encode(frame, TYPE_DATA, flags, id, total);
            for (ByteBuf piece : pieces) {
                frame.writeBytes(piece);
                piece.release();
            }
        } else {
            ByteBuf header = ctx.alloc().buffer(HEADER_LENGTH);
            YamuxFrame.encode(header, TYPE_DATA, flags, id, total);
            CompositeByteBuf composite = ctx.alloc().compositeBuffer(1 + pieces.size());
            composite.addComponent(true, header);
            for (ByteBuf piece : pieces) {
                composite.addComponent(true, piece);
            }
            frame = composite;
        }
        ctx.write(frame, completed == null ? ctx.voidPromise() : completing(ctx, completed));
        if (finSent) {
            afterFinSent();
        }
        return true;
    }

    private static ChannelPromise completing(ChannelHandlerContext ctx, List<CompletableFuture<Void>> futures) {
        ChannelPromise promise = ctx.newPromise();
        promise.addListener(f -> {
            if (f.isSuccess()) {
                for (CompletableFuture<Void> future : futures) {
                    future.complete(null);
                }
            } else {
                TransportException error = new TransportException(Kind.CLOSED, "yamux: write failed", f.cause());
                for (CompletableFuture<Void> future : futures) {
                    future.completeExceptionally(error);
                }
            }
        });
        return promise;
    }

    private void afterFinSent() {
        if (remoteFin) {
            open = false;
        }
        maybeRelease();
    }

    private void resetLocally() {
        if (reset) {
            return;
        }
        boolean sendRst = !released && !sessionClosed;
        markReset(new TransportException(Kind.STREAM_RESET, "yamux: stream " + idText() + " was reset locally"));
        if (sendRst) {
            session.writeControl(TYPE_WINDOW_UPDATE, FLAG_RST, id, 0);
        }
    }

    private void markReset(TransportException error) {
        reset = true;
        open = false;
        releaseReceived();
        failRead(error);
        failWrites(error);
        session.release(this);
        released = true;
    }

    private void failWrites(TransportException error) {
        PendingWrite w;
        while ((w = writes.poll()) != null) {
            w.buf.release();
            w.future.completeExceptionally(error);
        }
        if (finQueued && !finSent && finFuture != null) {
            finFuture.completeExceptionally(error);
        }
        finSent = finSent || finQueued;
    }

    private void maybeRelease() {
        if (!released && finSent && remoteFin && buffered == 0) {
            session.release(this);
            released = true;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Events from the session (event loop)

    boolean acked() {
        return acked;
    }

    /** Bytes received and not yet read (event loop only; for tests and diagnostics). */
    int bufferedBytes() {
        return buffered;
    }

    /** Current receive window (event loop only; for tests and diagnostics). */
    int receiveWindow() {
        return receiveWindow;
    }

    void onAck() {
        if (initiator && !acked) {
            acked = true;
            session.onStreamAcked();
        }
    }

    void onWindowUpdate(long delta) {
        if (delta == 0 || reset) {
            return;
        }
        sendWindow = Math.min(sendWindow + delta, 0xFFFFFFFFL);
        session.markReady(this);
    }

    /** False once the remote half-closed: later data is discarded. */
    boolean acceptsData() {
        return !remoteFin;
    }

    long receiveCredit() {
        return receiveCredit;
    }

    void reserve(long length) {
        receiveCredit -= length;
    }

    /** {@code n} payload bytes at {@code in}'s reader index belong to this stream. */
    void onData(ByteBuf in, int n) {
        if (reset || sessionClosed) {
            in.skipBytes(n);
            return;
        }
        if (discarding) {
            in.skipBytes(n);
            consumed(n);
            return;
        }
        ByteBuf root = in;
        while (root.unwrap() != null) {
            root = root.unwrap();
        }
        // Keep a slice only when it is large and a large part of the buffer it pins; copy and coalesce small pieces,
        // so a peer can neither pin large buffers with a few window bytes each nor queue one object per byte.
        if (n >= MIN_SLICE && 4L * n >= root.capacity()) {
            received.add(in.readRetainedSlice(n));
            tailCopy = null;
        } else {
            ByteBuf tail = tailCopy;
            if (tail == null || tail.writableBytes() < n) {
                int size = Math.max(n, COPY_CHUNK);
                tail = session.alloc().buffer(size, size);
                received.add(tail);
                tailCopy = tail;
            }
            tail.writeBytes(in, n);
        }
        buffered += n;
        tryCompleteRead();
    }

    void onRemoteFin() {
        if (remoteFin || reset) {
            return;
        }
        remoteFin = true;
        if (finSent) {
            open = false;
        }
        tryCompleteRead();
        maybeRelease();
    }

    void onRemoteReset() {
        if (reset) {
            return;
        }
        markReset(new TransportException(Kind.STREAM_RESET, "yamux: stream " + idText() + " was reset by the remote"));
    }

    void onSessionClosed(TransportException cause) {
        if (reset || sessionClosed) {
            return;
        }
        sessionClosed = true;
        released = true;
        open = false;
        failWrites(cause);
        if (remoteFin && buffered > 0 && !discarding) {
            // Everything the remote sent arrived: keep it readable, on the heap so nothing pooled can leak.
            byte[] rest = new byte[buffered];
            int offset = 0;
            for (ByteBuf buf : received) {
                int n = buf.readableBytes();
                buf.getBytes(buf.readerIndex(), rest, offset, n);
                offset += n;
            }
            releaseReceived();
            received.add(Unpooled.wrappedBuffer(rest));
            buffered = rest.length;
        } else {
            releaseReceived();
        }
        tryCompleteRead();
    }

    private String idText() {
        return Integer.toUnsignedString(id);
    }

    private record PendingWrite(ByteBuf buf, CompletableFuture<Void> future) {
    }
}
