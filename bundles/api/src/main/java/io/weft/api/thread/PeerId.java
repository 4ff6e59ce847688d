package io.weft.api.thread;

import io.weft.api.crypto.PublicKey;
import java.util.Arrays;

/**
 * The id of a libp2p peer (a host): the identity multihash of its Ed25519 public key protobuf
 * ({@code 00 24 08 01 12 20 || key}). Text is base58btc ({@code 12D3KooW…}); parsing also accepts the CIDv1
 * libp2p-key form ({@code bafz…}). Ids of other libp2p hosts are accepted too, so that their addresses can be
 * stored and dialled: identity ids of other inlinable key types (secp256k1, {@code 16Uiu2…}) and sha2-256
 * ids of large keys ({@code Qm…}); {@link #publicKey()} works for Ed25519 ids only.
 */
public record PeerId(byte[] bytes) implements Comparable<PeerId> {

    /** A peer id from its binary form (a multihash), validated; see the class comment for what is accepted. */
    public PeerId {
        bytes = KeyIds.check("peer id", bytes, false);
    }

    /** The id of {@code key}. */
    public static PeerId of(PublicKey key) {
        return new PeerId(KeyIds.of(key));
    }

    /** Parses the text form. */
    public static PeerId parse(String text) {
        return new PeerId(KeyIds.parse("peer id", text, false));
    }

    /** The binary form (a copy). */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /**
     * The Ed25519 public key inlined in this id.
     *
     * @throws io.weft.api.InvalidInputException if the id is a sha2-256 id or inlines another key type
     */
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
