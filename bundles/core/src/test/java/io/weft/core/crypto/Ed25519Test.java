package io.weft.core.crypto;

import static io.weft.core.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.api.CorruptDataException;
import io.weft.api.InvalidInputException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Multibase;
import io.weft.core.testing.Vectors;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class Ed25519Test {

    static Stream<JsonNode> identities() throws Exception {
        JsonNode root = new ObjectMapper().readTree(Vectors.file("textile-formats.json").toFile());
        List<JsonNode> out = new ArrayList<>();
        root.get("identities").forEach(out::add);
        assertFalse(out.isEmpty());
        return out.stream();
    }

    /** textile-formats.json identities, produced by @textile/crypto 4.2.1. */
    @ParameterizedTest
    @MethodSource("identities")
    void textileIdentity(JsonNode id) {
        PrivateKey k = Ed25519.fromSeed(hex(id.get("seed_hex").asText()));
        assertEquals(id.get("private_bytes_hex").asText(), hex(k.marshal()));
        assertEquals(id.get("private_string").asText(), Multibase.encode(k.marshal()));
        assertEquals(id.get("public_bytes_hex").asText(), hex(k.publicKey().marshal()));
        assertEquals(id.get("raw_pub_hex").asText(), hex(k.publicKey().raw()));
        assertEquals(id.get("public_string").asText(), k.publicKey().toString());
        byte[] challenge = id.get("challenge_ascii").asText().getBytes(StandardCharsets.US_ASCII);
        byte[] sig = Ed25519.sign(k, challenge);
        assertEquals(id.get("signature_hex").asText(), hex(sig));
        assertTrue(Ed25519.verify(PublicKey.parse(id.get("public_string").asText()), challenge, sig));
        assertEquals(k, Ed25519.unmarshal(hex(id.get("private_bytes_hex").asText())));
        assertEquals(k, PrivateKey.parse(id.get("private_string").asText()));
    }

    /** RFC 8032 §7.1 TEST 1 and TEST 2. */
    @Test
    void rfc8032() {
        PrivateKey k1 = Ed25519.fromSeed(hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
        assertEquals("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", hex(k1.publicKey().raw()));
        assertEquals("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
                hex(Ed25519.sign(k1, new byte[0])));
        PrivateKey k2 = Ed25519.fromSeed(hex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"));
        assertEquals("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", hex(k2.publicKey().raw()));
        assertEquals("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
                hex(Ed25519.sign(k2, new byte[] {0x72})));
    }

    @Test
    void verifyNeverThrowsOnBadSignatures() {
        PrivateKey k = Ed25519.generate();
        byte[] msg = "hello".getBytes(StandardCharsets.US_ASCII);
        byte[] sig = Ed25519.sign(k, msg);
        assertTrue(Ed25519.verify(k.publicKey(), msg, sig));
        assertFalse(Ed25519.verify(k.publicKey(), msg, null));
        assertFalse(Ed25519.verify(k.publicKey(), msg, new byte[0]));
        assertFalse(Ed25519.verify(k.publicKey(), msg, new byte[63]));
        assertFalse(Ed25519.verify(k.publicKey(), msg, java.util.Arrays.copyOf(sig, 65)));
        assertFalse(Ed25519.verify(k.publicKey(), msg, new byte[64]));
        assertFalse(Ed25519.verify(Ed25519.generate().publicKey(), msg, sig));
        assertFalse(Ed25519.verify(k.publicKey(), "hellO".getBytes(StandardCharsets.US_ASCII), sig));
        assertFalse(Ed25519.verify(null, msg, sig));
        assertFalse(Ed25519.verify(k.publicKey(), null, sig));
        byte[] allFF = new byte[64];
        java.util.Arrays.fill(allFF, (byte) 0xff);
        assertFalse(Ed25519.verify(k.publicKey(), msg, allFF)); // s >= L
        // public keys that are not valid points, or of small order
        byte[] notOnCurve = new byte[32];
        notOnCurve[0] = 2; // y = 2 has no x on the curve
        assertFalse(Ed25519.verify(new PublicKey(notOnCurve), msg, sig));
        byte[] identityPoint = new byte[32];
        identityPoint[0] = 1; // the neutral element: small order
        assertFalse(Ed25519.verify(new PublicKey(identityPoint), msg, new byte[64]));
        // every single bit flip of the signature is rejected
        for (int i = 0; i < sig.length * 8; i++) {
            byte[] s = sig.clone();
            s[i / 8] ^= (byte) (1 << (i % 8));
            assertFalse(Ed25519.verify(k.publicKey(), msg, s), "bit " + i);
        }
    }

    @Property(tries = 200)
    void signVerifyRoundTrip(@ForAll byte[] seed32, @ForAll byte[] msg) {
        byte[] seed = java.util.Arrays.copyOf(seed32, 32);
        PrivateKey k = Ed25519.fromSeed(seed);
        byte[] sig = Ed25519.sign(k, msg);
        assertTrue(Ed25519.verify(k.publicKey(), msg, sig));
        assertArrayEquals(sig, Ed25519.sign(Ed25519.fromSeed(seed), msg)); // deterministic
        if (msg.length > 0) {
            byte[] m = msg.clone();
            m[0] ^= 1;
            assertFalse(Ed25519.verify(k.publicKey(), m, sig));
        }
    }

    @Test
    void unmarshalChecksPublicHalf() {
        PrivateKey k = Ed25519.generate();
        byte[] bytes = k.marshal();
        assertEquals(k, Ed25519.unmarshal(bytes));
        bytes[bytes.length - 1] ^= 1;
        assertThrows(CorruptDataException.class, () -> Ed25519.unmarshal(bytes));
        assertThrows(InvalidInputException.class, () -> Ed25519.unmarshal(new byte[10]));
        assertThrows(InvalidInputException.class, () -> Ed25519.fromSeed(new byte[31]));
    }

    /** Signing with a seed and a mismatched public key would leak the seed; it is refused. */
    @Test
    void refusesMismatchedKeyPair() {
        PrivateKey a = Ed25519.generate();
        PrivateKey forged = new PrivateKey(a.seed(), Ed25519.generate().publicKey());
        CorruptDataException e = assertThrows(CorruptDataException.class, () -> Ed25519.sign(forged, new byte[] {1}));
        assertFalse(e.getMessage().contains(hex(a.seed()).substring(0, 16)));
        // the genuine pair still signs
        assertTrue(Ed25519.verify(a.publicKey(), new byte[] {1}, Ed25519.sign(new PrivateKey(a.seed(), a.publicKey()), new byte[] {1})));
    }

    @Test
    void generateIsRandom() {
        assertNotEquals(Ed25519.generate().publicKey(), Ed25519.generate().publicKey());
    }
}
