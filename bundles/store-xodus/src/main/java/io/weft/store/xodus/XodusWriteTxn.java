package io.weft.store.xodus;

import io.weft.api.InvalidInputException;
import io.weft.api.StorageException;
import io.weft.api.store.KeyRange;
import io.weft.api.store.WriteTxn;
import jetbrains.exodus.ArrayByteIterable;
import jetbrains.exodus.ByteIterable;
import jetbrains.exodus.env.Cursor;
import jetbrains.exodus.env.Transaction;

/**
 * A write transaction over a Xodus exclusive transaction, which sees its own writes. Holds the store's write
 * permit until committed or closed.
 */
final class XodusWriteTxn extends XodusReadTxn implements WriteTxn {

    private volatile int modCount;

    XodusWriteTxn(XodusDatastore ds, Transaction txn) {
        super(ds, txn);
    }

    @Override
    int modCount() {
        return modCount;
    }

    @Override
    public void put(byte[] key, byte[] value) {
        check();
        requireKey(key);
        if (value == null) {
            throw new InvalidInputException("value must not be null");
        }
        try {
            ds.store().put(txn, copyIn(key), copyIn(value));
        } catch (RuntimeException e) {
            throw XodusDatastore.failure("put failed", e);
        }
        modCount++;
    }

    @Override
    public boolean delete(byte[] key) {
        check();
        boolean removed;
        try {
            removed = ds.store().delete(txn, copyIn(requireKey(key)));
        } catch (RuntimeException e) {
            throw XodusDatastore.failure("delete failed", e);
        }
        if (removed) {
            modCount++;
        }
        return removed;
    }

    @Override
    public long deleteRange(KeyRange range) {
        check();
        requireRange(range);
        byte[] start = range.start();
        byte[] end = range.end();
        if (start != null && end != null && java.util.Arrays.compareUnsigned(start, end) >= 0) {
            return 0;
        }
        long removed = 0;
        try (Cursor c = ds.store().openCursor(txn)) {
            boolean found = start == null ? c.getNext() : c.getSearchKeyRange(new ArrayByteIterable(start)) != null;
            while (found) {
                ByteIterable key = c.getKey();
                if (end != null && compare(key, end) >= 0) {
                    break;
                }
                if (!c.deleteCurrent()) {
                    throw new StorageException("deleteRange: Xodus did not delete a key its cursor was on");
                }
                removed++;
                found = c.getNext();
            }
        } catch (RuntimeException e) {
            throw XodusDatastore.failure("deleteRange failed", e);
        }
        if (removed > 0) {
            modCount++;
        }
        return removed;
    }

    static int compare(ByteIterable key, byte[] bound) {
        return java.util.Arrays.compareUnsigned(key.getBytesUnsafe(), 0, key.getLength(), bound, 0, bound.length);
    }

    @Override
    public void commit() {
        check();
        if (!finish()) {
            throw new StorageException("the transaction is closed");
        }
        try {
            closeCursors();
            if (!txn.commit()) {
                throw new StorageException("Xodus refused to commit an exclusive transaction");
            }
        } catch (RuntimeException e) {
            abortQuietly();
            throw XodusDatastore.failure("commit failed", e);
        } finally {
            ds.unregister(this);
            ds.endWrite();
        }
    }

    @Override
    public void close() {
        if (!finish()) {
            return;
        }
        try {
            closeCursors();
            txn.abort();
        } catch (RuntimeException e) {
            throw XodusDatastore.failure("aborting a write transaction failed", e);
        } finally {
            ds.unregister(this);
            ds.endWrite();
        }
    }

    private void abortQuietly() {
        try {
            if (!txn.isFinished()) {
                txn.abort();
            }
        } catch (RuntimeException ignored) {
            // the commit failure is what the caller needs to see
        }
    }
}
