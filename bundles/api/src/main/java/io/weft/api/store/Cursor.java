package io.weft.api.store;

import java.util.Iterator;

/** An iterator over store entries that holds engine resources until closed. */
public interface Cursor extends Iterator<Entry>, AutoCloseable {
    @Override
    void close();
}
