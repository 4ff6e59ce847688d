package io.weft.transport.libp2p.yamux;

import static io.weft.transport.libp2p.yamux.SessionPair.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Measures (does not assert) bulk throughput of one stream over TCP loopback; prints MB/s. */
class YamuxThroughputTest {
    static {
        LeakCheck.install();
    }

    private static final long TOTAL = 256L << 20;
    private static final int CHUNK = 1 << 20;

    @Test
    void oneStream256MiB() throws Exception {
        // Paranoid leak tracking records a stack trace per buffer access; it would dominate the measurement.
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        EventLoopGroup group = new NioEventLoopGroup(2);
        try {
            // The first round warms the JIT up.
            measure(group, WriteBufferWaterMark.DEFAULT, "warm-up");
            measure(group, WriteBufferWaterMark.DEFAULT, "default water marks (32/64 KiB)");
            measure(group, new WriteBufferWaterMark(512 * 1024, 1024 * 1024), "water marks 512 KiB/1 MiB");
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
            ResourceLeakDetector.setLevel(level);
        }
    }

    private static void measure(EventLoopGroup group, WriteBufferWaterMark waterMark, String label) throws Exception {
        try (SessionPair pair = SessionPair.open(group, YamuxConfig.defaults(), YamuxConfig.defaults(), waterMark)) {
            YamuxStream stream = await(pair.client.openStream());
            await(stream.write(new byte[] {0}));
            YamuxStream remote = pair.nextServerStream();
            await(remote.readFully(1));
            AtomicLong received = new AtomicLong();
            CompletableFuture<Long> done = new CompletableFuture<>();
            drain(remote, received, done);
            byte[] chunk = new byte[CHUNK];
            long start = System.nanoTime();
            ArrayDeque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
            for (long sent = 0; sent < TOTAL; sent += CHUNK) {
                if (inFlight.size() >= 8) {
                    await(inFlight.poll());
                }
                inFlight.add(stream.write(chunk));
            }
            inFlight.add(stream.closeWrite());
            for (CompletableFuture<Void> f : inFlight) {
                await(f);
            }
            long total = done.get(120, TimeUnit.SECONDS);
            long nanos = System.nanoTime() - start;
            assertEquals(TOTAL, total);
            double mbps = TOTAL / 1e6 / (nanos / 1e9);
            System.out.printf("yamux throughput, one stream, 256 MiB over NIO loopback, %s: %.0f MB/s (%.2f s)%n",
                    label, mbps, nanos / 1e9);
        }
    }

    private static void drain(YamuxStream stream, AtomicLong received, CompletableFuture<Long> done) {
        stream.read().whenComplete((bytes, error) -> {
            if (error != null) {
                done.completeExceptionally(error);
            } else if (bytes == null) {
                done.complete(received.get());
            } else {
                received.addAndGet(bytes.length);
                drain(stream, received, done);
            }
        });
    }
}
