package io.weft.api.record;

import io.weft.api.InvalidInputException;
import io.weft.api.format.Cid;
import java.util.Arrays;

/**
 * One record in its transport and storage form: the four dag-cbor nodes that go-threads sends as
 * {@code net.pb.Log.Record{recordNode, eventNode, headerNode, bodyNode}}.
 * <ul>
 *   <li>{@code recordNode}: the record block encrypted with the thread's service key (a dag-cbor byte string
 *       {@code nonce || ciphertext || tag});</li>
 *   <li>{@code eventNode}: the plaintext event {@code {body: link, header: link}};</li>
 *   <li>{@code headerNode}: the header {@code {key: contentKey}} encrypted with the read key;</li>
 *   <li>{@code bodyNode}: the body encrypted with the content key.</li>
 * </ul>
 * An envelope is just bytes: nothing here has been verified. Use core's {@code Records.verify} to obtain a
 * {@link Record}.
 *
 * <p>This is a final class rather than a {@code java.lang.Record} so that it can take defensive copies and cache
 * {@link #id()}; the accessors have record-style names. Accessors return copies; equality is by content.
 */
public final class RecordEnvelope {
    private final byte[] recordNode;
    private final byte[] eventNode;
    private final byte[] headerNode;
    private final byte[] bodyNode;
    private volatile Cid id;

    /** An envelope of the four encoded nodes (copied). None may be null or empty. */
    public RecordEnvelope(byte[] recordNode, byte[] eventNode, byte[] headerNode, byte[] bodyNode) {
        this.recordNode = copy("record node", recordNode);
        this.eventNode = copy("event node", eventNode);
        this.headerNode = copy("header node", headerNode);
        this.bodyNode = copy("body node", bodyNode);
    }

    private static byte[] copy(String what, byte[] b) {
        if (b == null || b.length == 0) {
            throw new InvalidInputException("record envelope: " + what + " is missing");
        }
        return b.clone();
    }

    /** The record id: the sha2-256 dag-cbor CID of {@link #recordNode()}. */
    public Cid id() {
        Cid c = id;
        if (c == null) {
            c = Cid.dagCbor(recordNode);
            id = c;
        }
        return c;
    }

    /** The service-key-encrypted record node (a copy). */
    public byte[] recordNode() {
        return recordNode.clone();
    }

    /** The plaintext event node (a copy). */
    public byte[] eventNode() {
        return eventNode.clone();
    }

    /** The read-key-encrypted header node (a copy). */
    public byte[] headerNode() {
        return headerNode.clone();
    }

    /** The content-key-encrypted body node (a copy). */
    public byte[] bodyNode() {
        return bodyNode.clone();
    }

    /** Total encoded size of the four nodes, in bytes. */
    public int size() {
        return recordNode.length + eventNode.length + headerNode.length + bodyNode.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecordEnvelope e
                && Arrays.equals(e.recordNode, recordNode)
                && Arrays.equals(e.eventNode, eventNode)
                && Arrays.equals(e.headerNode, headerNode)
                && Arrays.equals(e.bodyNode, bodyNode);
    }

    @Override
    public int hashCode() {
        int h = Arrays.hashCode(recordNode);
        h = 31 * h + Arrays.hashCode(eventNode);
        h = 31 * h + Arrays.hashCode(headerNode);
        return 31 * h + Arrays.hashCode(bodyNode);
    }

    /** The record id and node sizes; never node contents. */
    @Override
    public String toString() {
        return "RecordEnvelope[id=" + id() + ", record=" + recordNode.length + "B, event=" + eventNode.length
                + "B, header=" + headerNode.length + "B, body=" + bodyNode.length + "B]";
    }
}
