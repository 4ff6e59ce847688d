package io.weft.core.cbor;

import io.weft.api.InvalidInputException;
import io.weft.api.format.Cid;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable dag-cbor value (the IPLD data model): map, list, bytes, text, integer, float, boolean, null or
 * link. Every value has exactly one representation, so {@code equals} agrees with byte equality of the
 * {@link DagCbor#encode encoded} form:
 * <ul>
 *   <li>integers in the {@code long} range are {@link IntValue}; only those outside it (up to the CBOR limits
 *       {@code -2^64} and {@code 2^64-1}) are {@link BigIntValue};</li>
 *   <li>floats are 64-bit and never NaN or infinite (the IPLD data model has no such values);</li>
 *   <li>map keys are strings and a {@link MapValue} keeps its entries in dag-cbor canonical order (shorter UTF-8
 *       key first, then bytewise).</li>
 * </ul>
 * Build values with the static factories: {@code CborValue.map("foo", CborValue.text("bar"))}.
 */
public sealed interface CborValue {

    /** The null value. */
    NullValue NULL = new NullValue();
    /** The boolean true. */
    BoolValue TRUE = new BoolValue(true);
    /** The boolean false. */
    BoolValue FALSE = new BoolValue(false);

    // ---- factories --------------------------------------------------------------------------------------

    /** A text string. */
    static TextValue text(String s) {
        return new TextValue(s);
    }

    /** A byte string (the array is copied). */
    static BytesValue bytes(byte[] b) {
        return new BytesValue(b);
    }

    /** An integer. */
    static IntValue integer(long v) {
        return new IntValue(v);
    }

    /** An integer in {@code [-2^64, 2^64-1]}, as {@link IntValue} when it fits a {@code long}. */
    static CborValue integer(BigInteger v) {
        return v.bitLength() < 64 ? new IntValue(v.longValue()) : new BigIntValue(v);
    }

    /** A 64-bit float; NaN and infinities are rejected. */
    static FloatValue float64(double d) {
        return new FloatValue(d);
    }

    /** A boolean. */
    static BoolValue bool(boolean b) {
        return b ? TRUE : FALSE;
    }

    /** A link (tag 42). */
    static LinkValue link(Cid cid) {
        return new LinkValue(cid);
    }

    /** A list of the given values. */
    static ListValue list(CborValue... items) {
        return new ListValue(Arrays.asList(items));
    }

    /** A list of the given values. */
    static ListValue list(List<? extends CborValue> items) {
        if (items == null) {
            throw new InvalidInputException("dag-cbor: list items are required");
        }
        return new ListValue(new java.util.ArrayList<CborValue>(items));
    }

    /** A map of the given entries (any order; stored canonically). */
    static MapValue map(Map<String, ? extends CborValue> entries) {
        if (entries == null) {
            throw new InvalidInputException("dag-cbor: map entries are required");
        }
        return new MapValue(new LinkedHashMap<String, CborValue>(entries));
    }

    /** The empty map. */
    static MapValue map() {
        return new MapValue(Map.of());
    }

    /** A map of one entry. */
    static MapValue map(String k1, CborValue v1) {
        return builder().put(k1, v1).build();
    }

    /** A map of two entries. */
    static MapValue map(String k1, CborValue v1, String k2, CborValue v2) {
        return builder().put(k1, v1).put(k2, v2).build();
    }

    /** A map of three entries. */
    static MapValue map(String k1, CborValue v1, String k2, CborValue v2, String k3, CborValue v3) {
        return builder().put(k1, v1).put(k2, v2).put(k3, v3).build();
    }

    /** A map of four entries. */
    static MapValue map(String k1, CborValue v1, String k2, CborValue v2, String k3, CborValue v3, String k4, CborValue v4) {
        return builder().put(k1, v1).put(k2, v2).put(k3, v3).put(k4, v4).build();
    }

    /** A builder for maps with more entries; duplicate keys are rejected. */
    static MapBuilder builder() {
        return new MapBuilder();
    }

    // ---- value types ------------------------------------------------------------------------------------

    /** A map with text keys, entries in canonical order. */
    record MapValue(Map<String, CborValue> entries) implements CborValue {
        public MapValue {
            if (entries == null) {
                throw new InvalidInputException("dag-cbor: map entries are required");
            }
            entries = canonical(entries);
        }

        private static Map<String, CborValue> canonical(Map<String, ? extends CborValue> in) {
            int n = in.size();
            String[] keys = new String[n];
            byte[][] utf8 = new byte[n][];
            int i = 0;
            for (Map.Entry<String, ? extends CborValue> e : in.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new InvalidInputException("dag-cbor: map keys and values must not be null");
                }
                keys[i] = e.getKey();
                utf8[i] = Utf8.encode(e.getKey());
                i++;
            }
            Integer[] order = new Integer[n];
            for (int j = 0; j < n; j++) {
                order[j] = j;
            }
            Arrays.sort(order, (a, b) -> compareKeys(utf8[a], utf8[b]));
            LinkedHashMap<String, CborValue> out = new LinkedHashMap<>(Math.max(4, n * 2));
            for (int j = 0; j < n; j++) {
                out.put(keys[order[j]], in.get(keys[order[j]]));
            }
            return Collections.unmodifiableMap(out);
        }

        /** The value under {@code key}, if present. */
        public Optional<CborValue> get(String key) {
            return Optional.ofNullable(entries.get(key));
        }

        /** The number of entries. */
        public int size() {
            return entries.size();
        }

        @Override
        public String toString() {
            return "Map" + entries;
        }
    }

    /** A list. */
    record ListValue(List<CborValue> items) implements CborValue {
        public ListValue {
            if (items == null) {
                throw new InvalidInputException("dag-cbor: list items are required");
            }
            for (CborValue v : items) {
                if (v == null) {
                    throw new InvalidInputException("dag-cbor: list items must not be null (use CborValue.NULL)");
                }
            }
            items = List.copyOf(items);
        }

        /** The number of items. */
        public int size() {
            return items.size();
        }

        @Override
        public String toString() {
            return "List" + items;
        }
    }

    /** A byte string. The accessor returns a copy. */
    record BytesValue(byte[] value) implements CborValue {
        public BytesValue {
            if (value == null) {
                throw new InvalidInputException("dag-cbor: byte string is required");
            }
            value = value.clone();
        }

        /** A copy of the bytes. */
        @Override
        public byte[] value() {
            return value.clone();
        }

        /** The number of bytes. */
        public int length() {
            return value.length;
        }

        /** The internal array: package code only, never modified. */
        byte[] unsafeBytes() {
            return value;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof BytesValue b && Arrays.equals(b.value, value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(value);
        }

        /** The length only (byte strings in records are ciphertexts and keys). */
        @Override
        public String toString() {
            return "Bytes[" + value.length + "]";
        }
    }

    /** A text string. */
    record TextValue(String value) implements CborValue {
        public TextValue {
            if (value == null) {
                throw new InvalidInputException("dag-cbor: text is required");
            }
            // rejects unpaired surrogates, which have no UTF-8 form
            Utf8.encode(value);
        }

        @Override
        public String toString() {
            return '"' + value + '"';
        }
    }

    /** An integer in the {@code long} range. */
    record IntValue(long value) implements CborValue {
        @Override
        public String toString() {
            return Long.toString(value);
        }
    }

    /** An integer outside the {@code long} range but within {@code [-2^64, 2^64-1]}. */
    record BigIntValue(BigInteger value) implements CborValue {
        static final BigInteger MIN = BigInteger.ONE.shiftLeft(64).negate();
        static final BigInteger MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

        public BigIntValue {
            if (value == null) {
                throw new InvalidInputException("dag-cbor: integer is required");
            }
            if (value.bitLength() < 64) {
                throw new InvalidInputException("dag-cbor: " + value + " fits a long; use CborValue.integer");
            }
            if (value.compareTo(MIN) < 0 || value.compareTo(MAX) > 0) {
                throw new InvalidInputException("dag-cbor: integer outside [-2^64, 2^64-1]");
            }
        }

        @Override
        public String toString() {
            return value.toString();
        }
    }

    /** A 64-bit float, never NaN or infinite. */
    record FloatValue(double value) implements CborValue {
        public FloatValue {
            if (Double.isNaN(value) || Double.isInfinite(value)) {
                throw new InvalidInputException("dag-cbor: NaN and infinities are not allowed");
            }
        }

        @Override
        public String toString() {
            return Double.toString(value);
        }
    }

    /** A boolean. */
    record BoolValue(boolean value) implements CborValue {
        @Override
        public String toString() {
            return Boolean.toString(value);
        }
    }

    /** The null value. */
    record NullValue() implements CborValue {
        @Override
        public String toString() {
            return "null";
        }
    }

    /** A link to another node: tag 42 over {@code 0x00 || CID bytes}. */
    record LinkValue(Cid cid) implements CborValue {
        public LinkValue {
            if (cid == null) {
                throw new InvalidInputException("dag-cbor: link CID is required");
            }
        }

        @Override
        public String toString() {
            return "Link[" + cid + "]";
        }
    }

    /** Collects map entries; rejects duplicate keys. */
    final class MapBuilder {
        private final LinkedHashMap<String, CborValue> entries = new LinkedHashMap<>();

        private MapBuilder() {
        }

        /** Adds an entry. */
        public MapBuilder put(String key, CborValue value) {
            if (key == null || value == null) {
                throw new InvalidInputException("dag-cbor: map keys and values must not be null");
            }
            if (entries.putIfAbsent(key, value) != null) {
                throw new InvalidInputException("dag-cbor: duplicate map key \"" + key + "\"");
            }
            return this;
        }

        /** The map. */
        public MapValue build() {
            return new MapValue(entries);
        }
    }

    /** Canonical key order: shorter encoded key first, then bytewise unsigned. */
    static int compareKeys(byte[] a, byte[] b) {
        if (a.length != b.length) {
            return Integer.compare(a.length, b.length);
        }
        return Arrays.compareUnsigned(a, b);
    }
}
