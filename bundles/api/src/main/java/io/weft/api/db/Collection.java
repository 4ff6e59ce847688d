package io.weft.api.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One collection of a database. Each write method is its own write transaction (one record), with the semantics and
 * errors of the same method of {@link WriteTransaction}: a batch either applies whole or not at all. Each read
 * method reads one snapshot. Use {@link Database#writeTransaction()} to combine writes across collections.
 */
public interface Collection {

    /** The collection name. */
    String name();

    /** The collection's current definition. */
    CollectionConfig config();

    /** Creates an instance; returns its id. See {@link WriteTransaction#create(String, JsonNode)}. */
    String create(JsonNode instance);

    /** Creates an instance from JSON text; returns its id. */
    String create(String json);

    /** Creates several instances in one transaction; returns their ids in order. */
    List<String> createMany(List<? extends JsonNode> instances);

    /** Saves an instance. See {@link WriteTransaction#save(String, JsonNode)}. */
    void save(JsonNode instance);

    /** Saves an instance from JSON text. */
    void save(String json);

    /** Saves several instances in one transaction. */
    void saveMany(List<? extends JsonNode> instances);

    /** Deletes an instance (a missing id is a no-op). */
    void delete(String id);

    /** Deletes several instances in one transaction. */
    void deleteMany(List<String> ids);

    /** Deletes an instance and purges its local history. See {@link WriteTransaction#purge}. */
    void purge(String id);

    /** Whether the instance exists. */
    boolean has(String id);

    /** Whether all of the instances exist. */
    boolean hasAll(List<String> ids);

    /**
     * The instance with this id.
     *
     * @throws io.weft.api.NotFoundException if there is none
     */
    ObjectNode findById(String id);

    /** The instances with these ids, in order; {@code NotFoundException} if any is missing. */
    List<ObjectNode> findByIds(List<String> ids);

    /** The instances matching {@code query}. See {@link ReadTransaction#find}. */
    List<ObjectNode> find(Query query);

    /** Every instance, in {@code _id} order. */
    default List<ObjectNode> findAll() {
        return find(Query.all());
    }

    /** What saving these instances would run into, without writing anything. */
    List<WriteProblem> verify(List<? extends JsonNode> instances);
}
