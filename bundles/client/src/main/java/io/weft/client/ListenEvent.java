package io.weft.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.db.ChangeType;

/**
 * One change reported by {@link WeftClient#listen}: which instance of which collection was created, saved or
 * deleted, and the instance after the change ({@code null} for a delete).
 */
public record ListenEvent(String collection, String instanceId, ChangeType type, ObjectNode instance) {
    /** The instance after the change (a copy), or {@code null} for a delete. */
    @Override
    public ObjectNode instance() {
        return instance == null ? null : instance.deepCopy();
    }
}
