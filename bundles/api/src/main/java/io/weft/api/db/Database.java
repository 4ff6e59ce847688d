package io.weft.api.db;

import io.weft.api.crypto.PublicKey;
import io.weft.api.thread.ThreadId;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One database: a thread whose records carry the events of its write transactions (paper §4). Collections are
 * defined by JSON Schema; their definitions are events of the thread too, so every peer of the database gets them.
 *
 * <p>A {@code Database} object stays usable until the database is deleted or the manager closes; after that every
 * call throws {@code NotFoundException}.
 *
 * <p>Implemented by the database bundle only (a provider type: methods added in a minor version are not a breaking
 * change for code that uses databases).
 */
@org.osgi.annotation.versioning.ProviderType
public interface Database {

    /** The database's thread id. */
    ThreadId id();

    /** The database's name. */
    String name();

    /** Id, name, key and addresses. */
    DatabaseInfo info();

    // ------------------------------------------------------------------ collections

    /**
     * Defines a new collection (one record). Events of other peers for this collection that arrived before are
     * applied now.
     *
     * @throws io.weft.api.ConflictException     if the collection exists
     * @throws io.weft.api.InvalidInputException if the schema does not compile or declares {@code _id} other than
     *                                           as a string
     */
    Collection newCollection(CollectionConfig config);

    /**
     * Replaces a collection's schema, indexes and hooks (one record). New indexes are filled from the existing
     * instances. Instances that do not satisfy the new schema are kept, and reported.
     *
     * @throws io.weft.api.NotFoundException if the collection does not exist
     * @throws io.weft.api.ConflictException if a new unique index meets duplicate values (nothing is changed)
     */
    SchemaUpdate updateCollection(CollectionConfig config);

    /** What {@link #updateCollection} would report and do, without changing anything. */
    SchemaUpdate checkCollectionUpdate(CollectionConfig config);

    /**
     * Removes a collection with its instances and indexes (one record).
     *
     * @throws io.weft.api.NotFoundException if the collection does not exist
     */
    void deleteCollection(String name);

    /**
     * A collection.
     *
     * @throws io.weft.api.NotFoundException if it does not exist
     */
    Collection collection(String name);

    /** The definitions of every collection, sorted by name. */
    List<CollectionConfig> listCollections();

    // ------------------------------------------------------------------ transactions

    /** Opens a read transaction on a snapshot of the current state. */
    ReadTransaction readTransaction();

    /**
     * Opens a write transaction, waiting until the previous writer of this database has finished. See
     * {@link WriteTransaction}.
     */
    WriteTransaction writeTransaction();

    /**
     * Opens a read transaction on behalf of {@code reader}: the collections' {@link io.weft.api.db.spi.ReadFilter
     * read filters} are given {@code reader} (a client of this peer that proved its identity). {@code null} reads as
     * the local host, as {@link #readTransaction()}.
     *
     * @since 1.2
     */
    ReadTransaction readTransaction(PublicKey reader);

    /**
     * Opens a write transaction on behalf of {@code writer} (a client of this peer that proved its identity, e.g.
     * with a client API token): write validators see {@code writer}, its reads pass {@code writer} to read filters,
     * and its commit appends the record to {@code writer}'s log in the database's thread, with {@code writer} as the
     * record's author ({@code pubKey}). That log is created on first use; its signing key is kept by this peer (see
     * {@link io.weft.api.log.LogService#createRecord(ThreadId, PublicKey, byte[], io.weft.api.log.AppendHook)}).
     * {@code null} writes as this peer's own identity, as {@link #writeTransaction()}.
     *
     * @since 1.2
     */
    WriteTransaction writeTransaction(PublicKey writer);

    /** Runs {@code work} in a read transaction. */
    default <T> T read(Function<? super ReadTransaction, ? extends T> work) {
        try (ReadTransaction txn = readTransaction()) {
            return work.apply(txn);
        }
    }

    /** Runs {@code work} in a write transaction and commits it if {@code work} returns normally. */
    default <T> T write(Function<? super WriteTransaction, ? extends T> work) {
        try (WriteTransaction txn = writeTransaction()) {
            T result = work.apply(txn);
            txn.commit();
            return result;
        }
    }

    /**
     * Runs {@code work} in a write transaction on behalf of {@code writer} (see {@link #writeTransaction(PublicKey)})
     * and commits it if {@code work} returns normally.
     *
     * @since 1.2
     */
    default <T> T write(PublicKey writer, Function<? super WriteTransaction, ? extends T> work) {
        try (WriteTransaction txn = writeTransaction(writer)) {
            T result = work.apply(txn);
            txn.commit();
            return result;
        }
    }

    /** As {@link #write(Function)} without a result. */
    default void update(Consumer<? super WriteTransaction> work) {
        write(txn -> {
            work.accept(txn);
            return null;
        });
    }

    // ------------------------------------------------------------------ snapshots and compaction

    /**
     * Compacts this peer's event history (paper §5.4.1): for every instance, the events older than {@code before}
     * are replaced by one snapshot of the instance's state, placed at the position of the last event it replaces.
     * Local only: nothing is written to the thread, no state, index or query result changes, and the thread's records
     * are kept (other peers need them). An event from another peer that arrives later still applies exactly if it
     * sorts after the snapshot's position; one that sorts before it no longer changes the instance (the snapshot
     * wins), so choose {@code before} well beyond the longest delay with which records reach this peer.
     *
     * @return how many history entries were removed
     */
    long compact(java.time.Instant before);

    /**
     * Recomputes every instance state and every index from the event history — each instance from its latest
     * snapshot plus the events after it — as a peer rebuilding from a snapshot would. The result equals the
     * maintained state; this is a repair and verification tool.
     *
     * @return how many instances had a different state before the rebuild (0 for a consistent database)
     */
    long rebuild();

    // ------------------------------------------------------------------ changes

    /** The sequence number of the latest change (0 when there is none). */
    long lastSequence();

    /**
     * Up to {@code limit} changes after sequence number {@code afterSequence} that match any of {@code filters}
     * (all changes if {@code filters} is empty), in sequence order: a resumable cursor over the change log.
     *
     * @throws io.weft.api.NotFoundException     if changes after {@code afterSequence} were already pruned
     * @throws io.weft.api.InvalidInputException if {@code limit < 1} or {@code afterSequence < 0}
     */
    List<Change> changes(long afterSequence, int limit, List<ListenFilter> filters);

    /**
     * Delivers every change after {@code afterSequence} that matches any of {@code filters} (all if empty) to
     * {@code listener}, in order, exactly once, on a delivery thread of its own, until the subscription is closed.
     * Delivery reads the change log from the subscription's cursor, so a slow listener falls behind but never loses a
     * change, and writers never wait for it. Pass {@link #lastSequence()} to receive only future changes.
     *
     * @throws io.weft.api.NotFoundException if changes after {@code afterSequence} were already pruned
     */
    Subscription listen(long afterSequence, List<ListenFilter> filters, Listener listener);

    /** Delivers every future change to {@code listener}. */
    default Subscription listen(Listener listener) {
        return listen(lastSequence(), List.of(), listener);
    }
}
