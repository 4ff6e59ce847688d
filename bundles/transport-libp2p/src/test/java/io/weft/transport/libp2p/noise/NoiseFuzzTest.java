package io.weft.transport.libp2p.noise;

import static io.weft.transport.libp2p.noise.NettyTestSupport.pump;
import static io.weft.transport.libp2p.noise.NettyTestSupport.transfer;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.net.TransportException;
import io.weft.core.crypto.Ed25519;
import io.weft.transport.libp2p.noise.NettyTestSupport.Recorder;
import io.weft.transport.libp2p.noise.NettyTestSupport.TrackingAllocator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Random and truncated input to each Noise state: only TransportException surfaces, nothing leaks. */
class NoiseFuzzTest {
    static {
        NettyTestSupport.paranoid();
    }

    private static final PrivateKey ALICE = Ed25519.generate();
    private static final PrivateKey BOB = Ed25519.generate();

    private enum Target { RESPONDER_FRESH, INITIATOR_AFTER_MSG1, RESPONDER_AFTER_MSG2, TRANSPORT }

    @Provide
    Arbitrary<List<byte[]>> chunks() {
        Arbitrary<byte[]> framed = Arbitraries.bytes().array(byte[].class).ofMaxSize(300).map(b -> {
            // often a plausible length prefix, so the handshake parser itself is exercised
            byte[] out = new byte[b.length + 2];
            out[0] = (byte) (b.length >>> 8);
            out[1] = (byte) b.length;
            System.arraycopy(b, 0, out, 2, b.length);
            return out;
        });
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        return Arbitraries.oneOf(framed, raw).list().ofMinSize(1).ofMaxSize(4);
    }

    @Property(tries = 150)
    void randomInputOnlyYieldsTransportExceptions(@ForAll Target target, @ForAll("chunks") List<byte[]> input,
            @ForAll boolean closeAfter) {
        TrackingAllocator alloc = new TrackingAllocator(input.size() % 2 == 0);
        Recorder ri = new Recorder();
        Recorder rr = new Recorder();
        EmbeddedChannel init = new EmbeddedChannel();
        init.config().setAllocator(alloc);
        EmbeddedChannel resp = new EmbeddedChannel();
        resp.config().setAllocator(alloc);
        resp.pipeline().addLast(new NoiseHandler(BOB, false, null, List.of()), rr);
        EmbeddedChannel victim;
        Recorder victimRecorder;
        switch (target) {
            case RESPONDER_FRESH -> {
                victim = resp;
                victimRecorder = rr;
            }
            case INITIATOR_AFTER_MSG1 -> {
                init.pipeline().addLast(new NoiseHandler(ALICE, true, null, List.of()), ri);
                NettyTestSupport.drainOutbound(init);
                victim = init;
                victimRecorder = ri;
            }
            case RESPONDER_AFTER_MSG2 -> {
                init.pipeline().addLast(new NoiseHandler(ALICE, true, null, List.of()), ri);
                transfer(init, resp);
                NettyTestSupport.drainOutbound(resp);
                victim = resp;
                victimRecorder = rr;
            }
            default -> {
                init.pipeline().addLast(new NoiseHandler(ALICE, true, null, List.of()), ri);
                pump(init, resp);
                assertTrue(rr.events.size() == 1 && rr.errors.isEmpty());
                victim = resp;
                victimRecorder = rr;
            }
        }
        for (byte[] chunk : input) {
            if (victim.isOpen()) {
                ByteBuf b = alloc.buffer(chunk.length);
                b.writeBytes(chunk);
                victim.writeInbound(b);
            }
        }
        if (closeAfter) {
            victim.close();
        }
        for (Throwable t : victimRecorder.errors) {
            assertInstanceOf(TransportException.class, t);
        }
        if (!victimRecorder.errors.isEmpty()) {
            assertFalse(victim.isOpen(), "a failed channel must be closed");
            assertTrue(victimRecorder.errors.size() == 1, () -> "one error only: " + victimRecorder.errors);
        }
        victim.checkException(); // nothing reached the tail unhandled
        init.finishAndReleaseAll();
        resp.finishAndReleaseAll();
        alloc.assertAllReleased();
    }

    @Property(tries = 60)
    void everyTruncationOfARealHandshakeFailsCleanly(@ForAll("cut") int cut) {
        TrackingAllocator alloc = new TrackingAllocator(false);
        Recorder ri = new Recorder();
        Recorder rr = new Recorder();
        EmbeddedChannel init = new EmbeddedChannel();
        init.config().setAllocator(alloc);
        init.pipeline().addLast(new NoiseHandler(ALICE, true, null, List.of()), ri);
        EmbeddedChannel resp = new EmbeddedChannel();
        resp.config().setAllocator(alloc);
        resp.pipeline().addLast(new NoiseHandler(BOB, false, null, List.of()), rr);
        transfer(init, resp);
        ByteBuf m2 = resp.readOutbound();
        int len = Math.min(cut, m2.readableBytes() - 1);
        init.writeInbound(m2.retainedSlice(m2.readerIndex(), len));
        m2.release();
        init.close();
        assertInstanceOf(TransportException.class, ri.errors.get(0));
        init.finishAndReleaseAll();
        resp.finishAndReleaseAll();
        alloc.assertAllReleased();
    }

    @Provide
    Arbitrary<Integer> cut() {
        return Arbitraries.integers().between(1, 400);
    }

    @Property(tries = 20)
    void unframedGarbageAfterAValidStartIsRejected(@ForAll("chunks") List<byte[]> input) {
        TrackingAllocator alloc = new TrackingAllocator(true);
        Recorder rr = new Recorder();
        EmbeddedChannel resp = new EmbeddedChannel();
        resp.config().setAllocator(alloc);
        resp.pipeline().addLast(new NoiseHandler(BOB, false, null, List.of()), rr);
        for (byte[] chunk : input) {
            if (resp.isOpen()) {
                resp.writeInbound(Unpooled.wrappedBuffer(chunk));
            }
        }
        resp.close();
        for (Throwable t : rr.errors) {
            assertInstanceOf(TransportException.class, t);
        }
        assertFalse(rr.errors.isEmpty(), "closing mid-handshake is always an error");
        resp.finishAndReleaseAll();
        alloc.assertAllReleased();
    }
}
