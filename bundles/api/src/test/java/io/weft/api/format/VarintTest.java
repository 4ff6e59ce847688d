package io.weft.api.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.weft.api.InvalidInputException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class VarintTest {

    @Test
    void knownEncodings() {
        assertArrayEquals(new byte[] {0}, Varint.encode(0));
        assertArrayEquals(new byte[] {1}, Varint.encode(1));
        assertArrayEquals(new byte[] {0x7f}, Varint.encode(127));
        assertArrayEquals(new byte[] {(byte) 0x80, 0x01}, Varint.encode(128));
        assertArrayEquals(new byte[] {(byte) 0xff, 0x01}, Varint.encode(255));
        assertArrayEquals(new byte[] {(byte) 0xac, 0x02}, Varint.encode(300));
        assertArrayEquals(new byte[] {(byte) 0x96, 0x03}, Varint.encode(406)); // thread multiaddr code
        assertArrayEquals(new byte[] {(byte) 0xa5, 0x03}, Varint.encode(421)); // p2p multiaddr code
        assertArrayEquals(new byte[] {(byte) 0x80, (byte) 0x80, 0x01}, Varint.encode(16384));
        byte[] max = Varint.encode(Long.MAX_VALUE);
        assertEquals(9, max.length);
        assertEquals(Long.MAX_VALUE, Varint.decodeExact(max));
    }

    @Test
    void rejectsNegative() {
        assertThrows(InvalidInputException.class, () -> Varint.encode(-1));
        assertThrows(InvalidInputException.class, () -> Varint.encode(Long.MIN_VALUE));
        assertThrows(InvalidInputException.class, () -> Varint.length(-1));
    }

    @Test
    void rejectsEmptyTruncatedOverlongAndTrailing() {
        assertThrows(InvalidInputException.class, () -> Varint.decodeExact(new byte[0]));
        assertThrows(InvalidInputException.class, () -> Varint.decodeExact(null));
        assertThrows(InvalidInputException.class, () -> Varint.decodeExact(new byte[] {(byte) 0x80}));
        assertThrows(InvalidInputException.class, () -> Varint.decodeExact(new byte[] {(byte) 0xff, (byte) 0xff}));
        // 10 bytes: would carry more than 63 bits
        byte[] ten = new byte[10];
        Arrays.fill(ten, (byte) 0xff);
        ten[9] = 0x01;
        assertThrows(InvalidInputException.class, () -> Varint.decodeExact(ten));
        // 9 bytes with the continuation bit still set on the last one
        byte[] nine = new byte[9];
        Arrays.fill(nine, (byte) 0x80);
        assertThrows(InvalidInputException.class, () -> Varint.decodeExact(nine));
        assertThrows(InvalidInputException.class, () -> Varint.decodeExact(new byte[] {1, 2}));
    }

    @Test
    void rejectsNonMinimal() {
        assertThrows(InvalidInputException.class, () -> Varint.decodeExact(new byte[] {(byte) 0x80, 0x00}));
        assertThrows(InvalidInputException.class, () -> Varint.decodeExact(new byte[] {(byte) 0x81, 0x00}));
        assertThrows(InvalidInputException.class, () -> Varint.decodeExact(new byte[] {(byte) 0xff, (byte) 0x80, 0x00}));
    }

    @Test
    void readAdvancesPosition() {
        ByteBuffer in = ByteBuffer.wrap(new byte[] {(byte) 0xac, 0x02, 0x05});
        assertEquals(300, Varint.read(in));
        assertEquals(2, in.position());
        assertEquals(5, Varint.read(in));
        assertThrows(InvalidInputException.class, () -> Varint.read(in));
    }

    @Provide
    Arbitrary<Long> anyNonNegative() {
        return Arbitraries.oneOf(
                Arbitraries.longs().between(0, Long.MAX_VALUE),
                Arbitraries.longs().between(0, 1 << 16),
                Arbitraries.integers().between(0, 62).map(b -> 1L << b),
                Arbitraries.integers().between(1, 63).map(b -> (1L << b) - 1)); // 2^63-1 when b = 63
    }

    @Property
    void roundTrips(@ForAll("anyNonNegative") long value) {
        byte[] enc = Varint.encode(value);
        assertEquals(Varint.length(value), enc.length);
        assertEquals(value, Varint.decodeExact(enc));
    }

    @Property
    void everyTruncationIsRejected(@ForAll("anyNonNegative") long value) {
        byte[] enc = Varint.encode(value);
        for (int n = 0; n < enc.length; n++) {
            byte[] cut = Arrays.copyOf(enc, n);
            assertThrows(InvalidInputException.class, () -> Varint.decodeExact(cut));
        }
    }

    @Property
    void nonMinimalPaddingIsRejected(@ForAll("anyNonNegative") long value, @ForAll @IntRange(min = 1, max = 3) int extra) {
        byte[] enc = Varint.encode(value);
        byte[] padded = Arrays.copyOf(enc, enc.length + extra);
        for (int i = enc.length - 1; i < padded.length - 1; i++) {
            padded[i] |= (byte) 0x80;
        }
        // padded ends in 0x00 after continuation bytes: same value, longer (or overlong) encoding
        assertThrows(InvalidInputException.class, () -> Varint.decodeExact(padded));
    }

    @Property
    void overlongIsRejected(@ForAll @Size(min = 9, max = 12) byte[] continuation) {
        byte[] b = continuation.clone();
        for (int i = 0; i < 9; i++) {
            b[i] |= (byte) 0x80;
        }
        assertThrows(InvalidInputException.class, () -> Varint.decodeExact(b));
    }

    @Property
    void garbageOnlyThrowsInvalidInput(@ForAll @Size(max = 16) byte[] garbage) {
        Fuzz.onlyInvalidInput(() -> Varint.decodeExact(garbage));
    }

    @Property
    void readNeverReturnsNegative(@ForAll @Size(max = 12) byte[] garbage) {
        try {
            long v = Varint.read(ByteBuffer.wrap(garbage));
            assertEquals(true, v >= 0);
        } catch (InvalidInputException expected) {
            // fine
        }
    }

    @Property
    void singleByteBelow128(@ForAll @LongRange(min = 0, max = 127) long small) {
        assertEquals(1, Varint.encode(small).length);
    }
}
