package io.weft.core.record;

import static io.weft.core.testing.Vectors.hex;
import static io.weft.core.testing.Vectors.nonce;
import static io.weft.core.testing.Vectors.range32;
import static io.weft.core.testing.Vectors.record;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.api.crypto.PrivateKey;
import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Cid;
import io.weft.api.record.Payload;
import io.weft.api.record.Record;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadKey;
import io.weft.core.cbor.CborValue;
import io.weft.core.cbor.DagCbor;
import io.weft.core.crypto.AesGcm;
import io.weft.core.crypto.Ed25519;
import io.weft.core.testing.Vectors;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rebuilds every intermediate value of vectors/records.txt (derive_record_vectors.py, confirmed by
 * {@code @textile/threads-encoding} 0.3.2) with the same fixed keys and nonces, and compares byte for byte.
 */
class RecordVectorsTest {
    static Map<String, String> v;
    static final byte[] SK = range32(0x20);
    static final byte[] RK = range32(0x40);
    static final byte[] CK = range32(0x60);
    static final ThreadKey KEY = ThreadKey.of(SK, RK);
    static PrivateKey logKey;
    static PrivateKey identity;
    static byte[] body;

    @BeforeAll
    static void load() {
        v = Vectors.records();
        logKey = Ed25519.fromSeed(range32(0x80));
        identity = Ed25519.fromSeed(range32(0xa0));
        body = DagCbor.encode(CborValue.map("foo", CborValue.text("bar")));
    }

    static String first(String value) {
        return value.split("\\s+")[0];
    }

    static String after(String value, String marker) {
        int i = value.indexOf(marker);
        assertTrue(i >= 0, "marker " + marker + " in " + value);
        return value.substring(i + marker.length()).trim().split("\\s+")[0];
    }

    static RecordEnvelope record1() {
        return Records.createDeterministic(body, logKey, identity.publicKey(), null, KEY, CK, nonce(1), nonce(2), nonce(3));
    }

    static RecordEnvelope record2(Cid prev) {
        return Records.createDeterministic(body, logKey, identity.publicKey(), prev, KEY, CK, nonce(1), nonce(2), nonce(4));
    }

    @Test
    void keys() {
        assertEquals(record(v, "service key"), hex(SK));
        assertEquals(record(v, "read key"), hex(RK));
        assertEquals(record(v, "thread key string (sk||rk)"), KEY.toString());
        assertEquals(record(v, "service-only key string"), KEY.serviceOnly().toString());
        String log = record(v, "log ed25519 seed");
        assertEquals(first(log), hex(range32(0x80)));
        assertEquals(after(log, "pub ="), hex(logKey.publicKey().raw()));
        String pid = record(v, "log peer ID bytes");
        LogId logId = LogId.of(logKey.publicKey());
        assertEquals(first(pid), hex(logId.bytes()));
        assertEquals(after(pid, "string ="), logId.toString());
        assertEquals(logKey.publicKey(), LogId.parse(after(pid, "string =")).publicKey());
        String id = record(v, "identity ed25519 seed");
        assertEquals(after(id, "pub ="), hex(identity.publicKey().raw()));
        String marshaled = record(v, "identity pubkey marshaled");
        assertEquals(first(marshaled), hex(identity.publicKey().marshal()));
        assertEquals(after(marshaled, "(JWT sub) ="), identity.publicKey().toString());
    }

    @Test
    void bodyHeaderEvent() {
        RecordEnvelope env = record1();
        assertEquals(record(v, "body plaintext node ({'foo':'bar'})"), hex(body));
        assertEquals(record(v, "body coded node (nonce 01*12, content key 60..7f)"), hex(env.bodyNode()));
        String bodyCid = record(v, "body CID");
        Cid bc = Cid.dagCbor(env.bodyNode());
        assertEquals(first(bodyCid), hex(bc.bytes()));
        assertEquals(after(bodyCid, "= "), bc.toString());

        byte[] headerPlain = DagCbor.encode(CborValue.map("key", CborValue.bytes(CK)));
        assertEquals(record(v, "header plaintext node"), hex(headerPlain));
        assertEquals(record(v, "header coded node (nonce 02*12, read key)"), hex(env.headerNode()));
        assertEquals(record(v, "header CID"), Cid.dagCbor(env.headerNode()).toString());

        assertEquals(record(v, "event node"), hex(env.eventNode()));
        assertEquals(record(v, "event CID"), Cid.dagCbor(env.eventNode()).toString());
    }

    @Test
    void firstRecord() {
        RecordEnvelope env = record1();
        assertEquals(record(v, "record1 coded node (nonce 03*12, service key)"), hex(env.recordNode()));
        assertEquals(record(v, "record1 CID"), env.id().toString());
        byte[] plain = AesGcm.decrypt(SK, env.recordNode(), DagCbor.byteStringOffset(env.recordNode()),
                env.recordNode().length - DagCbor.byteStringOffset(env.recordNode()));
        assertEquals(record(v, "record1 plaintext node"), hex(plain));

        Record r = Records.verify(env, logKey.publicKey(), KEY.serviceOnly(), null);
        assertEquals(record(v, "record1 sig (log key over identity pubkey bytes)"), hex(r.signature()));
        assertEquals(record(v, "event CID"), r.eventId().toString());
        assertEquals(identity.publicKey(), r.author());
        assertTrue(r.prev().isEmpty());
        // Ed25519 is deterministic: the signature over the marshaled identity key alone
        assertArrayEquals(r.signature(), Ed25519.sign(logKey, identity.publicKey().marshal()));

        Payload p = Records.open(r, KEY);
        assertArrayEquals(body, p.body());
        assertArrayEquals(CK, p.contentKey());
    }

    @Test
    void secondRecord() {
        Cid rec1 = record1().id();
        RecordEnvelope env = record2(rec1);
        assertEquals(record(v, "record2 CID"), env.id().toString());
        int off = DagCbor.byteStringOffset(env.recordNode());
        byte[] plain = AesGcm.decrypt(SK, env.recordNode(), off, env.recordNode().length - off);
        assertEquals(record(v, "record2 plaintext node"), hex(plain));
        Record r = Records.verify(env, logKey.publicKey(), KEY.serviceOnly(), rec1);
        assertEquals(record(v, "record2 sig"), hex(r.signature()));
        assertEquals(rec1, r.prev().orElseThrow());
        assertEquals(CborValue.map("foo", CborValue.text("bar")), Records.openBody(r, KEY));
    }

    /** The jsonpatcher create body: nested maps, a list, a byte string, a large integer. */
    @Test
    void jsonpatcherCreateBody() {
        byte[] inst = "{\"_id\":\"01abc\",\"name\":\"Alice\",\"_mod\":1600000000000000000}".getBytes(StandardCharsets.UTF_8);
        CborValue patch = CborValue.map("patches", CborValue.list(CborValue.builder()
                .put("iD", CborValue.text("01abc"))
                .put("collectionName", CborValue.text("Persons"))
                .put("timestamp", CborValue.integer(1600000000000000000L))
                .put("patch", CborValue.map(
                        "type", CborValue.integer(0),
                        "instanceID", CborValue.text("01abc"),
                        "jSONPatch", CborValue.bytes(inst)))
                .build()));
        byte[] enc = DagCbor.encode(patch);
        assertEquals(record(v, "jsonpatcher create body node"), hex(enc));
        assertEquals(record(v, "jsonpatcher body CID"), Cid.dagCbor(enc).toString());
        assertEquals(patch, DagCbor.decode(hex(record(v, "jsonpatcher create body node"))));
    }

    /** The published record nodes verify and open as received (no rebuilding). */
    @Test
    void publishedNodesVerify() {
        RecordEnvelope env = new RecordEnvelope(
                hex(record(v, "record1 coded node (nonce 03*12, service key)")),
                hex(record(v, "event node")),
                hex(record(v, "header coded node (nonce 02*12, read key)")),
                hex(record(v, "body coded node (nonce 01*12, content key 60..7f)")));
        PublicKey logPub = LogId.parse(after(record(v, "log peer ID bytes"), "string =")).publicKey();
        Record r = Records.verify(env, logPub, ThreadKey.parse(record(v, "service-only key string")), null);
        assertEquals(record(v, "record1 CID"), r.id().toString());
        Payload p = Records.open(r, ThreadKey.parse(record(v, "thread key string (sk||rk)")));
        assertEquals(record(v, "body plaintext node ({'foo':'bar'})"), hex(p.body()));
    }
}
