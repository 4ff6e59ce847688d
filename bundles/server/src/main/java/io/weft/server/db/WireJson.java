package io.weft.server.db;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.weft.api.InvalidInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict reading and compact writing of the JSON the threads API carries as bytes (instances, schemas, queries). */
final class WireJson {
    /** Deepest nesting accepted (the database's own limit). */
    static final int MAX_DEPTH = 1000;

    static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private WireJson() {
    }

    /** UTF-8 text of {@code bytes}; malformed UTF-8 is an error, not replaced. */
    static String text(ByteString bytes, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidInputException(what + " is not valid UTF-8");
        }
    }

    /** One JSON value. */
    static JsonNode parse(ByteString bytes, String what) {
        if (bytes.isEmpty()) {
            throw new InvalidInputException(what + " is empty: expected JSON");
        }
        try {
            JsonNode n = MAPPER.readTree(text(bytes, what));
            if (n == null) {
                throw new InvalidInputException(what + " is empty: expected JSON");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(what + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** One JSON object. */
    static ObjectNode parseObject(ByteString bytes, String what) {
        JsonNode n = parse(bytes, what);
        if (!n.isObject()) {
            throw new InvalidInputException(what + " must be a JSON object");
        }
        return (ObjectNode) n;
    }

    /** Compact UTF-8 JSON. */
    static ByteString bytes(JsonNode node) {
        try {
            return ByteString.copyFrom(MAPPER.writeValueAsBytes(node));
        } catch (IOException e) {
            throw new IllegalStateException("JSON tree cannot be written", e);
        }
    }
}
