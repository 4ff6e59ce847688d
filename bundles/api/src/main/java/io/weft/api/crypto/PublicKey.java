package io.weft.api.crypto;

import io.weft.api.InvalidInputException;
import io.weft.api.format.Multibase;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * An Ed25519 public key. Its byte form is the libp2p {@code PublicKey} protobuf
 * {@code 08 01 12 20 || key}, as identities and records carry it; its text form is multibase base32 of
 * those bytes (go-threads' identity string).
 */
public record PublicKey(byte[] raw) {
    /** Length of a raw Ed25519 public key. */
    public static final int LENGTH = 32;
    private static final byte[] PREFIX = {0x08, 0x01, 0x12, 0x20};

    /** A key from its raw 32 bytes. */
    public PublicKey {
        if (raw == null || raw.length != LENGTH) {
            throw new InvalidInputException("public key: Ed25519 key must be " + LENGTH + " bytes, got " + (raw == null ? 0 : raw.length));
        }
        raw = raw.clone();
    }

    /** Decodes the libp2p protobuf form; only Ed25519 keys are accepted. */
    public static PublicKey unmarshal(byte[] bytes) {
        if (bytes == null || bytes.length != PREFIX.length + LENGTH) {
            throw new InvalidInputException("public key: expected a " + (PREFIX.length + LENGTH) + "-byte Ed25519 libp2p key, got " + (bytes == null ? 0 : bytes.length) + " bytes");
        }
        if (!Arrays.equals(bytes, 0, PREFIX.length, PREFIX, 0, PREFIX.length)) {
            throw new InvalidInputException("public key: not an Ed25519 libp2p key (header " + HexFormat.of().formatHex(bytes, 0, PREFIX.length) + ")");
        }
        return new PublicKey(Arrays.copyOfRange(bytes, PREFIX.length, bytes.length));
    }

    /** Parses the multibase text form. */
    public static PublicKey parse(String text) {
        return unmarshal(Multibase.decode(text));
    }

    /** The raw 32 bytes (a copy). */
    @Override
    public byte[] raw() {
        return raw.clone();
    }

    /** The libp2p protobuf form. */
    public byte[] marshal() {
        byte[] out = Arrays.copyOf(PREFIX, PREFIX.length + LENGTH);
        System.arraycopy(raw, 0, out, PREFIX.length, LENGTH);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PublicKey k && Arrays.equals(k.raw, raw);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(raw);
    }

    /** Multibase base32 of the protobuf form. */
    @Override
    public String toString() {
        return Multibase.encode(marshal());
    }
}
