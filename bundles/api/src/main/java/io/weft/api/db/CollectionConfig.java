package io.weft.api.db;

import com.fasterxml.jackson.databind.JsonNode;
import io.weft.api.InvalidInputException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The definition of a collection (threads API {@code CollectionConfig}): its name, the JSON Schema its instances
 * must satisfy, its indexes, and optionally the names of a {@link io.weft.api.db.spi.WriteValidator} and a
 * {@link io.weft.api.db.spi.ReadFilter} service.
 *
 * <p>The schema may be draft-07 (the default when it has no {@code $schema}) or 2020-12 (named by
 * {@code "$schema": "https://json-schema.org/draft/2020-12/schema"}). Every instance has a string {@code _id};
 * if the schema declares {@code _id} it must declare it as a string. The database adds {@code _mod} (the
 * last-modified time as unix nanoseconds) to every stored instance.
 *
 * @param name           the collection name (see {@link Names})
 * @param schema         a JSON Schema object
 * @param indexes        the indexes (no two with the same path); {@code null} means none
 * @param writeValidator the name of a write validator service, or {@code null}
 * @param readFilter     the name of a read filter service, or {@code null}
 */
public record CollectionConfig(String name, JsonNode schema, List<IndexConfig> indexes, String writeValidator,
        String readFilter) {

    public CollectionConfig {
        Names.check("collection", name);
        if (schema == null || !schema.isObject()) {
            throw new InvalidInputException("collection " + name + ": the schema must be a JSON object");
        }
        schema = schema.deepCopy();
        indexes = indexes == null ? List.of() : List.copyOf(indexes);
        Set<String> paths = new HashSet<>();
        for (IndexConfig i : indexes) {
            if (i == null) {
                throw new InvalidInputException("collection " + name + ": null index");
            }
            if (!paths.add(i.path())) {
                throw new InvalidInputException("collection " + name + ": two indexes on path " + i.path());
            }
            if (i.path().equals("_id")) {
                throw new InvalidInputException("collection " + name + ": _id is always indexed; do not list it");
            }
        }
        writeValidator = blankToNull(writeValidator);
        readFilter = blankToNull(readFilter);
    }

    /** A collection without indexes or hooks. */
    public CollectionConfig(String name, JsonNode schema) {
        this(name, schema, List.of(), null, null);
    }

    /** A collection with indexes and no hooks. */
    public CollectionConfig(String name, JsonNode schema, List<IndexConfig> indexes) {
        this(name, schema, indexes, null, null);
    }

    /** The schema (a copy). */
    @Override
    public JsonNode schema() {
        return schema.deepCopy();
    }

    /** The index on {@code path}, or {@code null}. */
    public IndexConfig index(String path) {
        for (IndexConfig i : indexes) {
            if (i.path().equals(path)) {
                return i;
            }
        }
        return null;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
