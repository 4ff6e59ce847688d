package io.weft.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.weft.api.InvalidInputException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles collection schemas with networknt json-schema-validator and caches them by their JSON text. A schema's
 * {@code $schema} picks its dialect (draft-07 and 2020-12 are the supported ones; draft-07 when absent). Nothing is
 * ever loaded from the network or the file system: a {@code $ref} must point inside the schema.
 */
final class Schemas {
    /** Validation messages reported per instance, at most. */
    static final int MAX_MESSAGES = 10;

    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7,
            b -> b.schemaLoader(l -> l.fetchRemoteResources(false).block(iri -> true)));
    private final Map<String, Schema> cache;

    Schemas(int cacheSize) {
        this.cache = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Schema> eldest) {
                return size() > cacheSize;
            }
        });
    }

    /**
     * The compiled form of {@code schema}.
     *
     * @throws InvalidInputException if it does not compile
     */
    Schema compile(JsonNode schema) {
        String key = schema.toString();
        Schema s = cache.get(key);
        if (s != null) {
            return s;
        }
        try {
            s = registry.getSchema(schema);
            s.initializeValidators();
        } catch (RuntimeException e) {
            throw new InvalidInputException("invalid JSON schema: " + e.getMessage());
        }
        cache.put(key, s);
        return s;
    }

    /** The problems of {@code instance} against {@code schema}; empty if it is valid. */
    static List<String> validate(Schema schema, JsonNode instance) {
        List<Error> errors;
        try {
            errors = schema.validate(instance);
        } catch (RuntimeException e) {
            return List.of("schema validation failed: " + e.getMessage());
        }
        List<String> out = new ArrayList<>(Math.min(errors.size(), MAX_MESSAGES));
        for (Error e : errors) {
            if (out.size() == MAX_MESSAGES) {
                out.add("… and " + (errors.size() - MAX_MESSAGES) + " more");
                break;
            }
            out.add(e.toString());
        }
        return out;
    }

    /**
     * Checks the go-threads rule that {@code _id}, where the schema declares it (at the root or in a root
     * {@code $ref} to {@code #/definitions/…} or {@code #/$defs/…}), is declared as a string.
     */
    static void checkIdDeclaration(String collection, JsonNode schema) {
        JsonNode root = schema;
        JsonNode ref = schema.get("$ref");
        if (ref != null && ref.isTextual()) {
            String r = ref.textValue();
            for (String p : new String[] {"#/definitions/", "#/$defs/"}) {
                if (r.startsWith(p)) {
                    JsonNode target = schema.path(p.substring(2, p.length() - 1)).get(r.substring(p.length()));
                    if (target != null) {
                        root = target;
                    }
                }
            }
        }
        JsonNode id = root.path("properties").get("_id");
        if (id == null) {
            return;
        }
        JsonNode type = id.get("type");
        boolean ok = type == null || type.isTextual() && type.textValue().equals("string");
        if (!ok) {
            throw new InvalidInputException("collection " + collection + ": the schema must declare _id as a string");
        }
    }
}
