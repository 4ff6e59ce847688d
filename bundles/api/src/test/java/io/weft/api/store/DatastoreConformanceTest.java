package io.weft.api.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.weft.api.InvalidInputException;
import io.weft.api.StorageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link Datastore} engine must meet, as an abstract JUnit 5 + jqwik suite. An engine's
 * module subclasses it (the api module publishes its test classes as a test-jar) and implements
 * {@link #open(Path)}; a durable engine also overrides {@link #durable()} (and, if reopening needs more
 * than {@code open}, {@link #reopen(Path)}) so that the durability checks run.
 *
 * <p>Synchronisation between threads uses latches and futures with deadlines, never sleeps.
 */
public abstract class DatastoreConformanceTest {

    /** Deadline for anything that should happen promptly. */
    private static final long DEADLINE_SECONDS = 20;

    /** Opens (creating if needed) a store kept in {@code dir}; an in-memory engine may ignore it. */
    protected abstract Datastore open(Path dir);

    /** Whether committed data survives {@link Datastore#close()} and {@link #reopen(Path)}. */
    protected boolean durable() {
        return false;
    }

    /** Opens the store in {@code dir} again after it was closed; only called when {@link #durable()}. */
    protected Datastore reopen(Path dir) {
        return open(dir);
    }

    @TempDir
    protected Path dir;

    /** The store under test, opened before each test and closed after it. */
    protected Datastore store;

    @BeforeEach
    void openStore() {
        store = open(dir);
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    protected static byte[] b(int... bytes) {
        byte[] out = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = (byte) bytes[i];
        }
        return out;
    }

    protected static byte[] s(String text) {
        return text.getBytes(UTF_8);
    }

    protected static String hex(byte[] bytes) {
        return bytes == null ? null : HexFormat.of().formatHex(bytes);
    }

    /** Every entry of {@code range} as "key=value" hex strings, in scan order. */
    protected static List<String> scanAll(ReadTxn txn, KeyRange range, boolean reverse) {
        List<String> out = new ArrayList<>();
        try (Cursor c = txn.scan(range, reverse)) {
            while (c.hasNext()) {
                Entry e = c.next();
                out.add(hex(e.key()) + "=" + hex(e.value()));
            }
        }
        return out;
    }

    /** The keys of {@code range} as hex strings, in scan order. */
    protected static List<String> keys(ReadTxn txn, KeyRange range, boolean reverse) {
        List<String> out = new ArrayList<>();
        try (Cursor c = txn.scan(range, reverse)) {
            while (c.hasNext()) {
                out.add(hex(c.next().key()));
            }
        }
        return out;
    }

    protected List<String> committed() {
        return store.read(txn -> scanAll(txn, KeyRange.all(), false));
    }

    private static List<String> hexAll(byte[]... keys) {
        return Stream.of(keys).map(DatastoreConformanceTest::hex).toList();
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    // ------------------------------------------------------------------ basics

    @Test
    void engineHasAName() {
        assertNotNull(store.engine());
        assertFalse(store.engine().isBlank());
    }

    @Test
    void putGetHasDelete() {
        assertNull(store.read(t -> t.get(s("a"))));
        store.update(t -> {
            t.put(s("a"), s("1"));
            t.put(s("b"), s("2"));
        });
        store.read(t -> {
            assertArrayEquals(s("1"), t.get(s("a")));
            assertArrayEquals(s("2"), t.get(s("b")));
            assertTrue(t.has(s("a")));
            assertFalse(t.has(s("c")));
            assertNull(t.get(s("c")));
            return null;
        });
        boolean[] deleted = new boolean[2];
        store.update(t -> {
            deleted[0] = t.delete(s("a"));
            deleted[1] = t.delete(s("zz"));
        });
        assertTrue(deleted[0], "deleting a present key reports true");
        assertFalse(deleted[1], "deleting an absent key reports false");
        store.read(t -> {
            assertNull(t.get(s("a")));
            assertFalse(t.has(s("a")));
            assertArrayEquals(s("2"), t.get(s("b")));
            return null;
        });
    }

    @Test
    void overwriteReplacesValue() {
        store.update(t -> t.put(s("k"), s("first")));
        store.update(t -> t.put(s("k"), s("second, longer value")));
        assertArrayEquals(s("second, longer value"), store.read(t -> t.get(s("k"))));
        store.update(t -> {
            t.put(s("k"), s("x"));
            t.put(s("k"), s("y"));
        });
        assertArrayEquals(s("y"), store.read(t -> t.get(s("k"))));
        assertEquals(1, store.read(t -> keys(t, KeyRange.all(), false)).size());
    }

    @Test
    void emptyValueIsStoredAndDistinctFromAbsent() {
        store.update(t -> t.put(s("empty"), new byte[0]));
        store.read(t -> {
            assertArrayEquals(new byte[0], t.get(s("empty")));
            assertTrue(t.has(s("empty")));
            assertEquals(List.of(hex(s("empty")) + "="), scanAll(t, KeyRange.all(), false));
            return null;
        });
    }

    @Test
    void emptyKeyIsTheSmallestKey() {
        store.update(t -> {
            t.put(b(0x00), s("zero"));
            t.put(new byte[0], s("empty key"));
        });
        store.read(t -> {
            assertArrayEquals(s("empty key"), t.get(new byte[0]));
            assertEquals(List.of("", "00"), keys(t, KeyRange.all(), false));
            assertEquals(List.of("", "00"), keys(t, KeyRange.prefix(new byte[0]), false));
            return null;
        });
        assertTrue(store.<Boolean>write(t -> t.delete(new byte[0])));
        assertEquals(List.of("00"), store.read(t -> keys(t, KeyRange.all(), false)));
    }

    @Test
    void largeValueRoundTrips() {
        byte[] big = new byte[512 * 1024];
        new Random(7).nextBytes(big);
        store.update(t -> t.put(s("big"), big));
        assertArrayEquals(big, store.read(t -> t.get(s("big"))));
    }

    @Test
    void binaryKeysAreOrderedAsUnsignedBytes() {
        byte[][] keys = {b(0xff), b(0x80), b(0x7f), b(0x01), b(0x00), b(0x00, 0x00), b(0xff, 0x00), b(0xff, 0xff),
                b(0x00, 0xff), b(0x7f, 0xff, 0xff), b(0x80, 0x00), b(0xfe)};
        store.update(t -> {
            for (byte[] k : keys) {
                t.put(k, k);
            }
        });
        // the order the contract requires, written out: 0x00 < 0x7f < 0x80 < 0xff, a prefix sorts first
        List<String> expected = List.of("00", "0000", "00ff", "01", "7f", "7fffff", "80", "8000", "fe", "ff", "ff00",
                "ffff");
        List<String> bySpec = Stream.of(keys).sorted(Arrays::compareUnsigned).map(DatastoreConformanceTest::hex).toList();
        assertEquals(expected, bySpec, "test data sanity");
        store.read(t -> {
            assertEquals(expected, keys(t, KeyRange.all(), false));
            List<String> reversed = new ArrayList<>(expected);
            java.util.Collections.reverse(reversed);
            assertEquals(reversed, keys(t, KeyRange.all(), true));
            for (byte[] k : keys) {
                assertArrayEquals(k, t.get(k), hex(k));
            }
            return null;
        });
    }

    // ------------------------------------------------------------------ scans

    private void putAll(String... keys) {
        store.update(t -> {
            for (String k : keys) {
                t.put(s(k), s("v-" + k));
            }
        });
    }

    private static List<String> strings(List<String> hexKeys) {
        return hexKeys.stream().map(h -> new String(HexFormat.of().parseHex(h), UTF_8)).toList();
    }

    @Test
    void prefixScansReturnExactlyThePrefixedKeys() {
        putAll("a", "a/", "a/1", "a/2", "a/2/x", "a0", "ab", "b/", "b/1", "");
        store.read(t -> {
            assertEquals(List.of("a/", "a/1", "a/2", "a/2/x"), strings(keys(t, KeyRange.prefix(s("a/")), false)));
            assertEquals(List.of("a/2/x", "a/2", "a/1", "a/"), strings(keys(t, KeyRange.prefix(s("a/")), true)));
            assertEquals(List.of("a/2", "a/2/x"), strings(keys(t, KeyRange.prefix(s("a/2")), false)));
            assertEquals(List.of("b/", "b/1"), strings(keys(t, KeyRange.prefix(s("b")), false)));
            assertEquals(List.of(), keys(t, KeyRange.prefix(s("c")), false));
            assertEquals(List.of(), keys(t, KeyRange.prefix(s("a/3")), true));
            List<Entry> entries = new ArrayList<>();
            try (Cursor c = t.scan(KeyRange.prefix(s("a/1")))) {
                c.forEachRemaining(entries::add);
            }
            assertEquals(List.of(new Entry(s("a/1"), s("v-a/1"))), entries);
            return null;
        });
    }

    @Test
    void prefixScansWorkAtTheTopOfTheKeySpace() {
        byte[][] keys = {b(0xfe), b(0xfe, 0xff), b(0xff), b(0xff, 0x00), b(0xff, 0xff), b(0xff, 0xff, 0x01), b(0x01, 0xff),
                b(0x01, 0xff, 0xff), b(0x02)};
        store.update(t -> {
            for (byte[] k : keys) {
                t.put(k, b(1));
            }
        });
        store.read(t -> {
            assertEquals(List.of("ff", "ff00", "ffff", "ffff01"), keys(t, KeyRange.prefix(b(0xff)), false));
            assertEquals(List.of("ffff01", "ffff", "ff00", "ff"), keys(t, KeyRange.prefix(b(0xff)), true));
            assertEquals(List.of("ffff", "ffff01"), keys(t, KeyRange.prefix(b(0xff, 0xff)), false));
            assertEquals(List.of("01ff", "01ffff"), keys(t, KeyRange.prefix(b(0x01, 0xff)), false));
            assertEquals(List.of("01ffff", "01ff"), keys(t, KeyRange.prefix(b(0x01, 0xff)), true));
            assertEquals(List.of("fe", "feff"), keys(t, KeyRange.prefix(b(0xfe)), false));
            return null;
        });
    }

    @Test
    void rangesAreHalfOpen() {
        putAll("a", "b", "c", "d", "e");
        store.read(t -> {
            assertEquals(List.of("b", "c", "d"), strings(keys(t, KeyRange.between(s("b"), s("e")), false)));
            assertEquals(List.of("d", "c", "b"), strings(keys(t, KeyRange.between(s("b"), s("e")), true)));
            assertEquals(List.of("b", "c"), strings(keys(t, KeyRange.between(s("aa"), s("cc")), false)));
            assertEquals(List.of("c", "b"), strings(keys(t, KeyRange.between(s("aa"), s("cc")), true)));
            assertEquals(List.of("a", "b"), strings(keys(t, KeyRange.between(null, s("c")), false)));
            assertEquals(List.of("b", "a"), strings(keys(t, KeyRange.between(null, s("c")), true)));
            assertEquals(List.of("d", "e"), strings(keys(t, KeyRange.between(s("d"), null), false)));
            assertEquals(List.of("e", "d"), strings(keys(t, KeyRange.between(s("d"), null), true)));
            assertEquals(List.of("e", "d", "c", "b", "a"), strings(keys(t, KeyRange.all(), true)));
            assertEquals(List.of(), keys(t, KeyRange.between(s("c"), s("c")), false), "empty when start == end");
            assertEquals(List.of(), keys(t, KeyRange.between(s("c"), s("c")), true));
            assertEquals(List.of(), keys(t, KeyRange.between(s("d"), s("b")), false), "empty when start > end");
            assertEquals(List.of(), keys(t, KeyRange.between(s("d"), s("b")), true));
            assertEquals(List.of(), keys(t, KeyRange.between(s("f"), null), false));
            assertEquals(List.of(), keys(t, KeyRange.between(null, s("a")), true));
            return null;
        });
    }

    @Test
    void emptyStoreScansAreEmpty() {
        store.read(t -> {
            assertEquals(List.of(), keys(t, KeyRange.all(), false));
            assertEquals(List.of(), keys(t, KeyRange.all(), true));
            return null;
        });
    }

    @Test
    void cursorFollowsTheIteratorContract() {
        putAll("a", "b");
        try (ReadTxn t = store.beginRead(); Cursor c = t.scan(KeyRange.all())) {
            assertTrue(c.hasNext());
            assertTrue(c.hasNext(), "hasNext does not advance");
            assertArrayEquals(s("a"), c.next().key());
            assertArrayEquals(s("b"), c.next().key(), "next works without hasNext");
            assertFalse(c.hasNext());
            assertFalse(c.hasNext());
            assertThrows(NoSuchElementException.class, c::next);
            c.close();
            c.close();
            assertThrows(StorageException.class, c::hasNext, "a closed cursor is unusable");
        }
    }

    @Test
    void deleteRangeRemovesExactlyTheRange() {
        putAll("a", "b", "b/1", "b/2", "c", "d");
        assertEquals(3L, store.<Long>write(t -> t.deleteRange(KeyRange.prefix(s("b")))));
        assertEquals(List.of("a", "c", "d"), strings(store.read(t -> keys(t, KeyRange.all(), false))));
        assertEquals(0L, store.<Long>write(t -> t.deleteRange(KeyRange.prefix(s("b")))));
        assertEquals(0L, store.<Long>write(t -> t.deleteRange(KeyRange.between(s("c"), s("c")))));
        assertEquals(1L, store.<Long>write(t -> t.deleteRange(KeyRange.between(s("b"), s("d")))));
        assertEquals(List.of("a", "d"), strings(store.read(t -> keys(t, KeyRange.all(), false))));
        assertEquals(2L, store.<Long>write(t -> t.deleteRange(KeyRange.all())));
        assertEquals(List.of(), store.read(t -> keys(t, KeyRange.all(), false)));
    }

    @Test
    void deleteRangeCountsOwnWritesAndIgnoresOwnDeletes() {
        putAll("k1", "k2", "k3");
        long removed = store.write(t -> {
            t.put(s("k4"), s("new"));
            t.delete(s("k2"));
            long n = t.deleteRange(KeyRange.prefix(s("k")));
            assertEquals(List.of(), keys(t, KeyRange.prefix(s("k")), false));
            assertNull(t.get(s("k4")));
            t.put(s("k2"), s("again"));
            return n;
        });
        assertEquals(3L, removed, "k1, k3 and the transaction's own k4");
        assertEquals(List.of("k2"), strings(store.read(t -> keys(t, KeyRange.all(), false))));
    }

    // ------------------------------------------------------------------ write transactions

    @Test
    void writeTransactionSeesItsOwnWrites() {
        putAll("a", "c", "e", "g");
        try (WriteTxn w = store.beginWrite()) {
            w.put(s("b"), s("new-b"));
            w.put(s("c"), s("new-c"));
            assertTrue(w.delete(s("e")));
            w.put(s("h"), s("new-h"));
            w.put(s("0"), s("new-0"));
            assertTrue(w.delete(s("0")));
            assertArrayEquals(s("new-b"), w.get(s("b")));
            assertArrayEquals(s("new-c"), w.get(s("c")));
            assertArrayEquals(s("v-a"), w.get(s("a")));
            assertNull(w.get(s("e")));
            assertFalse(w.has(s("e")));
            assertNull(w.get(s("0")));
            assertFalse(w.delete(s("e")), "already deleted in this transaction");
            assertEquals(List.of("a", "b", "c", "g", "h"), strings(keys(w, KeyRange.all(), false)));
            assertEquals(List.of("h", "g", "c", "b", "a"), strings(keys(w, KeyRange.all(), true)));
            assertEquals(List.of("b", "c"), strings(keys(w, KeyRange.between(s("b"), s("e")), false)));
            assertEquals(List.of("c", "b"), strings(keys(w, KeyRange.between(s("b"), s("e")), true)));
            assertEquals(List.of(hex(s("c")) + "=" + hex(s("new-c"))), scanAll(w, KeyRange.prefix(s("c")), false));

            // nobody else sees any of it before commit
            try (ReadTxn r = store.beginRead()) {
                assertEquals(List.of("a", "c", "e", "g"), strings(keys(r, KeyRange.all(), false)));
                assertArrayEquals(s("v-c"), r.get(s("c")));
            }
            w.commit();
        }
        assertEquals(List.of("a", "b", "c", "g", "h"), strings(store.read(t -> keys(t, KeyRange.all(), false))));
        assertArrayEquals(s("new-c"), store.read(t -> t.get(s("c"))));
    }

    @Test
    void writingWhileScanningDeletesEveryKeyOnce() {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add(String.format("k%03d", i));
        }
        putAll(all.toArray(String[]::new));
        for (boolean reverse : new boolean[] {false, true}) {
            List<String> visited = new ArrayList<>();
            assertThrows(Abort.class, () -> store.update(t -> {
                try (Cursor c = t.scan(KeyRange.prefix(s("k")), reverse)) {
                    while (c.hasNext()) {
                        Entry e = c.next();
                        visited.add(new String(e.key(), UTF_8));
                        assertTrue(t.delete(e.key()));
                    }
                }
                assertEquals(List.of(), keys(t, KeyRange.all(), false));
                throw new Abort(); // keep the data for the other direction
            }));
            List<String> expected = new ArrayList<>(all);
            if (reverse) {
                java.util.Collections.reverse(expected);
            }
            assertEquals(expected, visited, reverse ? "reverse" : "forward");
        }
    }

    @Test
    void writingWhileScanningFollowsTheCurrentView() {
        putAll("a", "c", "e", "g");
        store.update(t -> {
            List<String> seen = new ArrayList<>();
            try (Cursor c = t.scan(KeyRange.all())) {
                seen.add(new String(c.next().key(), UTF_8)); // a
                t.put(s("a"), s("changed behind"));
                t.put(s("b"), s("inserted ahead"));
                t.delete(s("e"));
                assertTrue(c.hasNext());
                t.put(s("c"), s("changed after hasNext"));
                Entry e = c.next();
                assertEquals("b", new String(e.key(), UTF_8));
                assertArrayEquals(s("inserted ahead"), e.value());
                e = c.next();
                assertEquals("c", new String(e.key(), UTF_8));
                assertArrayEquals(s("changed after hasNext"), e.value());
                t.put(s("f"), s("f"));
                while (c.hasNext()) {
                    Entry x = c.next();
                    seen.add(new String(x.key(), UTF_8));
                    t.put(x.key(), s("touched"));
                }
            }
            assertEquals(List.of("a", "f", "g"), seen);
        });
        assertEquals(List.of("a", "b", "c", "f", "g"), strings(store.read(t -> keys(t, KeyRange.all(), false))));
    }

    @Test
    void closingWithoutCommitDiscardsEverything() {
        putAll("keep", "drop-me");
        List<String> before = committed();
        try (WriteTxn w = store.beginWrite()) {
            w.put(s("new"), s("x"));
            w.put(s("keep"), s("overwritten"));
            w.delete(s("drop-me"));
            w.deleteRange(KeyRange.all());
        }
        assertEquals(before, committed());
        // and the store accepts the next writer
        store.update(t -> t.put(s("after"), s("1")));
        assertArrayEquals(s("1"), store.read(t -> t.get(s("after"))));
    }

    /** Thrown to abandon a write. */
    private static final class Abort extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    @Test
    void exceptionInsideWriteDiscardsEverythingAndPropagates() {
        putAll("a", "b", "c");
        List<String> before = committed();
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> store.update(t -> {
            t.put(s("x"), s("1"));
            t.put(s("a"), s("2"));
            t.delete(s("b"));
            t.deleteRange(KeyRange.prefix(s("c")));
            throw boom;
        }));
        assertSame(boom, thrown);
        assertEquals(before, committed());
        Abort abort = assertThrows(Abort.class, () -> store.write(t -> {
            t.put(s("y"), s("1"));
            throw new Abort();
        }));
        assertNotNull(abort);
        assertEquals(before, committed());
    }

    @Test
    void writeReturnsTheResultOfTheWork() {
        assertEquals("done", store.write(t -> {
            t.put(s("k"), s("v"));
            return "done";
        }));
        assertEquals(1, store.read(t -> keys(t, KeyRange.all(), false)).size());
    }

    @Test
    void finishedTransactionsAreUnusable() {
        WriteTxn w = store.beginWrite();
        w.put(s("a"), s("1"));
        Cursor open = w.scan(KeyRange.all());
        w.commit();
        w.close(); // close after commit does nothing
        w.close();
        assertThrows(StorageException.class, w::commit);
        assertThrows(StorageException.class, () -> w.put(s("b"), s("2")));
        assertThrows(StorageException.class, () -> w.get(s("a")));
        assertThrows(StorageException.class, () -> w.delete(s("a")));
        assertThrows(StorageException.class, () -> w.deleteRange(KeyRange.all()));
        assertThrows(StorageException.class, () -> w.scan(KeyRange.all()));
        assertThrows(StorageException.class, open::hasNext, "cursors end with their transaction");
        open.close();

        WriteTxn aborted = store.beginWrite();
        aborted.close();
        assertThrows(StorageException.class, aborted::commit);
        assertThrows(StorageException.class, () -> aborted.get(s("a")));

        ReadTxn r = store.beginRead();
        Cursor c = r.scan(KeyRange.all());
        r.close();
        r.close();
        assertThrows(StorageException.class, () -> r.get(s("a")));
        assertThrows(StorageException.class, () -> r.has(s("a")));
        assertThrows(StorageException.class, () -> r.scan(KeyRange.all()));
        assertThrows(StorageException.class, c::hasNext);
        assertThrows(StorageException.class, c::next);
        c.close();
        assertArrayEquals(s("1"), store.read(t -> t.get(s("a"))));
    }

    @Test
    void nullArgumentsAreInvalidInput() {
        try (WriteTxn w = store.beginWrite()) {
            assertThrows(InvalidInputException.class, () -> w.get(null));
            assertThrows(InvalidInputException.class, () -> w.has(null));
            assertThrows(InvalidInputException.class, () -> w.put(null, s("v")));
            assertThrows(InvalidInputException.class, () -> w.put(s("k"), null));
            assertThrows(InvalidInputException.class, () -> w.delete(null));
            assertThrows(InvalidInputException.class, () -> w.deleteRange(null));
            assertThrows(InvalidInputException.class, () -> w.scan(null, false));
            w.put(s("ok"), s("v"));
            w.commit();
        }
        try (ReadTxn r = store.beginRead()) {
            assertThrows(InvalidInputException.class, () -> r.get(null));
            assertThrows(InvalidInputException.class, () -> r.scan(null, true));
        }
        assertEquals(List.of("ok"), strings(store.read(t -> keys(t, KeyRange.all(), false))));
    }

    @Test
    void callersMayMutateTheirArrays() {
        byte[] key = s("key");
        byte[] value = s("value");
        store.update(t -> {
            t.put(key, value);
            key[0] = 'X';
            value[0] = 'X';
            byte[] got = t.get(s("key"));
            assertArrayEquals(s("value"), got);
            got[0] = 'Y';
            assertArrayEquals(s("value"), t.get(s("key")), "own writes are copied out too");
            try (Cursor c = t.scan(KeyRange.all())) {
                Entry e = c.next();
                e.key()[0] = 'Z';
                e.value()[0] = 'Z';
            }
        });
        store.read(t -> {
            assertArrayEquals(s("value"), t.get(s("key")));
            assertNull(t.get(s("Xey")));
            byte[] got = t.get(s("key"));
            got[1] = 'Q';
            try (Cursor c = t.scan(KeyRange.all())) {
                Entry e = c.next();
                e.key()[0] = 'Z';
                e.value()[0] = 'Z';
            }
            byte[] lookup = s("key");
            assertArrayEquals(s("value"), t.get(lookup));
            lookup[0] = 'W';
            assertEquals(List.of(hex(s("key")) + "=" + hex(s("value"))), scanAll(t, KeyRange.all(), false));
            return null;
        });
        byte[] prefix = s("k");
        KeyRange range = KeyRange.prefix(prefix);
        prefix[0] = 'z';
        assertEquals(List.of("key"), strings(store.read(t -> keys(t, range, false))));
    }

    @Test
    void useAfterCloseIsAStorageException() {
        putAll("a");
        store.close();
        store.close(); // idempotent
        assertThrows(StorageException.class, store::beginRead);
        assertThrows(StorageException.class, store::beginWrite);
        assertThrows(StorageException.class, () -> store.read(t -> t.get(s("a"))));
        assertThrows(StorageException.class, () -> store.update(t -> t.put(s("a"), s("b"))));
        store = null;
    }

    // ------------------------------------------------------------------ isolation

    @Test
    void readersSeeASnapshotUnaffectedByLaterCommits() {
        putAll("a", "b", "c");
        try (ReadTxn before = store.beginRead(); Cursor early = before.scan(KeyRange.all())) {
            assertArrayEquals(s("a"), early.next().key()); // a cursor already in progress
            store.update(t -> {
                t.put(s("a"), s("changed"));
                t.delete(s("b"));
                t.put(s("bb"), s("new"));
                t.put(s("d"), s("new"));
            });
            store.update(t -> t.deleteRange(KeyRange.all()));
            store.update(t -> t.put(s("c"), s("reborn")));
            assertArrayEquals(s("v-a"), before.get(s("a")));
            assertArrayEquals(s("v-b"), before.get(s("b")));
            assertTrue(before.has(s("b")));
            assertNull(before.get(s("d")));
            assertFalse(before.has(s("bb")));
            assertEquals(List.of("a", "b", "c"), strings(keys(before, KeyRange.all(), false)));
            assertEquals(List.of("c", "b", "a"), strings(keys(before, KeyRange.all(), true)));
            List<String> rest = new ArrayList<>();
            early.forEachRemaining(e -> rest.add(new String(e.key(), UTF_8) + "=" + new String(e.value(), UTF_8)));
            assertEquals(List.of("b=v-b", "c=v-c"), rest);
            try (ReadTxn after = store.beginRead()) {
                assertEquals(List.of("c"), strings(keys(after, KeyRange.all(), false)));
                assertArrayEquals(s("reborn"), after.get(s("c")));
            }
        }
    }

    @Test
    void readersOpenWhileAWriterIsOpenSeeOnlyCommittedState() throws Exception {
        putAll("a");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (WriteTxn w = store.beginWrite()) {
            w.put(s("a"), s("uncommitted"));
            w.put(s("b"), s("uncommitted"));
            try (ReadTxn r = store.beginRead()) { // same thread: must not block
                assertArrayEquals(s("v-a"), r.get(s("a")));
            }
            // another thread: must not block either
            List<String> seen = await(pool.submit(() -> store.read(t -> keys(t, KeyRange.all(), false))));
            assertEquals(List.of("a"), strings(seen));
            try (ReadTxn during = store.beginRead()) {
                w.commit();
                assertNull(during.get(s("b")), "a snapshot taken before commit stays as it was");
            }
        } finally {
            pool.shutdownNow();
        }
        assertArrayEquals(s("uncommitted"), store.read(t -> t.get(s("b"))));
    }

    @Test
    void writersAreSerialized() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            WriteTxn first = store.beginWrite();
            first.put(s("k"), s("from first"));
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch acquired = new CountDownLatch(1);
            AtomicReference<byte[]> seenBySecond = new AtomicReference<>();
            Future<?> second = pool.submit(() -> {
                started.countDown();
                try (WriteTxn w = store.beginWrite()) {
                    acquired.countDown();
                    seenBySecond.set(w.get(s("k")));
                    w.put(s("k"), s("from second"));
                    w.commit();
                }
                return null;
            });
            assertTrue(started.await(DEADLINE_SECONDS, TimeUnit.SECONDS));
            assertFalse(acquired.await(200, TimeUnit.MILLISECONDS), "a second writer must wait for the first");
            first.commit();
            assertTrue(acquired.await(DEADLINE_SECONDS, TimeUnit.SECONDS), "the second writer proceeds after commit");
            await(second);
            assertArrayEquals(s("from first"), seenBySecond.get(), "the second writer began after the first committed");
            assertArrayEquals(s("from second"), store.read(t -> t.get(s("k"))));

            // an aborted writer also lets the next one in
            WriteTxn third = store.beginWrite();
            third.put(s("k"), s("aborted"));
            CountDownLatch fourthIn = new CountDownLatch(1);
            Future<byte[]> fourth = pool.submit(() -> {
                try (WriteTxn w = store.beginWrite()) {
                    fourthIn.countDown();
                    return w.get(s("k"));
                }
            });
            assertFalse(fourthIn.await(100, TimeUnit.MILLISECONDS), "waits while the third writer is open");
            third.close();
            assertArrayEquals(s("from second"), await(fourth));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentReadModifyWriteLosesNoUpdates() throws Exception {
        int threads = 4;
        int increments = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CyclicBarrier go = new CyclicBarrier(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    go.await(DEADLINE_SECONDS, TimeUnit.SECONDS);
                    for (int n = 0; n < increments; n++) {
                        store.update(t -> {
                            byte[] cur = t.get(s("counter"));
                            int value = cur == null ? 0 : Integer.parseInt(new String(cur, UTF_8));
                            t.put(s("counter"), s(Integer.toString(value + 1)));
                        });
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                await(f);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(Integer.toString(threads * increments), new String(store.read(t -> t.get(s("counter"))), UTF_8));
    }

    @Test
    void concurrentReadersAlwaysSeeWholeCommits() throws Exception {
        int accounts = 8;
        int total = accounts * 100;
        store.update(t -> {
            for (int i = 0; i < accounts; i++) {
                t.put(s("acct/" + i), s("100"));
            }
        });
        int readers = 2;
        ExecutorService pool = Executors.newFixedThreadPool(readers + 1);
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        CountDownLatch readersStarted = new CountDownLatch(readers);
        try {
            List<Future<Integer>> checks = new ArrayList<>();
            for (int r = 0; r < readers; r++) {
                checks.add(pool.submit(() -> {
                    readersStarted.countDown();
                    int snapshots = 0;
                    do {
                        boolean reverse = snapshots % 2 == 1;
                        store.read(t -> {
                            int sum = 0;
                            int count = 0;
                            try (Cursor c = t.scan(KeyRange.prefix(s("acct/")), reverse)) {
                                while (c.hasNext()) {
                                    sum += Integer.parseInt(new String(c.next().value(), UTF_8));
                                    count++;
                                }
                            }
                            assertEquals(accounts, count, "every account, in every snapshot");
                            assertEquals(total, sum, "a transfer is seen whole or not at all");
                            return null;
                        });
                        snapshots++;
                    } while (writing.get());
                    return snapshots;
                }));
            }
            Future<?> writer = pool.submit(() -> {
                assertTrue(readersStarted.await(DEADLINE_SECONDS, TimeUnit.SECONDS));
                Random random = new Random(42);
                try {
                    for (int n = 0; n < 100; n++) {
                        int from = random.nextInt(accounts);
                        int to = (from + 1 + random.nextInt(accounts - 1)) % accounts;
                        store.update(t -> {
                            int a = Integer.parseInt(new String(t.get(s("acct/" + from)), UTF_8));
                            int b = Integer.parseInt(new String(t.get(s("acct/" + to)), UTF_8));
                            int amount = a == 0 ? 0 : 1 + random.nextInt(a);
                            t.put(s("acct/" + from), s(Integer.toString(a - amount)));
                            t.put(s("acct/" + to), s(Integer.toString(b + amount)));
                        });
                    }
                } finally {
                    writing.set(false);
                }
                return null;
            });
            await(writer);
            for (Future<Integer> check : checks) {
                assertTrue(await(check) >= 1);
            }
        } finally {
            writing.set(false);
            pool.shutdownNow();
        }
    }

    @Test
    void aWriteTransactionMayBeFinishedByAnotherThread() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            WriteTxn begun = await(pool.submit(() -> {
                WriteTxn w = store.beginWrite();
                w.put(s("from"), s("worker"));
                return w;
            }));
            begun.put(s("and"), s("main"));
            begun.commit();
            assertEquals(List.of("and", "from"), strings(store.read(t -> keys(t, KeyRange.all(), false))));
            // the worker thread can begin again: the transaction no longer counts as its own
            WriteTxn again = await(pool.submit(() -> {
                WriteTxn w = store.beginWrite();
                w.put(s("from"), s("aborted"));
                return w;
            }));
            again.close();
            assertArrayEquals(s("worker"), store.read(t -> t.get(s("from"))));
            assertEquals("ok", await(pool.submit(() -> store.write(t -> {
                t.put(s("third"), s("x"));
                return "ok";
            }))));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aNestedWriteInTheSameThreadFailsInsteadOfDeadlocking() {
        try (WriteTxn outer = store.beginWrite()) {
            outer.put(s("a"), s("1"));
            assertThrows(StorageException.class, store::beginWrite);
            outer.commit();
        }
        assertArrayEquals(s("1"), store.read(t -> t.get(s("a"))));
        store.update(t -> t.put(s("b"), s("2"))); // and the thread may write again
    }

    @Test
    void anInterruptedWaitingWriterGetsAStorageException() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (WriteTxn holder = store.beginWrite()) {
            holder.put(s("a"), s("1"));
            Future<Boolean> waiter = pool.submit(() -> {
                Thread.currentThread().interrupt();
                assertThrows(StorageException.class, store::beginWrite);
                return Thread.interrupted(); // reports and clears the kept interrupt status
            });
            assertTrue(await(waiter), "the interrupt status is kept");
            holder.commit();
        } finally {
            pool.shutdownNow();
        }
        assertArrayEquals(s("1"), store.read(t -> t.get(s("a"))));
    }

    // ------------------------------------------------------------------ durability

    @Test
    void committedDataSurvivesReopen() {
        assumeTrue(durable(), "in-memory engine");
        store.update(t -> {
            t.put(s("a"), s("1"));
            t.put(s("b"), s("2"));
            t.put(b(0xff, 0x00), new byte[0]);
        });
        store.update(t -> {
            t.delete(s("b"));
            t.put(s("c"), s("3"));
        });
        try (WriteTxn w = store.beginWrite()) {
            w.put(s("never"), s("committed"));
            w.delete(s("a"));
        }
        assertThrows(IllegalStateException.class, () -> store.update(t -> {
            t.deleteRange(KeyRange.all());
            throw new IllegalStateException("abandon");
        }));
        List<String> before = committed();
        store.close();
        store = reopen(dir);
        assertEquals(before, committed());
        assertEquals(List.of(hex(s("a")), hex(s("c")), "ff00"), store.read(t -> keys(t, KeyRange.all(), false)));
        assertArrayEquals(s("1"), store.read(t -> t.get(s("a"))));
        assertArrayEquals(new byte[0], store.read(t -> t.get(b(0xff, 0x00))));
        store.update(t -> t.put(s("d"), s("4")));
        store.close();
        store = reopen(dir);
        assertArrayEquals(s("4"), store.read(t -> t.get(s("d"))));
        assertEquals(4, committed().size());
    }

    @Test
    void manySmallCommitsSurviveReopen() {
        assumeTrue(durable(), "in-memory engine");
        for (int i = 0; i < 200; i++) {
            int n = i;
            store.update(t -> {
                t.put(s(String.format("key%04d", n)), s(Integer.toString(n)));
                if (n % 3 == 0 && n > 0) {
                    t.delete(s(String.format("key%04d", n - 1)));
                }
            });
        }
        List<String> before = committed();
        store.close();
        store = reopen(dir);
        assertEquals(before, committed());
    }

    // ------------------------------------------------------------------ volume

    @Test
    void manyKeysInOneTransaction() {
        int n = 5_000;
        store.update(t -> {
            for (int i = n - 1; i >= 0; i--) {
                t.put(s(String.format("item/%06d", i)), s(Integer.toString(i)));
            }
        });
        store.read(t -> {
            List<String> all = strings(keys(t, KeyRange.prefix(s("item/")), false));
            assertEquals(n, all.size());
            List<String> sorted = new ArrayList<>(all);
            sorted.sort(Comparator.naturalOrder());
            assertEquals(sorted, all);
            assertEquals(List.of("item/001000", "item/001001"),
                    strings(keys(t, KeyRange.between(s("item/001000"), s("item/001002")), false)));
            assertEquals(100, keys(t, KeyRange.prefix(s("item/0012")), true).size());
            return null;
        });
    }

    // ------------------------------------------------------------------ model-based property

    /** One step of a random workload. {@code null} range bounds mean unbounded. */
    public sealed interface Op permits Put, Delete, DeleteRange, Get, Scan {
    }

    public record Put(byte[] key, byte[] value) implements Op {
        @Override
        public String toString() {
            return "put(" + hex(key) + ", " + hex(value) + ")";
        }
    }

    public record Delete(byte[] key) implements Op {
        @Override
        public String toString() {
            return "delete(" + hex(key) + ")";
        }
    }

    public record DeleteRange(byte[] start, byte[] end) implements Op {
        @Override
        public String toString() {
            return "deleteRange(" + hex(start) + ", " + hex(end) + ")";
        }
    }

    public record Get(byte[] key) implements Op {
        @Override
        public String toString() {
            return "get(" + hex(key) + ")";
        }
    }

    public record Scan(byte[] start, byte[] end, boolean reverse, boolean prefix) implements Op {
        KeyRange range() {
            return prefix ? KeyRange.prefix(start) : KeyRange.between(start, end);
        }

        @Override
        public String toString() {
            return "scan(" + range() + (reverse ? ", reverse" : "") + ")";
        }
    }

    /** How a random write transaction ends. */
    public enum Outcome { COMMIT, CLOSE, THROW }

    public record TxnSpec(List<Op> ops, Outcome outcome) {
    }

    private static Arbitrary<byte[]> smallKeys() {
        // a tiny alphabet with the interesting bytes, so that keys collide and prefix each other
        return Arbitraries.of((byte) 0x00, (byte) 0x01, (byte) 0x7f, (byte) 0x80, (byte) 0xfe, (byte) 0xff)
                .list().ofMaxSize(3)
                .map(list -> {
                    byte[] out = new byte[list.size()];
                    for (int i = 0; i < out.length; i++) {
                        out[i] = list.get(i);
                    }
                    return out;
                });
    }

    private static Arbitrary<Op> asOp(Arbitrary<? extends Op> arbitrary) {
        return arbitrary.map(op -> (Op) op);
    }

    @Provide
    Arbitrary<List<TxnSpec>> workloads() {
        Arbitrary<byte[]> key = smallKeys();
        Arbitrary<byte[]> bound = key.injectNull(0.25);
        Arbitrary<byte[]> value = Arbitraries.bytes().array(byte[].class).ofMaxSize(4);
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                Tuple.of(6, asOp(Combinators.combine(key, value).as(Put::new))),
                Tuple.of(2, asOp(key.map(Delete::new))),
                Tuple.of(1, asOp(Combinators.combine(bound, bound).as(DeleteRange::new))),
                Tuple.of(2, asOp(key.map(Get::new))),
                Tuple.of(2, asOp(Combinators.combine(bound, bound, Arbitraries.of(true, false))
                        .as((a, z, rev) -> new Scan(a, z, rev, false)))),
                Tuple.of(1, asOp(Combinators.combine(key, Arbitraries.of(true, false))
                        .as((p, rev) -> new Scan(p, null, rev, true)))));
        Arbitrary<Outcome> outcome = Arbitraries.frequency(
                Tuple.of(6, Outcome.COMMIT),
                Tuple.of(1, Outcome.CLOSE),
                Tuple.of(1, Outcome.THROW));
        Arbitrary<TxnSpec> txn = Combinators.combine(op.list().ofMaxSize(12), outcome).as(TxnSpec::new);
        return txn.list().ofMinSize(1).ofMaxSize(8);
    }

    private static NavigableMap<byte[], byte[]> newModel() {
        return new TreeMap<>(Arrays::compareUnsigned);
    }

    private static List<String> modelScan(NavigableMap<byte[], byte[]> model, KeyRange range, boolean reverse) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
            if (range.contains(e.getKey())) {
                out.add(hex(e.getKey()) + "=" + hex(e.getValue()));
            }
        }
        if (reverse) {
            java.util.Collections.reverse(out);
        }
        return out;
    }

    /** Applies {@code op} to the transaction and to the model, checking that results agree. */
    private static void apply(Op op, WriteTxn txn, NavigableMap<byte[], byte[]> model) {
        if (op instanceof Put p) {
            txn.put(p.key(), p.value());
            model.put(p.key().clone(), p.value().clone());
        } else if (op instanceof Delete d) {
            assertEquals(model.remove(d.key()) != null, txn.delete(d.key()), op.toString());
        } else if (op instanceof DeleteRange r) {
            KeyRange range = KeyRange.between(r.start(), r.end());
            long expected = model.keySet().stream().filter(range::contains).count();
            model.keySet().removeIf(range::contains);
            assertEquals(expected, txn.deleteRange(range), op.toString());
        } else if (op instanceof Get g) {
            assertEquals(hex(model.get(g.key())), hex(txn.get(g.key())), op.toString());
            assertEquals(model.containsKey(g.key()), txn.has(g.key()), op.toString());
        } else if (op instanceof Scan sc) {
            assertEquals(modelScan(model, sc.range(), sc.reverse()), scanAll(txn, sc.range(), sc.reverse()), op.toString());
        }
    }

    private static void assertMatches(NavigableMap<byte[], byte[]> model, ReadTxn txn, String when) {
        assertEquals(modelScan(model, KeyRange.all(), false), scanAll(txn, KeyRange.all(), false), when);
        assertEquals(modelScan(model, KeyRange.all(), true), scanAll(txn, KeyRange.all(), true), when + " (reverse)");
    }

    /**
     * Random transactions against the store and against a {@link TreeMap} model: every read inside a write
     * transaction sees the model with the transaction's writes applied, committed state matches the model
     * after every transaction, a snapshot taken before each transaction still matches the state it was taken
     * in, and (for durable engines) everything survives a reopen.
     */
    @Property(tries = 60)
    void storeBehavesLikeASortedMap(@ForAll("workloads") List<TxnSpec> workload) throws IOException {
        Path tmp = Files.createTempDirectory("weft-store-property");
        Datastore ds = open(tmp);
        try {
            NavigableMap<byte[], byte[]> model = newModel();
            for (TxnSpec spec : workload) {
                NavigableMap<byte[], byte[]> before = newModel();
                before.putAll(model);
                try (ReadTxn snapshot = ds.beginRead()) {
                    NavigableMap<byte[], byte[]> pending = newModel();
                    pending.putAll(model);
                    switch (spec.outcome()) {
                        case COMMIT -> {
                            ds.update(txn -> spec.ops().forEach(op -> apply(op, txn, pending)));
                            model = pending;
                        }
                        case CLOSE -> {
                            try (WriteTxn txn = ds.beginWrite()) {
                                spec.ops().forEach(op -> apply(op, txn, pending));
                            }
                        }
                        case THROW -> {
                            Datastore target = ds;
                            assertThrows(Abort.class, () -> target.update(txn -> {
                                spec.ops().forEach(op -> apply(op, txn, pending));
                                throw new Abort();
                            }));
                        }
                    }
                    assertMatches(before, snapshot, "snapshot taken before " + spec.outcome());
                }
                NavigableMap<byte[], byte[]> expected = model;
                ds.read(txn -> {
                    assertMatches(expected, txn, "after " + spec.outcome());
                    return null;
                });
            }
            if (durable()) {
                ds.close();
                ds = reopen(tmp);
                NavigableMap<byte[], byte[]> expected = model;
                ds.read(txn -> {
                    assertMatches(expected, txn, "after reopen");
                    return null;
                });
            }
        } finally {
            ds.close();
            deleteRecursively(tmp);
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
