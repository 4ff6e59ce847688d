package io.weft.api.db.spi;

import com.fasterxml.jackson.databind.JsonNode;
import io.weft.api.crypto.PublicKey;
import io.weft.api.db.ChangeType;

/**
 * A per-collection write hook, in Java instead of go-threads' embedded JavaScript: a collection names one in
 * {@link io.weft.api.db.CollectionConfig#writeValidator()}, and every local write of the collection is offered to it
 * before it commits. Register implementations as services with the property {@code weft.validator=<name>} (outside
 * OSGi, hand them to the database manager).
 *
 * <p>A validator sees local writes only: events from other peers are applied as they are, so that every peer with
 * the same records has the same state. Implementations must be thread-safe and fast; they run inside the writer's
 * transaction.
 */
public interface WriteValidator {

    /** The name collections use to refer to this validator. */
    String name();

    /**
     * Checks one change. Returns {@code null} to accept it, or a reason to reject it (the write then fails with
     * {@code UnauthorizedException} carrying the reason, and nothing of its transaction is written).
     *
     * @param writer     the identity that writes: this peer's identity, or the client a write transaction was
     *                   opened for ({@link io.weft.api.db.Database#writeTransaction(io.weft.api.crypto.PublicKey)})
     * @param collection the collection name
     * @param type       the change type
     * @param before     the instance before the change, or {@code null}
     * @param after      the instance after the change, or {@code null} for a delete
     */
    String validate(PublicKey writer, String collection, ChangeType type, JsonNode before, JsonNode after);
}
