package io.weft.server.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.db.WriteTransaction;
import io.weft.grpc.pb.FindReply;
import java.util.List;

/** Operations shared by the unary calls and the transaction streams. */
final class TxnOps {
    private TxnOps() {
    }

    /**
     * Saves instances; one without an {@code _id} (or with an empty one, as the JS client sends) is created with a
     * fresh id, as go-threads does.
     */
    static void save(WriteTransaction t, String collection, List<ObjectNode> docs) {
        for (ObjectNode doc : docs) {
            JsonNode id = doc.get("_id");
            if (id == null || id.isNull() || id.isTextual() && id.textValue().isEmpty()) {
                t.create(collection, doc);
            } else {
                t.save(collection, doc);
            }
        }
    }

    /** The reply of a Find: the instances as JSON. */
    static FindReply findReply(List<ObjectNode> found) {
        FindReply.Builder b = FindReply.newBuilder();
        for (ObjectNode n : found) {
            b.addInstances(WireJson.bytes(n));
        }
        return b.build();
    }
}
