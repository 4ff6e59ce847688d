package io.weft.api.db;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A write transaction over a whole database, with serializable isolation: while it is open no other write
 * transaction of the database runs and no remote record is applied to it, so it can be reasoned about as the only
 * operation on the database (paper §4.1.1). Its reads see the committed state plus its own changes.
 *
 * <p>Changes are collected in memory; {@link #commit()} turns them into exactly one record in this peer's log of
 * the database's thread and applies them to the state, indexes and change log in the same store transaction, so
 * either all of it is durable or none of it. A transaction without changes commits nothing and writes no record.
 *
 * <p><b>Errors roll back the whole transaction.</b> When a write method throws (invalid JSON, schema violation,
 * unknown collection, duplicate id, unique-index violation, oversize document, rejection by a write validator),
 * the transaction is discarded and closed: nothing of it is written, and every later call throws
 * {@code InvalidInputException}. Use {@link #verify} to test instances without that consequence.
 *
 * <p>Always close the transaction (try-with-resources); closing without committing discards it and lets the next
 * writer in.
 */
public interface WriteTransaction extends ReadTransaction {

    /**
     * Adds a new instance. An absent or empty {@code _id} is replaced by a fresh lower-case ULID.
     *
     * @return the instance's id
     * @throws io.weft.api.ConflictException if an instance with that id exists
     */
    String create(String collection, JsonNode instance);

    /** As {@link #create(String, JsonNode)} for JSON text. */
    String create(String collection, String json);

    /** Adds several new instances; returns their ids in order. */
    List<String> createMany(String collection, List<? extends JsonNode> instances);

    /**
     * Replaces an instance (it must carry its {@code _id}). Saving an id that does not exist creates it, as in
     * go-threads.
     */
    void save(String collection, JsonNode instance);

    /** As {@link #save(String, JsonNode)} for JSON text. */
    void save(String collection, String json);

    /** Replaces several instances. */
    void saveMany(String collection, List<? extends JsonNode> instances);

    /** Removes an instance; removing an id that does not exist does nothing, as in go-threads. */
    void delete(String collection, String id);

    /** Removes several instances. */
    void deleteMany(String collection, List<String> ids);

    /**
     * Deletes an instance (if it exists) and, at commit, purges its past data from this peer's local history (paper
     * §5.4.2.2): its event history is replaced by one "absent" snapshot and the instance bodies in the change log
     * are replaced by {@code {"_id": id, "_purged": true}}. Local only: the delete is replicated as usual, but other
     * peers keep their own history, and the thread's (encrypted) records, which other peers need to sync, still hold
     * the data. An event for the instance that is older than the purge and arrives later is ignored here.
     */
    void purge(String collection, String id);

    /**
     * Checks what {@link #saveMany} of these instances would run into, in the context of this transaction, without
     * changing anything (threads API {@code Verify}).
     *
     * @return the problems; empty if the save would succeed
     */
    List<WriteProblem> verify(String collection, List<? extends JsonNode> instances);

    /**
     * Commits: one record, all changes, atomically and durably; then closes the transaction.
     *
     * @throws io.weft.api.ConflictException if a constraint fails at commit (nothing is written)
     */
    void commit();

    /** Discards the transaction unless it was committed; closing again does nothing. */
    @Override
    void close();
}
