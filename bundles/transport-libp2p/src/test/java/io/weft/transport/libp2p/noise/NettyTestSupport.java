package io.weft.transport.libp2p.noise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.buffer.UnpooledUnsafeDirectByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ResourceLeakDetector;
import io.weft.api.net.TransportException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/** Netty helpers shared by the noise and multistream tests: leak tracking, event recording, channel pumping. */
public final class NettyTestSupport {
    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    private NettyTestSupport() {
    }

    /** Enables paranoid leak detection (also done when this class loads). */
    public static void paranoid() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    /** An allocator that remembers every buffer it hands out, so a test can assert all were released. */
    public static final class TrackingAllocator extends AbstractByteBufAllocator {
        private final List<ByteBuf> buffers = Collections.synchronizedList(new ArrayList<>());
        private final boolean preferDirect;

        public TrackingAllocator(boolean preferDirect) {
            super(preferDirect);
            this.preferDirect = preferDirect;
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
            buffers.add(b);
            return b;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = new UnpooledUnsafeDirectByteBuf(this, initialCapacity, maxCapacity);
            buffers.add(b);
            return b;
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        /** How many buffers were allocated. */
        public int allocated() {
            return buffers.size();
        }

        /** Asserts that every buffer allocated so far has been released. */
        public void assertAllReleased() {
            synchronized (buffers) {
                int live = 0;
                for (ByteBuf b : buffers) {
                    if (b.refCnt() != 0) {
                        live++;
                    }
                }
                assertEquals(0, live, "unreleased buffers (of " + buffers.size() + " allocated; direct=" + preferDirect + ")");
            }
        }
    }

    /**
     * Records user events, exceptions and inbound bytes at the end of a pipeline; releases what it reads. An optional
     * hook runs on each user event (to install the next handler, like the upgrader does).
     */
    public static final class Recorder extends ChannelInboundHandlerAdapter {
        public final List<Object> events = new CopyOnWriteArrayList<>();
        public final List<Throwable> errors = new CopyOnWriteArrayList<>();
        private final ByteArrayOutputStream data = new ByteArrayOutputStream();
        private final BiConsumer<ChannelHandlerContext, Object> onEvent;
        public volatile boolean inactive;

        public Recorder() {
            this(null);
        }

        public Recorder(BiConsumer<ChannelHandlerContext, Object> onEvent) {
            this.onEvent = onEvent;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                ByteBuf b = (ByteBuf) msg;
                byte[] bytes = new byte[b.readableBytes()];
                b.readBytes(bytes);
                synchronized (data) {
                    data.write(bytes, 0, bytes.length);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            events.add(evt);
            if (onEvent != null) {
                onEvent.accept(ctx, evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.add(cause);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            inactive = true;
        }

        /** Everything read so far. */
        public byte[] data() {
            synchronized (data) {
                return data.toByteArray();
            }
        }

        /** Asserts exactly one error, a TransportException of {@code kind}, and returns it. */
        public TransportException singleError(TransportException.Kind kind) {
            assertEquals(1, errors.size(), () -> "errors: " + errors);
            TransportException e = assertInstanceOf(TransportException.class, errors.get(0));
            assertEquals(kind, e.kind(), e::getMessage);
            return e;
        }
    }

    /** Moves everything {@code from} wrote into {@code to} as one inbound buffer; returns the byte count. */
    public static int transfer(EmbeddedChannel from, EmbeddedChannel to) {
        ByteBuf all = to.alloc().buffer();
        Object o;
        while ((o = from.readOutbound()) != null) {
            try {
                all.writeBytes((ByteBuf) o);
            } finally {
                ReferenceCountUtil.release(o);
            }
        }
        int n = all.readableBytes();
        if (n == 0 || !to.isOpen()) {
            all.release();
            return n;
        }
        to.writeInbound(all);
        return n;
    }

    /** Transfers in both directions until neither side writes anything. */
    public static void pump(EmbeddedChannel a, EmbeddedChannel b) {
        for (int i = 0; i < 1000; i++) {
            int n = transfer(a, b) + transfer(b, a);
            if (n == 0) {
                return;
            }
        }
        throw new AssertionError("channels kept talking");
    }

    /** Drops (and releases) everything {@code ch} wrote. */
    public static void drainOutbound(EmbeddedChannel ch) {
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ReferenceCountUtil.release(o);
        }
    }
}
