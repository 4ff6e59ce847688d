package io.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.api.format.TestVectors;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Iterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tools that need no peer: {@code weft id|key|identity}, checked against the shared vectors. */
class ToolsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(Cli c) throws Exception {
        assertEquals(0, c.exit(), c.describe());
        return JSON.readTree(c.out());
    }

    @Test
    void idDecodeMatchesEveryVectorInEveryBase() throws Exception {
        JsonNode vectors = TestVectors.json("threadid.json").get("vectors");
        assertTrue(vectors.size() >= 10, "vectors: " + vectors.size());
        for (JsonNode v : vectors) {
            String expectedVariant = v.get("variant").asText().equals("Raw") ? "raw" : "acl";
            JsonNode d = json(Cli.run("id", "decode", v.get("string").asText(), "--json"));
            assertEquals(v.get("string").asText(), d.get("id").asText());
            assertEquals(v.get("bytes_hex").asText(), d.get("bytes").asText());
            assertEquals(v.get("version").asInt(), d.get("version").asInt());
            assertEquals(expectedVariant, d.get("variant").asText());
            assertEquals(v.get("variant_code").asInt(), d.get("variantCode").asInt());
            assertEquals(v.get("random_hex").asText(), d.get("random").asText());
            assertEquals(v.get("random_len").asInt(), d.get("randomLength").asInt());
            Iterator<JsonNode> others = v.path("other_bases").elements();
            while (others.hasNext()) {
                JsonNode o = json(Cli.run("--json", "id", "decode", others.next().asText()));
                assertEquals(v.get("string").asText(), o.get("id").asText(), "same id in another base");
                assertEquals(v.get("random_hex").asText(), o.get("random").asText());
            }
        }
    }

    @Test
    void idDecodeHumanForm() {
        Cli c = Cli.run("id", "decode", "bafkqaaaaaaaaaaaaaaaaaaaaaaaaa");
        assertEquals(0, c.exit(), c.describe());
        assertTrue(c.out().contains("bytes    015500000000000000000000000000000000"), c.out());
        assertTrue(c.out().contains("version  1"), c.out());
        assertTrue(c.out().contains("variant  raw (0x55)"), c.out());
        assertTrue(c.out().contains("random   00000000000000000000000000000000 (16 bytes)"), c.out());
    }

    @Test
    void idDecodeRejectsBadIdsAsUserErrors() {
        for (String bad : new String[] {"bafk", "afkqaaaaaaaaaaaaaaaaaaaaaaaaa", "b" + "aeaqaaaaaaaaaaaaaaaaaaaaaaaaa", "xyz"}) {
            Cli c = Cli.run("id", "decode", bad);
            assertEquals(Weft.USER_ERROR, c.exit(), c.describe());
            assertTrue(c.err().startsWith("weft: not a thread id"), c.err());
            assertEquals("", c.out());
        }
    }

    @Test
    void idNewMakesIdsOfEachVariantAndSize() throws Exception {
        JsonNode raw = json(Cli.run("id", "new", "--json"));
        assertTrue(raw.get("id").asText().startsWith("bafk"), raw.toString());
        assertEquals(32, raw.get("randomLength").asInt());
        JsonNode acl = json(Cli.run("id", "new", "--variant", "acl", "--size", "16", "--json"));
        assertTrue(acl.get("id").asText().startsWith("bafy"), acl.toString());
        assertEquals("acl", acl.get("variant").asText());
        assertEquals(16, acl.get("randomLength").asInt());
        Cli plain = Cli.run("id", "new");
        assertEquals(ThreadId.Variant.RAW, ThreadId.parse(plain.out().strip()).variant());
        assertEquals(Weft.USER_ERROR, Cli.run("id", "new", "--variant", "x").exit());
        assertEquals(Weft.USER_ERROR, Cli.run("id", "new", "--size", "15").exit());
        assertFalse(json(Cli.run("id", "new", "--json")).get("id").equals(raw.get("id")), "random");
    }

    @Test
    void keyDecodeMatchesTheVectors() throws Exception {
        for (JsonNode v : TestVectors.json("textile-formats.json").get("threadKeys")) {
            JsonNode d = json(Cli.run("key", "decode", v.get("string").asText(), "--json"));
            assertEquals(v.get("service_hex").asText(), d.get("serviceKey").asText());
            if (v.get("read_hex").isNull()) {
                assertTrue(d.get("readKey").isNull());
                assertFalse(d.get("canRead").asBoolean());
            } else {
                assertEquals(v.get("read_hex").asText(), d.get("readKey").asText());
                assertTrue(d.get("canRead").asBoolean());
            }
            assertEquals(v.get("string").asText(), d.get("key").asText());
        }
        Cli human = Cli.run("key", "decode", "bp2vvqody5zm6yqycsnazb4kpqvycbdosos352zvpsorxce5koh7q");
        assertTrue(human.out().contains("read key     (none: a replica's key)"), human.out());
        assertEquals(Weft.USER_ERROR, Cli.run("key", "decode", "bafkqaaaaaaaaaaaaaaaaaaaaaaaaa").exit());
    }

    @Test
    void keyNewWithAndWithoutReadKey() throws Exception {
        assertTrue(ThreadKey.parse(Cli.run("key", "new").out().strip()).canRead());
        JsonNode s = json(Cli.run("key", "new", "--service-only", "--json"));
        assertFalse(s.get("canRead").asBoolean());
        assertFalse(ThreadKey.parse(s.get("key").asText()).canRead());
    }

    @Test
    void identityDecodeMatchesTheVectors(@TempDir Path dir) throws Exception {
        for (JsonNode v : TestVectors.json("textile-formats.json").get("identities")) {
            JsonNode priv = json(Cli.run("identity", "decode", v.get("private_string").asText(), "--json"));
            assertEquals("private", priv.get("type").asText());
            assertEquals(v.get("public_string").asText(), priv.get("publicKey").asText());
            assertEquals(v.get("raw_pub_hex").asText(), priv.get("publicKeyHex").asText());
            assertFalse(priv.has("seedHex"), "the seed only with --show-private");
            JsonNode shown = json(Cli.run("identity", "decode", v.get("private_string").asText(), "--show-private", "--json"));
            assertEquals(v.get("seed_hex").asText(), shown.get("seedHex").asText());
            JsonNode pub = json(Cli.run("identity", "decode", v.get("public_string").asText(), "--json"));
            assertEquals("public", pub.get("type").asText());
            assertEquals(priv.get("peerId").asText(), pub.get("peerId").asText());
            assertTrue(pub.get("peerId").asText().startsWith("12D3KooW"));
            // a peer's binary identity.key
            Path keyFile = dir.resolve("identity-" + v.get("seed_hex").asText().substring(0, 2) + ".key");
            Files.write(keyFile, HexFormat.of().parseHex(v.get("private_bytes_hex").asText()));
            JsonNode fromFile = json(Cli.run("identity", "decode", "--file", keyFile.toString(), "--json"));
            assertEquals(v.get("public_string").asText(), fromFile.get("publicKey").asText());
        }
        assertEquals(Weft.USER_ERROR, Cli.run("identity", "decode", "bafkqaaaaaaaaaaaaaaaaaaaaaaaaa").exit());
        assertEquals(Weft.USER_ERROR, Cli.run("identity", "decode").exit());
    }

    @Test
    void identityNewWritesAPrivateFileThatDecodes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("me.key");
        JsonNode made = json(Cli.run("identity", "new", "--out", file.toString(), "--json"));
        assertFalse(made.has("privateKey"), "the key goes to the file only");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        JsonNode decoded = json(Cli.run("identity", "decode", "--file", file.toString(), "--json"));
        assertEquals(made.get("peerId").asText(), decoded.get("peerId").asText());
        Cli again = Cli.run("identity", "new", "--out", file.toString());
        assertEquals(Weft.USER_ERROR, again.exit(), again.describe());
        assertTrue(again.err().contains("already exists"), again.err());
        String text = Cli.run("identity", "new").out().strip();
        assertEquals("private", json(Cli.run("identity", "decode", text, "--json")).get("type").asText());
    }
}
