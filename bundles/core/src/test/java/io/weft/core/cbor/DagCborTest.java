package io.weft.core.cbor;

import static io.weft.core.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.api.InvalidInputException;
import io.weft.api.format.Cid;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DagCborTest {
    static final Cid CID = Cid.dagCbor(new byte[] {1, 2, 3});

    static void roundTrip(CborValue v, String expectedHex) {
        byte[] enc = DagCbor.encode(v);
        assertEquals(expectedHex, hex(enc), v.toString());
        assertEquals(v, DagCbor.decode(enc));
    }

    /** RFC 8949 Appendix A examples that are valid dag-cbor, plus the integer limits. */
    @Test
    void knownEncodings() {
        roundTrip(CborValue.integer(0), "00");
        roundTrip(CborValue.integer(1), "01");
        roundTrip(CborValue.integer(23), "17");
        roundTrip(CborValue.integer(24), "1818");
        roundTrip(CborValue.integer(100), "1864");
        roundTrip(CborValue.integer(255), "18ff");
        roundTrip(CborValue.integer(256), "190100");
        roundTrip(CborValue.integer(1000), "1903e8");
        roundTrip(CborValue.integer(65535), "19ffff");
        roundTrip(CborValue.integer(65536), "1a00010000");
        roundTrip(CborValue.integer(1000000), "1a000f4240");
        roundTrip(CborValue.integer(4294967295L), "1affffffff");
        roundTrip(CborValue.integer(4294967296L), "1b0000000100000000");
        roundTrip(CborValue.integer(1000000000000L), "1b000000e8d4a51000");
        roundTrip(CborValue.integer(Long.MAX_VALUE), "1b7fffffffffffffff");
        roundTrip(CborValue.integer(new BigInteger("9223372036854775808")), "1b8000000000000000");
        roundTrip(CborValue.integer(new BigInteger("18446744073709551615")), "1bffffffffffffffff");
        roundTrip(CborValue.integer(-1), "20");
        roundTrip(CborValue.integer(-10), "29");
        roundTrip(CborValue.integer(-24), "37");
        roundTrip(CborValue.integer(-25), "3818");
        roundTrip(CborValue.integer(-100), "3863");
        roundTrip(CborValue.integer(-1000), "3903e7");
        roundTrip(CborValue.integer(Long.MIN_VALUE), "3b7fffffffffffffff");
        roundTrip(CborValue.integer(new BigInteger("-9223372036854775809")), "3b8000000000000000");
        roundTrip(CborValue.integer(new BigInteger("-18446744073709551616")), "3bffffffffffffffff");
        roundTrip(CborValue.float64(1.1), "fb3ff199999999999a");
        roundTrip(CborValue.float64(0.0), "fb0000000000000000");
        roundTrip(CborValue.float64(-0.0), "fb8000000000000000");
        roundTrip(CborValue.float64(1.0), "fb3ff0000000000000");
        roundTrip(CborValue.float64(-4.1), "fbc010666666666666");
        roundTrip(CborValue.float64(1.0e300), "fb7e37e43c8800759c");
        roundTrip(CborValue.FALSE, "f4");
        roundTrip(CborValue.TRUE, "f5");
        roundTrip(CborValue.NULL, "f6");
        roundTrip(CborValue.bytes(new byte[0]), "40");
        roundTrip(CborValue.bytes(new byte[] {1, 2, 3, 4}), "4401020304");
        roundTrip(CborValue.text(""), "60");
        roundTrip(CborValue.text("a"), "6161");
        roundTrip(CborValue.text("IETF"), "6449455446");
        roundTrip(CborValue.text("\"\\"), "62225c");
        roundTrip(CborValue.text("\u00fc"), "62c3bc");
        roundTrip(CborValue.text("\u6c34"), "63e6b0b4");
        roundTrip(CborValue.text("\ud800\udd51"), "64f0908591");
        roundTrip(CborValue.list(), "80");
        roundTrip(CborValue.list(CborValue.integer(1), CborValue.integer(2), CborValue.integer(3)), "83010203");
        roundTrip(CborValue.list(CborValue.integer(1), CborValue.list(CborValue.integer(2), CborValue.integer(3)),
                CborValue.list(CborValue.integer(4), CborValue.integer(5))), "8301820203820405");
        roundTrip(CborValue.map(), "a0");
        roundTrip(CborValue.map("a", CborValue.integer(1), "b", CborValue.list(CborValue.integer(2), CborValue.integer(3))),
                "a26161016162820203");
        roundTrip(CborValue.link(CID), "d82a582500" + hex(CID.bytes()));
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 25; i++) {
            big.append("01");
        }
        byte[] b25 = hex(big.toString());
        roundTrip(CborValue.bytes(b25), "5819" + big);
        assertEquals("590100", hex(DagCbor.encode(CborValue.bytes(new byte[256]))).substring(0, 6));
        assertEquals("5a00010000", hex(DagCbor.encode(CborValue.bytes(new byte[65536]))).substring(0, 10));
    }

    @Test
    void canonicalKeyOrder() {
        // length first, then bytewise: "b" < "aa" < "ab" < "zz" < "aaa"; UTF-8 byte length counts
        Map<String, CborValue> in = new LinkedHashMap<>();
        for (String k : new String[] {"aaa", "zz", "\u00e9", "ab", "b", "aa", "", "A", "\u00e9a"}) {
            in.put(k, CborValue.NULL);
        }
        CborValue.MapValue m = CborValue.map(in);
        assertEquals(List.of("", "A", "b", "aa", "ab", "zz", "\u00e9", "aaa", "\u00e9a"), List.copyOf(m.entries().keySet()));
        byte[] enc = DagCbor.encode(m);
        assertEquals(m, DagCbor.decode(enc));
        assertArrayEquals(enc, DagCbor.encode(DagCbor.decode(enc)));
        // the go-threads record field order
        CborValue rec = CborValue.map("block", CborValue.NULL, "sig", CborValue.NULL, "pubKey", CborValue.NULL, "prev", CborValue.NULL);
        assertEquals(List.of("sig", "prev", "block", "pubKey"), List.copyOf(((CborValue.MapValue) rec).entries().keySet()));
        // insertion order never matters
        assertEquals(CborValue.map("a", CborValue.TRUE, "b", CborValue.FALSE), CborValue.map("b", CborValue.FALSE, "a", CborValue.TRUE));
    }

    @Test
    void valueModelRules() {
        assertThrows(InvalidInputException.class, () -> CborValue.float64(Double.NaN));
        assertThrows(InvalidInputException.class, () -> CborValue.float64(Double.POSITIVE_INFINITY));
        assertThrows(InvalidInputException.class, () -> CborValue.float64(Double.NEGATIVE_INFINITY));
        assertThrows(InvalidInputException.class, () -> CborValue.integer(BigInteger.ONE.shiftLeft(64)));
        assertThrows(InvalidInputException.class, () -> CborValue.integer(BigInteger.ONE.shiftLeft(64).negate().subtract(BigInteger.ONE)));
        assertThrows(InvalidInputException.class, () -> new CborValue.BigIntValue(BigInteger.TEN));
        assertThrows(InvalidInputException.class, () -> CborValue.text("\ud800"));
        assertThrows(InvalidInputException.class, () -> CborValue.map("\udc00", CborValue.NULL));
        assertThrows(InvalidInputException.class, () -> CborValue.builder().put("a", CborValue.NULL).put("a", CborValue.TRUE));
        assertThrows(InvalidInputException.class, () -> CborValue.list(CborValue.NULL, null));
        assertThrows(InvalidInputException.class, () -> CborValue.text(null));
        assertThrows(InvalidInputException.class, () -> DagCbor.encode(null));
        assertEquals(CborValue.integer(5), CborValue.integer(BigInteger.valueOf(5)));
        byte[] raw = {1, 2};
        CborValue.BytesValue b = CborValue.bytes(raw);
        raw[0] = 9;
        b.value()[1] = 9;
        assertArrayEquals(new byte[] {1, 2}, b.value());
    }

    @Test
    void depthLimit() {
        CborValue v = CborValue.integer(0);
        for (int i = 0; i < DagCbor.MAX_DEPTH - 1; i++) {
            v = CborValue.list(v);
        }
        byte[] ok = DagCbor.encode(v); // 255 lists + the integer = depth 256
        assertEquals(v, DagCbor.decode(ok));
        CborValue tooDeep = CborValue.list(v);
        assertThrows(InvalidInputException.class, () -> DagCbor.encode(tooDeep));
        byte[] deep = new byte[DagCbor.MAX_DEPTH + 1];
        java.util.Arrays.fill(deep, (byte) 0x81);
        deep[DagCbor.MAX_DEPTH] = 0;
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> DagCbor.decode(deep));
        assertTrue(e.getMessage().contains("deeper"), e.getMessage());
        byte[] veryDeep = new byte[100_000];
        java.util.Arrays.fill(veryDeep, (byte) 0x81);
        assertThrows(InvalidInputException.class, () -> DagCbor.decode(veryDeep)); // no StackOverflowError
    }

    /** Every rejection rule, with the offset the message must name. */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        // truncation
        "empty input                 | ''                   | 0",
        "truncated head              | 18                   | 0",
        "truncated head 8            | 1b000000             | 0",
        "truncated byte string       | 4301                 | 0",
        "truncated text              | 6261                 | 0",
        "truncated list              | 82820101             | 4",
        "truncated map value         | a16161               | 3",
        "truncated float             | fb3ff0               | 0",
        "truncated link              | d82a                 | 2",
        // trailing bytes
        "trailing byte               | 0000                 | 1",
        "trailing after map          | a000                 | 1",
        // indefinite lengths and reserved info
        "indefinite bytes            | 5f4100ff             | 0",
        "indefinite text             | 7f6161ff             | 0",
        "indefinite list             | 9f01ff               | 0",
        "indefinite map              | bf616101ff           | 0",
        "break                       | ff                   | 0",
        "reserved info 28            | 1c                   | 0",
        "reserved info 29            | 3d                   | 0",
        "reserved info 30            | 5e                   | 0",
        // non-minimal heads
        "non-minimal uint 1          | 1817                 | 0",
        "non-minimal uint 2          | 1900ff               | 0",
        "non-minimal uint 4          | 1a0000ffff           | 0",
        "non-minimal uint 8          | 1b00000000ffffffff   | 0",
        "non-minimal nint            | 3817                 | 0",
        "non-minimal bytes length    | 580101               | 0",
        "non-minimal text length     | 79000161             | 0",
        "non-minimal list length     | 980101               | 0",
        "non-minimal map length      | b801616101           | 0",
        "non-minimal map key length  | a1780161 01          | 1",
        "non-minimal tag 42          | d9002a4100           | 0",
        "nested non-minimal          | 821818 1801          | 3",
        // map keys
        "unsorted keys               | a2616201616102       | 4",
        "length-first order          | a2626161016162 02    | 5",
        "duplicate key               | a2616101616102       | 4",
        "integer key                 | a10102               | 1",
        "bytes key                   | a1416101             | 1",
        // tags and links
        "tag 0                       | c060                 | 0",
        "tag 43                      | d82b4100             | 0",
        "tag 42 over text            | d82a6100             | 2",
        "tag 42 without 0x00         | d82a4101             | 2",
        "tag 42 empty                | d82a40               | 2",
        "tag 42 bad CID              | d82a430002ff         | 2",
        "tag 42 CIDv0                | d82a58230012200000000000000000000000000000000000000000000000000000000000000000 | 2",
        "tag 42 CID trailing         | d82a4600017100000000 | 2",
        "nested tag in link          | d82ad82a4100         | 2",
        // UTF-8
        "invalid UTF-8               | 62c328               | 0",
        "overlong UTF-8              | 62c080               | 0",
        "surrogate in UTF-8          | 63eda080             | 0",
        "truncated UTF-8 sequence    | 61e6                 | 0",
        "invalid UTF-8 in key        | a161ff01             | 1",
        // simple values and floats
        "undefined                   | f7                   | 0",
        "simple 16                   | f0                   | 0",
        "simple 32 (extended)        | f820                 | 0",
        "simple 0 (extended)         | f800                 | 0",
        "half float                  | f93c00               | 0",
        "single float                | fa3f800000           | 0",
        "NaN                         | fb7ff8000000000000   | 0",
        "NaN with payload            | fb7ff0000000000001   | 0",
        "+Infinity                   | fb7ff0000000000000   | 0",
        "-Infinity                   | fbfff0000000000000   | 0",
        "reserved simple 28          | fc                   | 0",
        // lengths beyond the input
        "bytes 2^32                  | 5b0000000100000000   | 0",
        "bytes 2^64-1                | 5bffffffffffffffff   | 0",
        "text 4G                     | 7affffffff           | 0",
        "list 2^64-1                 | 9bffffffffffffffff   | 0",
        "list longer than input      | 8a0101               | 0",
        "map 2^63                    | bb8000000000000000   | 0",
        "map needs 2 bytes per entry | a36161016162         | 0",
    })
    void rejects(String name, String input, int offset) {
        byte[] bytes = hex(input.replace(" ", ""));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> DagCbor.decode(bytes), name);
        assertTrue(e.getMessage().startsWith("dag-cbor: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("at offset " + offset), name + " -> " + e.getMessage());
    }

    @Test
    void byteStringOffset() {
        assertEquals(1, DagCbor.byteStringOffset(hex("4401020304")));
        assertEquals(2, DagCbor.byteStringOffset(DagCbor.encode(CborValue.bytes(new byte[100]))));
        assertEquals(1, DagCbor.byteStringOffset(hex("40")));
        assertThrows(InvalidInputException.class, () -> DagCbor.byteStringOffset(hex("440102030405")));
        assertThrows(InvalidInputException.class, () -> DagCbor.byteStringOffset(hex("44010203")));
        assertThrows(InvalidInputException.class, () -> DagCbor.byteStringOffset(hex("6161")));
        assertThrows(InvalidInputException.class, () -> DagCbor.byteStringOffset(hex("580101")));
        assertThrows(InvalidInputException.class, () -> DagCbor.byteStringOffset(new byte[0]));
        assertArrayEquals(DagCbor.encode(CborValue.bytes(new byte[300])), DagCbor.encodeBytes(new byte[300]));
    }

    @Test
    void decodeRange() {
        byte[] framed = hex("ff6161ff");
        assertEquals(CborValue.text("a"), DagCbor.decode(framed, 1, 2));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> DagCbor.decode(hex("ff82820101ff"), 1, 4));
        assertTrue(e.getMessage().endsWith("offset 4"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> DagCbor.decode(framed, 3, 2));
        assertThrows(InvalidInputException.class, () -> DagCbor.decode(null));
    }

    @Test
    void messagesHoldNoContent() {
        byte[] text = "secret-plaintext".getBytes(StandardCharsets.UTF_8);
        byte[] bad = new byte[text.length + 2];
        bad[0] = 0x70; // text of 16 bytes
        System.arraycopy(text, 0, bad, 1, text.length);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> DagCbor.decode(bad));
        assertTrue(!e.getMessage().contains("secret"), e.getMessage());
    }
}
