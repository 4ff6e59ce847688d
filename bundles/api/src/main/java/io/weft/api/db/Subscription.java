package io.weft.api.db;

/**
 * A registered {@link Listener}. Closing it stops delivery (a change being delivered finishes first); closing again
 * does nothing.
 */
public interface Subscription extends AutoCloseable {
    /**
     * The sequence number of the last change this subscription has passed (delivered or filtered out). Passing it
     * as {@code afterSequence} to {@link Database#listen} resumes exactly after it.
     */
    long position();

    @Override
    void close();
}
