package io.weft.transport.libp2p.mss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.weft.api.net.TransportException;
import io.weft.transport.libp2p.noise.NettyTestSupport;
import io.weft.transport.libp2p.noise.NettyTestSupport.Recorder;
import io.weft.transport.libp2p.noise.NettyTestSupport.TrackingAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Random and truncated input to both negotiator roles: only TransportException surfaces, nothing leaks. */
class MultistreamFuzzTest {
    static {
        NettyTestSupport.paranoid();
    }

    @Provide
    Arbitrary<List<byte[]>> input() {
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        Arbitrary<byte[]> lines = Arbitraries.of("/multistream/1.0.0", "na", "ls", "/noise", "/x", "", "\n", "é")
                .list().ofMaxSize(4).map(l -> MultistreamCodec.encode(l.toArray(String[]::new)));
        Arbitrary<byte[]> truncated = lines.map(b -> java.util.Arrays.copyOf(b, Math.max(0, b.length - 1)));
        return Arbitraries.oneOf(raw, lines, truncated).list().ofMinSize(1).ofMaxSize(5);
    }

    @Property(tries = 300)
    void onlyTransportExceptionsAndNoLeaks(@ForAll boolean initiator, @ForAll("input") List<byte[]> input,
            @ForAll boolean closeAfter) {
        TrackingAllocator alloc = new TrackingAllocator(input.size() % 2 == 1);
        List<Object> agreed = new ArrayList<>();
        Recorder r = new Recorder((ctx, evt) -> agreed.add(evt));
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast(initiator ? MultistreamHandler.initiator(List.of("/noise", "/x"))
                : MultistreamHandler.responder(Set.of("/noise")), r);
        for (byte[] chunk : input) {
            if (ch.isOpen()) {
                ByteBuf b = alloc.buffer(chunk.length);
                b.writeBytes(chunk);
                ch.writeInbound(b);
            }
        }
        if (closeAfter) {
            ch.close();
        }
        for (Throwable t : r.errors) {
            assertInstanceOf(TransportException.class, t);
        }
        if (!r.errors.isEmpty()) {
            assertEquals(1, r.errors.size(), () -> "one error only: " + r.errors);
            assertFalse(ch.isOpen());
            assertEquals(List.of(), agreed);
        }
        ch.checkException();
        ch.finishAndReleaseAll();
        alloc.assertAllReleased();
    }
}
