package io.weft.codec.jsonpatch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.db.ChangeType;
import io.weft.api.db.spi.Action;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** Test helpers: JSON parsing, actions, the shared vectors. */
final class TestJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private TestJson() {
    }

    static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    static ObjectNode obj(String text) {
        return (ObjectNode) json(text);
    }

    static String text(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Action create(String collection, String id, String after) {
        return new Action(ChangeType.CREATE, collection, id, null, json(after));
    }

    static Action save(String collection, String id, String before, String after) {
        return new Action(ChangeType.SAVE, collection, id, json(before), json(after));
    }

    static Action delete(String collection, String id, String before) {
        return new Action(ChangeType.DELETE, collection, id, before == null ? null : json(before), null);
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** The {@code shared/vectors} directory, found by walking up from the working directory. */
    static Path vectorsDir() {
        Path p = Path.of("").toAbsolutePath();
        for (Path d = p; d != null; d = d.getParent()) {
            Path candidate = d.resolve("shared").resolve("vectors");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("test vectors not found: no shared/vectors directory above " + p);
    }

    /** records.txt as label → value (each line {@code label = value}, split at the first {@code " = "}). */
    static Map<String, String> records() {
        try {
            Map<String, String> out = new LinkedHashMap<>();
            for (String line : Files.readAllLines(vectorsDir().resolve("records.txt"), StandardCharsets.UTF_8)) {
                int i = line.indexOf(" = ");
                if (!line.startsWith("#") && i >= 0) {
                    out.put(line.substring(0, i).trim(), line.substring(i + 3).trim());
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
