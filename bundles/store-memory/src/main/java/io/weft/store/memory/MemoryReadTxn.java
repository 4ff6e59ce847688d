package io.weft.store.memory;

import java.util.NavigableMap;

/** A read-only snapshot: the committed state as of {@link MemoryDatastore#beginRead()}. */
final class MemoryReadTxn extends MemoryTxn {

    private final Object closeLock = new Object();

    MemoryReadTxn(MemoryDatastore store, long snapshot) {
        super(store, snapshot);
    }

    @Override
    NavigableMap<byte[], byte[]> overlay() {
        return null;
    }

    @Override
    int modCount() {
        return 0;
    }

    @Override
    public void close() {
        synchronized (closeLock) {
            if (finished) {
                return;
            }
            finished = true;
        }
        store.endRead(snapshot);
    }
}
