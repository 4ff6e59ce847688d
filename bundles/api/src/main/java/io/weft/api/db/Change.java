package io.weft.api.db;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.InvalidInputException;
import io.weft.api.thread.ThreadId;

/**
 * One change of one instance's state, as recorded in a database's change log at commit (threads API
 * {@code ListenReply}). Changes are numbered per database from 1 in commit order; the number is the cursor
 * position a listener resumes from. A change describes the state transition the commit caused: {@code CREATE}
 * (absent → present), {@code SAVE} (present → present) or {@code DELETE} (present → absent), whether the events
 * came from this peer or another one.
 *
 * @param database   the database
 * @param collection the collection name
 * @param instanceId the instance id
 * @param type       what happened to the instance
 * @param instance   the instance right after the change ({@code null} for a delete); a copy
 * @param sequence   the change's number in the database's change log (1, 2, …)
 */
public record Change(ThreadId database, String collection, String instanceId, ChangeType type, ObjectNode instance,
        long sequence) {
    public Change {
        if (database == null || collection == null || instanceId == null || type == null || sequence < 1) {
            throw new InvalidInputException("change: database, collection, instance id, type and sequence >= 1 are required");
        }
        if ((instance == null) != (type == ChangeType.DELETE)) {
            throw new InvalidInputException("change: an instance is required exactly for create and save");
        }
        instance = instance == null ? null : instance.deepCopy();
    }

    /** The instance after the change (a copy), or {@code null} for a delete. */
    @Override
    public ObjectNode instance() {
        return instance == null ? null : instance.deepCopy();
    }
}
