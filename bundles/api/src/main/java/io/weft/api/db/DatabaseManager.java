package io.weft.api.db;

import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadInvite;
import io.weft.api.thread.ThreadKey;
import java.util.List;

/**
 * The databases of this peer (go-threads {@code db.Manager}); each is one thread. Database names follow
 * {@link Names}; they label databases and need not be unique.
 */
@org.osgi.annotation.versioning.ProviderType
public interface DatabaseManager {

    /**
     * Creates a database on a new thread with a fresh id and key, with the given collections (written as the
     * database's first record).
     *
     * @throws io.weft.api.InvalidInputException if the name or a collection is invalid
     */
    default Database createDatabase(String name, List<CollectionConfig> collections) {
        return createDatabase(null, null, name, collections);
    }

    /**
     * Creates a database on a new thread with the given id and key (threads API {@code NewDB}); {@code null} id or
     * key means a fresh one.
     *
     * @throws io.weft.api.ConflictException if the thread already exists
     */
    Database createDatabase(ThreadId id, ThreadKey key, String name, List<CollectionConfig> collections);

    /**
     * Joins a database that lives on other peers (threads API {@code NewDBFromAddr}): registers it under
     * {@code name}, has the network's {@link io.weft.api.log.ThreadService#addThread thread service} fetch the
     * thread's logs and records from the invite's peers, applies them, and returns the database with the collections
     * and instances those records hold. Later records keep arriving through the network.
     *
     * @throws io.weft.api.InvalidInputException if the invite has no read key (a service-key-only invite makes a
     *                                           replica: use {@code ThreadService.addThread}), the name is invalid,
     *                                           or this peer has no network (no thread service)
     * @throws io.weft.api.ConflictException     if the database is already here, or its thread is here with other
     *                                           keys
     */
    Database joinDatabase(ThreadInvite invite, String name);

    /**
     * A database.
     *
     * @throws io.weft.api.NotFoundException if there is none with this id
     */
    Database database(ThreadId id);

    /** Every database, sorted by id. */
    List<DatabaseInfo> listDatabases();

    /**
     * Id, name, key and addresses of a database.
     *
     * @throws io.weft.api.NotFoundException if there is none with this id
     */
    DatabaseInfo databaseInfo(ThreadId id);

    /**
     * Deletes a database: its state, indexes, event history, change log, and its thread with all records.
     *
     * @return whether it existed
     */
    boolean deleteDatabase(ThreadId id);
}
