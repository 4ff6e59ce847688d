package io.weft.api.record;

import io.weft.api.InvalidInputException;
import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Cid;
import java.util.Arrays;
import java.util.Optional;

/**
 * A record after service-key decryption: the signed link {@code {block, sig, pubKey, prev}} of a single-writer
 * log (paper §3.1.2, go-threads {@code cbor.Record}). Instances returned by core's {@code Records.verify} have
 * had their signature (by the log key), event, header and body hashes checked; an instance built by hand with
 * the public constructor asserts nothing beyond its own consistency.
 *
 * <p>This class shadows {@code java.lang.Record} inside its package; that is deliberate.
 */
public final class Record {
    private final Event event;
    private final byte[] signature;
    private final PublicKey author;
    private final Cid prev;
    private final RecordEnvelope envelope;

    /**
     * @param event     the event the record's {@code block} link names (its id must be that link)
     * @param signature the log key's Ed25519 signature (copied)
     * @param author    the author identity key ({@code pubKey} field)
     * @param prev      the previous record in the log, or {@code null} for a log's first record
     * @param envelope  the nodes this view was read from
     */
    public Record(Event event, byte[] signature, PublicKey author, Cid prev, RecordEnvelope envelope) {
        if (event == null || signature == null || author == null || envelope == null) {
            throw new InvalidInputException("record: event, signature, author and envelope are required");
        }
        this.event = event;
        this.signature = signature.clone();
        this.author = author;
        this.prev = prev;
        this.envelope = envelope;
    }

    /** The record id: the CID of the encrypted record node. */
    public Cid id() {
        return envelope.id();
    }

    /** The CID of the event node (the {@code block} link). */
    public Cid eventId() {
        return event.id();
    }

    /** The event (its links to header and body). */
    public Event event() {
        return event;
    }

    /** The Ed25519 signature by the log key (a copy). */
    public byte[] signature() {
        return signature.clone();
    }

    /** The author's identity public key (the {@code pubKey} field; not the log key). */
    public PublicKey author() {
        return author;
    }

    /** The previous record of the log; empty on a log's first record. */
    public Optional<Cid> prev() {
        return Optional.ofNullable(prev);
    }

    /** The encoded nodes. */
    public RecordEnvelope envelope() {
        return envelope;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Record r && r.envelope.equals(envelope) && r.event.equals(event)
                && Arrays.equals(r.signature, signature) && r.author.equals(author)
                && (prev == null ? r.prev == null : prev.equals(r.prev));
    }

    @Override
    public int hashCode() {
        return envelope.hashCode();
    }

    @Override
    public String toString() {
        return "Record[id=" + id() + ", event=" + eventId() + ", prev=" + (prev == null ? "none" : prev)
                + ", author=" + author + "]";
    }
}
