package io.weft.api.log;

import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import java.util.Map;

/**
 * The heads of logs (paper §3.2.3; go-threads {@code HeadBook}): per (thread, log), the id of the latest record and
 * the number of records. Read-only: a head moves only when the {@link LogService} appends a record, in the same
 * atomic write that stores the record, so a head never names a record that is not stored. (go-threads' {@code
 * AddHead}/{@code SetHead}/{@code ClearHead} are deliberately absent.)
 */
public interface HeadBook {

    /** The log's head; {@link Head#EMPTY} if the log has no records or is unknown. */
    Head head(ThreadId thread, LogId log);

    /** The heads of the thread's logs that have records, keyed and sorted by log id. */
    Map<LogId, Head> heads(ThreadId thread);
}
