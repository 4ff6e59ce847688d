package io.weft.api.thread;

import static io.weft.api.format.TestVectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.weft.api.InvalidInputException;
import io.weft.api.format.Fuzz;
import io.weft.api.format.Multibase;
import io.weft.api.format.Multibase.Base;
import io.weft.api.format.TestVectors;
import io.weft.api.format.Varint;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ThreadIdTest {

    private static final Map<String, Base> BASES = Map.of(
            "base58btc", Base.BASE58_BTC,
            "base64", Base.BASE64,
            "base16", Base.BASE16,
            "base32upper", Base.BASE32_UPPER,
            "base32", Base.BASE32);

    private static ThreadId.Variant variant(String name) {
        return switch (name) {
            case "Raw" -> ThreadId.Variant.RAW;
            case "AccessControlled" -> ThreadId.Variant.ACCESS_CONTROLLED;
            default -> throw new AssertionError("unknown variant in vectors: " + name);
        };
    }

    /** Every positive vector of @textile/threads-id: text, bytes, fields and every alternative base. */
    @Test
    void threadIdJsonVectors() {
        JsonNode vectors = TestVectors.json("threadid.json").get("vectors");
        assertTrue(vectors.size() >= 20, "expected the 20 vectors of threadid.json");
        int otherBases = 0;
        for (JsonNode v : vectors) {
            String text = v.get("string").asText();
            byte[] bytes = hex(v.get("bytes_hex").asText());
            String where = text + " (" + v.get("note").asText() + ")";

            ThreadId fromText = ThreadId.parse(text);
            assertArrayEquals(bytes, fromText.bytes(), where);
            assertEquals(v.get("version").asInt(), fromText.version(), where);
            assertEquals(variant(v.get("variant").asText()), fromText.variant(), where);
            assertEquals(v.get("variant_code").asInt(), fromText.variant().code(), where);
            assertEquals(v.get("random_len").asInt(), fromText.randomPart().length, where);
            assertEquals(v.get("random_hex").asText(), hex(fromText.randomPart()), where);

            ThreadId fromBytes = ThreadId.decode(bytes);
            assertEquals(text, fromBytes.toString(), where);
            assertEquals(fromText, fromBytes, where);
            assertEquals(fromText.hashCode(), fromBytes.hashCode(), where);
            assertEquals(fromText, ThreadId.of(fromText.variant(), hex(v.get("random_hex").asText())), where);
            assertEquals(text, fromText.toString(Base.BASE32), where);

            Iterator<Map.Entry<String, JsonNode>> it = v.get("other_bases").fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                Base base = BASES.get(e.getKey());
                if (base == null) {
                    throw new AssertionError("vector uses a base the test does not know: " + e.getKey());
                }
                String other = e.getValue().asText();
                assertEquals(fromText, ThreadId.parse(other), where + " " + e.getKey());
                assertEquals(other, fromText.toString(base), where + " " + e.getKey());
                otherBases++;
            }
        }
        assertEquals(4 * vectors.size(), otherBases, "each vector lists four other bases");
    }

    /**
     * threadid.json "negative": what @textile/threads-id rejected (and the one thing it accepted). The vector
     * file describes the inputs; they are rebuilt here from those descriptions.
     */
    @Test
    void threadIdJsonNegativeCases() {
        JsonNode negative = TestVectors.json("threadid.json").get("negative");
        assertEquals(5, negative.size());
        byte[] random16 = new byte[16];
        Arrays.fill(random16, (byte) 7);
        for (JsonNode n : negative) {
            String desc = n.get("desc").asText();
            boolean accepted = n.get("result").asText().equals("ACCEPTED");
            Runnable attempt = switch (desc) {
                case "version 2" -> () -> ThreadId.parse(Multibase.encode(concat(new byte[] {2, 0x55}, random16)));
                case "random 15 bytes" -> () -> ThreadId.parse(Multibase.encode(concat(new byte[] {1, 0x55}, new byte[15])));
                case "random 0 bytes" -> () -> ThreadId.parse(Multibase.encode(new byte[] {1, 0x55}));
                case "no multibase prefix (raw base32 w/o b)" ->
                        () -> ThreadId.parse(ThreadId.of(ThreadId.Variant.RAW, random16).toString().substring(1));
                case "base58 z prefix" -> () -> assertEquals(ThreadId.of(ThreadId.Variant.RAW, random16),
                        ThreadId.parse(ThreadId.of(ThreadId.Variant.RAW, random16).toString(Base.BASE58_BTC)));
                default -> throw new AssertionError("negative case the test does not know: " + desc);
            };
            if (accepted) {
                attempt.run();
            } else {
                InvalidInputException e = assertThrows(InvalidInputException.class, attempt::run, desc);
                assertTrue(e.getMessage().length() > 10, desc);
            }
        }
    }

    @Test
    void negativeCasesFromTheVectorsExactly() {
        // the concrete texts behind the negative descriptions, using the first vector's id
        String zero16 = "bafkqaaaaaaaaaaaaaaaaaaaaaaaaa";
        assertThrows(InvalidInputException.class, () -> ThreadId.parse(zero16.substring(1)));
        assertEquals(ThreadId.parse(zero16), ThreadId.parse("z4Crga4mCgSAUy4aHuEW61VBV"));
    }

    @Test
    void moreRejections() {
        byte[] r16 = new byte[16];
        // unknown variant
        assertThrows(InvalidInputException.class, () -> ThreadId.decode(concat(new byte[] {1, 0x71}, r16)));
        assertThrows(InvalidInputException.class, () -> ThreadId.decode(concat(new byte[] {1, 0}, r16)));
        // too-long random part
        assertThrows(InvalidInputException.class, () -> ThreadId.decode(concat(new byte[] {1, 0x55}, new byte[65])));
        assertThrows(InvalidInputException.class, () -> ThreadId.of(ThreadId.Variant.RAW, new byte[65]));
        assertThrows(InvalidInputException.class, () -> ThreadId.of(ThreadId.Variant.RAW, new byte[15]));
        assertThrows(InvalidInputException.class, () -> ThreadId.newRandom(ThreadId.Variant.RAW, 65));
        assertThrows(InvalidInputException.class, () -> ThreadId.newRandom(ThreadId.Variant.RAW, -1));
        // truncated varints
        assertThrows(InvalidInputException.class, () -> ThreadId.decode(new byte[] {(byte) 0x81}));
        assertThrows(InvalidInputException.class, () -> ThreadId.decode(new byte[] {1, (byte) 0xd5}));
        assertThrows(InvalidInputException.class, () -> ThreadId.decode(concat(new byte[] {1, (byte) 0xd5}, new byte[0])));
        // non-minimal version varint with a valid-looking rest
        assertThrows(InvalidInputException.class, () -> ThreadId.decode(concat(new byte[] {(byte) 0x81, 0, 0x55}, r16)));
        // version 0
        assertThrows(InvalidInputException.class, () -> ThreadId.decode(concat(new byte[] {0, 0x55}, r16)));
        // empty
        assertThrows(InvalidInputException.class, () -> ThreadId.decode(new byte[0]));
        assertThrows(InvalidInputException.class, () -> ThreadId.decode(null));
        assertThrows(InvalidInputException.class, () -> ThreadId.parse(""));
        assertThrows(InvalidInputException.class, () -> ThreadId.parse("b"));
        assertThrows(InvalidInputException.class, () -> ThreadId.parse(null));
        assertThrows(InvalidInputException.class, () -> ThreadId.of(null, r16));
    }

    @Test
    void bounds() {
        assertEquals(16, ThreadId.of(ThreadId.Variant.RAW, new byte[16]).randomPart().length);
        assertEquals(64, ThreadId.of(ThreadId.Variant.RAW, new byte[64]).randomPart().length);
    }

    /** records.txt: "ThreadID <variant> random=00..1f bytes=…", "ThreadID <variant> string=…" and the decode line. */
    @Test
    void recordsTxt() {
        byte[] random = new byte[32];
        for (int i = 0; i < 32; i++) {
            random[i] = (byte) i;
        }
        int seen = 0;
        for (String line : TestVectors.lines("records.txt")) {
            if (!line.startsWith("ThreadID ")) {
                continue;
            }
            ThreadId.Variant variant = variant(line.split(" ")[1]);
            ThreadId id = ThreadId.of(variant, random);
            if (line.contains("bytes=")) {
                assertEquals(TestVectors.after(line, "bytes="), hex(id.bytes()), line);
                assertTrue(line.contains("random=00..1f"), line);
            } else {
                String text = TestVectors.after(line, "string=");
                assertEquals(text, id.toString(), line);
                assertEquals(id, ThreadId.parse(text), line);
            }
            seen++;
        }
        assertEquals(4, seen);

        String decode = TestVectors.recordsLine("decode ");
        String text = decode.substring("decode ".length(), decode.indexOf(':'));
        ThreadId id = ThreadId.parse(text);
        assertEquals(Integer.parseInt(TestVectors.after(decode, "len=")), id.bytes().length);
        assertEquals(Integer.parseInt(TestVectors.after(decode, "version=")), id.version());
        assertEquals(Integer.decode(TestVectors.after(decode, "variant=")), id.variant().code());
        assertEquals(Integer.parseInt(TestVectors.after(decode, "random_len=")), id.randomPart().length);
        assertEquals(text, id.toString());
    }

    @Test
    void newRandomIds() {
        ThreadId a = ThreadId.newRandom();
        ThreadId b = ThreadId.newRandom();
        assertNotEquals(a, b);
        assertEquals(34, a.bytes().length);
        assertEquals(ThreadId.Variant.RAW, a.variant());
        assertTrue(a.toString().startsWith("bafk"));
        ThreadId ac = ThreadId.newRandom(ThreadId.Variant.ACCESS_CONTROLLED, 32);
        assertTrue(ac.toString().startsWith("bafy"));
    }

    @Test
    void accessorsReturnCopies() {
        ThreadId id = ThreadId.newRandom();
        id.bytes()[5] ^= 1;
        id.randomPart()[0] ^= 1;
        assertEquals(id, ThreadId.decode(id.bytes()));
        byte[] random = new byte[16];
        ThreadId fixed = ThreadId.of(ThreadId.Variant.RAW, random);
        random[0] = 9;
        assertEquals(0, fixed.randomPart()[0]);
    }

    @Provide
    Arbitrary<ThreadId> ids() {
        Arbitrary<ThreadId.Variant> variant = Arbitraries.of(ThreadId.Variant.class);
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMinSize(16).ofMaxSize(64);
        return Combinators.combine(variant, random).as(ThreadId::of);
    }

    @Property
    void roundTrips(@ForAll("ids") ThreadId id, @ForAll Base base) {
        assertEquals(id, ThreadId.decode(id.bytes()));
        assertEquals(id, ThreadId.parse(id.toString()));
        assertEquals(id, ThreadId.parse(id.toString(base)));
        assertEquals(id.toString(base), ThreadId.parse(id.toString(base)).toString(base));
        assertEquals(id, ThreadId.of(id.variant(), id.randomPart()));
        assertTrue(id.toString().startsWith(id.variant() == ThreadId.Variant.RAW ? "bafk" : "bafy"));
    }

    /** A truncation is rejected unless it still leaves at least 16 random bytes (then it is a different, valid id). */
    @Property
    void truncations(@ForAll("ids") ThreadId id) {
        byte[] b = id.bytes();
        for (int n = 0; n < b.length; n++) {
            byte[] cut = Arrays.copyOf(b, n);
            if (n - 2 >= ThreadId.MIN_RANDOM_LENGTH) {
                ThreadId shorter = ThreadId.decode(cut);
                assertEquals(id.variant(), shorter.variant());
                assertFalse(shorter.equals(id));
            } else {
                assertThrows(InvalidInputException.class, () -> ThreadId.decode(cut), "prefix " + n);
            }
        }
    }

    @Property
    void minimumLengthIdsRejectEveryTruncation(@ForAll ThreadId.Variant variant, @ForAll @Size(16) byte[] random) {
        byte[] b = ThreadId.of(variant, random).bytes();
        for (int n = 0; n < b.length; n++) {
            byte[] cut = Arrays.copyOf(b, n);
            assertThrows(InvalidInputException.class, () -> ThreadId.decode(cut));
        }
    }

    @Property
    void unknownVariantsAreRejected(@ForAll("variantCodes") long code, @ForAll @Size(32) byte[] random) {
        byte[] b = concat(concat(Varint.encode(1), Varint.encode(code)), random);
        assertThrows(InvalidInputException.class, () -> ThreadId.decode(b));
    }

    @Provide
    Arbitrary<Long> variantCodes() {
        return Arbitraries.longs().between(0, Long.MAX_VALUE).filter(c -> c != 0x55 && c != 0x70);
    }

    @Property
    void garbageOnlyThrowsInvalidInput(@ForAll @Size(max = 80) byte[] garbage) {
        Fuzz.onlyInvalidInput(() -> assertArrayEquals(garbage, ThreadId.decode(garbage).bytes()));
    }

    @Property
    void garbageTextOnlyThrowsInvalidInput(@ForAll @Size(max = 120) String garbage) {
        Fuzz.onlyInvalidInput(() -> ThreadId.parse(garbage));
        Fuzz.onlyInvalidInput(() -> ThreadId.parse("bafk" + garbage));
    }

    @Property
    void orderIsUnsignedBytewise(@ForAll("ids") ThreadId a, @ForAll("ids") ThreadId b) {
        assertEquals(Integer.signum(Arrays.compareUnsigned(a.bytes(), b.bytes())), Integer.signum(a.compareTo(b)));
        assertEquals(a.equals(b), a.compareTo(b) == 0);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
