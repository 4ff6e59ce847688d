package io.weft.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.crypto.PublicKey;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.Query;
import io.weft.api.db.spi.ReadFilter;
import io.weft.db.query.DocumentSource;
import io.weft.db.query.QueryEngine;
import java.util.ArrayList;
import java.util.List;

/** Read operations shared by read and write transactions: lookups and queries, then the read filter. */
final class Reads {
    private Reads() {
    }

    static void checkId(String id) {
        if (id == null || id.isEmpty()) {
            throw new InvalidInputException("instance id is required");
        }
    }

    /** The instance as the reader ({@code null}: the local host) may see it, or {@code null}. */
    static ObjectNode filtered(Db db, PublicKey reader, CollectionConfig cfg, ObjectNode stored) {
        if (stored == null) {
            return null;
        }
        ReadFilter f = db.readFilter(cfg);
        ObjectNode copy = stored.deepCopy();
        return f == null ? copy : f.filter(reader, cfg.name(), copy);
    }

    static ObjectNode get(Db db, PublicKey reader, CollectionConfig cfg, DocumentSource source, String id) {
        checkId(id);
        JsonNode n = source.get(id);
        return filtered(db, reader, cfg, (ObjectNode) n);
    }

    static ObjectNode require(Db db, PublicKey reader, CollectionConfig cfg, DocumentSource source, String id) {
        ObjectNode n = get(db, reader, cfg, source, id);
        if (n == null) {
            throw new NotFoundException("instance " + cfg.name() + "/" + id + " not found");
        }
        return n;
    }

    static boolean hasAll(Db db, PublicKey reader, CollectionConfig cfg, DocumentSource source, List<String> ids) {
        if (ids == null) {
            throw new InvalidInputException("ids are required");
        }
        for (String id : ids) {
            if (get(db, reader, cfg, source, id) == null) {
                return false;
            }
        }
        return true;
    }

    static List<ObjectNode> requireAll(Db db, PublicKey reader, CollectionConfig cfg, DocumentSource source,
            List<String> ids) {
        if (ids == null) {
            throw new InvalidInputException("ids are required");
        }
        List<ObjectNode> out = new ArrayList<>(ids.size());
        for (String id : ids) {
            out.add(require(db, reader, cfg, source, id));
        }
        return out;
    }

    static List<ObjectNode> find(Db db, PublicKey reader, CollectionConfig cfg, DocumentSource source, Query query) {
        if (query == null) {
            throw new InvalidInputException("query is required");
        }
        List<JsonNode> found = QueryEngine.execute(query, source);
        List<ObjectNode> out = new ArrayList<>(found.size());
        for (JsonNode n : found) {
            ObjectNode f = filtered(db, reader, cfg, (ObjectNode) n);
            if (f != null) {
                out.add(f);
            }
        }
        return out;
    }
}
