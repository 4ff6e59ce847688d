package io.weft.api.record;

import io.weft.api.InvalidInputException;
import io.weft.api.format.Cid;

/**
 * A plaintext event node {@code {body: link, header: link}} (go-threads {@code cbor.Event}): it names, by CID, the
 * encrypted header (which holds the content key) and the encrypted body. Readable by anyone who holds the record.
 *
 * @param id       the CID of the event node (the record's {@code block} link)
 * @param headerId the CID of the encrypted header node
 * @param bodyId   the CID of the encrypted body node
 */
public record Event(Cid id, Cid headerId, Cid bodyId) {
    public Event {
        if (id == null || headerId == null || bodyId == null) {
            throw new InvalidInputException("event: id, header and body links are required");
        }
    }
}
