package io.weft.store.memory;

import io.weft.api.store.Cursor;
import io.weft.api.store.Entry;
import io.weft.api.store.KeyRange;
import io.weft.api.store.WriteTxn;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A write transaction: writes go to a private sorted overlay (a deletion is a {@link #TOMBSTONE}) that
 * {@link MemoryDatastore#commit} applies as one new version. Holds the store's write permit until finished.
 */
final class MemoryWriteTxn extends MemoryTxn implements WriteTxn {

    private final ConcurrentSkipListMap<byte[], byte[]> overlay = new ConcurrentSkipListMap<>(MemoryDatastore.ORDER);
    private final Object finishLock = new Object();
    private volatile int modCount;

    MemoryWriteTxn(MemoryDatastore store, long snapshot) {
        super(store, snapshot);
    }

    @Override
    NavigableMap<byte[], byte[]> overlay() {
        return overlay;
    }

    @Override
    int modCount() {
        return modCount;
    }

    @Override
    public void put(byte[] key, byte[] value) {
        check();
        MemoryDatastore.requireKey(key);
        MemoryDatastore.requireValue(value);
        overlay.put(key.clone(), value.clone());
        modCount++;
    }

    @Override
    public boolean delete(byte[] key) {
        check();
        if (lookup(MemoryDatastore.requireKey(key)) == null) {
            return false;
        }
        overlay.put(key.clone(), TOMBSTONE);
        modCount++;
        return true;
    }

    @Override
    public long deleteRange(KeyRange range) {
        check();
        List<byte[]> keys = new ArrayList<>();
        try (Cursor cursor = scan(MemoryDatastore.requireRange(range), false)) {
            while (cursor.hasNext()) {
                Entry e = cursor.next();
                keys.add(e.key());
            }
        }
        for (byte[] key : keys) {
            overlay.put(key, TOMBSTONE);
        }
        if (!keys.isEmpty()) {
            modCount++;
        }
        return keys.size();
    }

    @Override
    public void commit() {
        synchronized (finishLock) {
            check();
            finished = true;
        }
        try {
            store.commit(overlay, TOMBSTONE);
        } finally {
            store.endWrite();
        }
    }

    @Override
    public void close() {
        synchronized (finishLock) {
            if (finished) {
                return;
            }
            finished = true;
        }
        overlay.clear();
        store.endWrite();
    }
}
