package io.weft.api.format;

import io.weft.api.InvalidInputException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Multibase text encoding: one prefix character naming the base, then the data in that base. Encodes and
 * decodes {@code b} (base32 lower, no padding: the default), {@code B} (base32 upper), {@code z} (base58btc),
 * {@code f} (base16 lower), {@code F} (base16 upper) and {@code m} (base64, no padding).
 */
public final class Multibase {

    /** The supported bases and their prefix characters. */
    public enum Base {
        BASE32('b'), BASE32_UPPER('B'), BASE58_BTC('z'), BASE16('f'), BASE16_UPPER('F'), BASE64('m');

        private final char prefix;

        Base(char prefix) {
            this.prefix = prefix;
        }

        /** The multibase prefix character. */
        public char prefix() {
            return prefix;
        }

        /** The base whose prefix is {@code c}. */
        public static Base ofPrefix(char c) {
            for (Base b : values()) {
                if (b.prefix == c) {
                    return b;
                }
            }
            throw new InvalidInputException("multibase: unsupported encoding prefix '" + printable(c) + "'");
        }
    }

    private Multibase() {
    }

    /** {@code data} in base32 lower case with the {@code b} prefix. */
    public static String encode(byte[] data) {
        return encode(Base.BASE32, data);
    }

    /** {@code data} in {@code base}, with its prefix. */
    public static String encode(Base base, byte[] data) {
        return base.prefix + encodeRaw(base, data);
    }

    /** {@code data} in {@code base}, without a prefix. */
    public static String encodeRaw(Base base, byte[] data) {
        return switch (base) {
            case BASE32 -> Base32.encode(data, false);
            case BASE32_UPPER -> Base32.encode(data, true);
            case BASE58_BTC -> Base58.encode(data);
            case BASE16 -> HexFormat.of().formatHex(data);
            case BASE16_UPPER -> HexFormat.of().withUpperCase().formatHex(data);
            case BASE64 -> Base64.getEncoder().withoutPadding().encodeToString(data);
        };
    }

    /** Decodes multibase text in any supported base. */
    public static byte[] decode(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidInputException("multibase: empty string");
        }
        return decodeRaw(base(text), text.substring(1));
    }

    /** The base named by the prefix of {@code text}. */
    public static Base base(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidInputException("multibase: empty string");
        }
        return Base.ofPrefix(text.charAt(0));
    }

    /** Decodes {@code text} (without prefix) in {@code base}. */
    public static byte[] decodeRaw(Base base, String text) {
        return switch (base) {
            case BASE32 -> Base32.decode(text, false);
            case BASE32_UPPER -> Base32.decode(text, true);
            case BASE58_BTC -> Base58.decode(text);
            case BASE16, BASE16_UPPER -> hex(text, base == Base.BASE16_UPPER);
            case BASE64 -> base64(text);
        };
    }

    private static byte[] hex(String text, boolean upper) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (upper ? (c >= 'A' && c <= 'F') : (c >= 'a' && c <= 'f'));
            if (!ok) {
                throw new InvalidInputException("multibase: invalid base16 character '" + printable(c) + "' at " + i);
            }
        }
        if (text.length() % 2 != 0) {
            throw new InvalidInputException("multibase: odd base16 length " + text.length());
        }
        return HexFormat.of().parseHex(text);
    }

    private static byte[] base64(String text) {
        if (text.indexOf('=') >= 0) {
            throw new InvalidInputException("multibase: base64 must not be padded");
        }
        if (text.length() % 4 == 1) {
            throw new InvalidInputException("multibase: invalid base64 length " + text.length());
        }
        try {
            byte[] out = Base64.getDecoder().decode(text);
            if (!Base64.getEncoder().withoutPadding().encodeToString(out).equals(text)) {
                throw new InvalidInputException("multibase: non-canonical base64 (nonzero trailing bits)");
            }
            return out;
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("multibase: invalid base64: " + e.getMessage());
        }
    }

    static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c);
    }
}
