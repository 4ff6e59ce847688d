package io.weft.api.db;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A consistent read-only view of a database: every read sees the state of one moment (a store snapshot taken when
 * the transaction began), whatever commits meanwhile. Any number of read transactions may run alongside each other
 * and alongside a write transaction. Returned documents are the caller's own copies.
 *
 * <p>Errors: {@code NotFoundException} for an unknown collection (or a missing instance where noted),
 * {@code InvalidInputException} for malformed arguments or queries. Calls after {@link #close()} throw
 * {@code InvalidInputException}.
 */
public interface ReadTransaction extends AutoCloseable {

    /** Whether the collection holds an instance with id {@code id}. */
    boolean has(String collection, String id);

    /** Whether the collection holds every one of {@code ids} (threads API {@code Has}). */
    boolean hasAll(String collection, List<String> ids);

    /**
     * The instance with id {@code id}.
     *
     * @throws io.weft.api.NotFoundException if there is none
     */
    ObjectNode findById(String collection, String id);

    /**
     * The instances with these ids, in the same order.
     *
     * @throws io.weft.api.NotFoundException if any is missing
     */
    List<ObjectNode> findByIds(String collection, List<String> ids);

    /**
     * The instances that match {@code query}, sorted, then skipped and limited as the query says. A planner picks
     * an index where one helps; results never depend on that choice.
     */
    List<ObjectNode> find(String collection, Query query);

    /** Every instance of the collection, in {@code _id} order. */
    default List<ObjectNode> findAll(String collection) {
        return find(collection, Query.all());
    }

    /** Ends the transaction; closing again does nothing. */
    @Override
    void close();
}
