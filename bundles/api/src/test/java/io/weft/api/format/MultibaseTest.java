package io.weft.api.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.weft.api.InvalidInputException;
import io.weft.api.format.Multibase.Base;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class MultibaseTest {

    private static final byte[] HELLO = "hello world".getBytes(StandardCharsets.US_ASCII);

    /** The examples of the multibase spec (test vector "hello world"). */
    @Test
    void specExamples() {
        assertEquals("bnbswy3dpeb3w64tmmq", Multibase.encode(Base.BASE32, HELLO));
        assertEquals("BNBSWY3DPEB3W64TMMQ", Multibase.encode(Base.BASE32_UPPER, HELLO));
        assertEquals("zStV1DL6CwTryKyV", Multibase.encode(Base.BASE58_BTC, HELLO));
        assertEquals("f68656c6c6f20776f726c64", Multibase.encode(Base.BASE16, HELLO));
        assertEquals("F68656C6C6F20776F726C64", Multibase.encode(Base.BASE16_UPPER, HELLO));
        assertEquals("maGVsbG8gd29ybGQ", Multibase.encode(Base.BASE64, HELLO));
        for (String s : new String[] {"bnbswy3dpeb3w64tmmq", "BNBSWY3DPEB3W64TMMQ", "zStV1DL6CwTryKyV",
                "f68656c6c6f20776f726c64", "F68656C6C6F20776F726C64", "maGVsbG8gd29ybGQ"}) {
            assertArrayEquals(HELLO, Multibase.decode(s), s);
        }
        assertEquals("bnbswy3dpeb3w64tmmq", Multibase.encode(HELLO));
    }

    @Test
    void leadingZerosInBase58() {
        assertEquals("z111", Multibase.encode(Base.BASE58_BTC, new byte[3]));
        assertArrayEquals(new byte[3], Multibase.decode("z111"));
        assertEquals("z11Ldp", Multibase.encode(Base.BASE58_BTC, new byte[] {0, 0, 1, 2, 3}));
        assertArrayEquals(new byte[] {0, 0, 1, 2, 3}, Multibase.decode("z11Ldp"));
    }

    @Test
    void emptyPayloads() {
        for (Base b : Base.values()) {
            String s = Multibase.encode(b, new byte[0]);
            assertEquals(String.valueOf(b.prefix()), s);
            assertArrayEquals(new byte[0], Multibase.decode(s));
        }
    }

    @Test
    void rejectsMalformed() {
        for (String s : new String[] {"", "a", "abc", "Qmfoo", "\u0000", "b1", "bA", "B a", "b===", "bnbswy3dpeb3w64tmmq=",
                "zO0Il", "z+", "f0", "f0g", "fAB", "F0a", "m=", "maGVsbG8gd29ybGQ=", "m*", "m-_", "ma", "b\u00e9",
                "z\u00e9", "f\u0660\u0661"}) {
            assertThrows(InvalidInputException.class, () -> Multibase.decode(s), s);
        }
        assertThrows(InvalidInputException.class, () -> Multibase.decode(null));
        assertThrows(InvalidInputException.class, () -> Multibase.base(""));
    }

    @Test
    void base32RejectsImpossibleLengths() {
        // 1, 3 or 6 trailing characters cannot come from whole bytes
        assertThrows(InvalidInputException.class, () -> Multibase.decode("ba"));
        assertThrows(InvalidInputException.class, () -> Multibase.decode("baaa"));
        assertThrows(InvalidInputException.class, () -> Multibase.decode("baaaaaa"));
        assertArrayEquals(new byte[1], Multibase.decode("baa"));
    }

    @Test
    void base58RejectsHugeInput() {
        String huge = "z" + "2".repeat(Base58.MAX_DECODE_LENGTH + 1);
        assertThrows(InvalidInputException.class, () -> Multibase.decode(huge));
    }

    @Provide
    Arbitrary<byte[]> data() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(80);
        Arbitrary<Integer> zeros = Arbitraries.integers().between(0, 5);
        // leading zero bytes matter to base58
        return Combinators.combine(zeros, random).as((z, r) -> {
            byte[] out = new byte[z + r.length];
            System.arraycopy(r, 0, out, z, r.length);
            return out;
        });
    }

    @Property
    void roundTripsInEveryBase(@ForAll("data") byte[] data, @ForAll Base base) {
        String s = Multibase.encode(base, data);
        assertEquals(base.prefix(), s.charAt(0));
        assertEquals(base, Multibase.base(s));
        assertArrayEquals(data, Multibase.decode(s));
        assertArrayEquals(data, Multibase.decodeRaw(base, Multibase.encodeRaw(base, data)));
    }

    @Property
    void base64MatchesTheJdk(@ForAll("data") byte[] data) {
        assertEquals("m" + Base64.getEncoder().withoutPadding().encodeToString(data), Multibase.encode(Base.BASE64, data));
    }

    @Property
    void base32RejectsNonCanonicalTrailingBits(@ForAll("data") byte[] data, @ForAll @IntRange(min = 1, max = 31) int flip,
            @ForAll boolean upper) {
        Assume.that(data.length % 5 != 0);
        Base base = upper ? Base.BASE32_UPPER : Base.BASE32;
        String s = Multibase.encode(base, data);
        int unusedBits = (5 - (data.length * 8) % 5) % 5;
        int mask = (1 << unusedBits) - 1;
        Assume.that((flip & mask) != 0);
        String alphabet = upper ? "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" : "abcdefghijklmnopqrstuvwxyz234567";
        int last = alphabet.indexOf(s.charAt(s.length() - 1));
        String bad = s.substring(0, s.length() - 1) + alphabet.charAt(last ^ (flip & mask));
        assertThrows(InvalidInputException.class, () -> Multibase.decode(bad));
    }

    @Property
    void base64RejectsNonCanonicalTrailingBits(@ForAll("data") byte[] data, @ForAll @IntRange(min = 1, max = 15) int flip) {
        Assume.that(data.length % 3 != 0);
        String s = Multibase.encode(Base.BASE64, data);
        int unusedBits = data.length % 3 == 1 ? 4 : 2;
        int mask = (1 << unusedBits) - 1;
        Assume.that((flip & mask) != 0);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        int last = alphabet.indexOf(s.charAt(s.length() - 1));
        String bad = s.substring(0, s.length() - 1) + alphabet.charAt(last ^ (flip & mask));
        assertThrows(InvalidInputException.class, () -> Multibase.decode(bad));
    }

    @Property
    void base16IsCaseStrict(@ForAll @Size(min = 1, max = 20) byte[] data) {
        String lower = Multibase.encodeRaw(Base.BASE16, data);
        Assume.that(!lower.equals(lower.toUpperCase()));
        assertThrows(InvalidInputException.class, () -> Multibase.decode("f" + lower.toUpperCase()));
        assertThrows(InvalidInputException.class, () -> Multibase.decode("F" + lower));
    }

    @Property
    void garbageStringsOnlyThrowInvalidInput(@ForAll @Size(max = 60) String garbage) {
        Fuzz.onlyInvalidInput(() -> Multibase.decode(garbage));
    }

    @Provide
    Arbitrary<String> prefixedGarbage() {
        Arbitrary<Character> prefix = Arbitraries.of('b', 'B', 'z', 'f', 'F', 'm', 'u', '1');
        Arbitrary<String> body = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(60),
                Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=-_")
                        .ofMaxLength(60));
        return Combinators.combine(prefix, body).as((p, b) -> p + b);
    }

    @Property
    void prefixedGarbageOnlyThrowsInvalidInput(@ForAll("prefixedGarbage") String garbage) {
        Fuzz.onlyInvalidInput(() -> {
            byte[] decoded = Multibase.decode(garbage);
            // whatever decodes must re-encode to exactly the same text: every accepted text is canonical
            assertEquals(garbage, Multibase.encode(Multibase.base(garbage), decoded));
        });
    }

    @Property
    void decodeIsInjective(@ForAll("data") byte[] a, @ForAll("data") byte[] b, @ForAll Base base) {
        Assume.that(!Arrays.equals(a, b));
        assertEquals(false, Multibase.encode(base, a).equals(Multibase.encode(base, b)));
    }
}
