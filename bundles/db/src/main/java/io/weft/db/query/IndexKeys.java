package io.weft.db.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.weft.api.CorruptDataException;
import io.weft.api.InvalidInputException;
import io.weft.api.db.QueryValue;
import io.weft.api.store.KeyRange;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The order-preserving byte encoding of index values ("value keys").
 *
 * <p><b>Order.</b> For any two values, {@code Arrays.compareUnsigned(keyOf(a), keyOf(b))} has the sign of
 * their order in query sorting: {@linkplain #MISSING missing} first, then booleans ({@code false < true}),
 * numbers (numerically; {@code -0.0 == 0.0}), strings (by Unicode code point), the same order as
 * {@link QueryValue#compareTo} with "missing" before everything.
 *
 * <p><b>Prefix-free.</b> No value key is a proper prefix of another, and every value key is self-delimiting
 * ({@link #encodedLength}). So an index entry stored as {@code indexPrefix || valueKey || utf8(instanceId)}
 * sorts by value first and by instance id second, and {@link #storeRange} turns a value range into a store
 * key range exactly.
 *
 * <p><b>Layout.</b> One type tag byte, then:
 * <ul>
 *   <li>{@link #TAG_MISSING} {@code 0x10}: nothing (the path holds no comparable value: absent, null, object,
 *       array, NaN);</li>
 *   <li>{@link #TAG_BOOL} {@code 0x20}: {@code 0x00} for false, {@code 0x01} for true;</li>
 *   <li>{@link #TAG_FLOAT} {@code 0x30}: the 8 big-endian bytes of the IEEE 754 bits, with the sign bit flipped
 *       for positive numbers and all bits flipped for negative ones ({@code -0.0} is first made {@code 0.0};
 *       NaN is rejected);</li>
 *   <li>{@link #TAG_STRING} {@code 0x40}: the UTF-8 bytes of the string's code points (an unpaired surrogate
 *       is encoded as the 3-byte sequence of its own value, so every Java string round-trips), with each
 *       {@code 0x00} byte written as {@code 0x00 0xFF}, then the terminator {@code 0x00 0x01}.</li>
 * </ul>
 */
public final class IndexKeys {

    /** Tag of the key for "no comparable value at the path". */
    public static final byte TAG_MISSING = 0x10;
    /** Tag of boolean keys. */
    public static final byte TAG_BOOL = 0x20;
    /** Tag of number keys. */
    public static final byte TAG_FLOAT = 0x30;
    /** Tag of string keys. */
    public static final byte TAG_STRING = 0x40;

    private static final byte[] MISSING = {TAG_MISSING};

    private IndexKeys() {
    }

    /**
     * The value key an index on {@code path} holds for {@code instance}: {@link #encode(QueryValue) encode} of
     * {@link QueryValue#at(JsonNode, String) the value at the path}, or {@link #missing()} when there is none.
     * Every instance has exactly one value key per index, missing or not.
     */
    public static byte[] keyOf(JsonNode instance, String path) {
        QueryValue v = QueryValue.at(instance, path);
        return v == null ? missing() : encode(v);
    }

    /** The value key of "no comparable value" (one byte, {@link #TAG_MISSING}); sorts before every value. */
    public static byte[] missing() {
        return MISSING.clone();
    }

    /** Whether {@code valueKey} is the {@linkplain #missing() missing} key. */
    public static boolean isMissing(byte[] valueKey) {
        return valueKey.length == 1 && valueKey[0] == TAG_MISSING;
    }

    /** The value key of {@code value}. */
    public static byte[] encode(QueryValue value) {
        switch (value.type()) {
            case BOOL:
                return encode(value.boolValue());
            case FLOAT:
                return encode(value.doubleValue());
            default:
                return encode(value.stringValue());
        }
    }

    /** The value key of a boolean. */
    public static byte[] encode(boolean value) {
        return new byte[] {TAG_BOOL, (byte) (value ? 1 : 0)};
    }

    /**
     * The value key of a number.
     *
     * @throws InvalidInputException if {@code value} is NaN
     */
    public static byte[] encode(double value) {
        if (Double.isNaN(value)) {
            throw new InvalidInputException("NaN has no index key");
        }
        long bits = Double.doubleToRawLongBits(value == 0.0 ? 0.0 : value);
        bits = bits < 0 ? ~bits : bits ^ Long.MIN_VALUE;
        byte[] out = new byte[9];
        out[0] = TAG_FLOAT;
        for (int i = 0; i < 8; i++) {
            out[1 + i] = (byte) (bits >>> (56 - 8 * i));
        }
        return out;
    }

    /** The value key of a string. */
    public static byte[] encode(String value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length() + 4);
        out.write(TAG_STRING);
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == 0) {
                out.write(0x00);
                out.write(0xFF);
            } else if (cp < 0x80) {
                out.write(cp);
            } else if (cp < 0x800) {
                out.write(0xC0 | (cp >>> 6));
                out.write(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                out.write(0xE0 | (cp >>> 12));
                out.write(0x80 | ((cp >>> 6) & 0x3F));
                out.write(0x80 | (cp & 0x3F));
            } else {
                out.write(0xF0 | (cp >>> 18));
                out.write(0x80 | ((cp >>> 12) & 0x3F));
                out.write(0x80 | ((cp >>> 6) & 0x3F));
                out.write(0x80 | (cp & 0x3F));
            }
        }
        out.write(0x00);
        out.write(0x01);
        return out.toByteArray();
    }

    /**
     * The length of the value key that starts at {@code offset} in {@code bytes} (anything may follow it).
     *
     * @throws CorruptDataException if no well-formed value key starts there
     */
    public static int encodedLength(byte[] bytes, int offset) {
        if (offset < 0 || offset >= bytes.length) {
            throw new CorruptDataException("index value key: nothing at offset " + offset);
        }
        switch (bytes[offset]) {
            case TAG_MISSING:
                return 1;
            case TAG_BOOL:
                if (offset + 2 > bytes.length || (bytes[offset + 1] & 0xFF) > 1) {
                    throw new CorruptDataException("index value key: bad boolean");
                }
                return 2;
            case TAG_FLOAT:
                if (offset + 9 > bytes.length) {
                    throw new CorruptDataException("index value key: truncated number");
                }
                return 9;
            case TAG_STRING:
                for (int i = offset + 1; i + 1 < bytes.length; i++) {
                    if (bytes[i] == 0) {
                        int next = bytes[i + 1] & 0xFF;
                        if (next == 0x01) {
                            return i + 2 - offset;
                        }
                        if (next != 0xFF) {
                            throw new CorruptDataException("index value key: bad escape in string");
                        }
                        i++;
                    }
                }
                throw new CorruptDataException("index value key: unterminated string");
            default:
                throw new CorruptDataException("index value key: unknown type tag " + (bytes[offset] & 0xFF));
        }
    }

    /**
     * The value a key encodes, or {@code null} for the {@linkplain #missing() missing} key.
     *
     * @throws CorruptDataException if {@code valueKey} is not exactly one well-formed value key
     */
    public static QueryValue decode(byte[] valueKey) {
        int n = encodedLength(valueKey, 0);
        if (n != valueKey.length) {
            throw new CorruptDataException("index value key: trailing bytes");
        }
        switch (valueKey[0]) {
            case TAG_MISSING:
                return null;
            case TAG_BOOL:
                return QueryValue.of(valueKey[1] == 1);
            case TAG_FLOAT: {
                long bits = 0;
                for (int i = 1; i <= 8; i++) {
                    bits = (bits << 8) | (valueKey[i] & 0xFF);
                }
                bits = bits < 0 ? bits ^ Long.MIN_VALUE : ~bits;
                double d = Double.longBitsToDouble(bits);
                if (Double.isNaN(d) || Double.doubleToRawLongBits(d) == Long.MIN_VALUE) {
                    throw new CorruptDataException("index value key: NaN or -0.0");
                }
                return QueryValue.of(d);
            }
            default:
                return QueryValue.of(decodeString(valueKey, 1, n - 2));
        }
    }

    private static String decodeString(byte[] b, int from, int to) {
        StringBuilder sb = new StringBuilder(to - from);
        int i = from;
        while (i < to) {
            int c = b[i] & 0xFF;
            int cp;
            int len;
            if (c == 0) {
                cp = 0;
                len = 2;
            } else if (c < 0x80) {
                cp = c;
                len = 1;
            } else if (c >= 0xC2 && c < 0xE0) {
                cp = c & 0x1F;
                len = 2;
            } else if (c >= 0xE0 && c < 0xF0) {
                cp = c & 0x0F;
                len = 3;
            } else if (c >= 0xF0 && c < 0xF5) {
                cp = c & 0x07;
                len = 4;
            } else {
                throw new CorruptDataException("index value key: bad UTF-8 in string");
            }
            if (i + len > to) {
                throw new CorruptDataException("index value key: truncated UTF-8 in string");
            }
            if (c != 0) {
                for (int k = 1; k < len; k++) {
                    int cc = b[i + k] & 0xFF;
                    if ((cc & 0xC0) != 0x80) {
                        throw new CorruptDataException("index value key: bad UTF-8 in string");
                    }
                    cp = (cp << 6) | (cc & 0x3F);
                }
                int min = len == 2 ? 0x80 : len == 3 ? 0x800 : len == 4 ? 0x10000 : 1;
                if (cp < min || cp > Character.MAX_CODE_POINT) {
                    throw new CorruptDataException("index value key: overlong or out-of-range UTF-8 in string");
                }
            }
            sb.appendCodePoint(cp);
            i += len;
        }
        String s = sb.toString();
        if (!Arrays.equals(encode(s), Arrays.copyOfRange(b, from - 1, to + 2))) {
            // e.g. a surrogate pair written as two 3-byte sequences: not the canonical form
            throw new CorruptDataException("index value key: string not in canonical form");
        }
        return s;
    }

    /**
     * The smallest key of type {@code type}'s region: every value key of that type is {@code >=} it. One byte
     * (the tag); usable as an inclusive lower {@link DocumentSource.Bound}.
     */
    public static byte[] typeStart(QueryValue.Type type) {
        return new byte[] {tag(type)};
    }

    /**
     * The end of type {@code type}'s region: every value key of that type is {@code <} it, every key of a later
     * type {@code >=}. One byte (the tag plus one); usable as an exclusive upper {@link DocumentSource.Bound}.
     */
    public static byte[] typeEnd(QueryValue.Type type) {
        return new byte[] {(byte) (tag(type) + 1)};
    }

    private static byte tag(QueryValue.Type type) {
        switch (type) {
            case BOOL:
                return TAG_BOOL;
            case FLOAT:
                return TAG_FLOAT;
            default:
                return TAG_STRING;
        }
    }

    /**
     * The store key of an index entry: {@code indexPrefix || valueKey || utf8(instanceId)}. With this layout a
     * store scan of the index yields entries by value key, then by instance id (code point order), which is
     * what {@link DocumentSource#scanIndex} must return.
     */
    public static byte[] entryKey(byte[] indexPrefix, byte[] valueKey, String instanceId) {
        byte[] id = instanceId.getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(indexPrefix, indexPrefix.length + valueKey.length + id.length);
        System.arraycopy(valueKey, 0, out, indexPrefix.length, valueKey.length);
        System.arraycopy(id, 0, out, indexPrefix.length + valueKey.length, id.length);
        return out;
    }

    /**
     * The value key of an {@link #entryKey entry key} whose index prefix has {@code prefixLength} bytes.
     *
     * @throws CorruptDataException if no well-formed value key follows the prefix
     */
    public static byte[] valueKeyOfEntry(byte[] entryKey, int prefixLength) {
        int n = encodedLength(entryKey, prefixLength);
        return Arrays.copyOfRange(entryKey, prefixLength, prefixLength + n);
    }

    /**
     * The instance id of an {@link #entryKey entry key} whose index prefix has {@code prefixLength} bytes.
     *
     * @throws CorruptDataException if no well-formed value key follows the prefix
     */
    public static String instanceIdOfEntry(byte[] entryKey, int prefixLength) {
        int n = encodedLength(entryKey, prefixLength);
        return new String(entryKey, prefixLength + n, entryKey.length - prefixLength - n, StandardCharsets.UTF_8);
    }

    /**
     * The store key range holding exactly the entries under {@code indexPrefix} whose value key lies between
     * {@code lower} and {@code upper} (either may be {@code null}: unbounded). Works for entry keys
     * {@code indexPrefix || valueKey || anything}, which includes the {@link #entryKey} layout. A bound's key
     * must be a complete value key or a {@link #typeStart}/{@link #typeEnd} byte (the only bounds
     * {@link QueryEngine} makes), so that no value key is a proper prefix of it. When the bounds admit nothing,
     * the range's start is not below its end, which Weft's stores scan as empty.
     */
    public static KeyRange storeRange(byte[] indexPrefix, DocumentSource.Bound lower, DocumentSource.Bound upper) {
        byte[] start;
        if (lower == null) {
            start = indexPrefix.clone();
        } else {
            byte[] k = concat(indexPrefix, lower.key());
            // entries equal to a complete key all start with prefix||key; a type byte equals no value key
            start = lower.inclusive() || !isValueKey(lower.key()) ? k : after(k);
        }
        byte[] end;
        if (upper == null) {
            end = KeyRange.prefixEnd(indexPrefix);
        } else {
            byte[] k = concat(indexPrefix, upper.key());
            end = upper.inclusive() && isValueKey(upper.key()) ? after(k) : k;
        }
        return new KeyRange(start, end);
    }

    /** Whether {@code bytes} is exactly one well-formed value key. */
    public static boolean isValueKey(byte[] bytes) {
        try {
            return bytes.length > 0 && encodedLength(bytes, 0) == bytes.length;
        } catch (CorruptDataException e) {
            return false;
        }
    }

    /** The smallest key greater than every key that starts with {@code k}; all-0xFF keys cannot occur here. */
    private static byte[] after(byte[] k) {
        byte[] e = KeyRange.prefixEnd(k);
        if (e == null) {
            throw new IllegalStateException("key has no successor");
        }
        return e;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
