package io.weft.store.xodus;

import io.weft.api.StorageException;
import io.weft.api.store.Cursor;
import io.weft.api.store.Entry;
import io.weft.api.store.KeyRange;
import java.util.NoSuchElementException;
import jetbrains.exodus.ArrayByteIterable;
import jetbrains.exodus.ByteIterable;

/**
 * Iterates a key range with a Xodus cursor. If the transaction writes while the cursor is open, the Xodus
 * cursor is reopened and positioned strictly after the last key returned, so the SPI's guarantees hold
 * whatever Xodus does with cursors over a tree that changed under them.
 */
final class XodusCursor implements Cursor {

    private final XodusReadTxn txn;
    private final byte[] start;
    private final byte[] end;
    private final boolean reverse;

    private jetbrains.exodus.env.Cursor cursor;
    private int seenModCount;
    private byte[] lastKey;
    private Entry pending;
    private boolean exhausted;
    private boolean closed;

    XodusCursor(XodusReadTxn txn, KeyRange range, boolean reverse) {
        this.txn = txn;
        this.start = range.start();
        this.end = range.end();
        this.reverse = reverse;
        if (start != null && end != null && java.util.Arrays.compareUnsigned(start, end) >= 0) {
            exhausted = true;
        }
    }

    @Override
    public boolean hasNext() {
        check();
        if (seenModCount != txn.modCount()) {
            pending = null; // computed before a write: recompute against the current view
            exhausted = false;
            releaseXodusCursor();
        }
        if (pending == null && !exhausted) {
            try {
                pending = advance();
            } catch (RuntimeException e) {
                throw XodusDatastore.failure("scan failed", e);
            }
            exhausted = pending == null;
        }
        return pending != null;
    }

    @Override
    public Entry next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Entry e = pending;
        pending = null;
        lastKey = e.key();
        return new Entry(e.key().clone(), e.value().clone());
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pending = null;
        txn.cursorClosed(this);
        releaseXodusCursor();
    }

    /** Closes the Xodus cursor; called when the transaction ends. */
    void release() {
        closed = true;
        pending = null;
        releaseXodusCursor();
    }

    private void releaseXodusCursor() {
        if (cursor != null) {
            try {
                cursor.close();
            } catch (RuntimeException ignored) {
                // the transaction may already be finished
            }
            cursor = null;
        }
    }

    private void check() {
        if (closed) {
            throw new StorageException("the cursor is closed");
        }
        txn.check();
    }

    /** The next entry in range, or null; positions (or repositions) the Xodus cursor when needed. */
    private Entry advance() {
        boolean found;
        if (cursor == null) {
            seenModCount = txn.modCount();
            found = reverse ? seekReverse() : seekForward();
        } else {
            found = reverse ? cursor.getPrev() : cursor.getNext();
        }
        if (!found) {
            return null;
        }
        ByteIterable key = cursor.getKey();
        if (reverse ? start != null && XodusWriteTxn.compare(key, start) < 0
                : end != null && XodusWriteTxn.compare(key, end) >= 0) {
            return null;
        }
        return new Entry(XodusReadTxn.copyOut(key), XodusReadTxn.copyOut(cursor.getValue()));
    }

    private jetbrains.exodus.env.Cursor open() {
        releaseXodusCursor();
        cursor = txn.ds.store().openCursor(txn.txn);
        return cursor;
    }

    /** Positions on the first key at or after {@code start}, or strictly after {@code lastKey}. */
    private boolean seekForward() {
        byte[] from = lastKey != null ? lastKey : start;
        jetbrains.exodus.env.Cursor c = open();
        if (from == null) {
            return c.getNext();
        }
        if (c.getSearchKeyRange(new ArrayByteIterable(from)) == null) { // returns the value, or null
            return false;
        }
        if (lastKey != null && XodusWriteTxn.compare(c.getKey(), lastKey) == 0) {
            return c.getNext();
        }
        return true;
    }

    /** Positions on the last key before {@code end}, or strictly before {@code lastKey}. */
    private boolean seekReverse() {
        byte[] before = lastKey != null ? lastKey : end;
        jetbrains.exodus.env.Cursor c = open();
        if (before == null) {
            return c.getLast();
        }
        if (c.getSearchKeyRange(new ArrayByteIterable(before)) != null) {
            return c.getPrev(); // the first key >= before exists: step back from it
        }
        return open().getLast(); // every key is < before
    }
}
