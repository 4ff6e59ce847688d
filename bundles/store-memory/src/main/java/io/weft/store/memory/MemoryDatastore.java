package io.weft.store.memory;

import io.weft.api.InvalidInputException;
import io.weft.api.StorageException;
import io.weft.api.store.Datastore;
import io.weft.api.store.KeyRange;
import io.weft.api.store.ReadTxn;
import io.weft.api.store.WriteTxn;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;

/**
 * A {@link Datastore} that keeps everything on the heap: for tests, ephemeral peers and benchmarks. Nothing
 * survives {@link #close()} or the JVM.
 *
 * <p><b>Design: multi-version concurrency control.</b> All data lives in one
 * {@link ConcurrentSkipListMap} ordered by unsigned bytes, mapping each key to a chain of versions
 * (newest first), each stamped with the number of the commit that wrote it; a deletion is a version
 * without a value. A global commit counter names the newest committed state.
 * <ul>
 *   <li>A read transaction remembers the counter when it begins and, for each key, reads the newest version
 *       not newer than that: a consistent snapshot that costs O(1) to take, whatever the store's size.</li>
 *   <li>A write transaction buffers its writes in a private sorted map (reads and scans merge it over the
 *       committed state). Commit prepends one new version per written key, then publishes the next counter
 *       value with a single volatile write, so readers see all of a commit or none of it. Commit costs
 *       O(w log n) for w written keys: nothing is copied per commit.</li>
 *   <li>Writers are serialized by a fair {@link Semaphore} held from {@code beginWrite} until commit or
 *       close, which any thread may release, so a transaction may be finished by another thread.</li>
 *   <li>Versions that no open reader can see are pruned: each commit records the keys whose older versions
 *       it superseded, and once every open reader's snapshot is at least that commit, those chains are cut
 *       after the newest version the oldest reader can see (and keys whose newest version is a deletion are
 *       removed). Pruning runs after each commit and when a reader that held it back closes.</li>
 * </ul>
 * Memory use is therefore the live data plus the versions still needed by open readers.
 */
public final class MemoryDatastore implements Datastore {

    /** The engine name, as in the {@code weft.store} service property. */
    public static final String ENGINE = "memory";

    static final Comparator<byte[]> ORDER = Arrays::compareUnsigned;

    /** One committed version of a key; {@code value == null} marks a deletion. */
    static final class Version {
        final long version;
        final byte[] value;
        volatile Version older;

        Version(long version, byte[] value, Version older) {
            this.version = version;
            this.value = value;
            this.older = older;
        }
    }

    /** The keys whose older versions commit {@code version} superseded. */
    private record Garbage(long version, List<byte[]> keys) {
    }

    private final ConcurrentSkipListMap<byte[], Version> data = new ConcurrentSkipListMap<>(ORDER);
    private final Semaphore writePermit = new Semaphore(1, true);
    /** Open read snapshots: commit number to count of readers. Guarded by itself. */
    private final TreeMap<Long, Integer> readers = new TreeMap<>();
    /** Guarded by {@link #writePermit}. */
    private final ArrayDeque<Garbage> garbage = new ArrayDeque<>();
    private volatile boolean garbagePending;
    private volatile long committed;
    private volatile Thread writerThread;
    private volatile boolean closed;

    /** Creates an empty store. */
    public MemoryDatastore() {
    }

    @Override
    public String engine() {
        return ENGINE;
    }

    @Override
    public ReadTxn beginRead() {
        ensureOpen();
        long snapshot;
        synchronized (readers) {
            snapshot = committed;
            readers.merge(snapshot, 1, Integer::sum);
        }
        return new MemoryReadTxn(this, snapshot);
    }

    @Override
    public WriteTxn beginWrite() {
        ensureOpen();
        if (writerThread == Thread.currentThread()) {
            throw new StorageException("this thread already has an open write transaction; it must be closed first");
        }
        try {
            writePermit.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting for the write transaction", e);
        }
        if (closed) {
            writePermit.release();
            throw closedException();
        }
        writerThread = Thread.currentThread();
        return new MemoryWriteTxn(this, committed);
    }

    @Override
    public void close() {
        closed = true;
    }

    // ---- used by the transactions ----

    boolean isClosed() {
        return closed;
    }

    void ensureOpen() {
        if (closed) {
            throw closedException();
        }
    }

    static StorageException closedException() {
        return new StorageException("the memory store is closed");
    }

    ConcurrentSkipListMap<byte[], Version> data() {
        return data;
    }

    /** The value of {@code head}'s chain visible at {@code snapshot}, or {@code null}. */
    static byte[] visible(Version head, long snapshot) {
        Version v = head;
        while (v != null && v.version > snapshot) {
            v = v.older;
        }
        return v == null ? null : v.value;
    }

    void endRead(long snapshot) {
        synchronized (readers) {
            readers.computeIfPresent(snapshot, (s, n) -> n == 1 ? null : n - 1);
        }
        if (garbagePending && writePermit.tryAcquire()) {
            try {
                prune();
            } finally {
                writePermit.release();
            }
        }
    }

    /** Releases the write permit; called exactly once per write transaction. */
    void endWrite() {
        writerThread = null;
        writePermit.release();
    }

    /**
     * Applies {@code writes} (key to value, or to {@code tombstone} for a deletion) as one new commit.
     * Called with the write permit held. Either every write is applied and published, or none is.
     */
    void commit(Map<byte[], byte[]> writes, byte[] tombstone) {
        ensureOpen();
        long version = committed + 1;
        List<byte[]> superseded = new ArrayList<>();
        List<byte[]> undoKeys = new ArrayList<>();
        List<Version> undoHeads = new ArrayList<>();
        try {
            for (Map.Entry<byte[], byte[]> w : writes.entrySet()) {
                byte[] key = w.getKey();
                byte[] value = w.getValue() == tombstone ? null : w.getValue();
                Version head = data.get(key);
                if (value == null && (head == null || head.value == null)) {
                    continue; // deleting a key that is not there
                }
                undoKeys.add(key);
                undoHeads.add(head);
                data.put(key, new Version(version, value, head));
                if (head != null) {
                    superseded.add(key);
                }
            }
        } catch (RuntimeException | Error e) {
            for (int i = undoKeys.size() - 1; i >= 0; i--) {
                if (undoHeads.get(i) == null) {
                    data.remove(undoKeys.get(i));
                } else {
                    data.put(undoKeys.get(i), undoHeads.get(i));
                }
            }
            throw new StorageException("commit failed; nothing was written", e);
        }
        if (undoKeys.isEmpty()) {
            return;
        }
        committed = version; // publishes the commit to readers that begin from now on
        if (!superseded.isEmpty()) {
            garbage.addLast(new Garbage(version, superseded));
        }
        prune();
    }

    /** Drops versions no open reader can see. Called with the write permit held. */
    private void prune() {
        long oldest;
        synchronized (readers) {
            oldest = readers.isEmpty() ? committed : readers.firstKey();
        }
        while (!garbage.isEmpty() && garbage.peekFirst().version() <= oldest) {
            for (byte[] key : garbage.pollFirst().keys()) {
                trim(key, oldest);
            }
        }
        garbagePending = !garbage.isEmpty();
    }

    private void trim(byte[] key, long oldest) {
        Version head = data.get(key);
        Version keep = head;
        while (keep != null && keep.version > oldest) {
            keep = keep.older;
        }
        if (keep == null) {
            return;
        }
        keep.older = null;
        if (keep == head && head.value == null) {
            data.remove(key, head);
        }
    }

    // ---- introspection for tests ----

    /** How many versions of {@code key} are kept (including deletions); for tests. */
    int versionCount(byte[] key) {
        int n = 0;
        for (Version v = data.get(key); v != null; v = v.older) {
            n++;
        }
        return n;
    }

    /** How many keys the map holds, including deleted keys not yet pruned; for tests. */
    int physicalKeyCount() {
        return data.size();
    }

    // ---- argument checks shared by the transactions ----

    static byte[] requireKey(byte[] key) {
        if (key == null) {
            throw new InvalidInputException("key must not be null");
        }
        return key;
    }

    static byte[] requireValue(byte[] value) {
        if (value == null) {
            throw new InvalidInputException("value must not be null");
        }
        return value;
    }

    static KeyRange requireRange(KeyRange range) {
        if (range == null) {
            throw new InvalidInputException("range must not be null");
        }
        return range;
    }
}
