package io.weft.api.thread;

import io.weft.api.crypto.PublicKey;
import java.util.Arrays;

/**
 * The id of a single-writer log (paper §3.1.3): like a peer id, the identity multihash of the log's
 * Ed25519 public key, so a reader can verify the log's signatures from its id alone. Text is base58btc
 * ({@code 12D3KooW…}); parsing also accepts the CIDv1 libp2p-key form.
 */
public record LogId(byte[] bytes) implements Comparable<LogId> {

    /** A log id from its binary form: an identity multihash of an Ed25519 key (or a sha2-256 multihash). */
    public LogId {
        bytes = KeyIds.check("log id", bytes, true);
    }

    /** The id of {@code key}. */
    public static LogId of(PublicKey key) {
        return new LogId(KeyIds.of(key));
    }

    /** Parses the text form. */
    public static LogId parse(String text) {
        return new LogId(KeyIds.parse("log id", text, true));
    }

    /** The binary form (a copy). */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /**
     * The public key inlined in this id.
     *
     * @throws io.weft.api.InvalidInputException if the id is a sha2-256 id (the key is not inlined)
     */
    public PublicKey publicKey() {
        return KeyIds.publicKey("log id", bytes);
    }

    /** The CIDv1 libp2p-key text form. */
    public String toCidString() {
        return KeyIds.cidText(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogId other && Arrays.equals(other.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(LogId o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    /** Base58btc text. */
    @Override
    public String toString() {
        return KeyIds.text(bytes);
    }
}
