package io.weft.api.format;

import io.weft.api.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * Unsigned LEB128 varints as used by every multiformat. Decoding rejects truncated input, values that do not
 * fit in 63 bits (more than 9 bytes) and non-minimal encodings (a trailing zero group), so each value has
 * exactly one encoding.
 */
public final class Varint {
    /** The longest encoding accepted: 9 bytes carry 63 bits. */
    public static final int MAX_LENGTH = 9;

    private Varint() {
    }

    /** The encoding of {@code value}, which must not be negative. */
    public static byte[] encode(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(MAX_LENGTH);
        write(out, value);
        return out.toByteArray();
    }

    /** Appends the encoding of {@code value} to {@code out}. */
    public static void write(ByteArrayOutputStream out, long value) {
        if (value < 0) {
            throw new InvalidInputException("varint: negative value " + value);
        }
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    /** How many bytes {@link #encode(long)} produces for {@code value}. */
    public static int length(long value) {
        if (value < 0) {
            throw new InvalidInputException("varint: negative value " + value);
        }
        int n = 1;
        while ((value & ~0x7FL) != 0) {
            value >>>= 7;
            n++;
        }
        return n;
    }

    /** Reads one varint at the buffer's position and advances past it. */
    public static long read(ByteBuffer in) {
        long value = 0;
        for (int i = 0; i < MAX_LENGTH; i++) {
            if (!in.hasRemaining()) {
                throw new InvalidInputException("varint: truncated input");
            }
            int b = in.get() & 0xFF;
            value |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                if (b == 0 && i > 0) {
                    throw new InvalidInputException("varint: non-minimal encoding");
                }
                return value;
            }
        }
        throw new InvalidInputException("varint: longer than " + MAX_LENGTH + " bytes");
    }

    /** Decodes a buffer that must hold exactly one varint. */
    public static long decodeExact(byte[] bytes) {
        if (bytes == null) {
            throw new InvalidInputException("varint: missing input");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        long value = read(in);
        if (in.hasRemaining()) {
            throw new InvalidInputException("varint: " + in.remaining() + " trailing bytes");
        }
        return value;
    }
}
