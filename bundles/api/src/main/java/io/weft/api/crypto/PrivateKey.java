package io.weft.api.crypto;

import io.weft.api.InvalidInputException;
import io.weft.api.format.Multibase;
import java.util.Arrays;

/**
 * An Ed25519 private key: the 32-byte seed and its public key. Its byte form is the libp2p
 * {@code PrivateKey} protobuf {@code 08 01 12 40 || seed || public}. Construct it through the core
 * {@code Ed25519} class, which derives the public key; {@link #toString()} never prints key material.
 */
public final class PrivateKey {
    /** Length of an Ed25519 seed. */
    public static final int SEED_LENGTH = 32;
    private static final byte[] PREFIX = {0x08, 0x01, 0x12, 0x40};

    private final byte[] seed;
    private final PublicKey publicKey;

    /**
     * A key from its seed and the matching public key. Callers outside core should use
     * {@code Ed25519.fromSeed}, which derives the public key; this constructor does not check that they match.
     */
    public PrivateKey(byte[] seed, PublicKey publicKey) {
        if (seed == null || seed.length != SEED_LENGTH) {
            throw new InvalidInputException("private key: Ed25519 seed must be " + SEED_LENGTH + " bytes");
        }
        if (publicKey == null) {
            throw new InvalidInputException("private key: missing public key");
        }
        this.seed = seed.clone();
        this.publicKey = publicKey;
    }

    /**
     * Decodes the libp2p protobuf form (structure only; core's {@code Ed25519.unmarshal} also checks that the
     * public half matches the seed).
     */
    public static PrivateKey unmarshal(byte[] bytes) {
        int len = PREFIX.length + SEED_LENGTH + PublicKey.LENGTH;
        if (bytes == null || bytes.length != len) {
            throw new InvalidInputException("private key: expected a " + len + "-byte Ed25519 libp2p key, got " + (bytes == null ? 0 : bytes.length) + " bytes");
        }
        if (!Arrays.equals(bytes, 0, PREFIX.length, PREFIX, 0, PREFIX.length)) {
            throw new InvalidInputException("private key: not an Ed25519 libp2p key");
        }
        return new PrivateKey(Arrays.copyOfRange(bytes, PREFIX.length, PREFIX.length + SEED_LENGTH),
                new PublicKey(Arrays.copyOfRange(bytes, PREFIX.length + SEED_LENGTH, len)));
    }

    /** Parses the multibase text form. */
    public static PrivateKey parse(String text) {
        return unmarshal(Multibase.decode(text));
    }

    /** The seed (a copy). Handle with care. */
    public byte[] seed() {
        return seed.clone();
    }

    /** The public half. */
    public PublicKey publicKey() {
        return publicKey;
    }

    /** The libp2p protobuf form. */
    public byte[] marshal() {
        byte[] out = Arrays.copyOf(PREFIX, PREFIX.length + SEED_LENGTH + PublicKey.LENGTH);
        System.arraycopy(seed, 0, out, PREFIX.length, SEED_LENGTH);
        System.arraycopy(publicKey.raw(), 0, out, PREFIX.length + SEED_LENGTH, PublicKey.LENGTH);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PrivateKey k && Arrays.equals(k.seed, seed) && k.publicKey.equals(publicKey);
    }

    @Override
    public int hashCode() {
        return publicKey.hashCode();
    }

    /** Names the public key only. */
    @Override
    public String toString() {
        return "PrivateKey[public=" + publicKey + "]";
    }
}
