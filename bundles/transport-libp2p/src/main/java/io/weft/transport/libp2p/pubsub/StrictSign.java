package io.weft.transport.libp2p.pubsub;

import com.google.protobuf.ByteString;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.crypto.PublicKey;
import io.weft.api.thread.PeerId;
import io.weft.core.crypto.Ed25519;
import io.weft.transport.libp2p.proto.Libp2pProto.Message;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The StrictSign policy of libp2p pubsub: every message carries {@code from}, an 8-byte {@code seqno}, a
 * {@code signature} over {@code "libp2p-pubsub:" || protobuf(from, data, seqno, topic)} (the fields in tag order,
 * absent ones omitted, signature and key left out) and the author's {@code key}. Message ids are
 * {@code PublicKey-protobuf || seqno}, as js gossipsub's {@code msgIdFnStrictSign}.
 *
 * <p>The spec's seqno is a 64-bit big-endian uint, i.e. 8 bytes, and that is what we send. js-libp2p floodsub
 * (11.0.28, the version our interop tests run) round-trips its random seqnos through a bigint and sends them
 * <em>without leading zero bytes</em> (and signs those bytes): one message in 256 has a 7-byte seqno, one in 65536 a
 * 6-byte one. We accept that form too (a uint64 in 1 to 7 bytes with no leading zero byte, or the single byte 0),
 * verify the signature over the bytes as sent, and derive the id from the seqno padded to 8 bytes (as js floodsub's
 * {@code msgId} does), so both forms of one seqno are one message. Such messages are flagged
 * ({@link Verified#canonicalSeqno()} false): gossipsub implementations (js gossipsub, rust-libp2p) reject them, so
 * the router passes them on to floodsub peers only.
 */
final class StrictSign {
    /** The prefix of the signed bytes. */
    static final byte[] PREFIX = "libp2p-pubsub:".getBytes(StandardCharsets.US_ASCII);
    /** Length of a sequence number. */
    static final int SEQNO_LENGTH = 8;

    private StrictSign() {
    }

    /**
     * A message whose signature verified.
     *
     * @param canonicalSeqno whether its seqno has the spec's 8 bytes (false: js floodsub's form without leading zeros)
     */
    record Verified(Message message, PeerId from, String topic, long seqno, ByteString id, boolean canonicalSeqno) {
    }

    /** Why a received message was rejected. */
    static final class InvalidMessageException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidMessageException(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The bytes a StrictSign signature covers: the prefix and the canonical encoding of from, data, seqno, topic. */
    static byte[] signedBytes(Message message) {
        Message.Builder canonical = Message.newBuilder();
        if (message.hasFrom()) {
            canonical.setFrom(message.getFrom());
        }
        if (message.hasData()) {
            canonical.setData(message.getData());
        }
        if (message.hasSeqno()) {
            canonical.setSeqno(message.getSeqno());
        }
        if (message.hasTopic()) {
            canonical.setTopicBytes(message.getTopicBytes());
        }
        byte[] body = canonical.build().toByteArray();
        byte[] out = new byte[PREFIX.length + body.length];
        System.arraycopy(PREFIX, 0, out, 0, PREFIX.length);
        System.arraycopy(body, 0, out, PREFIX.length, body.length);
        return out;
    }

    /** A signed message by {@code key} (whose peer id is {@code from}); {@code data} is always present, even empty. */
    static Message sign(PrivateKey key, PeerId from, String topic, byte[] data, long seqno) {
        Message unsigned = Message.newBuilder()
                .setFrom(ByteString.copyFrom(from.bytes()))
                .setData(ByteString.copyFrom(data))
                .setSeqno(ByteString.copyFrom(ByteBuffer.allocate(SEQNO_LENGTH).putLong(seqno).array()))
                .setTopic(topic)
                .build();
        byte[] signature = Ed25519.sign(key, signedBytes(unsigned));
        return unsigned.toBuilder()
                .setSignature(ByteString.copyFrom(signature))
                .setKey(ByteString.copyFrom(key.publicKey().marshal()))
                .build();
    }

    /** The id of a message by {@code key} with sequence number {@code seqno} (8 bytes, see {@link #paddedSeqno}). */
    static ByteString messageId(PublicKey key, ByteString seqno) {
        return ByteString.copyFrom(key.marshal()).concat(seqno);
    }

    /**
     * {@code seqno} as the spec's 8 bytes: itself if it has 8, js floodsub's form (1 to 7 bytes, no leading zero byte
     * unless it is the single byte 0) padded with leading zeros; {@code null} for anything else (absent, empty,
     * longer, or shorter with a leading zero, which no implementation sends).
     */
    static ByteString paddedSeqno(ByteString seqno) {
        int n = seqno.size();
        if (n == SEQNO_LENGTH) {
            return seqno;
        }
        if (n == 0 || n > SEQNO_LENGTH || (n > 1 && seqno.byteAt(0) == 0)) {
            return null;
        }
        return ByteString.copyFrom(new byte[SEQNO_LENGTH - n]).concat(seqno);
    }

    /**
     * The id a message claims, computed without verifying it (for a cheap duplicate check before verifying), or
     * {@code null} if it cannot have one.
     */
    static ByteString claimedId(Message message) {
        ByteString seqno = message.hasSeqno() ? paddedSeqno(message.getSeqno()) : null;
        if (seqno == null) {
            return null;
        }
        if (message.hasKey()) {
            return message.getKey().concat(seqno);
        }
        ByteString from = message.getFrom();
        // identity multihash 00 24 || Ed25519 PublicKey protobuf
        if (from.size() == 38 && from.byteAt(0) == 0 && from.byteAt(1) == 0x24) {
            return from.substring(2).concat(seqno);
        }
        return null;
    }

    /** Checks {@code message} against StrictSign; the result carries its author and id. */
    static Verified verify(Message message) throws InvalidMessageException {
        if (!message.hasSignature()) {
            throw new InvalidMessageException("missing signature");
        }
        ByteString seqno = message.hasSeqno() ? paddedSeqno(message.getSeqno()) : null;
        if (seqno == null) {
            throw new InvalidMessageException("seqno missing or not a 64-bit big-endian uint (" + SEQNO_LENGTH
                    + " bytes, or fewer without leading zeros as js floodsub sends)");
        }
        if (!message.hasTopic() || !message.getTopicBytes().isValidUtf8()) {
            throw new InvalidMessageException("topic missing or not UTF-8");
        }
        if (!message.hasFrom()) {
            throw new InvalidMessageException("missing from");
        }
        PeerId from;
        try {
            from = new PeerId(message.getFrom().toByteArray());
        } catch (RuntimeException e) {
            throw new InvalidMessageException("from is not a peer id");
        }
        PublicKey key;
        if (message.hasKey()) {
            try {
                key = PublicKey.unmarshal(message.getKey().toByteArray());
            } catch (RuntimeException e) {
                throw new InvalidMessageException("key is not an Ed25519 public key");
            }
            if (!PeerId.of(key).equals(from)) {
                throw new InvalidMessageException("key does not match from");
            }
        } else {
            try {
                key = from.publicKey();
            } catch (RuntimeException e) {
                throw new InvalidMessageException("no key and from does not inline an Ed25519 key");
            }
        }
        if (!Ed25519.verify(key, signedBytes(message), message.getSignature().toByteArray())) {
            throw new InvalidMessageException("bad signature");
        }
        return new Verified(message, from, message.getTopic(), seqno.asReadOnlyByteBuffer().getLong(),
                messageId(key, seqno), message.getSeqno().size() == SEQNO_LENGTH);
    }
}
