package io.weft.api.log;

import io.weft.api.thread.ThreadId;

/**
 * Told of every record a {@link LogService} appended and committed, local or received: the hand-off from the log
 * service to whatever reacts to new records (the database's dispatcher, the network's push). Called after the
 * commit, in counter order per log, on the appending thread: implementations must return quickly and must not
 * throw (an exception is logged and ignored).
 */
@FunctionalInterface
public interface AppendListener {
    void appended(ThreadId thread, AppendResult result);
}
