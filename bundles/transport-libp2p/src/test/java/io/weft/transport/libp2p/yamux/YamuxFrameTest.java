package io.weft.transport.libp2p.yamux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class YamuxFrameTest {
    static {
        LeakCheck.install();
    }

    private static String hex(YamuxFrame frame) {
        ByteBuf buf = Unpooled.buffer(12);
        try {
            frame.encode(buf);
            assertEquals(12, buf.readableBytes());
            return ByteBufUtil.hexDump(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void headerVectors() {
        // version | type | flags (u16) | stream id (u32) | length (u32), big-endian
        assertEquals("000000000000000100000005", hex(new YamuxFrame(YamuxFrame.TYPE_DATA, 0, 1, 5)));
        assertEquals("000100010000000300000000",
                hex(new YamuxFrame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 3, 0)));
        assertEquals("000100020000000200040000",
                hex(new YamuxFrame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_ACK, 2, 262144)));
        assertEquals("000000040000000700000000", hex(new YamuxFrame(YamuxFrame.TYPE_DATA, YamuxFrame.FLAG_FIN, 7, 0)));
        assertEquals("00010008fffffffe00000000",
                hex(new YamuxFrame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_RST, 0xFFFFFFFE, 0)));
        assertEquals("000200010000000012345678", hex(new YamuxFrame(YamuxFrame.TYPE_PING, YamuxFrame.FLAG_SYN, 0, 0x12345678)));
        assertEquals("0002000200000000ffffffff", hex(new YamuxFrame(YamuxFrame.TYPE_PING, YamuxFrame.FLAG_ACK, 0, -1)));
        assertEquals("000300000000000000000001",
                hex(new YamuxFrame(YamuxFrame.TYPE_GO_AWAY, 0, 0, YamuxFrame.GO_AWAY_PROTOCOL_ERROR)));
        assertEquals("0000000f0000000100010000",
                hex(new YamuxFrame(YamuxFrame.TYPE_DATA, 15, 1, 65536)));
    }

    @Test
    void decodesVector() {
        ByteBuf buf = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("0001000380000001ffffff00"));
        YamuxFrame frame = YamuxFrame.decode(buf);
        assertEquals(0, frame.version());
        assertEquals(YamuxFrame.TYPE_WINDOW_UPDATE, frame.type());
        assertEquals(YamuxFrame.FLAG_SYN | YamuxFrame.FLAG_ACK, frame.flags());
        assertEquals(0x80000001L, Integer.toUnsignedLong(frame.streamId()));
        assertEquals(0xFFFFFF00L, frame.unsignedLength());
        assertEquals(0, buf.readableBytes());
        buf.release();
    }

    @Property
    void roundTrip(@ForAll @IntRange(min = 0, max = 255) int version, @ForAll @IntRange(min = 0, max = 255) int type,
                   @ForAll @IntRange(min = 0, max = 65535) int flags, @ForAll int id, @ForAll int length) {
        YamuxFrame frame = new YamuxFrame(version, type, flags, id, length);
        ByteBuf buf = Unpooled.buffer();
        frame.encode(buf);
        byte[] bytes = ByteBufUtil.getBytes(buf);
        assertEquals(frame, YamuxFrame.decode(buf));
        buf.release();
        assertArrayEquals(new byte[] {(byte) version, (byte) type, (byte) (flags >> 8), (byte) flags,
            (byte) (id >> 24), (byte) (id >> 16), (byte) (id >> 8), (byte) id,
            (byte) (length >> 24), (byte) (length >> 16), (byte) (length >> 8), (byte) length}, bytes);
    }
}
