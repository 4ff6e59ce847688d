package io.weft.api.crypto;

import static io.weft.api.format.TestVectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.weft.api.InvalidInputException;
import io.weft.api.format.Fuzz;
import io.weft.api.format.Multibase;
import io.weft.api.format.TestVectors;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The private key byte and text forms (structure only: deriving the public half from the seed needs core's
 * Ed25519 and is tested there).
 */
class PrivateKeyTest {

    @Test
    void textileIdentities() {
        JsonNode identities = TestVectors.json("textile-formats.json").get("identities");
        assertEquals(2, identities.size());
        for (JsonNode id : identities) {
            byte[] marshaled = hex(id.get("private_bytes_hex").asText());
            String text = id.get("private_string").asText();
            String seed = id.get("seed_hex").asText();
            PublicKey pub = PublicKey.unmarshal(hex(id.get("public_bytes_hex").asText()));

            PrivateKey fromBytes = PrivateKey.unmarshal(marshaled);
            assertEquals(seed, hex(fromBytes.seed()));
            assertEquals(pub, fromBytes.publicKey());
            assertArrayEquals(marshaled, fromBytes.marshal());

            PrivateKey fromText = PrivateKey.parse(text);
            assertEquals(fromBytes, fromText);
            assertEquals(fromBytes.hashCode(), fromText.hashCode());
            assertEquals(text, Multibase.encode(fromText.marshal()));

            assertArrayEquals(marshaled, new PrivateKey(hex(seed), pub).marshal());
        }
    }

    @Test
    void toStringHidesTheSeed() {
        byte[] seed = new byte[32];
        Arrays.fill(seed, (byte) 0xab);
        PrivateKey k = new PrivateKey(seed, new PublicKey(new byte[32]));
        assertFalse(k.toString().contains("abab"), k.toString());
        assertFalse(k.toString().contains(Multibase.encode(k.marshal()).substring(1, 20)));
    }

    @Test
    void rejectsMalformed() {
        PublicKey pub = new PublicKey(new byte[32]);
        byte[] good = new PrivateKey(new byte[32], pub).marshal();
        assertThrows(InvalidInputException.class, () -> new PrivateKey(null, pub));
        assertThrows(InvalidInputException.class, () -> new PrivateKey(new byte[31], pub));
        assertThrows(InvalidInputException.class, () -> new PrivateKey(new byte[64], pub));
        assertThrows(InvalidInputException.class, () -> new PrivateKey(new byte[32], null));
        assertThrows(InvalidInputException.class, () -> PrivateKey.unmarshal(null));
        assertThrows(InvalidInputException.class, () -> PrivateKey.unmarshal(new byte[0]));
        assertThrows(InvalidInputException.class, () -> PrivateKey.unmarshal(Arrays.copyOf(good, 67)));
        assertThrows(InvalidInputException.class, () -> PrivateKey.unmarshal(Arrays.copyOf(good, 69)));
        byte[] pubForm = good.clone();
        pubForm[3] = 0x20;
        assertThrows(InvalidInputException.class, () -> PrivateKey.unmarshal(pubForm));
        byte[] rsa = good.clone();
        rsa[1] = 0;
        assertThrows(InvalidInputException.class, () -> PrivateKey.unmarshal(rsa));
        assertThrows(InvalidInputException.class, () -> PrivateKey.parse(""));
        assertThrows(InvalidInputException.class, () -> PrivateKey.parse(pub.toString())); // a public key text
    }

    @Test
    void seedIsCopied() {
        byte[] seed = new byte[32];
        PrivateKey k = new PrivateKey(seed, new PublicKey(new byte[32]));
        seed[0] = 1;
        k.seed()[1] = 1;
        assertArrayEquals(new byte[32], k.seed());
    }

    @Property
    void roundTrips(@ForAll @Size(32) byte[] seed, @ForAll @Size(32) byte[] pub) {
        PrivateKey k = new PrivateKey(seed, new PublicKey(pub));
        assertEquals(k, PrivateKey.unmarshal(k.marshal()));
        assertEquals(k, PrivateKey.parse(Multibase.encode(k.marshal())));
        byte[] other = seed.clone();
        other[0] ^= 1;
        assertNotEquals(k, new PrivateKey(other, new PublicKey(pub)));
    }

    @Property
    void garbageOnlyThrowsInvalidInput(@ForAll @Size(max = 80) byte[] garbage) {
        Fuzz.onlyInvalidInput(() -> PrivateKey.unmarshal(garbage));
    }

    @Property
    void garbageTextOnlyThrowsInvalidInput(@ForAll @Size(max = 120) String garbage) {
        Fuzz.onlyInvalidInput(() -> PrivateKey.parse(garbage));
    }
}
