package io.weft.transport.libp2p.yamux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.weft.api.net.TransportException;
import io.weft.api.net.TransportException.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Byte-exact behaviour of a session on an {@link EmbeddedChannel}, including what js-libp2p-yamux sends. */
class YamuxWireTest {
    static {
        LeakCheck.install();
    }

    private final List<YamuxStream> inbound = new ArrayList<>();
    private final List<ByteBuf> fed = new ArrayList<>();
    private EmbeddedChannel channel;
    private YamuxSession session;

    private static YamuxConfig config(int maxStreams, Duration keepAlive) {
        YamuxConfig d = YamuxConfig.defaults();
        return new YamuxConfig(maxStreams, d.initialWindow(), d.maxWindow(), d.maxFrameSize(), keepAlive,
                d.maxAckBacklog());
    }

    private void start(boolean client, YamuxConfig config) {
        session = new YamuxSession(client, config, SessionPair.PEER, SessionPair.ADDR, inbound::add);
        channel = new EmbeddedChannel(session);
    }

    private void startServer() {
        start(false, config(1024, Duration.ZERO));
    }

    private void feed(String hex) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer();
        buf.writeBytes(ByteBufUtil.decodeHexDump(hex.replace(" ", "")));
        fed.add(buf);
        channel.writeInbound(buf);
        channel.runPendingTasks();
    }

    private String out() {
        channel.runPendingTasks();
        StringBuilder sb = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            sb.append(ByteBufUtil.hexDump(buf));
            buf.release();
        }
        return sb.toString();
    }

    private static Kind kind(CompletableFuture<?> future) {
        assertTrue(future.isCompletedExceptionally(), "failed");
        Throwable cause = future.handle((v, e) -> e).join();
        if (cause instanceof java.util.concurrent.CompletionException) {
            cause = cause.getCause();
        }
        return assertInstanceOf(TransportException.class, cause).kind();
    }

    @AfterEach
    void finish() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
        for (ByteBuf buf : fed) {
            assertEquals(0, buf.refCnt(), "inbound buffer released");
        }
    }

    @AfterAll
    static void leaks() {
        LeakCheck.assertNoLeaks();
    }

    @Test
    void jsOpensStreamWithWindowUpdateSynDeltaZero() throws Exception {
        startServer();
        feed("0001 0001 00000001 00000000"); // js: WindowUpdate|SYN, stream 1, delta 0
        assertEquals(1, inbound.size());
        YamuxStream stream = inbound.get(0);
        assertEquals(1, stream.id());
        assertFalse(stream.isInitiator());
        assertEquals("000100020000000100000000", out()); // WindowUpdate|ACK, delta 0
        assertEquals(1, session.openStreamCount());

        feed("0000 0000 00000001 00000002 6869"); // data "hi"
        assertArrayEquals("hi".getBytes(), stream.read().get(1, TimeUnit.SECONDS));
        stream.write("ok".getBytes());
        assertEquals("000000000000000100000002" + "6f6b", out());
        stream.closeWrite();
        assertEquals("000000040000000100000000", out()); // Data|FIN
        feed("0000 0004 00000001 00000000");
        assertNull(stream.read().get(1, TimeUnit.SECONDS));
        assertFalse(stream.isOpen());
        assertEquals(0, session.openStreamCount());
    }

    @Test
    void dataWithSynOpensStreamAndFinEnds() throws Exception {
        startServer();
        feed("0000 0005 00000003 00000003 616263"); // Data|SYN|FIN "abc"
        assertEquals("000100020000000300000000", out());
        YamuxStream stream = inbound.get(0);
        assertArrayEquals("abc".getBytes(), stream.readFully(3).get(1, TimeUnit.SECONDS));
        assertNull(stream.read().get(1, TimeUnit.SECONDS));
    }

    @Test
    void pingSynAnsweredWithAckAndSameOpaque() {
        startServer();
        feed("0002 0001 00000000 deadbeef");
        assertEquals("00020002" + "00000000" + "deadbeef", out());
        assertFalse(session.isClosed());
    }

    @Test
    void keepAlivePingSentAtOnceAndUnansweredOneCloses() {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        session = new YamuxSession(true, config(1024, Duration.ofSeconds(30)), SessionPair.PEER, SessionPair.ADDR,
                inbound::add);
        channel.pipeline().addLast(session);
        assertEquals("000200010000000000000000", out());
        feed("0002 0002 00000000 00000000"); // answer
        channel.advanceTimeBy(30, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertEquals("000200010000000000000001", out());
        assertFalse(session.isClosed());
        channel.advanceTimeBy(30, TimeUnit.SECONDS); // not answered
        channel.runScheduledPendingTasks();
        assertTrue(session.isClosed());
        assertFalse(channel.isOpen());
    }

    @Test
    void ownPingCompletesOnAck() {
        start(true, config(1024, Duration.ZERO));
        CompletableFuture<Duration> ping = session.ping();
        assertEquals("000200010000000000000000", out());
        assertFalse(ping.isDone());
        feed("0002 0002 00000000 00000007"); // unknown opaque: ignored
        assertFalse(ping.isDone());
        feed("0002 0002 00000000 00000000");
        assertTrue(ping.join().toNanos() > 0);
    }

    @Test
    void openStreamSendsSynWithOddIdsOnClient() {
        start(true, config(1024, Duration.ZERO));
        YamuxStream a = session.openStream().join();
        YamuxStream b = session.openStream().join();
        assertEquals(1, a.id());
        assertEquals(3, b.id());
        assertEquals("000100010000000100000000" + "000100010000000300000000", out());
        a.write(new byte[] {1, 2});
        assertEquals("000000000000000100000002" + "0102", out());
        feed("0001 0002 00000001 00000000"); // ACK
        a.reset();
        assertEquals("000100080000000100000000", out());
        assertEquals(Kind.STREAM_RESET, kind(a.read()));
    }

    @Test
    void serverUsesEvenIdsAndLargerInitialWindowIsAdvertised() {
        start(false, new YamuxConfig(8, 1 << 20, 16 << 20, 1000, Duration.ZERO, 256));
        YamuxStream s = session.openStream().join();
        assertEquals(2, s.id());
        assertEquals("000100010000000200" + "0c0000", out()); // delta 1 MiB - 256 KiB = 0x000c0000
        // Frames are split at maxFrameSize.
        s.write(new byte[1500]);
        String frames = out();
        assertEquals(2 * 12 + 1500, frames.length() / 2);
        assertTrue(frames.startsWith("000000000000000200" + "0003e8"));
    }

    @Test
    void writesWaitForWindow() {
        start(true, config(1024, Duration.ZERO));
        YamuxStream s = session.openStream().join();
        out();
        CompletableFuture<Void> first = s.write(new byte[256 * 1024]);
        CompletableFuture<Void> second = s.write(new byte[10]);
        String sent = out();
        assertEquals(256 * 1024, sent.length() / 2 - 12 * ((256 * 1024 + 65506) / 65507));
        assertTrue(first.isDone());
        assertFalse(second.isDone());
        feed("0001 0000 00000001 00000004"); // window update +4
        String more = out();
        assertEquals("000000000000000100000004" + "00000000", more);
        assertFalse(second.isDone());
        feed("0001 0000 00000001 00000100");
        assertEquals("000000000000000100000006" + "000000000000", out());
        assertTrue(second.isDone());
    }

    @Test
    void readerGrantsWindowOnlyAsItReads() throws Exception {
        startServer();
        feed("0001 0001 00000001 00000000");
        out();
        YamuxStream s = inbound.get(0);
        ByteBuf data = PooledByteBufAllocator.DEFAULT.buffer();
        data.writeBytes(ByteBufUtil.decodeHexDump("000000000000000100040000"));
        data.writeZero(256 * 1024);
        fed.add(data);
        channel.writeInbound(data);
        assertEquals("", out()); // nothing read, nothing granted
        s.readFully(100 * 1024).get(1, TimeUnit.SECONDS);
        assertEquals("", out()); // less than half the window consumed
        s.readFully(28 * 1024).get(1, TimeUnit.SECONDS);
        String update = out();
        assertTrue(update.startsWith("000100000000000100"), update);
        long delta = Long.parseLong(update.substring(16), 16);
        // Exactly the 128 KiB consumed: no growth, since no round trip is known and 128 KiB are still unread.
        assertEquals(128 * 1024, delta);
        // Window violation: send more than granted (remaining 128 KiB buffered, credit = 128 KiB).
        feed("0000 0000 00000001 00020001" + "00".repeat(0x20001));
        assertEquals("000300000000000000000001", out()); // GoAway(protocol error)
        assertTrue(session.isClosed());
        assertFalse(channel.isOpen());
        assertEquals(Kind.CLOSED, kind(s.read()));
    }

    @Test
    void unknownStreamFramesAreIgnored() {
        startServer();
        feed("0000 0000 00000005 0000000a" + "00".repeat(10)); // data for unknown stream 5
        feed("0001 0000 00000007 00001000"); // window update for unknown stream
        feed("0001 0008 00000009 00000000"); // RST for unknown stream
        assertEquals("", out());
        assertFalse(session.isClosed());
        feed("0002 0001 00000000 00000001");
        assertEquals("000200020000000000000001", out());
    }

    @Test
    void inboundStreamLimitResets() {
        start(false, config(1, Duration.ZERO));
        feed("0001 0001 00000001 00000000");
        feed("0000 0001 00000003 00000002 0102"); // over the limit, with data
        assertEquals("000100020000000100000000" + "000100080000000300000000", out());
        assertEquals(1, inbound.size());
        assertFalse(session.isClosed());
        feed("0000 0000 00000003 00000001 01"); // late data for the refused stream is ignored
        assertFalse(session.isClosed());
    }

    @Test
    void protocolErrors() {
        String[] bad = {
            "0101 0000 00000000 00000000", // version 1
            "0004 0000 00000000 00000000", // unknown type
            "0001 0001 00000003 00000000", // odd (client) id opened towards the client: wrong parity
            "0001 0001 00000000 00000000", // stream 0
        };
        for (int i = 0; i < bad.length; i++) {
            start(true, config(1024, Duration.ZERO));
            feed(bad[i]);
            assertEquals("000300000000000000000001", out(), bad[i]);
            assertTrue(session.isClosed());
            assertFalse(channel.isOpen());
            channel.finishAndReleaseAll();
        }
        startServer();
        feed("0001 0001 00000001 00000000");
        feed("0001 0001 00000001 00000000"); // duplicate SYN
        assertTrue(out().endsWith("000300000000000000000001"));
        assertTrue(session.isClosed());
    }

    @Test
    void remoteGoAwayStopsNewStreams() {
        start(true, config(1024, Duration.ZERO));
        YamuxStream existing = session.openStream().join();
        out();
        feed("0003 0000 00000000 00000000");
        assertEquals(Kind.CLOSED, kind(session.openStream()));
        assertFalse(session.isClosed());
        existing.write(new byte[] {9});
        assertEquals("000000000000000100000001" + "09", out());
    }

    @Test
    void localGoAwayRefusesInbound() {
        startServer();
        session.goAway();
        assertEquals("000300000000000000000000", out());
        feed("0001 0001 00000001 00000000");
        assertEquals("000100080000000100000000", out());
        assertEquals(0, inbound.size());
        assertEquals(Kind.CLOSED, kind(session.openStream()));
    }

    @Test
    void remoteResetFailsPendingOperations() {
        startServer();
        feed("0001 0001 00000001 00000000");
        out();
        YamuxStream s = inbound.get(0);
        CompletableFuture<byte[]> read = s.read();
        feed("0001 0008 00000001 00000000");
        assertEquals(Kind.STREAM_RESET, kind(read));
        assertEquals(Kind.STREAM_RESET, kind(s.write(new byte[1])));
        assertEquals(Kind.STREAM_RESET, kind(s.readMessage(10)));
        assertEquals(0, session.openStreamCount());
        assertEquals("", out()); // no RST answered to an RST
    }

    @Test
    void readMessageLimitsAndErrors() throws Exception {
        startServer();
        feed("0001 0001 00000001 00000000");
        feed("0001 0001 00000003 00000000");
        feed("0001 0001 00000005 00000000");
        feed("0001 0001 00000007 00000000");
        out();
        // Two messages in one frame, then a too long one.
        feed("0000 0000 00000001 00000008 03616263 00 0b6869");
        YamuxStream s = inbound.get(0);
        assertArrayEquals("abc".getBytes(), s.readMessage(10).get());
        assertArrayEquals(new byte[0], s.readMessage(10).get());
        assertEquals(Kind.LIMIT_EXCEEDED, kind(s.readMessage(10)));
        assertEquals("000100080000000100000000", out());
        // Non-minimal varint.
        feed("0000 0000 00000003 00000002 8000");
        assertEquals(Kind.PROTOCOL_ERROR, kind(inbound.get(1).readMessage(10)));
        assertEquals("000100080000000300000000", out());
        // End of stream inside a message.
        feed("0000 0004 00000005 00000002 0561");
        assertEquals(Kind.PROTOCOL_ERROR, kind(inbound.get(2).readMessage(10)));
        // A message split across frames, then a clean end.
        YamuxStream d = inbound.get(3);
        CompletableFuture<byte[]> m = d.readMessage(300);
        feed("0000 0000 00000007 00000001 ac");
        feed("0000 0000 00000007 00000001 02");
        assertFalse(m.isDone());
        feed("0000 0000 00000007 0000012c" + "11".repeat(300));
        assertEquals(300, m.get().length);
        feed("0000 0004 00000007 00000000");
        assertNull(d.readMessage(300).get());
        assertFalse(session.isClosed());
    }

    @Test
    void writeMessageFramesWithVarint() {
        start(true, config(1024, Duration.ZERO));
        YamuxStream s = session.openStream().join();
        out();
        s.writeMessage(new byte[200]);
        String frame = out();
        assertEquals("0000000000000001000000ca" + "c801", frame.substring(0, 28));
    }

    @Test
    void dataWaitsWhileChannelIsNotWritable() {
        start(true, config(1024, Duration.ZERO));
        YamuxStream s = session.openStream().join();
        out();
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        CompletableFuture<Void> write = s.write(new byte[] {1, 2, 3});
        assertEquals("", out());
        assertFalse(write.isDone());
        feed("0002 0001 00000000 00000005"); // control frames still go out
        assertEquals("000200020000000000000005", out());
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        assertEquals("000000000000000100000003" + "010203", out());
        assertTrue(write.isDone());
    }

    @Test
    void opensWaitWhileAckBacklogIsFull() {
        YamuxConfig d = YamuxConfig.defaults();
        start(true, new YamuxConfig(1024, d.initialWindow(), d.maxWindow(), d.maxFrameSize(), Duration.ZERO, 2));
        CompletableFuture<YamuxStream> a = session.openStream();
        CompletableFuture<YamuxStream> b = session.openStream();
        CompletableFuture<YamuxStream> c = session.openStream();
        assertTrue(a.isDone() && b.isDone());
        assertFalse(c.isDone());
        feed("0001 0002 00000001 00000000"); // ACK stream 1
        assertEquals(5, c.join().id());
        CompletableFuture<YamuxStream> e = session.openStream();
        assertFalse(e.isDone());
        feed("0001 0008 00000003 00000000"); // stream 3 refused: frees a slot too
        assertEquals(7, e.join().id());
        assertEquals(Kind.STREAM_RESET, kind(b.join().read()));
    }
}
