package io.weft.api.crypto;

import static io.weft.api.format.TestVectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.weft.api.InvalidInputException;
import io.weft.api.format.Fuzz;
import io.weft.api.format.Multibase;
import io.weft.api.format.Multibase.Base;
import io.weft.api.format.TestVectors;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class PublicKeyTest {

    /** textile-formats.json identities: public_string ↔ public_bytes_hex ↔ raw_pub_hex. */
    @Test
    void textileIdentities() {
        JsonNode identities = TestVectors.json("textile-formats.json").get("identities");
        assertEquals(2, identities.size());
        for (JsonNode id : identities) {
            String text = id.get("public_string").asText();
            byte[] marshaled = hex(id.get("public_bytes_hex").asText());
            byte[] raw = hex(id.get("raw_pub_hex").asText());

            PublicKey fromText = PublicKey.parse(text);
            assertArrayEquals(marshaled, fromText.marshal(), text);
            assertArrayEquals(raw, fromText.raw(), text);
            assertEquals(text, fromText.toString());

            PublicKey fromBytes = PublicKey.unmarshal(marshaled);
            assertEquals(fromText, fromBytes);
            assertEquals(fromText.hashCode(), fromBytes.hashCode());
            assertEquals(text, fromBytes.toString());
            assertEquals(fromText, new PublicKey(raw));
        }
    }

    /** records.txt: "identity pubkey marshaled = … multibase string (JWT sub) = …". */
    @Test
    void recordsIdentityPubkey() {
        String line = TestVectors.recordsLine("identity pubkey marshaled");
        byte[] marshaled = hex(TestVectors.after(line, "marshaled ="));
        String text = TestVectors.after(line, "(JWT sub) =");
        String raw = TestVectors.after(TestVectors.recordsLine("identity ed25519 seed"), "pub =");

        PublicKey key = PublicKey.unmarshal(marshaled);
        assertEquals(raw, hex(key.raw()));
        assertEquals(text, key.toString());
        assertEquals(key, PublicKey.parse(text));
        assertArrayEquals(marshaled, new PublicKey(hex(raw)).marshal());
    }

    @Test
    void otherBasesParse() {
        PublicKey key = new PublicKey(new byte[32]);
        for (Base b : Base.values()) {
            assertEquals(key, PublicKey.parse(Multibase.encode(b, key.marshal())));
        }
    }

    @Test
    void rejectsMalformed() {
        byte[] good = new PublicKey(new byte[32]).marshal();
        assertThrows(InvalidInputException.class, () -> new PublicKey(null));
        assertThrows(InvalidInputException.class, () -> new PublicKey(new byte[31]));
        assertThrows(InvalidInputException.class, () -> new PublicKey(new byte[33]));
        assertThrows(InvalidInputException.class, () -> PublicKey.unmarshal(null));
        assertThrows(InvalidInputException.class, () -> PublicKey.unmarshal(new byte[0]));
        assertThrows(InvalidInputException.class, () -> PublicKey.unmarshal(Arrays.copyOf(good, 35)));
        assertThrows(InvalidInputException.class, () -> PublicKey.unmarshal(Arrays.copyOf(good, 37)));
        byte[] secp = good.clone();
        secp[1] = 2; // secp256k1 key type
        assertThrows(InvalidInputException.class, () -> PublicKey.unmarshal(secp));
        byte[] badTag = good.clone();
        badTag[2] = 0x1a;
        assertThrows(InvalidInputException.class, () -> PublicKey.unmarshal(badTag));
        assertThrows(InvalidInputException.class, () -> PublicKey.parse(""));
        assertThrows(InvalidInputException.class, () -> PublicKey.parse("bbaareib3nit3ztvwuqwwfi5i2avg6dltmuzbk5y54jb2mowajcqywwo2f"));
    }

    @Test
    void rawIsCopied() {
        byte[] raw = new byte[32];
        PublicKey k = new PublicKey(raw);
        raw[0] = 1;
        k.raw()[1] = 1;
        assertTrue(Arrays.equals(new byte[32], k.raw()));
    }

    @Property
    void roundTrips(@ForAll @Size(32) byte[] raw, @ForAll Base base) {
        PublicKey key = new PublicKey(raw);
        assertEquals(key, PublicKey.unmarshal(key.marshal()));
        assertEquals(key, PublicKey.parse(key.toString()));
        assertEquals(key, PublicKey.parse(Multibase.encode(base, key.marshal())));
        assertTrue(key.toString().startsWith("bbaarei"), key.toString());
    }

    @Property
    void garbageOnlyThrowsInvalidInput(@ForAll @Size(max = 50) byte[] garbage) {
        Fuzz.onlyInvalidInput(() -> PublicKey.unmarshal(garbage));
    }

    @Property
    void garbageTextOnlyThrowsInvalidInput(@ForAll @Size(max = 80) String garbage) {
        Fuzz.onlyInvalidInput(() -> PublicKey.parse(garbage));
        Fuzz.onlyInvalidInput(() -> PublicKey.parse("bbaarei" + garbage));
    }
}
