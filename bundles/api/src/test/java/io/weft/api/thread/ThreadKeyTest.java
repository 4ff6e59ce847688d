package io.weft.api.thread;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.api.InvalidInputException;
import io.weft.api.format.Multibase;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ThreadKeyTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] range(int from) {
        byte[] b = new byte[32];
        for (int i = 0; i < 32; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    /** textile-formats.json threadKeys[0]: from go-threads core/thread/key.go. */
    @Test
    void textileKeyWithReadKey() {
        String s = "brv7t5l2h55uklz5qwpntcat26csaasfchzof3emmdy6povabcd3a2to2qdkqdkto2prfhizerqqudqsdvwherbiy4nazqxjejgdr4oy";
        ThreadKey k = ThreadKey.parse(s);
        assertTrue(k.canRead());
        assertEquals("8d7f3eaf47ef68a5e7b0b3db31027af0a40048a23e5c5d918c1e3cf7540110f6", HEX.formatHex(k.serviceKey()));
        assertEquals("0d4dda80d501aa6ed3e253a3248c2141c243ad8e488518e341985d2449871e3b", HEX.formatHex(k.readKey().orElseThrow()));
        assertEquals(64, k.bytes().length);
        assertEquals(s, k.toString());
    }

    /** textile-formats.json threadKeys[1]: a service-only key. */
    @Test
    void textileServiceOnlyKey() {
        String s = "bp2vvqody5zm6yqycsnazb4kpqvycbdosos352zvpsorxce5koh7q";
        ThreadKey k = ThreadKey.parse(s);
        assertFalse(k.canRead());
        assertTrue(k.readKey().isEmpty());
        assertEquals("7eab583878ee59ec4302934190f14f8570208dd274b7dd66af93a37113aa71ff", HEX.formatHex(k.serviceKey()));
        assertEquals(32, k.bytes().length);
        assertEquals(s, k.toString());
    }

    /** records.txt: sk = 20..3f, rk = 40..5f. */
    @Test
    void recordsVectorKeys() {
        ThreadKey full = ThreadKey.of(range(0x20), range(0x40));
        assertEquals("beaqseizeeutcokbjfivsyljof4ydcmrtgq2tmnzyhe5dwpb5hy7uaqkcincekrshjbeuus2mjvhe6ucrkjjvivkwk5mfsws3lrov4xy",
                full.toString());
        ThreadKey service = ThreadKey.of(range(0x20), null);
        assertEquals("beaqseizeeutcokbjfivsyljof4ydcmrtgq2tmnzyhe5dwpb5hy7q", service.toString());
        assertEquals(service, full.serviceOnly());
        assertEquals(full, ThreadKey.parse(full.toString()));
    }

    @Test
    void parseAcceptsAnyMultibase() {
        ThreadKey k = ThreadKey.of(range(0x20), range(0x40));
        for (Multibase.Base base : Multibase.Base.values()) {
            assertEquals(k, ThreadKey.parse(Multibase.encode(base, k.bytes())), base.name());
        }
    }

    @Test
    void decodeAcceptsOnly32Or64Bytes() {
        assertEquals(32, ThreadKey.decode(new byte[32]).bytes().length);
        assertEquals(64, ThreadKey.decode(new byte[64]).bytes().length);
        for (int n : new int[] {0, 1, 31, 33, 48, 63, 65, 96, 128}) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> ThreadKey.decode(new byte[n]));
            assertTrue(e.getMessage().contains(String.valueOf(n)), e.getMessage());
        }
        assertThrows(InvalidInputException.class, () -> ThreadKey.decode(null));
        assertThrows(InvalidInputException.class, () -> ThreadKey.parse(""));
        assertThrows(InvalidInputException.class, () -> ThreadKey.parse("x123"));
        assertThrows(InvalidInputException.class, () -> ThreadKey.parse(Multibase.encode(new byte[40])));
        assertThrows(InvalidInputException.class, () -> ThreadKey.of(new byte[31], null));
        assertThrows(InvalidInputException.class, () -> ThreadKey.of(null, null));
        assertThrows(InvalidInputException.class, () -> ThreadKey.of(new byte[32], new byte[16]));
    }

    @Test
    void errorMessagesDoNotContainKeyText() {
        byte[] b = range(0x20);
        byte[] bad = java.util.Arrays.copyOf(b, 40);
        String text = Multibase.encode(bad);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ThreadKey.parse(text));
        assertFalse(e.getMessage().contains(text.substring(1, 20)));
        assertFalse(e.getMessage().contains(HEX.formatHex(b).substring(0, 16)));
    }

    @Test
    void generate() {
        ThreadKey a = ThreadKey.generate(true);
        ThreadKey b = ThreadKey.generate(true);
        ThreadKey c = ThreadKey.generate(false);
        assertTrue(a.canRead());
        assertFalse(c.canRead());
        assertNotEquals(a, b);
        assertEquals(64, a.bytes().length);
        assertEquals(32, c.bytes().length);
        assertEquals(a, ThreadKey.decode(a.bytes()));
        assertEquals(a.hashCode(), ThreadKey.decode(a.bytes()).hashCode());
    }

    @Test
    void accessorsReturnCopies() {
        ThreadKey k = ThreadKey.of(range(0x20), range(0x40));
        k.serviceKey()[0] ^= 1;
        k.readKey().orElseThrow()[0] ^= 1;
        k.bytes()[0] ^= 1;
        assertArrayEquals(range(0x20), k.serviceKey());
        assertArrayEquals(range(0x40), k.readKey().orElseThrow());
        byte[] in = range(0x20);
        ThreadKey k2 = ThreadKey.of(in, null);
        in[0] ^= 1;
        assertArrayEquals(range(0x20), k2.serviceKey());
    }

    @Test
    void redactedPrintsNoKey() {
        ThreadKey k = ThreadKey.of(range(0x20), range(0x40));
        String r = k.redacted();
        assertFalse(r.contains(k.toString().substring(1, 12)));
        assertTrue(r.contains("read="));
        assertFalse(ThreadKey.of(range(0x20), null).redacted().contains("read="));
    }

    @Test
    void equalityDistinguishesReadKeyPresence() {
        ThreadKey full = ThreadKey.of(range(0x20), range(0x40));
        assertNotEquals(full, full.serviceOnly());
        assertNotEquals(full, ThreadKey.of(range(0x20), range(0x41)));
        assertNotEquals(full, ThreadKey.of(range(0x21), range(0x40)));
        assertNotEquals(full, "x");
    }
}
