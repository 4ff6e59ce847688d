package io.weft.logstore;

import io.weft.api.store.Cursor;
import io.weft.api.store.Datastore;
import io.weft.api.store.DatastoreProvider;
import io.weft.api.store.Entry;
import io.weft.api.store.KeyRange;
import io.weft.core.cbor.CborValue;
import io.weft.core.cbor.DagCbor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** Opens stores of either engine in temp dirs and closes them after each test. */
abstract class EngineFixture {
    @TempDir
    Path tmp;

    private final List<Datastore> opened = new ArrayList<>();
    private int dirs;

    /** A fresh store of {@code engine} in a new temp directory. */
    Datastore open(String engine) {
        return open(engine, tmp.resolve("store-" + dirs++));
    }

    /** A store of {@code engine} in {@code dir} (reopens an existing Xodus store). */
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

    @AfterEach
    void closeStores() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (RuntimeException ignored) {
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

    /** A small canonical dag-cbor body. */
    static byte[] body(String text) {
        return DagCbor.encode(CborValue.map("foo", CborValue.text(text)));
    }
}
