package io.weft.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.IndexConfig;
import io.weft.api.store.Cursor;
import io.weft.api.store.Datastore;
import io.weft.api.store.DatastoreProvider;
import io.weft.api.store.Entry;
import io.weft.api.store.KeyRange;
import io.weft.codec.jsonpatch.JsonPatchCodec;
import io.weft.core.crypto.Ed25519;
import io.weft.logstore.LocalLogService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** Stores of either engine in temp dirs, peers (log service + manager) over them, and JSON helpers. */
abstract class DbFixture {
    @TempDir
    Path tmp;

    private final List<AutoCloseable> opened = new ArrayList<>();
    private int dirs;

    /** A log service and a database manager over one store. */
    record Peer(Datastore store, LocalLogService logs, Manager manager, PrivateKey identity) {
    }

    Datastore open(String engine) {
        return open(engine, tmp.resolve("store-" + dirs++));
    }

    Datastore open(String engine, Path dir) {
        Datastore ds = provider(engine).open(dir, Map.of());
        opened.add(ds);
        return ds;
    }

    static DatastoreProvider provider(String engine) {
        for (DatastoreProvider p : ServiceLoader.load(DatastoreProvider.class)) {
            if (p.engine().equals(engine)) {
                return p;
            }
        }
        throw new IllegalStateException("no DatastoreProvider for engine " + engine);
    }

    Peer peer(String engine) {
        return peer(open(engine), Ed25519.generate(), b -> b);
    }

    Peer peer(Datastore ds, PrivateKey identity, UnaryOperator<Manager.Builder> options) {
        LocalLogService logs = new LocalLogService(ds);
        Manager m = options.apply(Manager.builder(logs, ds, identity).codecs(new JsonPatchCodec())).build();
        opened.add(m);
        return new Peer(ds, logs, m, identity);
    }

    @AfterEach
    void closeAll() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception ignored) {
                // already closed
            }
        }
        opened.clear();
    }

    /** Every entry of the store, in key order. */
    static List<Entry> snapshot(Datastore ds) {
        return ds.read(txn -> {
            List<Entry> out = new ArrayList<>();
            try (Cursor c = txn.scan(KeyRange.all())) {
                c.forEachRemaining(out::add);
            }
            return out;
        });
    }

    static ObjectNode json(String text) {
        return Json.parseObject(text);
    }

    static JsonNode schema(String text) {
        return Json.parseObject(text);
    }

    /** A draft-07 schema of persons: name (string, required), age (integer >= 0), optional email. */
    static final String PERSON_SCHEMA = """
            {"$schema": "http://json-schema.org/draft-07/schema#",
             "type": "object",
             "properties": {
               "_id": {"type": "string"},
               "name": {"type": "string"},
               "age": {"type": "integer", "minimum": 0},
               "email": {"type": "string"}
             },
             "required": ["name"]}
            """;

    static CollectionConfig persons() {
        return new CollectionConfig("Person", schema(PERSON_SCHEMA),
                List.of(IndexConfig.of("age"), IndexConfig.unique("email")));
    }

    static CollectionConfig anyObject(String name) {
        return new CollectionConfig(name, schema("{\"type\":\"object\"}"));
    }
}
