package io.weft.store.memory;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.api.InvalidInputException;
import io.weft.api.store.Datastore;
import io.weft.api.store.DatastoreConformanceTest;
import io.weft.api.store.DatastoreProvider;
import io.weft.api.store.KeyRange;
import io.weft.api.store.ReadTxn;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The conformance suite against {@link MemoryDatastore}, plus checks of its version pruning. */
class MemoryDatastoreTest extends DatastoreConformanceTest {

    @Override
    protected Datastore open(Path dir) {
        return new MemoryDatastore();
    }

    private MemoryDatastore memory() {
        return (MemoryDatastore) store;
    }

    private static byte[] key(int i) {
        return String.format("key%06d", i).getBytes(UTF_8);
    }

    @Test
    void overwritesKeepOneVersionWhenNoReaderNeedsOlderOnes() {
        for (int i = 0; i < 100; i++) {
            int n = i;
            store.update(t -> t.put(s("k"), s("v" + n)));
        }
        assertEquals(1, memory().versionCount(s("k")));
        assertArrayEquals(s("v99"), store.read(t -> t.get(s("k"))));
    }

    @Test
    void versionsNeededByAnOpenReaderAreKeptThenPruned() {
        store.update(t -> t.put(s("k"), s("old")));
        ReadTxn reader = store.beginRead();
        for (int i = 0; i < 10; i++) {
            int n = i;
            store.update(t -> t.put(s("k"), s("new" + n)));
        }
        assertArrayEquals(s("old"), reader.get(s("k")));
        // the reader's version plus the newest; intermediate ones nobody can see may remain until pruned
        assertTrue(memory().versionCount(s("k")) >= 2);
        reader.close(); // no writer is open, so closing the last old reader prunes at once
        assertEquals(1, memory().versionCount(s("k")));
        assertArrayEquals(s("new9"), store.read(t -> t.get(s("k"))));
    }

    @Test
    void deletedKeysAreRemovedOnceNoReaderSeesThem() {
        store.update(t -> {
            for (int i = 0; i < 100; i++) {
                t.put(key(i), s("v"));
            }
        });
        ReadTxn reader = store.beginRead();
        store.update(t -> t.deleteRange(KeyRange.all()));
        assertEquals(100, memory().physicalKeyCount(), "the open reader still needs them");
        assertEquals(100, keys(reader, KeyRange.all(), false).size());
        assertEquals(0, store.read(t -> keys(t, KeyRange.all(), false)).size());
        reader.close();
        assertEquals(0, memory().physicalKeyCount());
    }

    @Test
    void deletingAnAbsentKeyLeavesNoTrace() {
        store.update(t -> {
            t.put(s("tmp"), s("1"));
            t.delete(s("tmp"));
            t.delete(s("never"));
        });
        assertEquals(0, memory().physicalKeyCount());
    }

    @Test
    void snapshotsAreCheapWithManyKeys() {
        int n = 100_000;
        store.update(t -> {
            for (int i = 0; i < n; i++) {
                t.put(key(i), s("v"));
            }
        });
        // many small commits, each with a reader open across it: O(1) snapshots, no copying
        for (int i = 0; i < 2_000; i++) {
            int k = i;
            try (ReadTxn r = store.beginRead()) {
                store.update(t -> t.put(key(k), s("w")));
                assertArrayEquals(s("v"), r.get(key(k)));
            }
        }
        assertEquals(n, store.read(t -> keys(t, KeyRange.all(), false)).size());
        assertEquals(1, memory().versionCount(key(0)));
    }

    @Test
    void providerIsFoundByServiceLoaderAndRejectsOptions() {
        DatastoreProvider provider = ServiceLoader.load(DatastoreProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.engine().equals("memory"))
                .findFirst().orElseThrow();
        try (Datastore ds = provider.open(null, Map.of())) {
            assertInstanceOf(MemoryDatastore.class, ds);
            assertEquals("memory", ds.engine());
            ds.update(t -> t.put(s("a"), s("b")));
            assertArrayEquals(s("b"), ds.read(t -> t.get(s("a"))));
        }
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> provider.open(null, Map.of("fsync", "secret-value")));
        assertTrue(e.getMessage().contains("fsync"));
        assertTrue(!e.getMessage().contains("secret-value"), "values are never echoed");
    }

    @Test
    void componentDelegatesAndIgnoresConsumerClose() {
        MemoryDatastoreComponent component = new MemoryDatastoreComponent();
        component.update(t -> t.put(s("a"), s("1")));
        component.close();
        assertArrayEquals(s("1"), component.read(t -> t.get(s("a"))));
        assertEquals("memory", component.engine());
        component.deactivate();
        assertThrows(io.weft.api.StorageException.class, component::beginRead);
    }
}
