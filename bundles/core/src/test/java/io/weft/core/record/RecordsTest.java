package io.weft.core.record;

import static io.weft.core.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.weft.api.ConflictException;
import io.weft.api.CorruptDataException;
import io.weft.api.InvalidInputException;
import io.weft.api.UnauthorizedException;
import io.weft.api.WeftException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.format.Cid;
import io.weft.api.record.Payload;
import io.weft.api.record.Record;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.ThreadKey;
import io.weft.core.cbor.CborValue;
import io.weft.core.cbor.DagCbor;
import io.weft.core.crypto.AesGcm;
import io.weft.core.crypto.Ed25519;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class RecordsTest {
    static final String SECRET = "top-secret-body-text";
    static final ThreadKey KEY = ThreadKey.generate(true);
    static final PrivateKey LOG = Ed25519.generate();
    static final PrivateKey AUTHOR = Ed25519.generate();
    static final CborValue BODY = CborValue.map("msg", CborValue.text(SECRET), "n", CborValue.integer(7));
    static final Set<Class<?>> TYPED = Set.of(InvalidInputException.class, UnauthorizedException.class,
            CorruptDataException.class, ConflictException.class);

    <T extends WeftException> T expect(Class<T> type, Executable ex) {
        T e = assertThrows(type, ex);
        assertTrue(TYPED.contains(e.getClass()), "not a specific type: " + e.getClass());
        assertNoLeak(e.getMessage());
        return e;
    }

    static void assertNoLeak(String msg) {
        assertFalse(msg.contains(SECRET), msg);
        for (byte[] k : new byte[][] {KEY.serviceKey(), KEY.readKey().orElseThrow(), LOG.seed(), AUTHOR.seed()}) {
            assertFalse(msg.contains(hex(k).substring(0, 12)), msg);
        }
    }

    static RecordEnvelope first() {
        return Records.create(BODY, LOG, AUTHOR.publicKey(), null, KEY);
    }

    // ------------------------------------------------------------------ happy paths

    @Test
    void createRecordViewEqualsWhatVerifyReads() {
        RecordEnvelope prev = first();
        io.weft.api.record.Record built = Records.createRecord(DagCbor.encode(BODY), LOG, AUTHOR.publicKey(), prev.id(), KEY);
        io.weft.api.record.Record read = Records.verify(built.envelope(), LOG.publicKey(), KEY, prev.id());
        assertEquals(read.id(), built.id());
        assertEquals(read.event(), built.event());
        assertArrayEquals(read.signature(), built.signature());
        assertEquals(read.author(), built.author());
        assertEquals(read.prev(), built.prev());
        assertEquals(BODY, Records.openBody(built, KEY));
    }

    @Test
    void chainOfRecords() {
        Cid head = null;
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            CborValue body = CborValue.map("i", CborValue.integer(i));
            RecordEnvelope env = Records.create(body, LOG, AUTHOR.publicKey(), head, KEY);
            Record r = Records.verify(env, LOG.publicKey(), KEY, head);
            assertEquals(env.id(), r.id());
            assertEquals(head, r.prev().orElse(null));
            assertEquals(AUTHOR.publicKey(), r.author());
            assertEquals(Cid.dagCbor(env.eventNode()), r.eventId());
            assertEquals(Cid.dagCbor(env.headerNode()), r.event().headerId());
            assertEquals(Cid.dagCbor(env.bodyNode()), r.event().bodyId());
            Payload p = Records.open(r, KEY);
            assertEquals(body, DagCbor.decode(p.body()));
            assertEquals(32, p.contentKey().length);
            assertEquals(r.event(), p.event());
            assertEquals(r, Records.verify(env, LOG.publicKey(), KEY));
            assertEquals(r, Records.verify(new RecordEnvelope(env.recordNode(), env.eventNode(), env.headerNode(), env.bodyNode()),
                    LOG.publicKey(), KEY));
            records.add(r);
            head = env.id();
        }
        // the sig of a record with prev is over event || prev
        Record second = records.get(1);
        byte[] msg = concat(second.eventId().bytes(), second.prev().orElseThrow().bytes());
        assertTrue(Ed25519.verify(LOG.publicKey(), msg, second.signature()));
        assertTrue(Ed25519.verify(LOG.publicKey(), AUTHOR.publicKey().marshal(), records.get(0).signature()));
        assertFalse(records.get(0).toString().contains(SECRET));
    }

    @Test
    void freshContentKeyAndNoncesEveryTime() {
        RecordEnvelope a = first();
        RecordEnvelope b = first();
        assertNotEquals(a.id(), b.id());
        assertFalse(Arrays.equals(a.bodyNode(), b.bodyNode()));
        assertFalse(Arrays.equals(a.headerNode(), b.headerNode()));
        assertFalse(Arrays.equals(Records.open(Records.verify(a, LOG.publicKey(), KEY), KEY).contentKey(),
                Records.open(Records.verify(b, LOG.publicKey(), KEY), KEY).contentKey()));
    }

    @Test
    void createFromEncodedBody() {
        byte[] enc = DagCbor.encode(BODY);
        RecordEnvelope env = Records.create(enc, LOG, AUTHOR.publicKey(), null, KEY);
        assertArrayEquals(enc, Records.open(Records.verify(env, LOG.publicKey(), KEY), KEY).body());
        // non-canonical: keys unsorted
        expect(InvalidInputException.class, () -> Records.create(hex("a2616201616102"), LOG, AUTHOR.publicKey(), null, KEY));
        expect(InvalidInputException.class, () -> Records.create(new byte[0], LOG, AUTHOR.publicKey(), null, KEY));
    }

    @Test
    void createNeedsReadKeyAndValidInputs() {
        expect(InvalidInputException.class, () -> Records.create(BODY, LOG, AUTHOR.publicKey(), null, KEY.serviceOnly()));
        expect(InvalidInputException.class, () -> Records.create(BODY, null, AUTHOR.publicKey(), null, KEY));
        expect(InvalidInputException.class, () -> Records.create(BODY, LOG, null, null, KEY));
        expect(InvalidInputException.class, () -> Records.create((CborValue) null, LOG, AUTHOR.publicKey(), null, KEY));
        expect(InvalidInputException.class, () -> Records.create(BODY, LOG, AUTHOR.publicKey(), Cid.sha256(Cid.RAW, new byte[1]), KEY));
        PrivateKey mismatched = new PrivateKey(LOG.seed(), AUTHOR.publicKey());
        expect(CorruptDataException.class, () -> Records.create(BODY, mismatched, AUTHOR.publicKey(), null, KEY));
    }

    // ------------------------------------------------------------------ replica and keys

    @Test
    void replicaCanVerifyButNotOpen() {
        RecordEnvelope env = first();
        ThreadKey replica = KEY.serviceOnly();
        Record r = Records.verify(env, LOG.publicKey(), replica, null);
        expect(UnauthorizedException.class, () -> Records.open(r, replica));
        expect(UnauthorizedException.class, () -> Records.openBody(r, replica));
        // the service key used as a read key does not open the header
        byte[] sk = KEY.serviceKey();
        expect(UnauthorizedException.class, () -> Records.open(r, ThreadKey.of(sk, sk)));
        expect(UnauthorizedException.class, () -> Records.open(r, ThreadKey.of(sk, AesGcm.generateKey())));
        // nor does the service key open the body directly
        int off = DagCbor.byteStringOffset(env.bodyNode());
        expect(UnauthorizedException.class, () -> AesGcm.decrypt(sk, env.bodyNode(), off, env.bodyNode().length - off));
        int hoff = DagCbor.byteStringOffset(env.headerNode());
        expect(UnauthorizedException.class, () -> AesGcm.decrypt(sk, env.headerNode(), hoff, env.headerNode().length - hoff));
        // the replica's view carries no plaintext
        assertFalse(r.toString().contains(SECRET));
        assertFalse(new String(env.eventNode(), StandardCharsets.ISO_8859_1).contains(SECRET));
        assertFalse(new String(env.recordNode(), StandardCharsets.ISO_8859_1).contains(SECRET));
    }

    @Test
    void wrongKeys() {
        RecordEnvelope env = first();
        expect(UnauthorizedException.class, () -> Records.verify(env, LOG.publicKey(), ThreadKey.generate(false)));
        expect(UnauthorizedException.class, () -> Records.verify(env, LOG.publicKey(),
                ThreadKey.of(KEY.readKey().orElseThrow(), KEY.serviceKey())));
        // the author's identity key is not the log key
        expect(CorruptDataException.class, () -> Records.verify(env, AUTHOR.publicKey(), KEY));
        expect(CorruptDataException.class, () -> Records.verify(env, Ed25519.generate().publicKey(), KEY));
        Record r = Records.verify(env, LOG.publicKey(), KEY);
        expect(UnauthorizedException.class, () -> Records.open(r, ThreadKey.generate(true)));
    }

    @Test
    void wrongPrev() {
        RecordEnvelope e1 = first();
        RecordEnvelope e2 = Records.create(BODY, LOG, AUTHOR.publicKey(), e1.id(), KEY);
        RecordEnvelope other = first();
        expect(ConflictException.class, () -> Records.verify(e1, LOG.publicKey(), KEY, other.id()));
        expect(ConflictException.class, () -> Records.verify(e2, LOG.publicKey(), KEY, null));
        expect(ConflictException.class, () -> Records.verify(e2, LOG.publicKey(), KEY, other.id()));
        assertEquals(e1.id(), Records.verify(e2, LOG.publicKey(), KEY, e1.id()).prev().orElseThrow());
    }

    @Test
    void mixedAndSwappedNodes() {
        RecordEnvelope a = first();
        RecordEnvelope b = first();
        // header and body swapped
        expect(CorruptDataException.class, () -> Records.verify(
                new RecordEnvelope(a.recordNode(), a.eventNode(), a.bodyNode(), a.headerNode()), LOG.publicKey(), KEY));
        // another record's event, header and body under this record node
        expect(CorruptDataException.class, () -> Records.verify(
                new RecordEnvelope(a.recordNode(), b.eventNode(), b.headerNode(), b.bodyNode()), LOG.publicKey(), KEY));
        // this event with another record's header or body
        expect(CorruptDataException.class, () -> Records.verify(
                new RecordEnvelope(a.recordNode(), a.eventNode(), b.headerNode(), a.bodyNode()), LOG.publicKey(), KEY));
        expect(CorruptDataException.class, () -> Records.verify(
                new RecordEnvelope(a.recordNode(), a.eventNode(), a.headerNode(), b.bodyNode()), LOG.publicKey(), KEY));
        // a hand-built Record pointing at other nodes cannot make open decrypt them
        Record ra = Records.verify(a, LOG.publicKey(), KEY);
        Record forged = new Record(ra.event(), ra.signature(), ra.author(), null,
                new RecordEnvelope(a.recordNode(), a.eventNode(), b.headerNode(), b.bodyNode()));
        expect(CorruptDataException.class, () -> Records.open(forged, KEY));
    }

    // ------------------------------------------------------------------ every bit flip

    /** Any single flipped bit in any of the four nodes is detected, with a typed exception. */
    @Test
    void everySingleBitFlipIsDetected() {
        RecordEnvelope env = Records.create(CborValue.map("a", CborValue.integer(1)), LOG, AUTHOR.publicKey(),
                Records.create(BODY, LOG, AUTHOR.publicKey(), null, KEY).id(), KEY);
        Record good = Records.verify(env, LOG.publicKey(), KEY);
        byte[][] nodes = {env.recordNode(), env.eventNode(), env.headerNode(), env.bodyNode()};
        int checked = 0;
        for (int n = 0; n < 4; n++) {
            for (int bit = 0; bit < nodes[n].length * 8; bit++) {
                byte[][] copy = {nodes[0], nodes[1], nodes[2], nodes[3]};
                copy[n] = nodes[n].clone();
                copy[n][bit / 8] ^= (byte) (1 << (bit % 8));
                RecordEnvelope flipped = new RecordEnvelope(copy[0], copy[1], copy[2], copy[3]);
                String where = "node " + n + " bit " + bit;
                try {
                    Records.verify(flipped, LOG.publicKey(), KEY);
                    fail("verify accepted a flipped bit: " + where);
                } catch (WeftException e) {
                    assertTrue(TYPED.contains(e.getClass()), where + ": " + e);
                    assertNoLeak(e.getMessage());
                }
                if (n >= 2) {
                    // open re-checks the header and body it decrypts, even for a hand-built Record
                    Record forged = new Record(good.event(), good.signature(), good.author(), good.prev().orElse(null), flipped);
                    try {
                        Records.open(forged, KEY);
                        fail("open accepted a flipped bit: " + where);
                    } catch (CorruptDataException e) {
                        assertNoLeak(e.getMessage());
                    }
                }
                checked++;
            }
        }
        assertEquals(8 * (nodes[0].length + nodes[1].length + nodes[2].length + nodes[3].length), checked);
    }

    // ------------------------------------------------------------------ malformed content under valid crypto

    /** Builds an envelope step by step so that each part can be replaced; signatures and hashes stay valid. */
    static final class Craft {
        byte[] bodyPlain = DagCbor.encode(BODY);
        byte[] contentKey = AesGcm.generateKey();
        byte[] bodyKey = null; // the key the body is actually encrypted with (default: contentKey)
        Function<byte[], byte[]> header = ck -> DagCbor.encode(CborValue.map("key", CborValue.bytes(ck)));
        byte[] headerKey = null; // default: the read key
        Function<byte[], byte[]> bodyNode = DagCbor::encodeBytes;
        Function<byte[], byte[]> headerNode = DagCbor::encodeBytes;
        Function<Cid[], byte[]> event = ids -> DagCbor.encode(CborValue.map(
                "body", CborValue.link(ids[0]), "header", CborValue.link(ids[1])));
        Cid prev = null;
        Function<Cid, CborValue.MapBuilder> record = eventId -> {
            byte[] pk = AUTHOR.publicKey().marshal();
            byte[] sig = Ed25519.sign(LOG, prev == null ? pk : concat(eventId.bytes(), prev.bytes()));
            CborValue.MapBuilder m = CborValue.builder().put("block", CborValue.link(eventId))
                    .put("sig", CborValue.bytes(sig)).put("pubKey", CborValue.bytes(pk));
            if (prev != null) {
                m.put("prev", CborValue.link(prev));
            }
            return m;
        };
        Function<CborValue.MapBuilder, byte[]> recordPlain = m -> DagCbor.encode(m.build());
        Function<byte[], byte[]> recordNode = DagCbor::encodeBytes;

        RecordEnvelope build() {
            byte[] bn = bodyNode.apply(AesGcm.encrypt(bodyKey == null ? contentKey : bodyKey, bodyPlain));
            byte[] hn = headerNode.apply(AesGcm.encrypt(headerKey == null ? KEY.readKey().orElseThrow() : headerKey,
                    header.apply(contentKey)));
            byte[] en = event.apply(new Cid[] {Cid.dagCbor(bn), Cid.dagCbor(hn)});
            byte[] rp = recordPlain.apply(record.apply(Cid.dagCbor(en)));
            return new RecordEnvelope(recordNode.apply(AesGcm.encrypt(KEY.serviceKey(), rp)), en, hn, bn);
        }
    }

    RecordEnvelope craft(java.util.function.Consumer<Craft> change) {
        Craft c = new Craft();
        change.accept(c);
        return c.build();
    }

    void verifyFails(Class<? extends WeftException> type, java.util.function.Consumer<Craft> change) {
        RecordEnvelope env = craft(change);
        expect(type, () -> Records.verify(env, LOG.publicKey(), KEY));
    }

    void openFails(Class<? extends WeftException> type, java.util.function.Consumer<Craft> change) {
        RecordEnvelope env = craft(change);
        Record r = Records.verify(env, LOG.publicKey(), KEY);
        expect(type, () -> Records.open(r, KEY));
    }

    @Test
    void craftedBaselineIsValid() {
        RecordEnvelope env = craft(c -> { });
        assertEquals(BODY, Records.openBody(Records.verify(env, LOG.publicKey(), KEY), KEY));
    }

    @Test
    void malformedRecordNode() {
        verifyFails(InvalidInputException.class, c -> c.recordPlain = m -> DagCbor.encode(CborValue.list(m.build())));
        verifyFails(InvalidInputException.class, c -> c.recordPlain = m -> DagCbor.encode(CborValue.text("x")));
        verifyFails(InvalidInputException.class, c -> c.record = c.record.andThen(m -> m.put("extra", CborValue.NULL)));
        verifyFails(InvalidInputException.class, c -> c.record = id -> CborValue.builder()
                .put("sig", CborValue.bytes(new byte[64])).put("pubKey", CborValue.bytes(AUTHOR.publicKey().marshal())));
        verifyFails(InvalidInputException.class, c -> c.record = id -> CborValue.builder()
                .put("block", CborValue.link(id)).put("pubKey", CborValue.bytes(AUTHOR.publicKey().marshal())));
        verifyFails(InvalidInputException.class, c -> c.record = id -> CborValue.builder()
                .put("block", CborValue.link(id)).put("sig", CborValue.bytes(new byte[64])));
        verifyFails(InvalidInputException.class, c -> c.record = id -> CborValue.builder()
                .put("block", CborValue.bytes(id.bytes())).put("sig", CborValue.bytes(new byte[64]))
                .put("pubKey", CborValue.bytes(AUTHOR.publicKey().marshal())));
        verifyFails(InvalidInputException.class, c -> c.record = id -> CborValue.builder()
                .put("block", CborValue.link(id)).put("sig", CborValue.bytes(Ed25519.sign(LOG, AUTHOR.publicKey().marshal())))
                .put("pubKey", CborValue.bytes(AUTHOR.publicKey().marshal())).put("prev", CborValue.NULL));
        verifyFails(InvalidInputException.class, c -> c.record = id -> CborValue.builder()
                .put("block", CborValue.link(id)).put("sig", CborValue.text("sig"))
                .put("pubKey", CborValue.bytes(AUTHOR.publicKey().marshal())));
        // signature of the wrong length
        verifyFails(InvalidInputException.class, c -> c.record = id -> CborValue.builder()
                .put("block", CborValue.link(id)).put("sig", CborValue.bytes(new byte[63]))
                .put("pubKey", CborValue.bytes(AUTHOR.publicKey().marshal())));
        // a secp256k1 author key (libp2p type 2) is not supported
        byte[] secp = new byte[37];
        secp[0] = 0x08;
        secp[1] = 0x02;
        secp[2] = 0x12;
        secp[3] = 0x21;
        verifyFails(InvalidInputException.class, c -> c.record = id -> CborValue.builder()
                .put("block", CborValue.link(id)).put("sig", CborValue.bytes(Ed25519.sign(LOG, secp)))
                .put("pubKey", CborValue.bytes(secp)));
        // prev with a raw codec, correctly signed
        verifyFails(InvalidInputException.class, c -> c.prev = Cid.sha256(Cid.RAW, new byte[] {1}));
        // non-canonical plaintext: the same fields, keys in insertion order rather than canonical order
        verifyFails(InvalidInputException.class, c -> c.recordPlain = m -> {
            byte[] canonical = DagCbor.encode(m.build());
            return swapFirstTwoEntries(canonical);
        });
        // not a byte string, or too short to be a ciphertext
        verifyFails(InvalidInputException.class, c -> c.recordNode = ct -> DagCbor.encode(CborValue.text("x")));
        verifyFails(InvalidInputException.class, c -> c.recordNode = ct -> concat(DagCbor.encodeBytes(ct), new byte[] {0}));
        verifyFails(CorruptDataException.class, c -> c.recordNode = ct -> DagCbor.encodeBytes(Arrays.copyOf(ct, 27)));
    }

    /** Swaps the first two entries of an encoded map whose first key is "sig" (3 chars) and value a 64-byte string. */
    static byte[] swapFirstTwoEntries(byte[] map) {
        CborValue.MapValue m = (CborValue.MapValue) DagCbor.decode(map);
        List<String> keys = new ArrayList<>(m.entries().keySet());
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(map[0]);
        int[] order = new int[keys.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        order[0] = 1;
        order[1] = 0;
        for (int i : order) {
            byte[] k = DagCbor.encode(CborValue.text(keys.get(i)));
            byte[] v = DagCbor.encode(m.entries().get(keys.get(i)));
            out.writeBytes(k);
            out.writeBytes(v);
        }
        return out.toByteArray();
    }

    @Test
    void badSignature() {
        verifyFails(CorruptDataException.class, c -> c.record = id -> CborValue.builder()
                .put("block", CborValue.link(id)).put("sig", CborValue.bytes(new byte[64]))
                .put("pubKey", CborValue.bytes(AUTHOR.publicKey().marshal())));
        // signed by the author instead of the log
        verifyFails(CorruptDataException.class, c -> c.record = id -> CborValue.builder()
                .put("block", CborValue.link(id)).put("sig", CborValue.bytes(Ed25519.sign(AUTHOR, AUTHOR.publicKey().marshal())))
                .put("pubKey", CborValue.bytes(AUTHOR.publicKey().marshal())));
        // a first-record signature reused on a record with prev
        RecordEnvelope e1 = first();
        verifyFails(CorruptDataException.class, c -> c.record = id -> CborValue.builder()
                .put("block", CborValue.link(id)).put("sig", CborValue.bytes(Ed25519.sign(LOG, AUTHOR.publicKey().marshal())))
                .put("pubKey", CborValue.bytes(AUTHOR.publicKey().marshal())).put("prev", CborValue.link(e1.id())));
    }

    @Test
    void malformedEventHeaderBody() {
        verifyFails(InvalidInputException.class, c -> c.event = ids -> DagCbor.encode(CborValue.map(
                "body", CborValue.link(ids[0]), "header", CborValue.link(ids[1]), "x", CborValue.NULL)));
        verifyFails(InvalidInputException.class, c -> c.event = ids -> DagCbor.encode(CborValue.map(
                "body", CborValue.link(ids[0]))));
        verifyFails(InvalidInputException.class, c -> c.event = ids -> DagCbor.encode(CborValue.map(
                "body", CborValue.link(ids[0]), "header", CborValue.text(ids[1].toString()))));
        verifyFails(InvalidInputException.class, c -> c.event = ids -> DagCbor.encode(CborValue.list(
                CborValue.link(ids[0]), CborValue.link(ids[1]))));
        verifyFails(InvalidInputException.class, c -> c.event = ids -> concat(DagCbor.encode(CborValue.map(
                "body", CborValue.link(ids[0]), "header", CborValue.link(ids[1]))), new byte[] {0}));
        // header / body nodes that are not byte strings (hashes match, shape does not)
        verifyFails(InvalidInputException.class, c -> c.headerNode = ct -> DagCbor.encode(CborValue.list(CborValue.bytes(ct))));
        verifyFails(InvalidInputException.class, c -> c.bodyNode = ct -> DagCbor.encode(CborValue.list(CborValue.bytes(ct))));
        // header contents
        openFails(InvalidInputException.class, c -> c.header = ck -> DagCbor.encode(CborValue.map("key", CborValue.bytes(Arrays.copyOf(ck, 16)))));
        openFails(InvalidInputException.class, c -> c.header = ck -> DagCbor.encode(CborValue.map("key", CborValue.bytes(ck), "x", CborValue.NULL)));
        openFails(InvalidInputException.class, c -> c.header = ck -> DagCbor.encode(CborValue.map()));
        openFails(InvalidInputException.class, c -> c.header = ck -> DagCbor.encode(CborValue.map("key", CborValue.text("k"))));
        openFails(InvalidInputException.class, c -> c.header = ck -> new byte[] {(byte) 0xa1});
        openFails(UnauthorizedException.class, c -> c.headerKey = AesGcm.generateKey());
        openFails(CorruptDataException.class, c -> c.headerNode = ct -> DagCbor.encodeBytes(Arrays.copyOf(ct, 20)));
        // body contents
        openFails(CorruptDataException.class, c -> c.bodyKey = AesGcm.generateKey());
        openFails(CorruptDataException.class, c -> c.bodyNode = ct -> DagCbor.encodeBytes(new byte[27]));
        openFails(InvalidInputException.class, c -> c.bodyPlain = hex("a2616201616102"));
        openFails(InvalidInputException.class, c -> c.bodyPlain = new byte[0]);
        openFails(InvalidInputException.class, c -> c.bodyPlain = hex("f97c00"));
    }

    @Test
    void nullArguments() {
        RecordEnvelope env = first();
        expect(InvalidInputException.class, () -> Records.verify(null, LOG.publicKey(), KEY));
        expect(InvalidInputException.class, () -> Records.verify(env, null, KEY));
        expect(InvalidInputException.class, () -> Records.verify(env, LOG.publicKey(), null));
        expect(InvalidInputException.class, () -> Records.open(null, KEY));
        expect(InvalidInputException.class, () -> new RecordEnvelope(null, new byte[1], new byte[1], new byte[1]));
        expect(InvalidInputException.class, () -> new RecordEnvelope(new byte[1], new byte[0], new byte[1], new byte[1]));
    }

    @Test
    void envelopeIsAValue() {
        RecordEnvelope env = first();
        byte[] rn = env.recordNode();
        rn[0] ^= 1;
        assertNotEquals(rn[0], env.recordNode()[0]);
        RecordEnvelope same = new RecordEnvelope(env.recordNode(), env.eventNode(), env.headerNode(), env.bodyNode());
        assertEquals(env, same);
        assertEquals(env.hashCode(), same.hashCode());
        assertEquals(env.id(), same.id());
        assertEquals(Cid.dagCbor(env.recordNode()), env.id());
        assertEquals(env.recordNode().length + env.eventNode().length + env.headerNode().length + env.bodyNode().length, env.size());
        assertFalse(env.toString().contains(hex(env.bodyNode()).substring(4, 20)));
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
