package io.weft.api.db;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.api.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Strict JSON reading shared by the query types (package-private). */
final class QueryJson {

    /** JSON nesting a query of {@link Query#MAX_DEPTH} levels may need (query, ors array, criterion, value). */
    static final int MAX_JSON_NESTING = 4 * Query.MAX_DEPTH + 8;

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_JSON_NESTING).build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private QueryJson() {
    }

    static JsonNode parse(String json) {
        if (json == null) {
            throw new InvalidInputException("query JSON is null");
        }
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || node.isMissingNode()) {
                throw new InvalidInputException("query JSON is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("query JSON is not well-formed: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The members of an object keyed by their canonical (lower-case) name. Names are matched ignoring ASCII
     * case, as Go's {@code encoding/json} does. Unknown names and two spellings of one name are rejected.
     */
    static Map<String, JsonNode> members(JsonNode node, String where, String... allowed) {
        if (node == null || !node.isObject()) {
            throw new InvalidInputException(where + " must be a JSON object, not " + kind(node));
        }
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String folded = e.getKey().toLowerCase(Locale.ROOT);
            String canonical = null;
            for (String a : allowed) {
                if (a.toLowerCase(Locale.ROOT).equals(folded) && asciiOnly(e.getKey())) {
                    canonical = a;
                    break;
                }
            }
            if (canonical == null) {
                throw new InvalidInputException(where + " has unknown member \"" + e.getKey() + "\" (allowed: "
                        + String.join(", ", allowed) + ")");
            }
            if (out.put(canonical, e.getValue()) != null) {
                throw new InvalidInputException(where + " has member \"" + canonical + "\" more than once");
            }
        }
        return out;
    }

    private static boolean asciiOnly(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** A non-negative int from an integral JSON number; null counts as 0. */
    static int nonNegativeInt(JsonNode v, String where) {
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isIntegralNumber()) {
            throw new InvalidInputException(where + " must be an integer, not " + kind(v) + " " + v);
        }
        if (!v.canConvertToInt()) {
            throw new InvalidInputException(where + " is out of range: " + v);
        }
        int i = v.intValue();
        if (i < 0) {
            throw new InvalidInputException(where + " must not be negative: " + i);
        }
        return i;
    }

    /** A string, or null for JSON null / absent. */
    static String string(JsonNode v, String where) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new InvalidInputException(where + " must be a JSON string, not " + kind(v));
        }
        return v.textValue();
    }

    /** Checks a dot-separated field path: non-empty, without empty segments. Returns it. */
    static String fieldPath(String path, String where) {
        if (path == null) {
            throw new InvalidInputException(where + " is required");
        }
        if (path.isEmpty()) {
            throw new InvalidInputException(where + " must not be empty");
        }
        if (path.startsWith(".") || path.endsWith(".") || path.contains("..")) {
            throw new InvalidInputException(where + " has an empty segment: \"" + path + "\"");
        }
        return path;
    }

    static String kind(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        }
        switch (n.getNodeType()) {
            case ARRAY:
                return "an array";
            case OBJECT:
                return "an object";
            case STRING:
                return "a string";
            case NUMBER:
                return "a number";
            case BOOLEAN:
                return "a boolean";
            case NULL:
                return "null";
            default:
                return n.getNodeType().toString().toLowerCase(Locale.ROOT);
        }
    }
}
