package io.weft.core.cbor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.weft.api.InvalidInputException;
import io.weft.api.format.Cid;
import java.math.BigInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class DagCborPropertiesTest {

    static boolean wellFormed(String s) {
        return s.codePoints().noneMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF);
    }

    static Arbitrary<String> texts(int max) {
        return Arbitraries.strings().ofMaxLength(max).filter(DagCborPropertiesTest::wellFormed);
    }

    static Arbitrary<CborValue> leaves() {
        return Arbitraries.oneOf(
                Arbitraries.longs().map(CborValue::integer),
                Arbitraries.integers().between(-30, 300).map(i -> CborValue.integer(i)),
                Arbitraries.bigIntegers()
                        .between(BigInteger.ONE.shiftLeft(64).negate(), BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE))
                        .map(CborValue::integer),
                Arbitraries.doubles().filter(d -> !Double.isNaN(d) && !Double.isInfinite(d)).map(CborValue::float64),
                texts(30).map(CborValue::text),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(CborValue::bytes),
                Arbitraries.of(CborValue.TRUE, CborValue.FALSE, CborValue.NULL),
                Arbitraries.bytes().array(byte[].class).ofSize(8).map(b -> CborValue.link(Cid.dagCbor(b))));
    }

    static Arbitrary<CborValue> values(int depth) {
        if (depth == 0) {
            return leaves();
        }
        Arbitrary<CborValue> sub = Arbitraries.lazy(() -> values(depth - 1));
        return Arbitraries.frequencyOf(
                Tuple.of(4, leaves()),
                Tuple.of(1, sub.list().ofMaxSize(5).map(CborValue::list)),
                Tuple.of(1, Arbitraries.maps(texts(8), sub).ofMaxSize(5).map(CborValue::map)));
    }

    @Provide
    Arbitrary<CborValue> values() {
        return values(4);
    }

    /** encode → decode gives the same value, and re-encoding gives the same bytes. */
    @Property(tries = 2000)
    void roundTrip(@ForAll("values") CborValue v) {
        byte[] enc = DagCbor.encode(v);
        CborValue back = DagCbor.decode(enc);
        assertEquals(v, back);
        assertEquals(v.hashCode(), back.hashCode());
        assertArrayEquals(enc, DagCbor.encode(back));
    }

    /** Canonical uniqueness: any byte string the decoder accepts is exactly what the encoder writes for its value. */
    @Property(tries = 5000)
    void acceptedBytesAreCanonical(@ForAll @Size(max = 40) byte[] input) {
        checkCanonicalOrRejected(input);
    }

    /** The same on mutations of valid encodings, which reach much deeper into the decoder than random bytes. */
    @Property(tries = 3000)
    void mutationsAreRejectedOrCanonical(@ForAll("values") CborValue v, @ForAll @IntRange(min = 0, max = 1 << 20) int pos,
            @ForAll @IntRange(min = 0, max = 7) int bit, @ForAll @IntRange(min = 0, max = 2) int kind) {
        byte[] enc = DagCbor.encode(v);
        int i = pos % enc.length;
        byte[] m;
        switch (kind) {
            case 0 -> {
                m = enc.clone();
                m[i] ^= (byte) (1 << bit);
            }
            case 1 -> m = java.util.Arrays.copyOf(enc, i); // truncate
            default -> {
                m = java.util.Arrays.copyOf(enc, enc.length + 1); // append
                m[enc.length] = (byte) (pos >>> 8);
            }
        }
        checkCanonicalOrRejected(m);
    }

    /** A map whose entries are written in any order but the canonical one is rejected (duplicates too). */
    @Property(tries = 1000)
    void nonCanonicalMapOrderIsRejected(@ForAll("values") CborValue value,
            @ForAll @Size(min = 2, max = 6) java.util.Set<@net.jqwik.api.constraints.StringLength(max = 4) String> keySet,
            @ForAll java.util.Random random, @ForAll boolean duplicate) {
        java.util.List<String> keys = new java.util.ArrayList<>();
        for (String k : keySet) {
            if (wellFormed(k)) {
                keys.add(k);
            }
        }
        net.jqwik.api.Assume.that(keys.size() >= 2);
        java.util.Map<String, CborValue> entries = new java.util.HashMap<>();
        keys.forEach(k -> entries.put(k, value));
        java.util.List<String> canonical = new java.util.ArrayList<>(CborValue.map(entries).entries().keySet());
        java.util.List<String> order = new java.util.ArrayList<>(canonical);
        if (duplicate) {
            order.set(1, order.get(0));
        } else {
            do {
                java.util.Collections.shuffle(order, random);
            } while (order.equals(canonical));
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(0xa0 + order.size()); // sizes 2..6 fit the initial byte
        for (String k : order) {
            out.writeBytes(DagCbor.encode(CborValue.text(k)));
            out.writeBytes(DagCbor.encode(value));
        }
        org.junit.jupiter.api.Assertions.assertThrows(InvalidInputException.class, () -> DagCbor.decode(out.toByteArray()));
    }

    private static void checkCanonicalOrRejected(byte[] input) {
        CborValue v;
        try {
            v = DagCbor.decode(input);
        } catch (InvalidInputException e) {
            return; // typed rejection: fine
        }
        assertArrayEquals(input, DagCbor.encode(v));
    }
}
