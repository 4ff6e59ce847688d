package io.weft.db;

import io.weft.api.StorageException;
import io.weft.api.store.Cursor;
import io.weft.api.store.Datastore;
import io.weft.api.store.KeyRange;
import io.weft.api.store.ReadTxn;
import io.weft.api.store.WriteTxn;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wraps a store and "crashes" a write transaction: the {@link #failAtWrite}-th write (put, delete or range delete,
 * counted from arming) or, with {@link #failCommit}, the next commit throws, as a kill of the process in the middle of
 * a commit would. The wrapped store never sees the failed transaction's commit.
 */
final class FailingDatastore implements Datastore {
    private final Datastore delegate;
    private final AtomicLong writes = new AtomicLong();
    volatile long failAtWrite = Long.MAX_VALUE;
    volatile boolean failCommit;
    /** After the crash, every further write fails too, as nothing runs after a kill. */
    volatile boolean sticky;
    volatile boolean crashed;

    FailingDatastore(Datastore delegate) {
        this.delegate = delegate;
    }

    void arm(long atWrite) {
        writes.set(0);
        failAtWrite = atWrite;
        crashed = false;
    }

    /** Writes counted since {@link #arm}. */
    long writes() {
        return writes.get();
    }

    private void step() {
        if (sticky && crashed) {
            throw new StorageException("the process was killed");
        }
        if (writes.incrementAndGet() == failAtWrite) {
            crashed = true;
            throw new StorageException("injected crash at write " + failAtWrite);
        }
    }

    @Override
    public String engine() {
        return delegate.engine();
    }

    @Override
    public ReadTxn beginRead() {
        return delegate.beginRead();
    }

    @Override
    public WriteTxn beginWrite() {
        WriteTxn txn = delegate.beginWrite();
        return new WriteTxn() {
            @Override
            public void put(byte[] key, byte[] value) {
                step();
                txn.put(key, value);
            }

            @Override
            public boolean delete(byte[] key) {
                step();
                return txn.delete(key);
            }

            @Override
            public long deleteRange(KeyRange range) {
                step();
                return txn.deleteRange(range);
            }

            @Override
            public void commit() {
                if (failCommit || (sticky && crashed)) {
                    crashed = true;
                    throw new StorageException("injected crash at commit");
                }
                txn.commit();
            }

            @Override
            public byte[] get(byte[] key) {
                return txn.get(key);
            }

            @Override
            public Cursor scan(KeyRange range, boolean reverse) {
                return txn.scan(range, reverse);
            }

            @Override
            public void close() {
                txn.close();
            }
        };
    }

    @Override
    public void close() {
        delegate.close();
    }
}
