package io.weft.api.thread;

import io.weft.api.crypto.PublicKey;
import java.util.Arrays;

/**
 * The id of a libp2p peer (a host): the identity multihash of its Ed25519 public key protobuf
 * ({@code 00 24 08 01 12 20 || key}). Text is base58btc ({@code 12D3KooW…}); parsing also accepts the CIDv1
 * libp2p-key form ({@code bafz…}).
 */
public record PeerId(byte[] bytes) implements Comparable<PeerId> {

    public PeerId {
        bytes = KeyIds.check("peer id", bytes);
    }

    /** The id of {@code key}. */
    public static PeerId of(PublicKey key) {
        return new PeerId(KeyIds.of(key));
    }

    /** Parses the text form. */
    public static PeerId parse(String text) {
        return new PeerId(KeyIds.parse("peer id", text));
    }

    /** The binary form (a copy). */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The public key inlined in this id. */
    public PublicKey publicKey() {
        return KeyIds.publicKey("peer id", bytes);
    }

    /** The CIDv1 libp2p-key text form. */
    public String toCidString() {
        return KeyIds.cidText(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerId other && Arrays.equals(other.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(PeerId o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    /** Base58btc text. */
    @Override
    public String toString() {
        return KeyIds.text(bytes);
    }
}
