package io.weft.core.record;

import io.weft.api.ConflictException;
import io.weft.api.CorruptDataException;
import io.weft.api.InvalidInputException;
import io.weft.api.UnauthorizedException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Cid;
import io.weft.api.format.Multihash;
import io.weft.api.record.Event;
import io.weft.api.record.Payload;
import io.weft.api.record.Record;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.ThreadKey;
import io.weft.core.cbor.CborValue;
import io.weft.core.cbor.CborValue.BytesValue;
import io.weft.core.cbor.CborValue.LinkValue;
import io.weft.core.cbor.CborValue.MapValue;
import io.weft.core.cbor.DagCbor;
import io.weft.core.crypto.AesGcm;
import io.weft.core.crypto.Ed25519;
import java.util.Arrays;
import java.util.Map;

/**
 * Builds, verifies and opens thread records, byte-compatible with go-threads ({@code cbor/record.go},
 * {@code cbor/event.go}) and js-threads (DESIGN §3):
 * <pre>
 * body   node = bytes(AES-GCM(contentKey, dagcbor(body)))                    contentKey: fresh, random, 32 bytes
 * header node = bytes(AES-GCM(readKey,    dagcbor({key: contentKey})))
 * event  node = dagcbor({body: link(CID(body node)), header: link(CID(header node))})          plaintext
 * record node = bytes(AES-GCM(serviceKey, dagcbor({block: link(CID(event node)), sig, pubKey, prev?})))
 * record id   = CID(record node)
 * sig         = Ed25519(logKey, CID(event node).bytes || prev.bytes)   or, on a log's first record,
 *               Ed25519(logKey, pubKey)                                 (pubKey = author identity key protobuf)
 * </pre>
 * CIDs are CIDv1, dag-cbor, sha2-256.
 *
 * <h2>Who can do what</h2>
 * {@link #verify verify} needs the service key only: a replica can check a record completely (signature, chain
 * link, and that the event, header and body nodes are the ones the record names) but learns nothing of the
 * content. Only {@link #open open}, given a {@link ThreadKey} that {@linkplain ThreadKey#canRead() can read}, yields
 * the content key and plaintext body.
 *
 * <h2>What the signature covers</h2>
 * As in go-threads, a record with {@code prev} signs {@code block || prev} (not {@code pubKey}), and a log's first
 * record signs only {@code pubKey} (not {@code block}). So the first record's event and every record's author key are
 * authenticated by the service key's AEAD (and, once a later record links to it, by that record's signature over
 * its id), not by the log key alone. Weft keeps the format for interoperability.
 *
 * <h2>Errors</h2>
 * <table>
 *   <caption>Failures and their exceptions</caption>
 *   <tr><td>{@link InvalidInputException}</td><td>malformed input: a node that is not canonical dag-cbor, a missing
 *       or extra field, a field of the wrong type or length, a non-Ed25519 author key, a thread key without the read
 *       key when creating</td></tr>
 *   <tr><td>{@link UnauthorizedException}</td><td>the record node does not decrypt with the service key, or the
 *       header with the read key (AES-GCM cannot tell a wrong key from altered bytes; for the record node both are
 *       possible), or {@code open} was given a key without a read key</td></tr>
 *   <tr><td>{@link CorruptDataException}</td><td>an integrity check failed: the signature does not verify with the
 *       log key; the event, header or body node does not hash to the CID that names it; the body does not decrypt
 *       with the content key from an authentic header; an encrypted node is shorter than nonce and tag</td></tr>
 *   <tr><td>{@link ConflictException}</td><td>{@code prev} is not the expected previous record</td></tr>
 * </table>
 * No message contains key bytes or plaintext.
 */
public final class Records {
    private static final int SIG_LENGTH = Ed25519.SIGNATURE_LENGTH;
    private static final int CONTENT_KEY_LENGTH = AesGcm.KEY_LENGTH;

    private Records() {
    }

    // ================================================================== create

    /**
     * A new record carrying {@code body}, signed by {@code logKey}, authored by {@code author}, linked to
     * {@code prev} ({@code null} for a log's first record) and encrypted with {@code key}, which must include the
     * read key.
     */
    public static RecordEnvelope create(CborValue body, PrivateKey logKey, PublicKey author, Cid prev, ThreadKey key) {
        if (body == null) {
            throw new InvalidInputException("record: body is required");
        }
        return build(DagCbor.encode(body), logKey, author, prev, key, null, null, null, null).envelope();
    }

    /**
     * As {@link #create(CborValue, PrivateKey, PublicKey, Cid, ThreadKey)} for a body already encoded; the bytes must
     * be exactly one canonical dag-cbor value.
     */
    public static RecordEnvelope create(byte[] encodedBody, PrivateKey logKey, PublicKey author, Cid prev, ThreadKey key) {
        if (encodedBody == null) {
            throw new InvalidInputException("record: body is required");
        }
        return createRecord(encodedBody, logKey, author, prev, key).envelope();
    }

    /**
     * As {@link #create(byte[], PrivateKey, PublicKey, Cid, ThreadKey)}, returning the record's verified view
     * as well: the writer built every field itself, so it needs no second decryption or signature check.
     */
    public static Record createRecord(byte[] encodedBody, PrivateKey logKey, PublicKey author, Cid prev, ThreadKey key) {
        if (encodedBody == null) {
            throw new InvalidInputException("record: body is required");
        }
        DagCbor.decode(encodedBody); // strict: the body must be canonical
        return build(encodedBody, logKey, author, prev, key, null, null, null, null);
    }

    /**
     * Test seam: builds with a fixed content key and nonces to reproduce published vectors. Never use fixed
     * nonces in production.
     */
    static RecordEnvelope createDeterministic(byte[] encodedBody, PrivateKey logKey, PublicKey author, Cid prev,
            ThreadKey key, byte[] contentKey, byte[] bodyNonce, byte[] headerNonce, byte[] recordNonce) {
        DagCbor.decode(encodedBody);
        return build(encodedBody, logKey, author, prev, key, contentKey, bodyNonce, headerNonce, recordNonce).envelope();
    }

    private static Record build(byte[] body, PrivateKey logKey, PublicKey author, Cid prev, ThreadKey key,
            byte[] contentKey, byte[] bodyNonce, byte[] headerNonce, byte[] recordNonce) {
        if (logKey == null || author == null || key == null) {
            throw new InvalidInputException("record: log key, author and thread key are required");
        }
        if (!key.canRead()) {
            throw new InvalidInputException("record: creating a record needs the thread's read key");
        }
        if (prev != null) {
            checkLink("prev", prev);
        }
        byte[] readKey = key.readKey().orElseThrow();
        byte[] serviceKey = key.serviceKey();
        byte[] ck = contentKey != null ? contentKey.clone() : AesGcm.generateKey();
        try {
            byte[] bodyNode = DagCbor.encodeBytes(seal(ck, bodyNonce, body));
            byte[] headerPlain = DagCbor.encode(CborValue.map("key", CborValue.bytes(ck)));
            byte[] headerNode = DagCbor.encodeBytes(seal(readKey, headerNonce, headerPlain));
            Arrays.fill(headerPlain, (byte) 0);
            Cid bodyId = Cid.dagCbor(bodyNode);
            Cid headerId = Cid.dagCbor(headerNode);
            byte[] eventNode = DagCbor.encode(CborValue.map(
                    "body", CborValue.link(bodyId),
                    "header", CborValue.link(headerId)));
            Cid eventId = Cid.dagCbor(eventNode);

            byte[] pubKey = author.marshal();
            byte[] sig = Ed25519.sign(logKey, signedBytes(eventId, prev, pubKey));
            CborValue.MapBuilder rec = CborValue.builder()
                    .put("block", CborValue.link(eventId))
                    .put("sig", CborValue.bytes(sig))
                    .put("pubKey", CborValue.bytes(pubKey));
            if (prev != null) {
                rec.put("prev", CborValue.link(prev));
            }
            byte[] recordNode = DagCbor.encodeBytes(seal(serviceKey, recordNonce, DagCbor.encode(rec.build())));
            RecordEnvelope envelope = new RecordEnvelope(recordNode, eventNode, headerNode, bodyNode);
            return new Record(new Event(eventId, headerId, bodyId), sig, author, prev, envelope);
        } finally {
            Arrays.fill(ck, (byte) 0);
            Arrays.fill(readKey, (byte) 0);
            Arrays.fill(serviceKey, (byte) 0);
        }
    }

    private static byte[] seal(byte[] key, byte[] nonce, byte[] plaintext) {
        return nonce == null ? AesGcm.encrypt(key, plaintext) : AesGcm.encrypt(key, nonce, plaintext);
    }

    /** What the log key signs: {@code event || prev}, or the author key bytes on a log's first record. */
    private static byte[] signedBytes(Cid eventId, Cid prev, byte[] pubKey) {
        if (prev == null) {
            return pubKey;
        }
        byte[] e = eventId.bytes();
        byte[] p = prev.bytes();
        byte[] out = Arrays.copyOf(e, e.length + p.length);
        System.arraycopy(p, 0, out, e.length, p.length);
        return out;
    }

    // ================================================================== verify

    /**
     * Verifies {@code envelope} with the service key of {@code key} and the log's public key, without checking
     * {@code prev} against a head: decrypts and strictly decodes the record node, checks the signature, and checks
     * that the event node hashes to {@code block} and the header and body nodes hash to the event's links. Needs no
     * read key and reveals no content.
     *
     * @param logKey the log's public key ({@code LogId.publicKey()})
     * @param key    the thread key; only its service key is used
     */
    public static Record verify(RecordEnvelope envelope, PublicKey logKey, ThreadKey key) {
        return verify(envelope, logKey, key, false, null);
    }

    /**
     * As {@link #verify(RecordEnvelope, PublicKey, ThreadKey)}, and also checks that the record's {@code prev} is
     * {@code expectedPrev} (the log's current head), where {@code null} means the record must be the log's first.
     *
     * @throws ConflictException if {@code prev} differs
     */
    public static Record verify(RecordEnvelope envelope, PublicKey logKey, ThreadKey key, Cid expectedPrev) {
        return verify(envelope, logKey, key, true, expectedPrev);
    }

    private static Record verify(RecordEnvelope envelope, PublicKey logKey, ThreadKey key, boolean checkPrev, Cid expectedPrev) {
        if (envelope == null || logKey == null || key == null) {
            throw new InvalidInputException("record: envelope, log key and thread key are required");
        }
        // 1. record node: decrypt with the service key, decode strictly
        byte[] recordNode = envelope.recordNode();
        int off = encryptedOffset("record", recordNode);
        byte[] serviceKey = key.serviceKey();
        byte[] plain;
        try {
            plain = AesGcm.decrypt(serviceKey, recordNode, off, recordNode.length - off);
        } catch (UnauthorizedException e) {
            throw new UnauthorizedException("record: the record node does not decrypt with the service key"
                    + " (wrong key or altered record)");
        } catch (CorruptDataException e) {
            throw new CorruptDataException("record: " + e.getMessage());
        } finally {
            Arrays.fill(serviceKey, (byte) 0);
        }
        MapValue rec = decodeMap("record", plain);
        checkFields("record", rec, "block", "sig", "pubKey", "prev");
        Cid block = link("record", rec, "block", true);
        byte[] sig = bytes("record", rec, "sig");
        byte[] pubKey = bytes("record", rec, "pubKey");
        Cid prev = link("record", rec, "prev", false);
        if (sig.length != SIG_LENGTH) {
            throw new InvalidInputException("record: sig must be " + SIG_LENGTH + " bytes, got " + sig.length);
        }
        PublicKey author = PublicKey.unmarshal(pubKey);
        if (prev != null) {
            checkLink("prev", prev);
        }

        // 2. event node: must be the block the record names
        byte[] eventNode = envelope.eventNode();
        if (!Cid.dagCbor(eventNode).equals(block)) {
            throw new CorruptDataException("record: the event node does not hash to the record's block link " + block);
        }
        MapValue ev = decodeMap("event", eventNode);
        checkFields("event", ev, "body", "header");
        Event event = new Event(block, link("event", ev, "header", true), link("event", ev, "body", true));

        // 3. header and body nodes: must be the ones the event names (go-threads did not check this)
        checkNode("header", envelope.headerNode(), event.headerId());
        checkNode("body", envelope.bodyNode(), event.bodyId());

        // 4. signature by the log key
        if (!Ed25519.verify(logKey, signedBytes(block, prev, pubKey), sig)) {
            throw new CorruptDataException("record: signature does not verify with the log key");
        }

        // 5. chain link
        if (checkPrev && !(expectedPrev == null ? prev == null : expectedPrev.equals(prev))) {
            throw new ConflictException("record: prev is " + (prev == null ? "absent (a first record)" : prev)
                    + ", expected " + (expectedPrev == null ? "none (the log is empty)" : expectedPrev));
        }
        return new Record(event, sig, author, prev, envelope);
    }

    // ================================================================== open

    /**
     * Opens a record's content with the read key of {@code key}: decrypts the header to the content key, then the
     * body, and strictly decodes the body. Checks again that the envelope's header and body nodes are the ones the
     * record's event names, so a {@link Record} built by hand cannot make it decrypt other nodes.
     *
     * @throws UnauthorizedException if {@code key} has no read key, or the header does not decrypt with it
     */
    public static Payload open(Record record, ThreadKey key) {
        if (record == null || key == null) {
            throw new InvalidInputException("record: record and thread key are required");
        }
        if (!key.canRead()) {
            throw new UnauthorizedException("record: the thread key has no read key; only the service key is held");
        }
        Event event = record.event();
        RecordEnvelope envelope = record.envelope();
        byte[] headerNode = envelope.headerNode();
        byte[] bodyNode = envelope.bodyNode();
        checkNode("header", headerNode, event.headerId());
        checkNode("body", bodyNode, event.bodyId());

        byte[] readKey = key.readKey().orElseThrow();
        int hoff = encryptedOffset("header", headerNode);
        byte[] headerPlain;
        try {
            headerPlain = AesGcm.decrypt(readKey, headerNode, hoff, headerNode.length - hoff);
        } catch (UnauthorizedException e) {
            throw new UnauthorizedException("record: the header does not decrypt with the read key (wrong key)");
        } catch (CorruptDataException e) {
            throw new CorruptDataException("record header: " + e.getMessage());
        } finally {
            Arrays.fill(readKey, (byte) 0);
        }
        byte[] contentKey;
        try {
            MapValue header = decodeMap("header", headerPlain);
            checkFields("header", header, "key");
            contentKey = bytes("header", header, "key");
        } finally {
            Arrays.fill(headerPlain, (byte) 0);
        }
        if (contentKey.length != CONTENT_KEY_LENGTH) {
            throw new InvalidInputException("record: header content key must be " + CONTENT_KEY_LENGTH
                    + " bytes, got " + contentKey.length);
        }
        try {
            int boff = encryptedOffset("body", bodyNode);
            byte[] body;
            try {
                body = AesGcm.decrypt(contentKey, bodyNode, boff, bodyNode.length - boff);
            } catch (UnauthorizedException e) {
                throw new CorruptDataException("record: the body does not decrypt with the header's content key");
            } catch (CorruptDataException e) {
                throw new CorruptDataException("record body: " + e.getMessage());
            }
            try {
                DagCbor.decode(body);
            } catch (InvalidInputException e) {
                throw new InvalidInputException("record body: " + e.getMessage());
            }
            return new Payload(event, contentKey, body);
        } finally {
            Arrays.fill(contentKey, (byte) 0);
        }
    }

    /** {@link #open} followed by decoding the body: the plaintext body as a value. */
    public static CborValue openBody(Record record, ThreadKey key) {
        return DagCbor.decode(open(record, key).body());
    }

    // ================================================================== helpers

    private static int encryptedOffset(String what, byte[] node) {
        try {
            return DagCbor.byteStringOffset(node);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("record: " + what + " node is not a dag-cbor byte string: " + e.getMessage());
        }
    }

    private static void checkNode(String what, byte[] node, Cid expected) {
        if (!Cid.dagCbor(node).equals(expected)) {
            throw new CorruptDataException("record: the " + what + " node does not hash to the event's " + what
                    + " link " + expected);
        }
        encryptedOffset(what, node);
    }

    private static void checkLink(String what, Cid cid) {
        if (cid.codec() != Cid.DAG_CBOR || cid.multihash().code() != Multihash.SHA2_256) {
            throw new InvalidInputException("record: " + what + " must be a dag-cbor sha2-256 CID, got " + cid);
        }
    }

    private static MapValue decodeMap(String what, byte[] node) {
        CborValue v;
        try {
            v = DagCbor.decode(node);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("record: " + what + " node: " + e.getMessage());
        }
        if (!(v instanceof MapValue m)) {
            throw new InvalidInputException("record: " + what + " node is not a map");
        }
        return m;
    }

    private static void checkFields(String what, MapValue m, String... allowed) {
        outer:
        for (Map.Entry<String, CborValue> e : m.entries().entrySet()) {
            for (String a : allowed) {
                if (a.equals(e.getKey())) {
                    continue outer;
                }
            }
            throw new InvalidInputException("record: " + what + " node has an unknown field");
        }
    }

    private static Cid link(String what, MapValue m, String field, boolean required) {
        CborValue v = m.entries().get(field);
        if (v == null) {
            if (required) {
                throw new InvalidInputException("record: " + what + " node lacks the \"" + field + "\" link");
            }
            return null;
        }
        if (!(v instanceof LinkValue l)) {
            throw new InvalidInputException("record: " + what + " field \"" + field + "\" is not a link");
        }
        return l.cid();
    }

    private static byte[] bytes(String what, MapValue m, String field) {
        CborValue v = m.entries().get(field);
        if (v == null) {
            throw new InvalidInputException("record: " + what + " node lacks the \"" + field + "\" field");
        }
        if (!(v instanceof BytesValue b)) {
            throw new InvalidInputException("record: " + what + " field \"" + field + "\" is not a byte string");
        }
        return b.value();
    }
}
