package io.weft.db.query;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.weft.api.CorruptDataException;
import io.weft.api.InvalidInputException;
import io.weft.api.db.QueryValue;
import io.weft.api.store.Cursor;
import io.weft.api.store.KeyRange;
import io.weft.db.query.DocumentSource.Bound;
import io.weft.store.memory.MemoryDatastore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

/** The order-preserving index value encoding. */
class IndexKeysTest {

    private static final HexFormat HEX = HexFormat.of();

    // ------------------------------------------------------------------ generators

    /** Values of every type, with the edge cases over-represented; {@code Optional.empty()} is "missing". */
    @Provide
    Arbitrary<Optional<QueryValue>> values() {
        Arbitrary<QueryValue> strings = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.strings().ofMaxLength(6)),               // any char, lone surrogates too
                Tuple.of(3, Arbitraries.strings().withChars("a\u0000\u00ff\u00e9b").ofMaxLength(4)),
                Tuple.of(1, Arbitraries.strings().withCharRange('\ud800', '\udfff').ofMaxLength(3)),
                Tuple.of(1, Arbitraries.of("\ud83d\ude00", "\uffff", "\ud7ff", "\ue000", "\u0000", "",
                        "\u0000\u0000", "\u0000\u0001", "a\u0000", "a\u0001")))
                .map(QueryValue::of);
        Arbitrary<QueryValue> numbers = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.doubles().map(d -> d)),
                Tuple.of(2, Arbitraries.longs().map(l -> (double) l)),
                Tuple.of(2, Arbitraries.of(0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE,
                        -Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1.0, -1.0,
                        Double.MIN_NORMAL, 0.1, -0.1, Math.nextUp(1.0), Math.nextDown(1.0))),
                Tuple.of(1, Arbitraries.longs().map(Double::longBitsToDouble).filter(d -> !Double.isNaN(d))))
                .map(QueryValue::of);
        Arbitrary<QueryValue> bools = Arbitraries.of(true, false).map(QueryValue::of);
        return Arbitraries.frequencyOf(
                Tuple.of(4, strings), Tuple.of(4, numbers), Tuple.of(1, bools))
                .optional(0.95);
    }

    @Provide
    Arbitrary<String> ids() {
        // well-formed strings only: ids are stored as standard UTF-8
        return Arbitraries.strings().ofMaxLength(4).filter(IndexKeysTest::wellFormed);
    }

    static boolean wellFormed(String s) {
        return s.codePoints().noneMatch(c -> c >= 0xD800 && c <= 0xDFFF);
    }

    private static byte[] key(Optional<QueryValue> v) {
        return v.map(IndexKeys::encode).orElseGet(IndexKeys::missing);
    }

    /** The documented order, written independently of QueryValue.compareTo. */
    static int referenceCompare(Optional<QueryValue> a, Optional<QueryValue> b) {
        int ra = rank(a);
        int rb = rank(b);
        if (ra != rb || ra == 0) {
            return Integer.compare(ra, rb);
        }
        QueryValue x = a.get();
        QueryValue y = b.get();
        switch (x.type()) {
            case BOOL:
                return Boolean.compare(x.boolValue(), y.boolValue());
            case FLOAT: {
                double p = x.doubleValue();
                double q = y.doubleValue();
                return p < q ? -1 : p > q ? 1 : 0; // -0.0 == 0.0
            }
            default:
                return Arrays.compare(x.stringValue().codePoints().toArray(), y.stringValue().codePoints().toArray());
        }
    }

    private static int rank(Optional<QueryValue> v) {
        if (v.isEmpty()) {
            return 0;
        }
        switch (v.get().type()) {
            case BOOL:
                return 1;
            case FLOAT:
                return 2;
            default:
                return 3;
        }
    }

    // ------------------------------------------------------------------ properties

    @Property(tries = 3000)
    void encodingOrderIsValueOrder(@ForAll("values") Optional<QueryValue> a, @ForAll("values") Optional<QueryValue> b) {
        int expected = Integer.signum(referenceCompare(a, b));
        assertEquals(expected, Integer.signum(Arrays.compareUnsigned(key(a), key(b))), () -> a + " vs " + b);
        if (a.isPresent() && b.isPresent()) {
            assertEquals(expected, Integer.signum(a.get().compareTo(b.get())));
        }
    }

    @Property(tries = 2000)
    void keysArePrefixFreeAndSelfDelimiting(@ForAll("values") Optional<QueryValue> a, @ForAll("values") Optional<QueryValue> b,
            @ForAll byte[] junk) {
        byte[] ka = key(a);
        byte[] kb = key(b);
        if (!Arrays.equals(ka, kb)) {
            assertFalse(startsWith(kb, ka), "prefix");
            assertFalse(startsWith(ka, kb), "prefix");
        }
        byte[] framed = concat(new byte[] {7, 7}, ka, junk);
        assertEquals(ka.length, IndexKeys.encodedLength(framed, 2));
        assertArrayEquals(ka, IndexKeys.valueKeyOfEntry(framed, 2));
    }

    @Property(tries = 2000)
    void decodeInvertsEncode(@ForAll("values") Optional<QueryValue> v) {
        QueryValue back = IndexKeys.decode(key(v));
        assertEquals(v.orElse(null), back);
        if (v.isPresent() && v.get().type() == QueryValue.Type.STRING) {
            assertEquals(v.get().stringValue(), back.stringValue()); // exactly, lone surrogates included
        }
    }

    @Property(tries = 2000)
    void entryKeysSortByValueThenId(@ForAll("values") Optional<QueryValue> a, @ForAll("ids") String ida,
            @ForAll("values") Optional<QueryValue> b, @ForAll("ids") String idb) {
        byte[] prefix = {1, 2, 3};
        byte[] ea = IndexKeys.entryKey(prefix, key(a), ida);
        byte[] eb = IndexKeys.entryKey(prefix, key(b), idb);
        int c = referenceCompare(a, b);
        if (c == 0) {
            c = Arrays.compare(ida.codePoints().toArray(), idb.codePoints().toArray());
        }
        assertEquals(Integer.signum(c), Integer.signum(Arrays.compareUnsigned(ea, eb)));
        assertEquals(ida, IndexKeys.instanceIdOfEntry(ea, prefix.length));
        assertArrayEquals(key(a), IndexKeys.valueKeyOfEntry(ea, prefix.length));
    }

    /** storeRange over a real Datastore selects exactly the entries whose value key lies within the bounds. */
    @Property(tries = 300)
    void storeRangeMatchesBoundSemantics(@ForAll("entrySets") List<Tuple.Tuple2<Optional<QueryValue>, String>> entries,
            @ForAll("bounds") Optional<Bound> lower, @ForAll("bounds") Optional<Bound> upper,
            @ForAll boolean prefixAllFf) {
        byte[] prefix = prefixAllFf ? new byte[] {(byte) 0xff, (byte) 0xff} : new byte[] {0x05, 0x10};
        try (MemoryDatastore store = new MemoryDatastore()) {
            store.update(txn -> {
                // neighbours outside the index, on both sides
                txn.put(new byte[] {0x05}, new byte[0]);
                txn.put(new byte[] {0x05, 0x11}, new byte[0]);
                txn.put(new byte[] {(byte) 0xff}, new byte[0]);
                for (Tuple.Tuple2<Optional<QueryValue>, String> e : entries) {
                    txn.put(IndexKeys.entryKey(prefix, key(e.get1()), e.get2()), new byte[0]);
                }
            });
            List<String> expected = new ArrayList<>();
            for (Tuple.Tuple2<Optional<QueryValue>, String> e : entries) {
                byte[] k = key(e.get1());
                if (within(k, lower.orElse(null), upper.orElse(null))) {
                    expected.add(HEX.formatHex(IndexKeys.entryKey(prefix, k, e.get2())));
                }
            }
            expected = new ArrayList<>(new java.util.TreeSet<>(expected)); // hex order == unsigned byte order
            KeyRange range = IndexKeys.storeRange(prefix, lower.orElse(null), upper.orElse(null));
            List<String> got = store.read(txn -> {
                List<String> out = new ArrayList<>();
                try (Cursor c = txn.scan(range)) {
                    c.forEachRemaining(en -> out.add(HEX.formatHex(en.key())));
                }
                return out;
            });
            assertEquals(expected, got, () -> "range " + range);
        }
    }

    private static boolean within(byte[] k, Bound lower, Bound upper) {
        if (lower != null) {
            int c = Arrays.compareUnsigned(k, lower.key());
            if (c < 0 || (c == 0 && !lower.inclusive())) {
                return false;
            }
        }
        if (upper != null) {
            int c = Arrays.compareUnsigned(k, upper.key());
            if (c > 0 || (c == 0 && !upper.inclusive())) {
                return false;
            }
        }
        return true;
    }

    @Provide
    Arbitrary<List<Tuple.Tuple2<Optional<QueryValue>, String>>> entrySets() {
        Arbitrary<Optional<QueryValue>> small = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.of("", "a", "a\u0000", "ab", "b", "\u00e9").map(QueryValue::of)),
                Tuple.of(2, Arbitraries.of(-1.0, 0.0, 1.0, 2.5, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY)
                        .map(QueryValue::of)),
                Tuple.of(1, Arbitraries.of(true, false).map(QueryValue::of))).optional(0.85);
        return Combinators.combine(small, Arbitraries.of("x", "y", "z", "\u00ff", "xy")).as(Tuple::of)
                .list().ofMaxSize(25);
    }

    @Provide
    Arbitrary<Optional<Bound>> bounds() {
        Arbitrary<byte[]> keys = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of("", "a", "a\u0000", "ab", "b", "\u00e9").map(IndexKeys::encode)),
                Tuple.of(4, Arbitraries.of(-1.0, 0.0, 1.0, 2.5, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY)
                        .map(d -> IndexKeys.encode(d))),
                Tuple.of(2, Arbitraries.of(true, false).map(b -> IndexKeys.encode(b))),
                Tuple.of(1, Arbitraries.just(IndexKeys.missing())),
                Tuple.of(3, Arbitraries.of(QueryValue.Type.class).flatMap(t ->
                        Arbitraries.of(IndexKeys.typeStart(t), IndexKeys.typeEnd(t)))));
        return Combinators.combine(keys, Arbitraries.of(true, false)).as(Bound::new).optional(0.8);
    }

    // ------------------------------------------------------------------ fixed vectors

    @Test
    void vectors() {
        assertEquals("10", HEX.formatHex(IndexKeys.missing()));
        assertEquals("2000", HEX.formatHex(IndexKeys.encode(false)));
        assertEquals("2001", HEX.formatHex(IndexKeys.encode(true)));
        assertEquals("308000000000000000", HEX.formatHex(IndexKeys.encode(0.0)));
        assertEquals("308000000000000000", HEX.formatHex(IndexKeys.encode(-0.0)));
        assertEquals("30bff0000000000000", HEX.formatHex(IndexKeys.encode(1.0)));
        assertEquals("30400fffffffffffff", HEX.formatHex(IndexKeys.encode(-1.0)));
        assertEquals("30fff0000000000000", HEX.formatHex(IndexKeys.encode(Double.POSITIVE_INFINITY)));
        assertEquals("30000fffffffffffff", HEX.formatHex(IndexKeys.encode(Double.NEGATIVE_INFINITY)));
        assertEquals("400001", HEX.formatHex(IndexKeys.encode("")));
        assertEquals("40610001", HEX.formatHex(IndexKeys.encode("a")));
        assertEquals("406100ff0001", HEX.formatHex(IndexKeys.encode("a\u0000")));
        assertEquals("40c3a90001", HEX.formatHex(IndexKeys.encode("\u00e9")));
        assertEquals("40f09f98800001", HEX.formatHex(IndexKeys.encode("\ud83d\ude00")));
        assertEquals("40eda0800001", HEX.formatHex(IndexKeys.encode("\ud800")));
        assertArrayEquals(IndexKeys.encode("x"), IndexKeys.encode(QueryValue.of("x")));
        assertArrayEquals(new byte[] {0x30}, IndexKeys.typeStart(QueryValue.Type.FLOAT));
        assertArrayEquals(new byte[] {0x31}, IndexKeys.typeEnd(QueryValue.Type.FLOAT));
        assertTrue(IndexKeys.isMissing(IndexKeys.missing()));
        assertFalse(IndexKeys.isMissing(IndexKeys.encode(false)));
    }

    @Test
    void keyOfDocuments() {
        var doc = JsonNodeFactory.instance.objectNode();
        doc.put("n", 3).put("s", "x").put("b", true).putNull("z");
        doc.putObject("o").put("p", 2.5);
        doc.putArray("arr").add(1);
        doc.put("nan", Double.NaN);
        assertArrayEquals(IndexKeys.encode(3.0), IndexKeys.keyOf(doc, "n"));
        assertArrayEquals(IndexKeys.encode("x"), IndexKeys.keyOf(doc, "s"));
        assertArrayEquals(IndexKeys.encode(true), IndexKeys.keyOf(doc, "b"));
        assertArrayEquals(IndexKeys.encode(2.5), IndexKeys.keyOf(doc, "o.p"));
        for (String missing : new String[] {"z", "o", "arr", "nan", "absent", "s.t", "o.p.q"}) {
            assertTrue(IndexKeys.isMissing(IndexKeys.keyOf(doc, missing)), missing);
        }
    }

    @Test
    void rejectsNanAndCorruptKeys() {
        assertThrows(InvalidInputException.class, () -> IndexKeys.encode(Double.NaN));
        for (String hex : new String[] {"", "50", "00", "20", "2002", "3001020304", "4061", "400002", "406100",
                "40c0800001", "40eda080edb0800001", "40ff0001", "40e0800001", "40f49000000001", "40e080800001",
                "40f8888080800001"}) {
            byte[] b = HEX.parseHex(hex);
            assertThrows(CorruptDataException.class, () -> IndexKeys.decode(b), hex);
        }
        // a well-formed key followed by more bytes is not one key
        assertThrows(CorruptDataException.class, () -> IndexKeys.decode(HEX.parseHex("200100")));
        // the encodings of NaN and -0.0 never come out of encode, so decode refuses them
        assertThrows(CorruptDataException.class, () -> IndexKeys.decode(HEX.parseHex("30fff8000000000000")));
        assertThrows(CorruptDataException.class, () -> IndexKeys.decode(HEX.parseHex("307fffffffffffffff")));
        assertNull(IndexKeys.decode(IndexKeys.missing()));
        assertThrows(CorruptDataException.class, () -> IndexKeys.encodedLength(new byte[] {0x10}, 1));
    }

    private static boolean startsWith(byte[] a, byte[] prefix) {
        return a.length >= prefix.length && Arrays.equals(a, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int i = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, i, p.length);
            i += p.length;
        }
        return out;
    }
}
