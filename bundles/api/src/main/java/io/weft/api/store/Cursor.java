package io.weft.api.store;

import java.util.Iterator;

/**
 * An iterator over store entries that holds engine resources until closed. {@link #next()} throws
 * {@link java.util.NoSuchElementException} when there are no more entries; {@link #remove()} is not
 * supported. Each returned {@link Entry} holds the caller's own copies of the arrays.
 */
public interface Cursor extends Iterator<Entry>, AutoCloseable {
    /**
     * Releases the cursor's resources. Closing again does nothing; other calls after close throw
     * {@code StorageException}.
     */
    @Override
    void close();
}
