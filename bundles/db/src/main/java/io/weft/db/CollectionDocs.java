package io.weft.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.InvalidInputException;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.IndexConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Collection definitions as instances of the reserved collection {@value #COLLECTIONS}: instance id = collection
 * name, document
 * <pre>{"_id": name, "name": name, "schema": {…}, "indexes": [{"path": p, "unique": b}, …],
 *  "writeValidator": s?, "readFilter": s?, "_mod": t}</pre>
 * Because these are ordinary events of the thread, every peer of a database gets its collections, and concurrent
 * definitions converge like any instance. A definition document that does not parse (possible only from a faulty
 * peer) defines no collection, on every peer alike.
 */
final class CollectionDocs {
    /** The reserved collection of collection definitions; user collection names cannot start with '_'. */
    static final String COLLECTIONS = "_collections";

    private final Map<String, Parsed> cache = new ConcurrentHashMap<>();

    private record Parsed(byte[] raw, CollectionConfig config) {
    }

    static ObjectNode toDoc(CollectionConfig c) {
        ObjectNode doc = Json.object();
        doc.put("_id", c.name());
        doc.put("name", c.name());
        doc.set("schema", c.schema());
        ArrayNode idx = doc.putArray("indexes");
        for (IndexConfig i : c.indexes()) {
            idx.addObject().put("path", i.path()).put("unique", i.unique());
        }
        if (c.writeValidator() != null) {
            doc.put("writeValidator", c.writeValidator());
        }
        if (c.readFilter() != null) {
            doc.put("readFilter", c.readFilter());
        }
        return doc;
    }

    /**
     * The definition a stored document holds.
     *
     * @throws InvalidInputException if it is not a well-formed definition of {@code name}
     */
    static CollectionConfig fromDoc(String name, JsonNode doc) {
        if (doc == null || !doc.isObject()) {
            throw new InvalidInputException("collection definition is not an object");
        }
        JsonNode n = doc.get("name");
        if (n == null || !n.isTextual() || !n.textValue().equals(name)) {
            throw new InvalidInputException("collection definition of " + name + " names another collection");
        }
        JsonNode indexes = doc.get("indexes");
        List<IndexConfig> list = new ArrayList<>();
        if (indexes != null && !indexes.isNull()) {
            if (!indexes.isArray()) {
                throw new InvalidInputException("collection definition: indexes is not an array");
            }
            for (JsonNode i : indexes) {
                JsonNode p = i.get("path");
                JsonNode u = i.get("unique");
                if (p == null || !p.isTextual() || u != null && !u.isBoolean()) {
                    throw new InvalidInputException("collection definition: malformed index");
                }
                list.add(new IndexConfig(p.textValue(), u != null && u.booleanValue()));
            }
        }
        return new CollectionConfig(name, doc.get("schema"), list, text(doc, "writeValidator"), text(doc, "readFilter"));
    }

    private static String text(JsonNode doc, String field) {
        JsonNode v = doc.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new InvalidInputException("collection definition: " + field + " is not a string");
        }
        return v.textValue();
    }

    /**
     * The definition stored as {@code raw} (the state bytes of {@code _collections/name}), or {@code null} if there
     * is none or it does not parse. Parses are cached by content.
     */
    CollectionConfig parse(String name, byte[] raw) {
        if (raw == null) {
            return null;
        }
        Parsed p = cache.get(name);
        if (p != null && Arrays.equals(p.raw(), raw)) {
            return p.config();
        }
        CollectionConfig c;
        try {
            c = fromDoc(name, Json.readStored(raw));
        } catch (RuntimeException e) {
            c = null;
        }
        if (cache.size() > 4096) {
            cache.clear();
        }
        cache.put(name, new Parsed(raw.clone(), c));
        return c;
    }
}
