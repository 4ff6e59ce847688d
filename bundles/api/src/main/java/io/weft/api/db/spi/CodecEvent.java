package io.weft.api.db.spi;

import io.weft.api.InvalidInputException;
import io.weft.api.db.ChangeType;
import java.util.Arrays;

/**
 * One event a codec decoded from a record body: a change to one instance at a hybrid-logical-clock time
 * (paper §7.1), with the codec's own payload (for the JSON merge patch codec, the patch bytes).
 *
 * @param type       create, save or delete
 * @param collection the collection name
 * @param instanceId the instance's {@code _id}
 * @param time       the event's hybrid logical clock reading, packed as unix nanoseconds (see the db docs)
 * @param payload    codec-specific bytes ({@code null} where the codec carries none, e.g. a delete)
 */
public record CodecEvent(ChangeType type, String collection, String instanceId, long time, byte[] payload) {
    public CodecEvent {
        if (type == null || collection == null || instanceId == null) {
            throw new InvalidInputException("event: type, collection and instance id are required");
        }
        payload = payload == null ? null : payload.clone();
    }

    @Override
    public byte[] payload() {
        return payload == null ? null : payload.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CodecEvent e && e.type == type && e.collection.equals(collection)
                && e.instanceId.equals(instanceId) && e.time == time && Arrays.equals(e.payload, payload);
    }

    @Override
    public int hashCode() {
        return ((type.hashCode() * 31 + collection.hashCode()) * 31 + instanceId.hashCode()) * 31 + Long.hashCode(time);
    }

    @Override
    public String toString() {
        return "CodecEvent[" + type + " " + collection + "/" + instanceId + " @" + time + "]";
    }
}
