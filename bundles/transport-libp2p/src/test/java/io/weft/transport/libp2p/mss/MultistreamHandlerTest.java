package io.weft.transport.libp2p.mss;

import static io.weft.transport.libp2p.noise.NettyTestSupport.pump;
import static io.weft.transport.libp2p.noise.NettyTestSupport.transfer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.weft.api.net.TransportException;
import io.weft.api.net.TransportException.Kind;
import io.weft.transport.libp2p.conn.ProtocolNegotiated;
import io.weft.transport.libp2p.noise.NettyTestSupport;
import io.weft.transport.libp2p.noise.NettyTestSupport.Recorder;
import io.weft.transport.libp2p.noise.NettyTestSupport.TrackingAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MultistreamHandlerTest {
    static {
        NettyTestSupport.paranoid();
    }

    private final TrackingAllocator alloc = new TrackingAllocator(true);
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void noLeaks() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
        alloc.assertAllReleased();
    }

    private EmbeddedChannel channel(MultistreamHandler h, Recorder r) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast(h, r);
        channels.add(ch);
        return ch;
    }

    private static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    @Test
    void initiatorWritesHeaderAndProposalInOneWrite() {
        EmbeddedChannel init = channel(MultistreamHandler.initiator(List.of("/noise")), new Recorder());
        ByteBuf first = init.readOutbound();
        assertEquals("132f6d756c746973747265616d2f312e302e300a" + "072f6e6f6973650a", ByteBufUtil.hexDump(first));
        first.release();
        assertNull(init.readOutbound());
    }

    @Test
    void agreesOnASupportedProtocolAndRemovesItself() {
        Recorder ri = new Recorder();
        Recorder rr = new Recorder();
        EmbeddedChannel init = channel(MultistreamHandler.initiator(List.of("/noise")), ri);
        EmbeddedChannel resp = channel(MultistreamHandler.responder(Set.of("/noise", "/tls/1.0.0")), rr);
        pump(init, resp);
        assertEquals(List.of(new ProtocolNegotiated("/noise")), ri.events);
        assertEquals(List.of(new ProtocolNegotiated("/noise")), rr.events);
        assertNull(init.pipeline().get(MultistreamHandler.class));
        assertNull(resp.pipeline().get(MultistreamHandler.class));
        assertTrue(ri.errors.isEmpty() && rr.errors.isEmpty());
    }

    @Test
    void fallsBackAfterNa() {
        Recorder ri = new Recorder();
        Recorder rr = new Recorder();
        EmbeddedChannel init = channel(MultistreamHandler.initiator(List.of("/tls/1.0.0", "/noise")), ri);
        EmbeddedChannel resp = channel(MultistreamHandler.responder(Set.of("/noise")), rr);
        transfer(init, resp);
        ByteBuf answer = resp.readOutbound();
        ByteBuf answer2 = resp.readOutbound();
        byte[] wire = new byte[answer.readableBytes() + (answer2 == null ? 0 : answer2.readableBytes())];
        answer.getBytes(answer.readerIndex(), wire, 0, answer.readableBytes());
        if (answer2 != null) {
            answer2.getBytes(answer2.readerIndex(), wire, answer.readableBytes(), answer2.readableBytes());
        }
        // the responder's header, then na (the probe of js-libp2p saw the same bytes)
        assertEquals("132f6d756c746973747265616d2f312e302e300a036e610a", HexFormat.of().formatHex(wire));
        init.writeInbound(answer);
        if (answer2 != null) {
            init.writeInbound(answer2);
        }
        pump(init, resp);
        assertEquals(List.of(new ProtocolNegotiated("/noise")), ri.events);
        assertEquals(List.of(new ProtocolNegotiated("/noise")), rr.events);
    }

    @Test
    void exhaustedProposalsFailWithProtocolNotSupported() {
        Recorder ri = new Recorder();
        Recorder rr = new Recorder();
        EmbeddedChannel init = channel(MultistreamHandler.initiator(List.of("/a", "/b")), ri);
        EmbeddedChannel resp = channel(MultistreamHandler.responder(Set.of("/c")), rr);
        pump(init, resp);
        ri.singleError(Kind.PROTOCOL_NOT_SUPPORTED);
        assertFalse(init.isOpen());
        assertTrue(ri.events.isEmpty() && rr.events.isEmpty());
    }

    @Test
    void leftoverBytesReachTheNextHandlerOnBothSides() {
        Recorder nextR = new Recorder();
        Recorder rr = new Recorder((ctx, evt) -> ctx.pipeline().addBefore(ctx.name(), "next", nextR));
        EmbeddedChannel resp = channel(MultistreamHandler.responder(Set.of("/noise")), rr);
        ByteBuf in = alloc.buffer();
        in.writeBytes(MultistreamCodec.encode(MultistreamCodec.HEADER, "/noise"));
        in.writeBytes(new byte[] {0, 32, 1, 2, 3});
        resp.writeInbound(in);
        assertEquals(List.of(new ProtocolNegotiated("/noise")), rr.events);
        assertArrayEquals(new byte[] {0, 32, 1, 2, 3}, nextR.data());
        assertEquals(0, rr.data().length);
        ByteBuf out = alloc.buffer();
        Object o;
        while ((o = resp.readOutbound()) != null) {
            out.writeBytes((ByteBuf) o);
            ((ByteBuf) o).release();
        }
        assertArrayEquals(MultistreamCodec.encode(MultistreamCodec.HEADER, "/noise"), ByteBufUtil.getBytes(out));
        out.release();

        Recorder nextI = new Recorder();
        Recorder ri = new Recorder((ctx, evt) -> ctx.pipeline().addBefore(ctx.name(), "next", nextI));
        EmbeddedChannel init = channel(MultistreamHandler.initiator(List.of("/yamux/1.0.0")), ri);
        NettyTestSupport.drainOutbound(init);
        ByteBuf answer = alloc.buffer();
        answer.writeBytes(MultistreamCodec.encode(MultistreamCodec.HEADER, "/yamux/1.0.0"));
        answer.writeBytes("yamux frame".getBytes(StandardCharsets.UTF_8));
        init.writeInbound(answer);
        assertEquals(List.of(new ProtocolNegotiated("/yamux/1.0.0")), ri.events);
        assertEquals("yamux frame", new String(nextI.data(), StandardCharsets.UTF_8));
    }

    @Test
    void responderListsItsProtocolsOnLs() {
        Recorder rr = new Recorder();
        EmbeddedChannel resp = channel(MultistreamHandler.responder(Set.of("/b", "/a")), rr);
        resp.writeInbound(Unpooled.wrappedBuffer(MultistreamCodec.encode(MultistreamCodec.HEADER, MultistreamCodec.LS)));
        ByteBuf out = alloc.buffer();
        Object o;
        while ((o = resp.readOutbound()) != null) {
            out.writeBytes((ByteBuf) o);
            ((ByteBuf) o).release();
        }
        byte[] expected = concat(MultistreamCodec.encode(MultistreamCodec.HEADER),
                bytes("09" + "032f610a" + "032f620a" + "0a"));
        assertArrayEquals(expected, ByteBufUtil.getBytes(out));
        out.release();
        assertTrue(rr.errors.isEmpty() && resp.isOpen());
    }

    @Test
    void limitsAndMalformedInputAreProtocolErrors() {
        List<byte[]> bad = List.of(
                bytes("ffff01"),                                     // 3-byte varint
                concat(bytes("8108"), new byte[1025]),               // 1025-byte line
                bytes("8000"),                                       // non-minimal varint
                bytes("00"),                                         // empty message
                bytes("022f61"),                                     // no trailing newline
                bytes("03ff fe0a".replace(" ", "")),                 // invalid UTF-8
                MultistreamCodec.encode("/multistream/2.0.0"));      // wrong header
        for (byte[] input : bad) {
            Recorder rr = new Recorder();
            EmbeddedChannel resp = channel(MultistreamHandler.responder(Set.of("/noise")), rr);
            resp.writeInbound(Unpooled.wrappedBuffer(input));
            rr.singleError(Kind.PROTOCOL_ERROR);
            assertFalse(resp.isOpen(), HexFormat.of().formatHex(input));
        }
    }

    @Test
    void tooManyRoundsIsAProtocolError() {
        Recorder rr = new Recorder();
        EmbeddedChannel resp = channel(MultistreamHandler.responder(Set.of("/noise")), rr);
        ByteBuf in = alloc.buffer();
        in.writeBytes(MultistreamCodec.encode(MultistreamCodec.HEADER));
        for (int i = 0; i < MultistreamCodec.MAX_ROUNDS + 1; i++) {
            in.writeBytes(MultistreamCodec.encode("/nope/" + i));
        }
        resp.writeInbound(in);
        rr.singleError(Kind.PROTOCOL_ERROR);
        assertFalse(resp.isOpen());
    }

    @Test
    void closeBeforeAgreementIsReported() {
        Recorder ri = new Recorder();
        EmbeddedChannel init = channel(MultistreamHandler.initiator(List.of("/noise")), ri);
        init.writeInbound(Unpooled.wrappedBuffer(bytes("132f6d75")));
        init.close();
        TransportException e = ri.singleError(Kind.PROTOCOL_ERROR);
        assertInstanceOf(TransportException.class, e);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
