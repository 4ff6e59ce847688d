package io.weft.store.memory;

import io.weft.api.StorageException;
import io.weft.api.store.Cursor;
import io.weft.api.store.KeyRange;
import io.weft.api.store.ReadTxn;
import java.util.NavigableMap;

/** What read and write transactions share: a snapshot of the committed state, plus an optional overlay. */
abstract class MemoryTxn implements ReadTxn {

    /** Marks a deletion in a write transaction's overlay (compared by identity). */
    static final byte[] TOMBSTONE = new byte[0];

    final MemoryDatastore store;
    final long snapshot;
    volatile boolean finished;

    MemoryTxn(MemoryDatastore store, long snapshot) {
        this.store = store;
        this.snapshot = snapshot;
    }

    /** This transaction's uncommitted writes (values or {@link #TOMBSTONE}), or {@code null} for a reader. */
    abstract NavigableMap<byte[], byte[]> overlay();

    /** Changes whenever the overlay changes; cursors re-seek when it does. */
    abstract int modCount();

    final void check() {
        if (finished) {
            throw new StorageException("the transaction is closed");
        }
        store.ensureOpen();
    }

    /** The current value of {@code key} in this transaction's view (not copied), or {@code null}. */
    final byte[] lookup(byte[] key) {
        NavigableMap<byte[], byte[]> overlay = overlay();
        if (overlay != null) {
            byte[] own = overlay.get(key);
            if (own != null) {
                return own == TOMBSTONE ? null : own;
            }
        }
        return MemoryDatastore.visible(store.data().get(key), snapshot);
    }

    @Override
    public final byte[] get(byte[] key) {
        check();
        byte[] value = lookup(MemoryDatastore.requireKey(key));
        return value == null ? null : value.clone();
    }

    @Override
    public final boolean has(byte[] key) {
        check();
        return lookup(MemoryDatastore.requireKey(key)) != null;
    }

    @Override
    public final Cursor scan(KeyRange range, boolean reverse) {
        check();
        return new MemoryCursor(this, MemoryDatastore.requireRange(range), reverse);
    }
}
