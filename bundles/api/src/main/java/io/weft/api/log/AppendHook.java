package io.weft.api.log;

import io.weft.api.store.WriteTxn;

/**
 * Work that must commit atomically with a record append: {@link LogService#createRecord(io.weft.api.thread.ThreadId,
 * io.weft.api.crypto.PrivateKey, byte[], AppendHook)} and {@link LogService#addRecord(io.weft.api.thread.ThreadId,
 * io.weft.api.thread.LogId, io.weft.api.record.RecordEnvelope, AppendHook)} call it inside the store write
 * transaction that appends the record, after the {@code prev == head} check and after the record, its index entry
 * and the new head are written. Whatever it writes to {@code txn} commits together with the record; if it throws,
 * the transaction is aborted (no record, no head move, none of its writes) and the exception propagates to the
 * caller.
 *
 * <p>The hook runs once, only when the record is actually appended (not for an idempotent repeat of a stored
 * record), while the store's single writer lock is held: it must not open another write transaction and should be
 * quick. It is how the database applies a record's events in the same transaction as the append (design §2).
 */
@FunctionalInterface
public interface AppendHook {

    /** A hook that does nothing. */
    AppendHook NONE = (txn, appended) -> {
    };

    /**
     * @param txn      the append's write transaction (the logstore's {@link io.weft.api.store.Datastore})
     * @param appended the log, the record's position in it and the verified record
     */
    void appended(WriteTxn txn, AppendResult appended);
}
