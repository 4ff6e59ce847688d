package io.weft.api.format;

import io.weft.api.InvalidInputException;
import java.util.Arrays;

/**
 * Bitcoin base58 (the multibase {@code z} alphabet), as libp2p peer ids print. The conversion is quadratic,
 * so decoding refuses text longer than {@link #MAX_DECODE_LENGTH} characters (base58 is for short ids).
 */
final class Base58 {
    /** Longest text {@link #decode} accepts; bounds the quadratic work an untrusted string can cause. */
    static final int MAX_DECODE_LENGTH = 8192;

    private static final char[] ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".toCharArray();
    private static final int[] INDEX = new int[128];

    static {
        Arrays.fill(INDEX, -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            INDEX[ALPHABET[i]] = i;
        }
    }

    private Base58() {
    }

    static String encode(byte[] input) {
        int zeros = 0;
        while (zeros < input.length && input[zeros] == 0) {
            zeros++;
        }
        byte[] digits = new byte[(int) ((input.length - zeros) * 138L / 100 + 1)];
        int length = 0;
        for (int i = zeros; i < input.length; i++) {
            int carry = input[i] & 0xFF;
            int j = 0;
            for (; j < length || carry != 0; j++) {
                carry += 256 * (digits[j] & 0xFF);
                digits[j] = (byte) (carry % 58);
                carry /= 58;
            }
            length = j;
        }
        StringBuilder sb = new StringBuilder(zeros + length);
        for (int i = 0; i < zeros; i++) {
            sb.append('1');
        }
        for (int i = length - 1; i >= 0; i--) {
            sb.append(ALPHABET[digits[i]]);
        }
        return sb.toString();
    }

    static byte[] decode(String text) {
        if (text.length() > MAX_DECODE_LENGTH) {
            throw new InvalidInputException("multibase: base58 text longer than " + MAX_DECODE_LENGTH + " characters");
        }
        int zeros = 0;
        while (zeros < text.length() && text.charAt(zeros) == '1') {
            zeros++;
        }
        byte[] bytes = new byte[(text.length() - zeros) * 733 / 1000 + 1];
        int length = 0;
        for (int i = zeros; i < text.length(); i++) {
            char c = text.charAt(i);
            int carry = c < 128 ? INDEX[c] : -1;
            if (carry < 0) {
                throw new InvalidInputException("multibase: invalid base58 character '" + Multibase.printable(c) + "' at " + i);
            }
            int j = 0;
            for (; j < length || carry != 0; j++) {
                carry += 58 * (bytes[j] & 0xFF);
                bytes[j] = (byte) carry;
                carry >>>= 8;
            }
            length = j;
        }
        byte[] out = new byte[zeros + length];
        for (int i = 0; i < length; i++) {
            out[out.length - 1 - i] = bytes[i];
        }
        return out;
    }
}
