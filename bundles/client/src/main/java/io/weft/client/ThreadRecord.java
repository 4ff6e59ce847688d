package io.weft.client;

import io.weft.api.format.Cid;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;

/**
 * A record of a thread's log as the thread API carries it: the four (encrypted) nodes in {@code record}, and the
 * thread and log it belongs to. Returned by {@link ThreadsClient#createRecord} and delivered by
 * {@link ThreadsClient#subscribe}.
 */
public record ThreadRecord(ThreadId thread, LogId log, RecordEnvelope record) {
    /** The record id: the CID of the encrypted record node. */
    public Cid id() {
        return record.id();
    }
}
