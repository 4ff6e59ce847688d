package io.weft.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.Database;
import io.weft.api.db.IndexConfig;
import io.weft.api.store.Datastore;
import io.weft.api.store.DatastoreProvider;
import io.weft.codec.jsonpatch.JsonPatchCodec;
import io.weft.core.crypto.Ed25519;
import io.weft.db.Manager;
import io.weft.logstore.LocalLogService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * A document database opened the way an embedding application opens one: a {@link Datastore} found through
 * {@link ServiceLoader}, a {@link LocalLogService} writing to the same store, a host key, and a {@link Manager}
 * with the {@code jsonpatch} codec. The documents have the shape of OrbitDB's documents benchmark
 * ({@code {_id, n, name, tags}}).
 */
final class BenchDb implements AutoCloseable {
    static final ObjectMapper MAPPER = new ObjectMapper();

    /** A schema an application would declare for the documents (validated on every local write). */
    static final String SCHEMA = """
            {"$schema": "http://json-schema.org/draft-07/schema#",
             "type": "object",
             "properties": {
               "_id": {"type": "string"},
               "n": {"type": "number"},
               "name": {"type": "string"},
               "tags": {"type": "array", "items": {"type": "string"}}
             },
             "required": ["n", "name"]}
            """;

    final Path dir;
    final Datastore store;
    final Manager manager;
    final Database db;

    /**
     * Opens a fresh store in a temp dir.
     *
     * @param store       {@code xodus} (fsync off), {@code xodus-fsync} (fsync on every commit) or {@code memory}
     * @param collections the collections of the database
     */
    BenchDb(String store, List<CollectionConfig> collections) {
        try {
            this.dir = Files.createTempDirectory("weft-db-bench");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String engine = store.startsWith("xodus") ? "xodus" : store;
        Map<String, String> options = engine.equals("xodus")
                ? Map.of("fsync", String.valueOf(store.equals("xodus-fsync"))) : Map.of();
        DatastoreProvider provider = ServiceLoader.load(DatastoreProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.engine().equals(engine))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no DatastoreProvider for " + engine));
        this.store = provider.open(dir, options);
        LocalLogService logs = new LocalLogService(this.store);
        this.manager = Manager.builder(logs, this.store, Ed25519.generate()).codecs(new JsonPatchCodec()).build();
        this.db = manager.createDatabase("bench", collections);
    }

    /** A collection of the benchmark documents, with secondary indexes on these paths (none: only {@code _id}). */
    static CollectionConfig docs(String name, String... indexedPaths) {
        List<IndexConfig> indexes = new ArrayList<>();
        for (String p : indexedPaths) {
            indexes.add(IndexConfig.of(p));
        }
        try {
            return new CollectionConfig(name, MAPPER.readTree(SCHEMA), indexes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** OrbitDB's benchmark document as JSON text: {@code {_id: 'doc-'+i, n: i, name: 'name-'+(i%names), tags}}. */
    static String docJson(String idPrefix, long i, int names) {
        return "{\"_id\":\"" + idPrefix + i + "\",\"n\":" + i + ",\"name\":\"name-" + (i % names)
                + "\",\"tags\":[\"x\",\"y\"]}";
    }

    /** The same document as a Jackson tree. */
    static ObjectNode doc(String idPrefix, long i, int names) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("_id", idPrefix + i);
        o.put("n", i);
        o.put("name", "name-" + (i % names));
        o.putArray("tags").add("x").add("y");
        return o;
    }

    /** Fills a collection with documents {@code 0 .. count-1} in transactions of {@code batch}. */
    static void fill(Database db, String collection, int count, int names, int batch) {
        for (int start = 0; start < count; start += batch) {
            List<JsonNode> docs = new ArrayList<>(batch);
            for (int i = start; i < Math.min(count, start + batch); i++) {
                docs.add(doc("doc-", i, names));
            }
            db.collection(collection).createMany(docs);
        }
    }

    @Override
    public void close() {
        try {
            manager.close();
        } finally {
            store.close();
            delete(dir);
        }
    }

    static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
