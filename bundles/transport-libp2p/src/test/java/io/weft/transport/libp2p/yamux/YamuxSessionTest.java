package io.weft.transport.libp2p.yamux;

import static io.weft.transport.libp2p.yamux.SessionPair.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.weft.api.net.TransportException;
import io.weft.api.net.TransportException.Kind;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class YamuxSessionTest {
    static {
        LeakCheck.install();
    }

    private static EventLoopGroup group;
    private SessionPair pair;

    @BeforeAll
    static void startGroup() {
        group = new NioEventLoopGroup(2);
    }

    @AfterAll
    static void stopGroup() throws Exception {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        LeakCheck.assertNoLeaks();
    }

    @BeforeEach
    void connect() throws Exception {
        pair = SessionPair.open(group);
    }

    @AfterEach
    void disconnect() throws Exception {
        if (pair != null) {
            pair.close();
        }
    }

    private static byte[] random(int length, long seed) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static Kind failureKind(CompletableFuture<?> future) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> future.get(SessionPair.TIMEOUT_S, TimeUnit.SECONDS));
        return assertInstanceOf(TransportException.class, e.getCause()).kind();
    }

    private static void awaitCondition(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SessionPair.TIMEOUT_S);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
        }
    }

    /** Runs {@code task} on the server connection's event loop, where stream state lives. */
    private static <T> T onServerLoop(SessionPair pair, java.util.concurrent.Callable<T> task) throws Exception {
        return pair.serverChannel.eventLoop().submit(task).get(SessionPair.TIMEOUT_S, TimeUnit.SECONDS);
    }

    private void echoRoundTrip(byte[] data) throws Exception {
        YamuxStream stream = await(pair.client.openStream());
        assertTrue(stream.isInitiator());
        assertNull(stream.protocol());
        stream.protocol("/echo/1.0.0");
        assertEquals("/echo/1.0.0", stream.protocol());
        assertEquals(SessionPair.PEER, stream.remotePeer());
        YamuxStream remote = pair.nextServerStream();
        assertFalse(remote.isInitiator());
        assertEquals(stream.id(), remote.id());
        SessionPair.echo(remote);
        CompletableFuture<byte[]> echoed = SessionPair.readAll(stream);
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int off = 0; off < data.length; off += 1 << 20) {
            byte[] chunk = java.util.Arrays.copyOfRange(data, off, Math.min(data.length, off + (1 << 20)));
            writes.add(stream.write(chunk));
        }
        writes.add(stream.closeWrite());
        for (CompletableFuture<Void> w : writes) {
            await(w);
        }
        byte[] back = await(echoed);
        assertEquals(data.length, back.length);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        assertArrayEquals(sha.digest(data), sha.digest(back));
        awaitCondition(() -> !stream.isOpen() && !remote.isOpen(), "both halves closed");
        awaitCondition(() -> pair.client.openStreamCount() == 0 && pair.server.openStreamCount() == 0,
                "streams released");
    }

    @Test
    void echoesOneByte() throws Exception {
        echoRoundTrip(new byte[] {42});
    }

    @Test
    void echoes64KiB() throws Exception {
        echoRoundTrip(random(64 * 1024, 1));
    }

    @Test
    void echoes8MiB() throws Exception {
        echoRoundTrip(random(8 * 1024 * 1024, 2));
    }

    @Test
    void hundredConcurrentStreams() throws Exception {
        List<YamuxStream> streams = new ArrayList<>();
        List<CompletableFuture<byte[]>> results = new ArrayList<>();
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            streams.add(await(pair.client.openStream()));
        }
        for (int i = 0; i < 100; i++) {
            SessionPair.echo(pair.nextServerStream());
        }
        assertEquals(100, pair.client.openStreamCount());
        for (int i = 0; i < 100; i++) {
            YamuxStream s = streams.get(i);
            byte[] data = random(10_000 + i * 1000, 100 + i);
            sent.add(data);
            results.add(SessionPair.readAll(s));
            s.write(data);
            s.closeWrite();
        }
        for (int i = 0; i < 100; i++) {
            assertArrayEquals(sent.get(i), await(results.get(i)), "stream " + i);
        }
        awaitCondition(() -> pair.client.openStreamCount() == 0 && pair.server.openStreamCount() == 0,
                "streams released");
    }

    @Test
    void slowReaderBoundsBufferingAndBlocksWriter() throws Exception {
        YamuxStream stream = await(pair.client.openStream());
        stream.write(new byte[0]);
        YamuxStream remote = pair.nextServerStream();
        byte[] data = random(1 << 20, 3);
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            writes.add(stream.write(java.util.Arrays.copyOfRange(data, i * 65536, (i + 1) * 65536)));
        }
        // The initial window is 256 KiB: exactly four writes fit.
        for (int i = 0; i < 4; i++) {
            await(writes.get(i));
        }
        // Two ping round trips: everything in flight has arrived and any window update would have come back.
        await(pair.client.ping());
        await(pair.server.ping());
        await(pair.client.ping());
        for (int i = 4; i < 16; i++) {
            assertFalse(writes.get(i).isDone(), "write " + i + " completed without window");
        }
        assertEquals(256 * 1024, (int) onServerLoop(pair, remote::bufferedBytes));

        // Reading half the window grants it back, so the writer makes progress.
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 0, 131072), await(remote.readFully(131072)));
        await(writes.get(5));
        CompletableFuture<byte[]> rest = SessionPair.readAll(remote);
        await(stream.closeWrite());
        for (CompletableFuture<Void> w : writes) {
            await(w);
        }
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 131072, data.length), await(rest));
    }

    @Test
    void halfClose() throws Exception {
        YamuxStream stream = await(pair.client.openStream());
        await(stream.write("hello".getBytes(StandardCharsets.UTF_8)));
        await(stream.closeWrite());
        assertEquals(Kind.CLOSED, failureKind(stream.write(new byte[] {1})));
        YamuxStream remote = pair.nextServerStream();
        assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), await(remote.readFully(5)));
        assertNull(await(remote.read()));
        assertNull(await(remote.readMessage(10)));
        assertTrue(remote.isOpen());
        // The other direction still works.
        await(remote.writeMessage("world".getBytes(StandardCharsets.UTF_8)));
        assertArrayEquals("world".getBytes(StandardCharsets.UTF_8), await(stream.readMessage(100)));
        await(remote.closeWrite());
        assertNull(await(stream.read()));
        awaitCondition(() -> !stream.isOpen() && !remote.isOpen(), "closed");
        awaitCondition(() -> pair.client.openStreamCount() == 0 && pair.server.openStreamCount() == 0,
                "streams released");
        // readFully past the end fails CLOSED.
        YamuxStream second = await(pair.client.openStream());
        await(second.write(new byte[3]));
        await(second.closeWrite());
        YamuxStream remote2 = pair.nextServerStream();
        assertEquals(Kind.CLOSED, failureKind(remote2.readFully(4)));
    }

    @Test
    void oneReadAtATime() throws Exception {
        YamuxStream stream = await(pair.client.openStream());
        CompletableFuture<byte[]> first = stream.read();
        assertThrows(IllegalStateException.class, stream::read);
        assertThrows(IllegalStateException.class, () -> stream.readMessage(1));
        YamuxStream remote = pair.nextServerStream();
        await(remote.write(new byte[] {7}));
        assertArrayEquals(new byte[] {7}, await(first));
    }

    @Test
    void closeDiscardsAndReleases() throws Exception {
        YamuxStream stream = await(pair.client.openStream());
        await(stream.write(new byte[] {1}));
        YamuxStream remote = pair.nextServerStream();
        await(remote.write(random(200_000, 4)));
        await(pair.server.ping());
        stream.close();
        assertEquals(Kind.CLOSED, failureKind(stream.read()));
        assertArrayEquals(new byte[] {1}, await(remote.read()));
        assertNull(await(remote.read()));
        await(remote.closeWrite());
        awaitCondition(() -> pair.client.openStreamCount() == 0 && pair.server.openStreamCount() == 0,
                "streams released");
        assertFalse(stream.isOpen());
    }

    @Test
    void resetMidTransfer() throws Exception {
        YamuxStream stream = await(pair.client.openStream());
        byte[] data = random(1 << 20, 5);
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            writes.add(stream.write(java.util.Arrays.copyOfRange(data, i * 65536, (i + 1) * 65536)));
        }
        CompletableFuture<byte[]> clientRead = stream.read();
        YamuxStream remote = pair.nextServerStream();
        await(remote.readFully(1000));
        remote.reset();
        assertFalse(remote.isOpen());
        assertEquals(Kind.STREAM_RESET, failureKind(remote.read()));
        assertEquals(Kind.STREAM_RESET, failureKind(remote.write(new byte[1])));
        assertEquals(Kind.STREAM_RESET, failureKind(writes.get(15)));
        assertEquals(Kind.STREAM_RESET, failureKind(clientRead));
        assertEquals(Kind.STREAM_RESET, failureKind(stream.write(new byte[1])));
        assertEquals(Kind.STREAM_RESET, failureKind(stream.closeWrite()));
        assertFalse(stream.isOpen());
        awaitCondition(() -> pair.client.openStreamCount() == 0 && pair.server.openStreamCount() == 0,
                "streams released");

        // The client resets the next one while the server waits for data.
        YamuxStream other = await(pair.client.openStream());
        await(other.write(new byte[] {1}));
        YamuxStream otherRemote = pair.nextServerStream();
        await(otherRemote.readFully(1));
        CompletableFuture<byte[]> pending = otherRemote.read();
        other.reset();
        assertEquals(Kind.STREAM_RESET, failureKind(pending));

        // The session stays healthy.
        assertFalse(pair.client.isClosed());
        echoRoundTrip(random(100_000, 6));
    }

    @Test
    void pingRoundTrip() throws Exception {
        Duration rtt = await(pair.client.ping());
        assertTrue(rtt.toNanos() > 0);
        assertTrue(await(pair.server.ping()).toNanos() > 0);
    }

    @Test
    void goAway() throws Exception {
        YamuxStream existing = await(pair.client.openStream());
        await(existing.write(new byte[] {1}));
        YamuxStream existingRemote = pair.nextServerStream();
        pair.client.goAway();
        assertEquals(Kind.CLOSED, failureKind(pair.client.openStream()));
        await(pair.client.ping()); // the go-away arrived before the ping answer
        assertEquals(Kind.CLOSED, failureKind(pair.server.openStream()));
        // Existing streams finish normally.
        SessionPair.echo(existingRemote);
        CompletableFuture<byte[]> back = SessionPair.readAll(existing);
        await(existing.write(new byte[] {2, 3}));
        await(existing.closeWrite());
        assertArrayEquals(new byte[] {1, 2, 3}, await(back));
        assertFalse(pair.client.isClosed());
        assertFalse(pair.server.isClosed());
    }

    @Test
    void inboundStreamLimitResets() throws Exception {
        pair.close();
        YamuxConfig d = YamuxConfig.defaults();
        YamuxConfig limited = new YamuxConfig(2, d.initialWindow(), d.maxWindow(), d.maxFrameSize(),
                d.keepAliveInterval(), d.maxAckBacklog());
        pair = SessionPair.open(group, d, limited, WriteBufferWaterMark.DEFAULT);
        List<YamuxStream> streams = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            YamuxStream s = await(pair.client.openStream());
            s.write(new byte[] {(byte) i});
            streams.add(s);
        }
        assertEquals(Kind.STREAM_RESET, failureKind(streams.get(2).read()));
        for (int i = 0; i < 2; i++) {
            SessionPair.echo(pair.nextServerStream());
            assertArrayEquals(new byte[] {(byte) i}, await(streams.get(i).read()));
        }
        assertEquals(2, pair.server.openStreamCount());
        assertFalse(pair.server.isClosed());

        // The outbound limit fails openStream with LIMIT_EXCEEDED.
        assertEquals(Kind.LIMIT_EXCEEDED, failureKind(pair.server.openStream().thenCompose(a ->
                pair.server.openStream()).thenCompose(b -> pair.server.openStream())));
    }

    @Test
    void sessionCloseFailsPendingOperations() throws Exception {
        YamuxStream stream = await(pair.client.openStream());
        await(stream.write(new byte[] {1}));
        YamuxStream remote = pair.nextServerStream();
        await(remote.readFully(1));
        CompletableFuture<byte[]> pending = remote.read();
        CompletableFuture<byte[]> clientPending = stream.read();
        pair.clientChannel.close().sync();
        assertEquals(Kind.CLOSED, failureKind(clientPending));
        assertEquals(Kind.CLOSED, failureKind(pending));
        assertTrue(pair.client.isClosed());
        awaitCondition(pair.server::isClosed, "server session closed");
        assertEquals(Kind.CLOSED, failureKind(pair.client.openStream()));
        assertEquals(Kind.CLOSED, failureKind(pair.server.ping()));
        assertEquals(Kind.CLOSED, failureKind(stream.write(new byte[1])));
        assertFalse(stream.isOpen());
    }

    @Test
    void windowGrowsForFastReader() throws Exception {
        YamuxStream stream = await(pair.client.openStream());
        YamuxStream remote;
        await(stream.write(new byte[1]));
        remote = pair.nextServerStream();
        CompletableFuture<byte[]> all = SessionPair.readAll(remote);
        byte[] data = random(16 << 20, 7);
        await(stream.write(data));
        await(stream.closeWrite());
        assertEquals(data.length + 1, await(all).length);
        int window = onServerLoop(pair, remote::receiveWindow);
        assertTrue(window > YamuxConfig.SPEC_INITIAL_WINDOW, "window grew: " + window);
        assertTrue(window <= YamuxConfig.defaults().maxWindow());
    }
}
