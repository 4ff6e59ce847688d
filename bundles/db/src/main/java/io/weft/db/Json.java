package io.weft.db;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.CorruptDataException;
import io.weft.api.InvalidInputException;
import java.io.IOException;

/** Strict JSON reading and compact writing for instances. */
final class Json {
    /** Deepest nesting of objects and arrays accepted (the jsonpatch codec's limit). */
    static final int MAX_DEPTH = 1000;

    static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json() {
    }

    /** Parses JSON text that must hold one JSON object. */
    static ObjectNode parseObject(String json) {
        if (json == null) {
            throw new InvalidInputException("instance JSON is required");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("invalid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new InvalidInputException("an instance must be a JSON object");
        }
        return (ObjectNode) node;
    }

    /** Compact UTF-8 JSON. */
    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("instance cannot be written as JSON: " + e.getOriginalMessage());
        }
    }

    /** Reads a stored instance (written by {@link #bytes}). */
    static ObjectNode readStored(byte[] bytes) {
        try {
            JsonNode node = MAPPER.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new CorruptDataException("db: stored instance is not a JSON object");
            }
            return (ObjectNode) node;
        } catch (IOException e) {
            throw new CorruptDataException("db: stored instance is not valid JSON", e);
        }
    }

    static ObjectNode object() {
        return NODES.objectNode();
    }
}
