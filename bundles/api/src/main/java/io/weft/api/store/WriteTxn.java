package io.weft.api.store;

/**
 * A write transaction: reads see this transaction's own uncommitted writes. Nothing is visible to other
 * transactions until {@link #commit()}; closing without committing discards every write.
 */
public interface WriteTxn extends ReadTxn {

    /** Stores {@code value} under {@code key}, replacing any previous value. */
    void put(byte[] key, byte[] value);

    /** Removes {@code key}; returns whether it was present. */
    boolean delete(byte[] key);

    /** Removes every key in {@code range}; returns how many were removed. */
    long deleteRange(KeyRange range);

    /**
     * Makes every write of this transaction visible and (on a durable engine) durable, atomically. After
     * commit the transaction is closed. Throws {@code StorageException} if the engine fails; nothing is then
     * committed.
     */
    void commit();
}
