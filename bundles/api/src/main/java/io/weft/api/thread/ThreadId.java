package io.weft.api.thread;

import io.weft.api.InvalidInputException;
import io.weft.api.format.Multibase;
import io.weft.api.format.Varint;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * A thread identity (paper §3.2.1): {@code varint(version=1) || varint(variant) || random}. New ids carry 32
 * random bytes; decoding accepts 16 to 64. Text is multibase base32 ({@code bafk…} for Raw, {@code bafy…} for
 * AccessControlled); parsing accepts any supported multibase.
 */
public final class ThreadId implements Comparable<ThreadId> {
    /** The only id version. */
    public static final int VERSION = 1;
    /** Random bytes in new ids. */
    public static final int DEFAULT_RANDOM_LENGTH = 32;
    /** Fewest random bytes accepted. */
    public static final int MIN_RANDOM_LENGTH = 16;
    /** Most random bytes accepted. */
    public static final int MAX_RANDOM_LENGTH = 64;

    private static final SecureRandom RANDOM = new SecureRandom();

    /** What consumers of a thread may assume (paper §3.2.2). */
    public enum Variant {
        /** No further assumptions. */
        RAW(0x55),
        /** The random part names an access control list. */
        ACCESS_CONTROLLED(0x70);

        private final int code;

        Variant(int code) {
            this.code = code;
        }

        /** The variant's code in the binary form. */
        public int code() {
            return code;
        }

        static Variant ofCode(long code) {
            for (Variant v : values()) {
                if (v.code == code) {
                    return v;
                }
            }
            throw new InvalidInputException("thread id: unknown variant 0x" + Long.toHexString(code));
        }
    }

    private final byte[] bytes;
    private final Variant variant;

    private ThreadId(byte[] bytes, Variant variant) {
        this.bytes = bytes;
        this.variant = variant;
    }

    /** A new Raw id with 32 random bytes. */
    public static ThreadId newRandom() {
        return newRandom(Variant.RAW, DEFAULT_RANDOM_LENGTH);
    }

    /** A new id of {@code variant} with {@code length} random bytes. */
    public static ThreadId newRandom(Variant variant, int length) {
        checkRandomLength(length);
        byte[] random = new byte[length];
        RANDOM.nextBytes(random);
        return of(variant, random);
    }

    /** The id of {@code variant} with the given random part. */
    public static ThreadId of(Variant variant, byte[] random) {
        if (variant == null || random == null) {
            throw new InvalidInputException("thread id: missing variant or random part");
        }
        checkRandomLength(random.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream(random.length + 2);
        Varint.write(out, VERSION);
        Varint.write(out, variant.code);
        out.writeBytes(random);
        return new ThreadId(out.toByteArray(), variant);
    }

    /** Decodes the binary form. */
    public static ThreadId decode(byte[] bytes) {
        if (bytes == null || bytes.length < 2) {
            throw new InvalidInputException("thread id: too short");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        long version = Varint.read(in);
        if (version != VERSION) {
            throw new InvalidInputException("thread id: expected version 1, got " + version);
        }
        Variant variant = Variant.ofCode(Varint.read(in));
        checkRandomLength(in.remaining());
        return new ThreadId(bytes.clone(), variant);
    }

    /** Parses multibase text. */
    public static ThreadId parse(String text) {
        return decode(Multibase.decode(text));
    }

    private static void checkRandomLength(int n) {
        if (n < MIN_RANDOM_LENGTH) {
            throw new InvalidInputException("thread id: random component too small (" + n + " bytes, need at least " + MIN_RANDOM_LENGTH + ")");
        }
        if (n > MAX_RANDOM_LENGTH) {
            throw new InvalidInputException("thread id: random component too large (" + n + " bytes, at most " + MAX_RANDOM_LENGTH + ")");
        }
    }

    /** The variant. */
    public Variant variant() {
        return variant;
    }

    /** The version (always 1). */
    public int version() {
        return VERSION;
    }

    /** The random part (a copy). */
    public byte[] randomPart() {
        return Arrays.copyOfRange(bytes, 2, bytes.length);
    }

    /** The binary form (a copy). */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Text in {@code base}. */
    public String toString(Multibase.Base base) {
        return Multibase.encode(base, bytes);
    }

    /** Base32 text. */
    @Override
    public String toString() {
        return Multibase.encode(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ThreadId t && Arrays.equals(t.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(ThreadId o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }
}
