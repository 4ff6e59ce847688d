package io.weft.store.memory;

import io.weft.api.StorageException;
import io.weft.api.store.Cursor;
import io.weft.api.store.Entry;
import io.weft.api.store.KeyRange;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;

/**
 * Iterates a key range of a transaction's view: the committed versions visible at the snapshot, merged with
 * the write transaction's overlay (which wins on equal keys; its tombstones hide keys). When the overlay
 * changes under an open cursor, the cursor re-seeks strictly after the last key it returned.
 */
final class MemoryCursor implements Cursor {

    private record Pair(byte[] key, byte[] value) {
    }

    private final MemoryTxn txn;
    private final byte[] start;
    private final byte[] end;
    private final boolean reverse;
    private final int direction;

    private Iterator<Map.Entry<byte[], MemoryDatastore.Version>> baseIt;
    private Iterator<Map.Entry<byte[], byte[]>> ownIt;
    private Pair baseHead;
    private Map.Entry<byte[], byte[]> ownHead;
    private int seenModCount;
    private byte[] lastKey;
    private Pair pending;
    private boolean closed;

    MemoryCursor(MemoryTxn txn, KeyRange range, boolean reverse) {
        this.txn = txn;
        this.start = range.start();
        this.end = range.end();
        this.reverse = reverse;
        this.direction = reverse ? -1 : 1;
    }

    @Override
    public boolean hasNext() {
        check();
        if (pending != null && seenModCount != txn.modCount()) {
            pending = null; // computed before a write: recompute against the current view
        }
        if (pending == null) {
            pending = advance();
        }
        return pending != null;
    }

    @Override
    public Entry next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Pair p = pending;
        pending = null;
        lastKey = p.key();
        return new Entry(p.key().clone(), p.value().clone());
    }

    @Override
    public void close() {
        closed = true;
        pending = null;
        baseIt = null;
        ownIt = null;
    }

    private void check() {
        if (closed) {
            throw new StorageException("the cursor is closed");
        }
        txn.check();
    }

    private Pair advance() {
        if (baseIt == null || seenModCount != txn.modCount()) {
            seek();
        }
        while (true) {
            if (baseHead == null) {
                baseHead = nextBase();
            }
            if (ownHead == null && ownIt != null && ownIt.hasNext()) {
                ownHead = ownIt.next();
            }
            if (baseHead == null && ownHead == null) {
                return null;
            }
            int c = baseHead == null ? 1
                    : ownHead == null ? -1
                    : direction * MemoryDatastore.ORDER.compare(baseHead.key(), ownHead.getKey());
            if (c < 0) {
                Pair p = baseHead;
                baseHead = null;
                return p;
            }
            if (c == 0) {
                baseHead = null; // the transaction's own write replaces the committed value
            }
            Map.Entry<byte[], byte[]> own = ownHead;
            ownHead = null;
            if (own.getValue() != MemoryTxn.TOMBSTONE) {
                return new Pair(own.getKey(), own.getValue());
            }
        }
    }

    private Pair nextBase() {
        while (baseIt.hasNext()) {
            Map.Entry<byte[], MemoryDatastore.Version> e = baseIt.next();
            byte[] value = MemoryDatastore.visible(e.getValue(), txn.snapshot);
            if (value != null) {
                return new Pair(e.getKey(), value);
            }
        }
        return null;
    }

    /** (Re)positions both iterators strictly after {@link #lastKey}, or at the range's first key. */
    private void seek() {
        seenModCount = txn.modCount();
        baseIt = view(txn.store.data()).entrySet().iterator();
        NavigableMap<byte[], byte[]> overlay = txn.overlay();
        ownIt = overlay == null ? null : view(overlay).entrySet().iterator();
        baseHead = null;
        ownHead = null;
    }

    private <V> NavigableMap<byte[], V> view(NavigableMap<byte[], V> map) {
        byte[] lo = start;
        boolean loInclusive = true;
        byte[] hi = end;
        boolean hiInclusive = false;
        if (lastKey != null) {
            if (reverse) {
                hi = lastKey;
            } else {
                lo = lastKey;
                loInclusive = false;
            }
        }
        NavigableMap<byte[], V> m;
        if (lo != null && hi != null) {
            int c = MemoryDatastore.ORDER.compare(lo, hi);
            if (c > 0 || (c == 0 && !(loInclusive && hiInclusive))) {
                return Collections.emptyNavigableMap();
            }
            m = map.subMap(lo, loInclusive, hi, hiInclusive);
        } else if (lo != null) {
            m = map.tailMap(lo, loInclusive);
        } else if (hi != null) {
            m = map.headMap(hi, hiInclusive);
        } else {
            m = map;
        }
        return reverse ? m.descendingMap() : m;
    }
}
