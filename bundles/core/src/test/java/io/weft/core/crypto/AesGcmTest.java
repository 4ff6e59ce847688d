package io.weft.core.crypto;

import static io.weft.core.testing.Vectors.hex;
import static io.weft.core.testing.Vectors.nonce;
import static io.weft.core.testing.Vectors.range32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.weft.api.CorruptDataException;
import io.weft.api.InvalidInputException;
import io.weft.api.UnauthorizedException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class AesGcmTest {
    static final byte[] KEY = range32(0x60);

    /** records.txt body: {'foo':'bar'} under content key 60..7f with nonce 01*12 (without the CBOR head). */
    @Test
    void vector() {
        byte[] ct = AesGcm.encrypt(KEY, nonce(1), hex("a163666f6f63626172"));
        assertEquals("01010101010101010101010198b189d0367688095c4fefa51fa5c1aa9bfa7421be76f234dc", hex(ct));
        assertArrayEquals(hex("a163666f6f63626172"), AesGcm.decrypt(KEY, ct));
    }

    @Property(tries = 200)
    void roundTrip(@ForAll byte[] plaintext) {
        byte[] key = AesGcm.generateKey();
        byte[] ct = AesGcm.encrypt(key, plaintext);
        assertEquals(plaintext.length + AesGcm.OVERHEAD, ct.length);
        assertArrayEquals(plaintext, AesGcm.decrypt(key, ct));
        byte[] framed = new byte[ct.length + 5];
        System.arraycopy(ct, 0, framed, 3, ct.length);
        assertArrayEquals(plaintext, AesGcm.decrypt(key, framed, 3, ct.length));
    }

    @Test
    void randomNonces() {
        byte[] a = AesGcm.encrypt(KEY, new byte[10]);
        byte[] b = AesGcm.encrypt(KEY, new byte[10]);
        assertFalse(Arrays.equals(Arrays.copyOf(a, 12), Arrays.copyOf(b, 12)));
    }

    @Test
    void rejections() {
        byte[] secret = "attack at dawn, the password is hunter2".getBytes(StandardCharsets.UTF_8);
        byte[] ct = AesGcm.encrypt(KEY, secret);
        for (int n = 0; n < AesGcm.OVERHEAD; n++) {
            int len = n;
            assertThrows(CorruptDataException.class, () -> AesGcm.decrypt(KEY, new byte[len]));
        }
        UnauthorizedException wrong = assertThrows(UnauthorizedException.class, () -> AesGcm.decrypt(range32(0x61), ct));
        for (int i = 0; i < ct.length * 8; i += 7) {
            byte[] t = ct.clone();
            t[i / 8] ^= (byte) (1 << (i % 8));
            assertThrows(UnauthorizedException.class, () -> AesGcm.decrypt(KEY, t));
        }
        assertThrows(UnauthorizedException.class, () -> AesGcm.decrypt(KEY, Arrays.copyOf(ct, ct.length - 1)));
        assertThrows(InvalidInputException.class, () -> AesGcm.decrypt(new byte[16], ct));
        assertThrows(InvalidInputException.class, () -> AesGcm.encrypt(new byte[31], secret));
        assertThrows(InvalidInputException.class, () -> AesGcm.encrypt(KEY, new byte[11], secret));
        assertThrows(InvalidInputException.class, () -> AesGcm.decrypt(KEY, ct, 5, ct.length));
        String msg = wrong.getMessage();
        assertFalse(msg.contains("hunter2"));
        assertFalse(msg.contains(hex(KEY).substring(0, 8)));
        assertFalse(msg.contains(hex(ct).substring(0, 8)));
    }
}
