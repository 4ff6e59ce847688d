package io.weft.api.store;

/**
 * A consistent read-only view of a {@link Datastore}. Arrays passed in or returned are never retained or
 * shared by the store: callers may modify them freely.
 */
public interface ReadTxn extends AutoCloseable {

    /** The value stored under {@code key}, or {@code null} if there is none. */
    byte[] get(byte[] key);

    /** Whether a value is stored under {@code key}. */
    default boolean has(byte[] key) {
        return get(key) != null;
    }

    /**
     * Iterates the entries whose keys lie in {@code range}, in ascending key order (or descending when
     * {@code reverse}). The cursor must be closed; it is valid only while this transaction is open (after
     * that it throws {@code StorageException}).
     *
     * <p>In a write transaction the cursor sees the transaction's own writes, and the transaction may keep
     * writing while a cursor is open: each step returns the first entry after the previously returned key
     * (in scan order) in the transaction's view at the time of the step. So a cursor never returns a key
     * twice, skips keys deleted ahead of it, returns keys inserted ahead of it, and returns current values.
     */
    Cursor scan(KeyRange range, boolean reverse);

    /** Ascending scan of {@code range}. */
    default Cursor scan(KeyRange range) {
        return scan(range, false);
    }

    /**
     * Ends the transaction, releasing its snapshot and closing its cursors. For a write transaction that was
     * not committed, aborts it. Closing again (or after commit) does nothing; any other call after close
     * throws {@code StorageException}.
     */
    @Override
    void close();
}
