package io.weft.api.format;

import io.weft.api.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A self-describing hash: {@code varint(code) || varint(length) || digest}. Weft produces sha2-256
 * ({@code 0x12}) digests and identity ({@code 0x00}) multihashes (for peer and log ids).
 */
public record Multihash(long code, byte[] digest) {
    /** The sha2-256 function code. */
    public static final long SHA2_256 = 0x12;
    /** The identity "hash": the digest is the input itself. */
    public static final long IDENTITY = 0x00;
    /** Longest digest accepted when decoding (identity digests of public keys fit easily). */
    public static final int MAX_DIGEST = 1024;

    /** A multihash of {@code code} over {@code digest}; sha2-256 digests must be 32 bytes. */
    public Multihash {
        if (digest == null) {
            throw new InvalidInputException("multihash: missing digest");
        }
        if (code < 0) {
            throw new InvalidInputException("multihash: negative code");
        }
        if (digest.length > MAX_DIGEST) {
            throw new InvalidInputException("multihash: digest longer than " + MAX_DIGEST + " bytes");
        }
        if (code == SHA2_256 && digest.length != 32) {
            throw new InvalidInputException("multihash: sha2-256 digest must be 32 bytes, got " + digest.length);
        }
        digest = digest.clone();
    }

    /** The sha2-256 multihash of {@code data}. */
    public static Multihash sha256(byte[] data) {
        try {
            return new Multihash(SHA2_256, MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    /** The identity multihash of {@code data}. */
    public static Multihash identity(byte[] data) {
        return new Multihash(IDENTITY, data);
    }

    /** Decodes bytes that must hold exactly one multihash. */
    public static Multihash decode(byte[] bytes) {
        if (bytes == null) {
            throw new InvalidInputException("multihash: missing input");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        Multihash mh = read(in);
        if (in.hasRemaining()) {
            throw new InvalidInputException("multihash: " + in.remaining() + " trailing bytes");
        }
        return mh;
    }

    /** Reads one multihash at the buffer's position. */
    public static Multihash read(ByteBuffer in) {
        long code = Varint.read(in);
        long len = Varint.read(in);
        if (len > MAX_DIGEST) {
            throw new InvalidInputException("multihash: digest length " + len + " exceeds " + MAX_DIGEST);
        }
        if (in.remaining() < len) {
            throw new InvalidInputException("multihash: truncated digest (need " + len + ", have " + in.remaining() + ")");
        }
        byte[] digest = new byte[(int) len];
        in.get(digest);
        return new Multihash(code, digest);
    }

    /** The digest (a copy). */
    @Override
    public byte[] digest() {
        return digest.clone();
    }

    /** The binary form. */
    public byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(digest.length + 4);
        Varint.write(out, code);
        Varint.write(out, digest.length);
        out.writeBytes(digest);
        return out.toByteArray();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Multihash m && m.code == code && Arrays.equals(m.digest, digest);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(code) * 31 + Arrays.hashCode(digest);
    }

    @Override
    public String toString() {
        return "Multihash[0x" + Long.toHexString(code) + ", " + HexFormat.of().formatHex(digest) + "]";
    }
}
