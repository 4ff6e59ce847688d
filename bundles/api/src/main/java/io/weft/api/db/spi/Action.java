package io.weft.api.db.spi;

import com.fasterxml.jackson.databind.JsonNode;
import io.weft.api.InvalidInputException;
import io.weft.api.db.ChangeType;

/**
 * One change a committed write transaction made to one instance: the input of {@link EventCodec#encode}.
 *
 * @param type       create, save or delete
 * @param collection the collection name
 * @param instanceId the instance's {@code _id}
 * @param before     the instance before the change ({@code null} for a create)
 * @param after      the instance after the change ({@code null} for a delete)
 */
public record Action(ChangeType type, String collection, String instanceId, JsonNode before, JsonNode after) {
    public Action {
        if (type == null || collection == null || instanceId == null) {
            throw new InvalidInputException("action: type, collection and instance id are required");
        }
        if (type == ChangeType.CREATE && after == null || type == ChangeType.SAVE && (after == null || before == null)
                || type == ChangeType.DELETE && after != null) {
            throw new InvalidInputException("action: " + type + " of " + collection + "/" + instanceId
                    + " has inconsistent before/after states");
        }
    }
}
