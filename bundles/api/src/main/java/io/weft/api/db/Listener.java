package io.weft.api.db;

/**
 * Receives a database's changes, one at a time and in commit order, on a delivery thread of its own (see
 * {@link Database#listen}). A slow listener delays only itself: writers never wait for it and it never misses a
 * change. An exception thrown by {@link #onChange} is logged and delivery goes on with the next change.
 */
@FunctionalInterface
public interface Listener {
    /** Called once per matching change, in sequence order. */
    void onChange(Change change);

    /**
     * Called once, after the last {@link #onChange}, when the subscription ends without its owner closing it: the
     * database was deleted, or the database manager is stopping. Nothing follows. The default does nothing.
     *
     * @param deleted {@code true} if the database was deleted, {@code false} if the manager is stopping
     * @since 1.2
     */
    default void ended(boolean deleted) {
    }
}
