package io.weft.api.store;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A half-open range of keys {@code [start, end)} in unsigned lexicographic order. A {@code null} start means
 * from the first key; a {@code null} end means to the last key.
 */
public record KeyRange(byte[] start, byte[] end) {

    public KeyRange {
        start = start == null ? null : start.clone();
        end = end == null ? null : end.clone();
    }

    /** Every key. */
    public static KeyRange all() {
        return new KeyRange(null, null);
    }

    /** Keys in {@code [start, end)}. */
    public static KeyRange between(byte[] start, byte[] end) {
        return new KeyRange(start, end);
    }

    /** Keys that begin with {@code prefix}. */
    public static KeyRange prefix(byte[] prefix) {
        return new KeyRange(prefix, prefixEnd(prefix));
    }

    /** Whether {@code key} lies in this range. */
    public boolean contains(byte[] key) {
        return (start == null || Arrays.compareUnsigned(key, start) >= 0)
                && (end == null || Arrays.compareUnsigned(key, end) < 0);
    }

    /** The start key (a copy), or {@code null}. */
    @Override
    public byte[] start() {
        return start == null ? null : start.clone();
    }

    /** The end key (a copy), or {@code null}. */
    @Override
    public byte[] end() {
        return end == null ? null : end.clone();
    }

    /** The smallest key greater than every key with this prefix, or {@code null} if there is none (all 0xff). */
    public static byte[] prefixEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xff) {
                end[i]++;
                return Arrays.copyOf(end, i + 1);
            }
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyRange r && Arrays.equals(start, r.start) && Arrays.equals(end, r.end);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(start) + Arrays.hashCode(end);
    }

    @Override
    public String toString() {
        HexFormat hex = HexFormat.of();
        return "[" + (start == null ? "-inf" : hex.formatHex(start)) + ", " + (end == null ? "+inf" : hex.formatHex(end)) + ")";
    }
}
