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
 */
final class StrictSign {
    /** The prefix of the signed bytes. */
    static final byte[] PREFIX = "libp2p-pubsub:".getBytes(StandardCharsets.US_ASCII);
    /** Length of a sequence number. */
    static final int SEQNO_LENGTH = 8;

    private StrictSign() {
    }

    /** A message whose signature verified. */
    record Verified(Message message, PeerId from, String topic, long seqno, ByteString id) {
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

    /** The id of a message by {@code key} with sequence number {@code seqno}. */
    static ByteString messageId(PublicKey key, ByteString seqno) {
        return ByteString.copyFrom(key.marshal()).concat(seqno);
    }

    /**
     * The id a message claims, computed without verifying it (for a cheap duplicate check before verifying), or
     * {@code null} if it cannot have one.
     */
    static ByteString claimedId(Message message) {
        if (!message.hasSeqno()) {
            return null;
        }
        if (message.hasKey()) {
            return message.getKey().concat(message.getSeqno());
        }
        ByteString from = message.getFrom();
        // identity multihash 00 24 || Ed25519 PublicKey protobuf
        if (from.size() == 38 && from.byteAt(0) == 0 && from.byteAt(1) == 0x24) {
            return from.substring(2).concat(message.getSeqno());
        }
        return null;
    }

    /** Checks {@code message} against StrictSign; the result carries its author and id. */
    static Verified verify(Message message) throws InvalidMessageException {
        if (!message.hasSignature()) {
            throw new InvalidMessageException("missing signature");
        }
        if (!message.hasSeqno() || message.getSeqno().size() != SEQNO_LENGTH) {
            throw new InvalidMessageException("seqno missing or not " + SEQNO_LENGTH + " bytes");
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
        long seqno = message.getSeqno().asReadOnlyByteBuffer().getLong();
        return new Verified(message, from, message.getTopic(), seqno, messageId(key, message.getSeqno()));
    }
}
