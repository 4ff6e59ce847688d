package io.weft.transport.libp2p.yamux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/**
 * Random, truncated and structurally plausible input: the session either keeps going or closes with a protocol
 * error; nothing else escapes, and every buffer is released.
 */
class YamuxFuzzTest {
    static {
        LeakCheck.install();
    }

    @AfterContainer
    static void leaks() {
        LeakCheck.assertNoLeaks();
    }

    @Property(tries = 300)
    void randomBytes(@ForAll @Size(max = 600) byte[] input, @ForAll long seed, @ForAll boolean client) {
        run(client, input, new Random(seed));
    }

    @Property(tries = 400)
    void plausibleFrames(@ForAll long seed, @ForAll boolean client) {
        Random random = new Random(seed);
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(4 << 20);
        int frames = 1 + random.nextInt(30);
        for (int i = 0; i < frames; i++) {
            int type = random.nextInt(10) == 0 ? random.nextInt(256) : random.nextInt(4);
            int flags = random.nextInt(10) == 0 ? random.nextInt(65536) : random.nextInt(16);
            int id = random.nextInt(10) == 0 ? random.nextInt() : random.nextInt(8);
            int length;
            switch (random.nextInt(5)) {
                case 0 -> length = random.nextInt();
                case 1 -> length = 262144 + random.nextInt(3) - 1;
                default -> length = random.nextInt(300);
            }
            bytes.put((byte) (random.nextInt(20) == 0 ? 1 : 0));
            bytes.put((byte) type);
            bytes.putShort((short) flags);
            bytes.putInt(id);
            bytes.putInt(length);
            if (type == YamuxFrame.TYPE_DATA && length > 0 && length < 300_000) {
                int n = random.nextInt(8) == 0 ? random.nextInt(length + 1) : length; // sometimes truncated
                for (int j = 0; j < n; j++) {
                    bytes.put((byte) (random.nextInt(4) == 0 ? 0x80 | random.nextInt(128) : random.nextInt(16)));
                }
            }
        }
        int size = bytes.position();
        if (random.nextInt(4) == 0 && size > 0) {
            size = random.nextInt(size); // truncate the whole input
        }
        byte[] input = java.util.Arrays.copyOf(bytes.array(), size);
        run(client, input, random);
    }

    private static void run(boolean client, byte[] input, Random random) {
        YamuxConfig d = YamuxConfig.defaults();
        YamuxConfig config = new YamuxConfig(3, d.initialWindow(), d.maxWindow(), 100, Duration.ZERO, 2);
        List<YamuxStream> streams = new ArrayList<>();
        YamuxSession session = new YamuxSession(client, config, SessionPair.PEER, SessionPair.ADDR, stream -> {
            streams.add(stream);
            act(stream, random);
        });
        EmbeddedChannel channel = new EmbeddedChannel(session);
        List<ByteBuf> fed = new ArrayList<>();
        int pos = 0;
        while (pos < input.length && channel.isOpen()) {
            int n = Math.min(input.length - pos, 1 + (random.nextBoolean() ? random.nextInt(16) : random.nextInt(8192)));
            ByteBuf chunk = PooledByteBufAllocator.DEFAULT.buffer(n);
            chunk.writeBytes(input, pos, n);
            pos += n;
            fed.add(chunk);
            channel.writeInbound(chunk); // rethrows anything that reached the end of the pipeline
            channel.runPendingTasks();
            if (!streams.isEmpty() && random.nextInt(3) == 0) {
                act(streams.get(random.nextInt(streams.size())), random);
            }
            if (random.nextInt(10) == 0) {
                session.openStream();
            }
            drainOutbound(channel);
        }
        if (session.isClosed()) {
            assertTrue(session.closeReason().startsWith("protocol error"), session.closeReason());
            assertFalse(channel.isOpen());
        } else {
            assertTrue(channel.isOpen());
            assertTrue(session.openStreamCount() <= 6);
        }
        drainOutbound(channel);
        channel.finishAndReleaseAll();
        for (YamuxStream stream : streams) {
            stream.close();
        }
        for (ByteBuf buf : fed) {
            assertEquals(0, buf.refCnt(), "inbound buffer released");
        }
    }

    private static void drainOutbound(EmbeddedChannel channel) {
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            buf.release();
        }
    }

    private static void act(YamuxStream stream, Random random) {
        try {
            switch (random.nextInt(8)) {
                case 0 -> stream.read();
                case 1 -> stream.readMessage(random.nextInt(20));
                case 2 -> stream.readFully(random.nextInt(50));
                case 3 -> stream.write(new byte[random.nextInt(300)]);
                case 4 -> stream.closeWrite();
                case 5 -> stream.reset();
                case 6 -> stream.close();
                default -> stream.writeMessage(new byte[random.nextInt(10)]);
            }
        } catch (IllegalStateException e) {
            // A read was already outstanding: allowed by the contract.
        }
    }
}
