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
     * {@code reverse}). The cursor must be closed; it is valid only while this transaction is open.
     */
    Cursor scan(KeyRange range, boolean reverse);

    /** Ascending scan of {@code range}. */
    default Cursor scan(KeyRange range) {
        return scan(range, false);
    }

    /** Ends the transaction, releasing its snapshot. For a write transaction that was not committed, aborts it. */
    @Override
    void close();
}
