package io.weft.transport.libp2p.pubsub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.thread.PeerId;
import io.weft.core.crypto.Ed25519;
import io.weft.transport.libp2p.proto.Libp2pProto.Message;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class StrictSignTest {
    private static final HexFormat HEX = HexFormat.of();
    /** The spec's Ed25519 test key (peer-ids.md), seed half. */
    private static final PrivateKey KEY = Ed25519.fromSeed(HEX.parseHex("7e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d"));
    private static final PeerId FROM = PeerId.of(KEY.publicKey());

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void signedBytesAreThePrefixAndTheHandAssembledFields() {
        long seqno = 0x0102030405060708L;
        Message m = StrictSign.sign(KEY, FROM, "weft/t", "hello".getBytes(StandardCharsets.UTF_8), seqno);

        assertEquals("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq", FROM.toString());
        byte[] from = FROM.bytes();
        assertEquals(38, from.length);
        byte[] expected = concat("libp2p-pubsub:".getBytes(StandardCharsets.US_ASCII),
                new byte[] {0x0a, 0x26}, from,
                new byte[] {0x12, 0x05}, "hello".getBytes(StandardCharsets.UTF_8),
                new byte[] {0x1a, 0x08}, HEX.parseHex("0102030405060708"),
                new byte[] {0x22, 0x06}, "weft/t".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(expected, StrictSign.signedBytes(m));
        assertTrue(Ed25519.verify(KEY.publicKey(), expected, m.getSignature().toByteArray()));
        assertArrayEquals(Ed25519.sign(KEY, expected), m.getSignature().toByteArray());
        assertArrayEquals(HEX.parseHex("080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e"),
                m.getKey().toByteArray());

        StrictSign.Verified v = assertDoesNotThrowVerify(m);
        assertEquals(FROM, v.from());
        assertEquals(seqno, v.seqno());
        assertEquals("weft/t", v.topic());
        // js gossipsub msgIdFnStrictSign: PublicKey protobuf || seqno = peer id without its 00 24 prefix || seqno
        assertArrayEquals(concat(Arrays.copyOfRange(from, 2, from.length), HEX.parseHex("0102030405060708")),
                v.id().toByteArray());
        assertEquals(v.id(), StrictSign.claimedId(m));
        assertEquals(v.id(), StrictSign.claimedId(m.toBuilder().clearKey().build()));
    }

    @Test
    void emptyDataIsSignedAsAPresentEmptyField() {
        Message m = StrictSign.sign(KEY, FROM, "t", new byte[0], 1);
        assertTrue(m.hasData());
        byte[] signed = StrictSign.signedBytes(m);
        int body = StrictSign.PREFIX.length + 2 + 38;
        assertArrayEquals(new byte[] {0x12, 0x00}, Arrays.copyOfRange(signed, body, body + 2));
        assertDoesNotThrowVerify(m);
    }

    @Test
    void unknownFieldsAndFieldOrderOnTheWireDoNotChangeTheSignedBytes() throws Exception {
        Message m = StrictSign.sign(KEY, FROM, "t", new byte[] {1, 2, 3}, 7);
        // same fields, written in reverse tag order plus an unknown field 9
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        com.google.protobuf.CodedOutputStream cos = com.google.protobuf.CodedOutputStream.newInstance(wire);
        cos.writeBytes(6, m.getKey());
        cos.writeBytes(5, m.getSignature());
        cos.writeBytes(9, ByteString.copyFromUtf8("extra"));
        cos.writeString(4, "t");
        cos.writeBytes(3, m.getSeqno());
        cos.writeBytes(2, m.getData());
        cos.writeBytes(1, m.getFrom());
        cos.flush();
        Message reordered = Message.parseFrom(wire.toByteArray());
        assertArrayEquals(StrictSign.signedBytes(m), StrictSign.signedBytes(reordered));
        assertDoesNotThrowVerify(reordered);
    }

    @Test
    void rejectsWhatStrictSignForbids() {
        Message good = StrictSign.sign(KEY, FROM, "t", new byte[] {1, 2, 3}, 7);
        PrivateKey other = Ed25519.generate();
        Message byOther = StrictSign.sign(other, PeerId.of(other.publicKey()), "t", new byte[] {1, 2, 3}, 7);

        assertRejected(good.toBuilder().clearSignature().build(), "missing signature");
        assertRejected(good.toBuilder().setData(ByteString.copyFrom(new byte[] {1, 2, 4})).build(), "bad signature");
        assertRejected(good.toBuilder().setTopic("u").build(), "bad signature");
        assertRejected(good.toBuilder().clearSeqno().build(), "seqno");
        assertRejected(good.toBuilder().setSeqno(ByteString.copyFrom(new byte[7])).build(), "seqno");
        assertRejected(resigned(good.toBuilder().setSeqno(ByteString.copyFrom(new byte[7]))), "seqno");
        assertRejected(resigned(good.toBuilder().setSeqno(ByteString.copyFrom(new byte[] {0, 7}))), "seqno");
        assertRejected(resigned(good.toBuilder().setSeqno(ByteString.copyFrom(new byte[9]))), "seqno");
        assertRejected(resigned(good.toBuilder().setSeqno(ByteString.EMPTY)), "seqno");
        assertRejected(good.toBuilder().clearTopic().build(), "topic");
        assertRejected(good.toBuilder().clearFrom().build(), "missing from");
        assertRejected(good.toBuilder().setFrom(ByteString.copyFrom(new byte[] {0x00, 0x24, 1, 2})).build(), "peer id");
        // a key that does not derive to from
        assertRejected(good.toBuilder().setKey(byOther.getKey()).build(), "key does not match");
        // the other key's valid signature under our from
        assertRejected(byOther.toBuilder().setFrom(good.getFrom()).clearKey().build(), "bad signature");
        assertRejected(good.toBuilder().setKey(ByteString.copyFrom(new byte[] {8, 0, 0x12, 0})).build(), "Ed25519");
        // no key: from must inline it; without a key, a good message still verifies
        assertDoesNotThrowVerify(good.toBuilder().clearKey().build());
    }

    /**
     * js-libp2p floodsub 11.0.28 sends its random seqno without leading zero bytes (a bigint round trip), and signs
     * those bytes: one message in 256 has a 7-byte seqno. Vector from the harness's node_modules
     * ({@code signMessage} + {@code toRpcMessage} of {@code @libp2p/floodsub}, key seed 32 × 00, topic "t", data "hi",
     * sequenceNumber 0x0011223344556677n). Rejecting it lost that message (Libp2pInteropIT's floodsub cases failed in
     * about 1.5 % of runs: 4 js floodsub publishes per run).
     */
    @Test
    void acceptsJsFloodsubSeqnosWithoutLeadingZeroBytes() throws Exception {
        byte[] wire = HEX.parseHex("0a260024080112203b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29"
                + "120268691a0711223344556677220174"
                + "2a40cd4ad4f5af4e22a8a49cd2beab1cd5fed47740749dcb12ba160f6c1e4e5a6242f97092b2be5c99da246cfb984bc46d40"
                + "0f9531c87d96961644a98580357899023224080112203b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a1"
                + "8b59da29");
        Message js = Message.parseFrom(wire);
        PrivateKey jsKey = Ed25519.fromSeed(new byte[32]);
        assertEquals(7, js.getSeqno().size());
        // the same bytes as a message we build by hand: the signature covers the 7-byte seqno
        Message unsigned = Message.newBuilder().setFrom(ByteString.copyFrom(PeerId.of(jsKey.publicKey()).bytes()))
                .setData(ByteString.copyFromUtf8("hi")).setSeqno(ByteString.copyFrom(HEX.parseHex("11223344556677")))
                .setTopic("t").build();
        assertArrayEquals(Ed25519.sign(jsKey, StrictSign.signedBytes(unsigned)), js.getSignature().toByteArray());

        StrictSign.Verified v = assertDoesNotThrowVerify(js);
        assertEquals(PeerId.of(jsKey.publicKey()), v.from());
        assertEquals(0x0011223344556677L, v.seqno());
        assertFalse(v.canonicalSeqno());
        // id from the seqno padded to 8 bytes, as js floodsub's msgId: both forms of one seqno are one message
        ByteString id = ByteString.copyFrom(jsKey.publicKey().marshal()).concat(ByteString.copyFrom(HEX.parseHex("0011223344556677")));
        assertEquals(id, v.id());
        assertEquals(id, StrictSign.claimedId(js));
        assertEquals(id, StrictSign.claimedId(js.toBuilder().clearKey().build()));
        Message eightBytes = StrictSign.sign(jsKey, v.from(), "t", "hi".getBytes(StandardCharsets.UTF_8), 0x0011223344556677L);
        StrictSign.Verified canonical = assertDoesNotThrowVerify(eightBytes);
        assertTrue(canonical.canonicalSeqno());
        assertEquals(id, canonical.id());

        // js floodsub's seqno 0 is the single byte 00
        Message zero = resigned(jsKey, unsigned.toBuilder().setSeqno(ByteString.copyFrom(new byte[1])));
        assertEquals(0, assertDoesNotThrowVerify(zero).seqno());
        assertEquals(0xABL, assertDoesNotThrowVerify(resigned(jsKey, unsigned.toBuilder().setSeqno(
                ByteString.copyFrom(new byte[] {(byte) 0xAB})))).seqno());
    }

    private static Message resigned(Message.Builder b) {
        return resigned(KEY, b);
    }

    private static Message resigned(PrivateKey key, Message.Builder b) {
        Message unsigned = b.clearSignature().clearKey().build();
        return unsigned.toBuilder().setSignature(ByteString.copyFrom(Ed25519.sign(key, StrictSign.signedBytes(unsigned)))).build();
    }

    private static StrictSign.Verified assertDoesNotThrowVerify(Message m) {
        try {
            return StrictSign.verify(m);
        } catch (StrictSign.InvalidMessageException e) {
            throw new AssertionError("rejected: " + e.getMessage(), e);
        }
    }

    private static void assertRejected(Message m, String reason) {
        StrictSign.InvalidMessageException e = assertThrows(StrictSign.InvalidMessageException.class, () -> StrictSign.verify(m));
        assertTrue(e.getMessage().contains(reason), () -> "expected '" + reason + "' but got '" + e.getMessage() + "'");
    }
}
