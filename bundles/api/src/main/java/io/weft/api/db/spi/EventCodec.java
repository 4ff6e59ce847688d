package io.weft.api.db.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Turns a write transaction's actions into events and one record body, decodes bodies from any log back into
 * events, and applies an event to an instance (paper §4.1.2: the "projection"). The dispatcher and reducers
 * only ever see {@link CodecEvent}s, so a reducer cannot tell a local event from a remote one.
 *
 * <p>Implementations are stateless and thread-safe. Every malformed body or payload is rejected with
 * {@code InvalidInputException} and changes nothing.
 */
public interface EventCodec {

    /** The codec's name, as in the {@code weft.codec} service property (for example {@code jsonpatch}). */
    String name();

    /**
     * Encodes one transaction's actions, all stamped with {@code time}, as one canonical dag-cbor body node.
     * The events {@link #decode(byte[])} returns for that body are exactly these actions' events, in order.
     *
     * @throws io.weft.api.InvalidInputException if {@code actions} is empty, or an action cannot be encoded (for
     *         example its document is not a JSON object with {@code _id} equal to the instance id, or the body would
     *         exceed the codec's size limits); nothing is encoded then
     */
    byte[] encode(List<Action> actions, long time);

    /** Decodes a body node (canonical dag-cbor bytes) into its events, in body order. */
    List<CodecEvent> decode(byte[] body);

    /**
     * The instance after {@code event}, given the instance before it ({@code null} if absent); {@code null} means
     * the instance does not exist after the event. Must be a pure function of its arguments, so that re-applying
     * an instance's history in clock order gives the same state on every peer. Never modifies {@code before} and
     * never returns nodes shared with it.
     *
     * <p>The result is the state to store, for local events too: a codec may normalise it, so it need not equal the
     * {@link Action#after()} the event was encoded from (the {@code jsonpatch} codec, for instance, drops
     * {@code null}-valued members on a save, because a JSON merge patch cannot set a member to {@code null}).
     *
     * @throws io.weft.api.InvalidInputException if the event's payload is malformed for this codec
     */
    JsonNode apply(CodecEvent event, JsonNode before);
}
