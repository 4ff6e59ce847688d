package io.weft.store.xodus;

import io.weft.api.InvalidInputException;
import io.weft.api.StorageException;
import io.weft.api.store.Cursor;
import io.weft.api.store.KeyRange;
import io.weft.api.store.ReadTxn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jetbrains.exodus.ArrayByteIterable;
import jetbrains.exodus.ByteIterable;
import jetbrains.exodus.env.Transaction;

/** A read transaction over a Xodus read-only transaction (a snapshot); the base of {@link XodusWriteTxn}. */
class XodusReadTxn implements ReadTxn {

    final XodusDatastore ds;
    final Transaction txn;
    private final List<XodusCursor> cursors = new ArrayList<>();
    private final Object finishLock = new Object();
    private volatile boolean finished;

    XodusReadTxn(XodusDatastore ds, Transaction txn) {
        this.ds = ds;
        this.txn = txn;
    }

    /** Changes whenever this transaction writes; cursors re-seek when it does. Always 0 for a reader. */
    int modCount() {
        return 0;
    }

    final void check() {
        if (finished) {
            throw new StorageException("the transaction is closed");
        }
        ds.ensureOpen();
    }

    /** Marks the transaction finished; returns false if it already was. */
    final boolean finish() {
        synchronized (finishLock) {
            if (finished) {
                return false;
            }
            finished = true;
            return true;
        }
    }

    /** Copies {@code bytes} into a Xodus key or value, so later changes by the caller cannot reach the store. */
    static ArrayByteIterable copyIn(byte[] bytes) {
        return new ArrayByteIterable(bytes.clone());
    }

    /** Copies a Xodus key or value out into the caller's own array. */
    static byte[] copyOut(ByteIterable bytes) {
        return Arrays.copyOf(bytes.getBytesUnsafe(), bytes.getLength());
    }

    static byte[] requireKey(byte[] key) {
        if (key == null) {
            throw new InvalidInputException("key must not be null");
        }
        return key;
    }

    static KeyRange requireRange(KeyRange range) {
        if (range == null) {
            throw new InvalidInputException("range must not be null");
        }
        return range;
    }

    @Override
    public final byte[] get(byte[] key) {
        check();
        ArrayByteIterable k = copyIn(requireKey(key));
        try {
            ByteIterable value = ds.store().get(txn, k);
            return value == null ? null : copyOut(value);
        } catch (RuntimeException e) {
            throw XodusDatastore.failure("get failed", e);
        }
    }

    @Override
    public final Cursor scan(KeyRange range, boolean reverse) {
        check();
        XodusCursor cursor = new XodusCursor(this, requireRange(range), reverse);
        synchronized (cursors) {
            cursors.add(cursor);
        }
        return cursor;
    }

    void cursorClosed(XodusCursor cursor) {
        synchronized (cursors) {
            cursors.remove(cursor);
        }
    }

    /** Closes the cursors still open (they hold Xodus cursors on this transaction). */
    final void closeCursors() {
        List<XodusCursor> left;
        synchronized (cursors) {
            left = new ArrayList<>(cursors);
            cursors.clear();
        }
        for (XodusCursor c : left) {
            c.release();
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
            throw XodusDatastore.failure("closing a read transaction failed", e);
        } finally {
            ds.unregister(this);
        }
    }

    /** Aborts the transaction because the store is closing; never throws. */
    void abandon() {
        try {
            close();
        } catch (RuntimeException e) {
            // the store is closing anyway
        }
    }
}
