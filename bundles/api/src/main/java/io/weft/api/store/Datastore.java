package io.weft.api.store;

import java.util.function.Consumer;
import java.util.function.Function;

/**
 * An ordered key-value store of byte keys and byte values: the one storage SPI every other part of Weft
 * builds on (logstore, event store, collections, indexes).
 *
 * <p>Keys are compared as unsigned bytes, lexicographically. Readers see a consistent snapshot that later
 * writes never change. Writers are serialized: at most one write transaction runs at a time, so every
 * write transaction sees the effects of all earlier committed ones (serializable isolation). A write
 * transaction is atomic and, where the engine is durable, durable once {@link WriteTxn#commit()} returns.
 *
 * <p>Keys and values may be empty (an empty value is distinct from no value); {@code null} keys, values or
 * ranges are rejected with {@code InvalidInputException}. Every array passed in is copied, and every array
 * returned is the caller's own copy. A store is safe for concurrent use by many threads; a single
 * transaction or cursor is meant for one thread at a time, but may be handed from one thread to another
 * (a write transaction may be committed or closed by a thread other than the one that began it).
 *
 * <p>Engines register as services with the property {@code weft.store=<name>} (for example {@code xodus}
 * or {@code memory}); outside OSGi they are found with {@link java.util.ServiceLoader} via
 * {@link DatastoreProvider}.
 */
public interface Datastore extends AutoCloseable {

    /** The engine's name, as in the {@code weft.store} service property. */
    String engine();

    /** Opens a read-only snapshot of the committed state. The caller must close it. */
    ReadTxn beginRead();

    /**
     * Opens a write transaction, waiting until no other write transaction is open. The caller must either
     * {@link WriteTxn#commit() commit} or {@link WriteTxn#close() close} (which aborts) it. A thread that
     * still has an open write transaction it began gets {@code StorageException} instead of waiting for
     * itself forever; so does a thread interrupted while waiting (its interrupt status is kept).
     */
    WriteTxn beginWrite();

    /** Runs {@code work} in a read snapshot and returns its result. */
    default <T> T read(Function<? super ReadTxn, ? extends T> work) {
        try (ReadTxn txn = beginRead()) {
            return work.apply(txn);
        }
    }

    /**
     * Runs {@code work} in a write transaction and commits it if {@code work} returns normally; if
     * {@code work} throws, nothing it wrote is kept and the exception propagates.
     */
    default <T> T write(Function<? super WriteTxn, ? extends T> work) {
        try (WriteTxn txn = beginWrite()) {
            T result = work.apply(txn);
            txn.commit();
            return result;
        }
    }

    /** As {@link #write(Function)} for work without a result. */
    default void update(Consumer<? super WriteTxn> work) {
        write(txn -> {
            work.accept(txn);
            return null;
        });
    }

    /**
     * Closes the store. Open transactions must be closed first (an engine may abort any that are left);
     * calls after close throw {@code StorageException}. Closing again does nothing.
     */
    @Override
    void close();
}
