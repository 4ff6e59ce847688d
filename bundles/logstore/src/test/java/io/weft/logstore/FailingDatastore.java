package io.weft.logstore;

import io.weft.api.StorageException;
import io.weft.api.store.Cursor;
import io.weft.api.store.Datastore;
import io.weft.api.store.KeyRange;
import io.weft.api.store.ReadTxn;
import io.weft.api.store.WriteTxn;
import java.util.function.Predicate;

/**
 * Wraps a store and injects a failure into write transactions: a put of a key that matches {@link #failPut}, or
 * the commit when {@link #failCommit} is set, throws, as a crash midway through a transaction would.
 */
final class FailingDatastore implements Datastore {
    private final Datastore delegate;
    volatile Predicate<byte[]> failPut = k -> false;
    volatile boolean failCommit;
    volatile int putsBeforeFailure;

    FailingDatastore(Datastore delegate) {
        this.delegate = delegate;
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
                if (failPut.test(key)) {
                    throw new StorageException("injected failure on put");
                }
                txn.put(key, value);
                putsBeforeFailure++;
            }

            @Override
            public boolean delete(byte[] key) {
                return txn.delete(key);
            }

            @Override
            public long deleteRange(KeyRange range) {
                return txn.deleteRange(range);
            }

            @Override
            public void commit() {
                if (failCommit) {
                    throw new StorageException("injected failure on commit");
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
