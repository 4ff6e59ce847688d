package io.weft.client;

/** A running callback subscription ({@link WeftClient#listen(io.weft.api.thread.ThreadId, java.util.List,
 * java.util.function.Consumer, java.util.function.Consumer)}); {@link #close()} cancels it. */
public interface Cancellable extends AutoCloseable {
    /** Cancels the subscription; events arriving afterwards are dropped (a callback already running finishes). Idempotent. */
    @Override
    void close();

    /** Whether it was closed or the stream ended (normally or with an error). */
    boolean isClosed();
}
