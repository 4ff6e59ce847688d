package io.weft.api.db;

import io.weft.api.InvalidInputException;
import java.util.List;

/**
 * What {@link Database#updateCollection} did, or would do ({@link Database#checkCollectionUpdate}): the instances
 * that do not satisfy the new schema (they are kept as they are, but every later write of them must satisfy it, so
 * nothing breaks silently), and the index changes (new indexes are filled from the existing instances).
 *
 * @param collection       the collection name
 * @param invalidInstances the instances that fail the new schema, each with the validator's message
 * @param addedIndexes     the paths of indexes that were added (and backfilled)
 * @param removedIndexes   the paths of indexes that were removed
 * @param instances        how many instances the collection holds
 */
public record SchemaUpdate(String collection, List<InvalidInstance> invalidInstances, List<String> addedIndexes,
        List<String> removedIndexes, long instances) {

    /**
     * An instance that does not satisfy a schema.
     *
     * @param instanceId the instance id
     * @param message    why (the validator's messages)
     */
    public record InvalidInstance(String instanceId, String message) {
    }

    public SchemaUpdate {
        if (collection == null) {
            throw new InvalidInputException("schema update: collection is required");
        }
        invalidInstances = invalidInstances == null ? List.of() : List.copyOf(invalidInstances);
        addedIndexes = addedIndexes == null ? List.of() : List.copyOf(addedIndexes);
        removedIndexes = removedIndexes == null ? List.of() : List.copyOf(removedIndexes);
    }

    /** Whether every existing instance satisfies the new schema. */
    public boolean allValid() {
        return invalidInstances.isEmpty();
    }
}
