package io.weft.api.record;

import io.weft.api.InvalidInputException;
import java.util.Arrays;

/**
 * What the read key opens: the event's content key (from the decrypted header) and its plaintext body, a
 * dag-cbor node. Only core's {@code Records.open}, given the read key, produces one from a record; a holder of
 * the service key alone cannot. {@link #toString()} prints neither the key nor the body.
 */
public final class Payload {
    private final Event event;
    private final byte[] contentKey;
    private final byte[] body;

    /**
     * @param event      the event whose header and body were opened
     * @param contentKey the 32-byte content key (copied)
     * @param body       the plaintext body node, canonical dag-cbor (copied)
     */
    public Payload(Event event, byte[] contentKey, byte[] body) {
        if (event == null || contentKey == null || body == null) {
            throw new InvalidInputException("payload: event, content key and body are required");
        }
        if (contentKey.length != 32) {
            throw new InvalidInputException("payload: content key must be 32 bytes, got " + contentKey.length);
        }
        this.event = event;
        this.contentKey = contentKey.clone();
        this.body = body.clone();
    }

    /** The event this payload belongs to. */
    public Event event() {
        return event;
    }

    /** The 32-byte content key (a copy). Secret. */
    public byte[] contentKey() {
        return contentKey.clone();
    }

    /** The plaintext body: canonical dag-cbor bytes (a copy). */
    public byte[] body() {
        return body.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Payload p && p.event.equals(event) && Arrays.equals(p.contentKey, contentKey)
                && Arrays.equals(p.body, body);
    }

    @Override
    public int hashCode() {
        return event.hashCode() * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "Payload[event=" + event.id() + ", body=" + body.length + "B]";
    }
}
