package io.weft.api.format;

import io.weft.api.InvalidInputException;

/** RFC 4648 base32 without padding, as multibase uses it; decoding rejects stray bits so text is canonical. */
final class Base32 {
    private static final String LOWER = "abcdefghijklmnopqrstuvwxyz234567";
    private static final String UPPER = LOWER.toUpperCase(java.util.Locale.ROOT);

    private Base32() {
    }

    static String encode(byte[] data, boolean upper) {
        String alphabet = upper ? UPPER : LOWER;
        StringBuilder sb = new StringBuilder((int) ((data.length * 8L + 4) / 5));
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xFF);
            bits += 8;
            while (bits >= 5) {
                sb.append(alphabet.charAt((buffer >>> (bits - 5)) & 0x1F));
                bits -= 5;
            }
        }
        if (bits > 0) {
            sb.append(alphabet.charAt((buffer << (5 - bits)) & 0x1F));
        }
        return sb.toString();
    }

    static byte[] decode(String text, boolean upper) {
        String alphabet = upper ? UPPER : LOWER;
        int rem = text.length() % 8;
        if (rem == 1 || rem == 3 || rem == 6) {
            throw new InvalidInputException("multibase: invalid base32 length " + text.length());
        }
        byte[] out = new byte[(int) (text.length() * 5L / 8)];
        int buffer = 0;
        int bits = 0;
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int v = alphabet.indexOf(c);
            if (v < 0) {
                throw new InvalidInputException("multibase: invalid base32 character '" + Multibase.printable(c) + "' at " + i);
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out[n++] = (byte) (buffer >>> (bits - 8));
                bits -= 8;
            }
        }
        if ((buffer & ((1 << bits) - 1)) != 0) {
            throw new InvalidInputException("multibase: non-canonical base32 (nonzero trailing bits)");
        }
        return out;
    }
}
