package io.weft.api.format;

import static io.weft.api.format.TestVectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.weft.api.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class MultihashTest {

    @Test
    void sha256OfKnownInput() {
        Multihash mh = Multihash.sha256("hello world".getBytes(StandardCharsets.US_ASCII));
        assertEquals("1220b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9", hex(mh.bytes()));
        assertEquals(Multihash.SHA2_256, mh.code());
        assertEquals(mh, Multihash.decode(mh.bytes()));
    }

    @Test
    void identity() {
        Multihash mh = Multihash.identity(new byte[] {1, 2, 3});
        assertEquals("0003010203", hex(mh.bytes()));
        assertEquals(mh, Multihash.decode(hex("0003010203")));
        assertEquals(Multihash.identity(new byte[0]), Multihash.decode(hex("0000")));
    }

    @Test
    void digestIsCopied() {
        byte[] d = new byte[32];
        Multihash mh = new Multihash(Multihash.SHA2_256, d);
        d[0] = 1;
        assertEquals(0, mh.digest()[0]);
        mh.digest()[1] = 1;
        assertEquals(0, mh.digest()[1]);
    }

    @Test
    void rejectsMalformed() {
        assertThrows(InvalidInputException.class, () -> Multihash.decode(new byte[0]));
        assertThrows(InvalidInputException.class, () -> Multihash.decode(null));
        assertThrows(InvalidInputException.class, () -> Multihash.decode(hex("12")));
        assertThrows(InvalidInputException.class, () -> Multihash.decode(hex("1220")));
        assertThrows(InvalidInputException.class, () -> Multihash.decode(hex("120100"))); // sha2-256 must be 32 bytes
        assertThrows(InvalidInputException.class, () -> Multihash.decode(hex("00020102ff"))); // trailing byte
        assertThrows(InvalidInputException.class, () -> Multihash.decode(hex("0081"))); // truncated length varint
        assertThrows(InvalidInputException.class, () -> Multihash.decode(hex("00ffffffffffffffff7f"))); // absurd length
        assertThrows(InvalidInputException.class, () -> new Multihash(0, null));
        assertThrows(InvalidInputException.class, () -> new Multihash(-1, new byte[0]));
        assertThrows(InvalidInputException.class, () -> new Multihash(0, new byte[Multihash.MAX_DIGEST + 1]));
    }

    @Test
    void equalityIsByValue() {
        assertEquals(Multihash.identity(new byte[] {1}), Multihash.identity(new byte[] {1}));
        assertEquals(Multihash.identity(new byte[] {1}).hashCode(), Multihash.identity(new byte[] {1}).hashCode());
        assertNotEquals(Multihash.identity(new byte[] {1}), Multihash.identity(new byte[] {2}));
        assertNotEquals(Multihash.identity(new byte[] {1}), new Multihash(0x11, new byte[] {1}));
    }

    @Provide
    static Arbitrary<Multihash> multihashes() {
        Arbitrary<Multihash> sha = Arbitraries.bytes().array(byte[].class).ofMaxSize(100).map(Multihash::sha256);
        Arbitrary<Multihash> id = Arbitraries.bytes().array(byte[].class).ofMaxSize(60).map(Multihash::identity);
        Arbitrary<Multihash> other = Combinators.combine(
                Arbitraries.longs().between(0x13, Long.MAX_VALUE),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(70)).as(Multihash::new);
        return Arbitraries.oneOf(sha, id, other);
    }

    @Property
    void roundTrips(@ForAll("multihashes") Multihash mh) {
        byte[] b = mh.bytes();
        Multihash back = Multihash.decode(b);
        assertEquals(mh, back);
        assertArrayEquals(b, back.bytes());
    }

    @Property
    void everyTruncationIsRejected(@ForAll("multihashes") Multihash mh) {
        byte[] b = mh.bytes();
        for (int n = 0; n < b.length; n++) {
            byte[] cut = Arrays.copyOf(b, n);
            assertThrows(InvalidInputException.class, () -> Multihash.decode(cut), "prefix " + n);
        }
    }

    @Property
    void garbageOnlyThrowsInvalidInput(@ForAll @Size(max = 80) byte[] garbage) {
        Fuzz.onlyInvalidInput(() -> {
            Multihash mh = Multihash.decode(garbage);
            assertArrayEquals(garbage, mh.bytes());
        });
    }
}
