package io.weft.transport.libp2p.noise;

import static io.weft.transport.libp2p.noise.NettyTestSupport.pump;
import static io.weft.transport.libp2p.noise.NettyTestSupport.transfer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.ReferenceCountUtil;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.net.TransportException;
import io.weft.api.net.TransportException.Kind;
import io.weft.api.thread.PeerId;
import io.weft.core.crypto.Ed25519;
import io.weft.transport.libp2p.conn.SecureChannelEstablished;
import io.weft.transport.libp2p.noise.NettyTestSupport.Recorder;
import io.weft.transport.libp2p.noise.NettyTestSupport.TrackingAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NoiseHandlerTest {
    static {
        NettyTestSupport.paranoid();
    }

    private final PrivateKey alice = Ed25519.generate();
    private final PrivateKey bob = Ed25519.generate();
    private final TrackingAllocator alloc = new TrackingAllocator(true);
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void noLeaks() {
        for (EmbeddedChannel ch : channels) {
            ch.finishAndReleaseAll();
        }
        alloc.assertAllReleased();
    }

    private EmbeddedChannel channel(NoiseHandler noise, Recorder recorder) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast(noise, recorder);
        channels.add(ch);
        return ch;
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static void sendAll(EmbeddedChannel ch, byte[] data) {
        ch.writeAndFlush(Unpooled.wrappedBuffer(data)).syncUninterruptibly();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 65536, 1 << 20})
    void handshakeAuthenticatesBothSidesAndCarriesData(int size) {
        Recorder ri = new Recorder();
        Recorder rr = new Recorder();
        EmbeddedChannel init = channel(new NoiseHandler(alice, true, PeerId.of(bob.publicKey()), List.of()), ri);
        EmbeddedChannel resp = channel(new NoiseHandler(bob, false, null, List.of()), rr);
        pump(init, resp);

        SecureChannelEstablished ei = assertInstanceOf(SecureChannelEstablished.class, ri.events.get(0));
        SecureChannelEstablished er = assertInstanceOf(SecureChannelEstablished.class, rr.events.get(0));
        assertEquals(PeerId.of(bob.publicKey()), ei.remotePeer());
        assertEquals(bob.publicKey(), ei.remoteKey());
        assertEquals(PeerId.of(alice.publicKey()), er.remotePeer());
        assertEquals(alice.publicKey(), er.remoteKey());
        assertEquals(List.of(), ei.remoteMuxers());

        byte[] a2b = random(size, 1);
        byte[] b2a = random(size, 2);
        sendAll(init, a2b);
        sendAll(resp, b2a);
        // frames on the wire never exceed 2 + 65535 bytes; each is fed to the responder on its own
        Object o;
        int frames = 0;
        while ((o = init.readOutbound()) != null) {
            ByteBuf frame = (ByteBuf) o;
            assertTrue(frame.readableBytes() <= 2 + NoiseHandler.MAX_FRAME);
            assertEquals(frame.readableBytes() - 2, frame.getUnsignedShort(frame.readerIndex()));
            frames++;
            resp.writeInbound(frame);
        }
        assertEquals((size + NoiseHandler.MAX_PLAINTEXT - 1) / NoiseHandler.MAX_PLAINTEXT, frames);
        pump(init, resp);
        assertArrayEquals(a2b, rr.data());
        assertArrayEquals(b2a, ri.data());
        assertTrue(ri.errors.isEmpty() && rr.errors.isEmpty(), () -> ri.errors + " " + rr.errors);
    }

    @Test
    void offeredMuxersReachTheRemote() {
        Recorder ri = new Recorder();
        Recorder rr = new Recorder();
        EmbeddedChannel init = channel(new NoiseHandler(alice, true, null, List.of("/yamux/1.0.0")), ri);
        EmbeddedChannel resp = channel(new NoiseHandler(bob, false, null, List.of("/yamux/1.0.0", "/mplex/6.7.0")), rr);
        pump(init, resp);
        assertEquals(List.of("/yamux/1.0.0", "/mplex/6.7.0"), ((SecureChannelEstablished) ri.events.get(0)).remoteMuxers());
        assertEquals(List.of("/yamux/1.0.0"), ((SecureChannelEstablished) rr.events.get(0)).remoteMuxers());
    }

    @Test
    void wrongExpectedPeerIsRejectedBeforeRevealingOurIdentity() {
        Recorder ri = new Recorder();
        Recorder rr = new Recorder();
        PeerId someoneElse = PeerId.of(Ed25519.generate().publicKey());
        EmbeddedChannel init = channel(new NoiseHandler(alice, true, someoneElse, List.of()), ri);
        EmbeddedChannel resp = channel(new NoiseHandler(bob, false, null, List.of()), rr);
        transfer(init, resp); // msg 1
        transfer(resp, init); // msg 2 → mismatch
        TransportException e = ri.singleError(Kind.PEER_ID_MISMATCH);
        assertTrue(e.getMessage().contains(someoneElse.toString()));
        assertFalse(init.isOpen());
        assertTrue(ri.events.isEmpty());
        assertEquals(0, transfer(init, resp), "message 3 must not be sent");
    }

    @Test
    void tamperedCiphertextIsAProtocolErrorAndClosesTheChannel() {
        Recorder ri = new Recorder();
        Recorder rr = new Recorder();
        EmbeddedChannel init = channel(new NoiseHandler(alice, true, null, List.of()), ri);
        EmbeddedChannel resp = channel(new NoiseHandler(bob, false, null, List.of()), rr);
        pump(init, resp);
        sendAll(init, "attack at dawn".getBytes());
        ByteBuf frame = init.readOutbound();
        frame.setByte(frame.readerIndex() + 5, frame.getByte(frame.readerIndex() + 5) ^ 0x40);
        resp.writeInbound(frame);
        rr.singleError(Kind.PROTOCOL_ERROR);
        assertFalse(resp.isOpen());
        assertEquals(0, rr.data().length);
    }

    @Test
    void tamperedHandshakeSignatureIsRejected() {
        // a responder whose payload signs a different static key: simulate by flipping a ciphertext bit of msg 2
        Recorder ri = new Recorder();
        Recorder rr = new Recorder();
        EmbeddedChannel init = channel(new NoiseHandler(alice, true, null, List.of()), ri);
        EmbeddedChannel resp = channel(new NoiseHandler(bob, false, null, List.of()), rr);
        transfer(init, resp);
        ByteBuf m2 = resp.readOutbound();
        m2.setByte(m2.writerIndex() - 20, m2.getByte(m2.writerIndex() - 20) ^ 1);
        init.writeInbound(m2);
        ri.singleError(Kind.PROTOCOL_ERROR);
        assertFalse(init.isOpen());
    }

    @Test
    void bytesAfterTheHandshakeInTheSameReadReachTheHandlerInstalledOnTheEvent() {
        Recorder late = new Recorder();
        Recorder ri = new Recorder((ctx, evt) -> {
            if (evt instanceof SecureChannelEstablished) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer("first words".getBytes()));
            }
        });
        Recorder rr = new Recorder((ctx, evt) -> {
            if (evt instanceof SecureChannelEstablished) {
                ctx.pipeline().addBefore(ctx.name(), "late", late);
            }
        });
        EmbeddedChannel init = channel(new NoiseHandler(alice, true, null, List.of()), ri);
        EmbeddedChannel resp = channel(new NoiseHandler(bob, false, null, List.of()), rr);
        transfer(init, resp);
        transfer(resp, init); // initiator now writes msg 3 and, on its event, the data
        transfer(init, resp); // msg 3 + data frame in one inbound buffer
        assertEquals(1, rr.events.size());
        assertEquals("first words", new String(late.data()));
        assertEquals(0, rr.data().length, "nothing may be decrypted before the event");
    }

    @Test
    void writesBeforeTheHandshakeAreQueuedAndSentAfterIt() {
        Recorder ri = new Recorder();
        Recorder rr = new Recorder();
        EmbeddedChannel init = channel(new NoiseHandler(alice, true, null, List.of()), ri);
        EmbeddedChannel resp = channel(new NoiseHandler(bob, false, null, List.of()), rr);
        ChannelFuture early = init.writeAndFlush(Unpooled.wrappedBuffer("early".getBytes()));
        assertFalse(early.isDone());
        pump(init, resp);
        assertTrue(early.isSuccess());
        assertEquals("early", new String(rr.data()));
    }

    @Test
    void queuedWritesFailWhenTheHandshakeFails() {
        Recorder ri = new Recorder();
        EmbeddedChannel init = channel(new NoiseHandler(alice, true, null, List.of()), ri);
        ChannelFuture early = init.writeAndFlush(Unpooled.wrappedBuffer("early".getBytes()));
        NettyTestSupport.drainOutbound(init);
        init.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 3, 1, 2, 3}));
        ri.singleError(Kind.PROTOCOL_ERROR);
        assertTrue(early.isDone());
        assertInstanceOf(TransportException.class, early.cause());
    }

    @Test
    void truncatedHandshakeIsAProtocolError() {
        Recorder ri = new Recorder();
        Recorder rr = new Recorder();
        EmbeddedChannel init = channel(new NoiseHandler(alice, true, null, List.of()), ri);
        EmbeddedChannel resp = channel(new NoiseHandler(bob, false, null, List.of()), rr);
        transfer(init, resp);
        ByteBuf m2 = resp.readOutbound();
        init.writeInbound(m2.retainedSlice(0, 100));
        m2.release();
        assertTrue(ri.errors.isEmpty());
        init.close();
        TransportException e = ri.singleError(Kind.PROTOCOL_ERROR);
        assertNotNull(e.getMessage());
    }

    @Test
    void frameTruncatedByCloseAfterTheHandshakeIsAProtocolError() {
        Recorder ri = new Recorder();
        Recorder rr = new Recorder();
        EmbeddedChannel init = channel(new NoiseHandler(alice, true, null, List.of()), ri);
        EmbeddedChannel resp = channel(new NoiseHandler(bob, false, null, List.of()), rr);
        pump(init, resp);
        sendAll(init, random(1000, 3));
        ByteBuf frame = init.readOutbound();
        resp.writeInbound(frame.retainedSlice(0, 500));
        frame.release();
        resp.close();
        rr.singleError(Kind.PROTOCOL_ERROR);
    }

    @Test
    void localChannelsCarryAMebibyteBothWays() throws Exception {
        EventLoopGroup group = new DefaultEventLoopGroup(2);
        LocalAddress address = new LocalAddress("noise-" + System.nanoTime());
        CompletableFuture<SecureChannelEstablished> serverEvent = new CompletableFuture<>();
        CompletableFuture<SecureChannelEstablished> clientEvent = new CompletableFuture<>();
        byte[] up = random(1 << 20, 4);
        byte[] down = random(1 << 20, 5);
        CompletableFuture<byte[]> serverGot = new CompletableFuture<>();
        CompletableFuture<byte[]> clientGot = new CompletableFuture<>();
        TrackingAllocator localAlloc = new TrackingAllocator(true);
        try {
            Channel server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
                    .childOption(io.netty.channel.ChannelOption.ALLOCATOR, localAlloc)
                    .childHandler(new ChannelInitializer<LocalChannel>() {
                        @Override
                        protected void initChannel(LocalChannel ch) {
                            ch.pipeline().addLast(new NoiseHandler(bob, false, null, List.of()),
                                    new Collector(up.length, serverGot, serverEvent, down));
                        }
                    }).bind(address).sync().channel();
            Channel client = new Bootstrap().group(group).channel(LocalChannel.class)
                    .option(io.netty.channel.ChannelOption.ALLOCATOR, localAlloc)
                    .handler(new ChannelInitializer<LocalChannel>() {
                        @Override
                        protected void initChannel(LocalChannel ch) {
                            ch.pipeline().addLast(new NoiseHandler(alice, true, PeerId.of(bob.publicKey()), List.of()),
                                    new Collector(down.length, clientGot, clientEvent, up));
                        }
                    }).connect(address).sync().channel();
            assertEquals(PeerId.of(alice.publicKey()), serverEvent.get(10, TimeUnit.SECONDS).remotePeer());
            assertEquals(PeerId.of(bob.publicKey()), clientEvent.get(10, TimeUnit.SECONDS).remotePeer());
            assertArrayEquals(up, serverGot.get(20, TimeUnit.SECONDS));
            assertArrayEquals(down, clientGot.get(20, TimeUnit.SECONDS));
            client.close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        localAlloc.assertAllReleased();
    }

    /** Sends {@code toSend} once secure, and collects {@code expected} bytes. */
    private static final class Collector extends io.netty.channel.ChannelInboundHandlerAdapter {
        private final ByteBuf received = Unpooled.buffer();
        private final int expected;
        private final CompletableFuture<byte[]> done;
        private final CompletableFuture<SecureChannelEstablished> event;
        private final byte[] toSend;

        Collector(int expected, CompletableFuture<byte[]> done, CompletableFuture<SecureChannelEstablished> event, byte[] toSend) {
            this.expected = expected;
            this.done = done;
            this.event = event;
            this.toSend = toSend;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SecureChannelEstablished e) {
                event.complete(e);
                ctx.writeAndFlush(Unpooled.wrappedBuffer(toSend));
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                received.writeBytes((ByteBuf) msg);
            } finally {
                ReferenceCountUtil.release(msg);
            }
            if (received.readableBytes() >= expected) {
                byte[] out = new byte[received.readableBytes()];
                received.readBytes(out);
                done.complete(out);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
            event.completeExceptionally(cause);
        }
    }
}
