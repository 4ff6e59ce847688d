package io.weft.api.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A key-value view of one collection (paper §5.2): string keys, JSON values, each entry one instance
 * {@code {"_id": key, "value": value}}. A thin typed API over {@link Collection}: every call is an ordinary
 * transaction, so entries replicate, converge and can be listened to like any instance.
 *
 * <pre>{@code
 * KeyValueView settings = KeyValueView.open(db, "Settings");
 * settings.put("theme", TextNode.valueOf("dark"));
 * settings.get("theme");                 // Optional[“dark”]
 * settings.putAll(Map.of("a", one, "b", two));   // one transaction
 * settings.delete("theme");
 * }</pre>
 */
public final class KeyValueView {
    /** The schema of a key-value collection. */
    public static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"_id\":{\"type\":\"string\"},"
            + "\"value\":{}},\"required\":[\"value\"]}";

    private final Database db;
    private final String collection;

    private KeyValueView(Database db, String collection) {
        this.db = db;
        this.collection = collection;
    }

    /** The view over {@code collection}, which is created (with {@link #SCHEMA}) if it does not exist. */
    public static KeyValueView open(Database db, String collection) {
        try {
            db.collection(collection);
        } catch (NotFoundException e) {
            try {
                db.newCollection(new CollectionConfig(collection, new ObjectMapper().readTree(SCHEMA)));
            } catch (com.fasterxml.jackson.core.JsonProcessingException x) {
                throw new IllegalStateException(x);
            } catch (io.weft.api.ConflictException raced) {
                // created meanwhile
            }
        }
        return new KeyValueView(db, collection);
    }

    private static ObjectNode entry(String key, JsonNode value) {
        if (key == null || key.isEmpty()) {
            throw new InvalidInputException("key-value view: the key must not be empty");
        }
        if (value == null) {
            throw new InvalidInputException("key-value view: the value is required (use delete)");
        }
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("_id", key);
        n.set("value", value);
        return n;
    }

    /** Sets {@code key} to {@code value}. */
    public void put(String key, JsonNode value) {
        db.update(t -> t.save(collection, entry(key, value)));
    }

    /** Sets several keys in one transaction. */
    public void putAll(Map<String, ? extends JsonNode> entries) {
        db.update(t -> entries.forEach((k, v) -> t.save(collection, entry(k, v))));
    }

    /** The value of {@code key}, if set. */
    public Optional<JsonNode> get(String key) {
        return db.read(t -> t.has(collection, key) ? Optional.of(t.findById(collection, key).get("value"))
                : Optional.<JsonNode>empty());
    }

    /** Whether {@code key} is set. */
    public boolean containsKey(String key) {
        return db.read(t -> t.has(collection, key));
    }

    /** Removes {@code key}; returns whether it was set. */
    public boolean delete(String key) {
        return db.write(t -> {
            boolean had = t.has(collection, key);
            t.delete(collection, key);
            return had;
        });
    }

    /** Every entry, in key order. */
    public Map<String, JsonNode> entries() {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (ObjectNode n : db.read(t -> t.findAll(collection))) {
            out.put(n.get("_id").textValue(), n.get("value"));
        }
        return out;
    }

    /** Every key, in order. */
    public List<String> keys() {
        return List.copyOf(entries().keySet());
    }
}
