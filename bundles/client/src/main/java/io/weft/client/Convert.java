package io.weft.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.weft.api.CorruptDataException;
import io.weft.api.InvalidInputException;
import io.weft.api.WeftException;
import io.weft.api.db.ChangeType;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.DatabaseInfo;
import io.weft.api.db.IndexConfig;
import io.weft.api.db.ListenFilter;
import io.weft.api.format.Multiaddr;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import io.weft.grpc.pb.GetCollectionInfoReply;
import io.weft.grpc.pb.GetDBInfoReply;
import io.weft.grpc.pb.Index;
import io.weft.grpc.pb.ListenReply;
import io.weft.grpc.pb.ListenRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Conversions between the threads.pb messages and the {@code io.weft.api} values. */
final class Convert {
    private Convert() {
    }

    static ByteString bytes(byte[] b) {
        return ByteString.copyFrom(b);
    }

    static ByteString id(ThreadId id) {
        if (id == null) {
            throw new InvalidInputException("a database id is required");
        }
        return ByteString.copyFrom(id.bytes());
    }

    static String name(String collection) {
        if (collection == null || collection.isEmpty()) {
            throw new InvalidInputException("a collection name is required");
        }
        return collection;
    }

    static io.weft.grpc.pb.CollectionConfig toProto(CollectionConfig c) {
        if (c == null) {
            throw new InvalidInputException("a collection config is required");
        }
        io.weft.grpc.pb.CollectionConfig.Builder b = io.weft.grpc.pb.CollectionConfig.newBuilder()
                .setName(c.name())
                .setSchema(ByteString.copyFromUtf8(c.schema().toString()));
        for (IndexConfig i : c.indexes()) {
            b.addIndexes(Index.newBuilder().setPath(i.path()).setUnique(i.unique()));
        }
        if (c.writeValidator() != null) {
            b.setWriteValidator(c.writeValidator());
        }
        if (c.readFilter() != null) {
            b.setReadFilter(c.readFilter());
        }
        return b.build();
    }

    static List<io.weft.grpc.pb.CollectionConfig> toProto(List<CollectionConfig> configs) {
        List<io.weft.grpc.pb.CollectionConfig> out = new ArrayList<>();
        if (configs != null) {
            for (CollectionConfig c : configs) {
                out.add(toProto(c));
            }
        }
        return out;
    }

    static CollectionConfig fromProto(GetCollectionInfoReply r, ObjectMapper mapper) {
        List<IndexConfig> indexes = new ArrayList<>();
        for (Index i : r.getIndexesList()) {
            indexes.add(new IndexConfig(i.getPath(), i.getUnique()));
        }
        JsonNode schema = r.getSchema().isEmpty() ? mapper.createObjectNode() : json(r.getSchema(), mapper, "schema");
        return new CollectionConfig(r.getName(), schema, indexes, r.getWriteValidator(), r.getReadFilter());
    }

    static DatabaseInfo fromProto(ThreadId id, GetDBInfoReply r) {
        List<Multiaddr> addrs = new ArrayList<>();
        for (ByteString a : r.getAddrsList()) {
            addrs.add(peerData(() -> Multiaddr.decode(a.toByteArray()), "database address"));
        }
        ThreadKey key = peerData(() -> ThreadKey.decode(r.getKey().toByteArray()), "database key");
        return new DatabaseInfo(id, r.getName(), key, addrs);
    }

    static ThreadId threadId(ByteString b, String what) {
        return peerData(() -> ThreadId.decode(b.toByteArray()), what);
    }

    /** Runs a decode of data the peer sent; a failure is the peer's fault, not the caller's. */
    static <T> T peerData(java.util.function.Supplier<T> decode, String what) {
        try {
            return decode.get();
        } catch (InvalidInputException e) {
            throw new CorruptDataException("the peer sent an invalid " + what + ": " + e.getMessage(), e);
        }
    }

    static ByteString instance(JsonNode instance, ObjectMapper mapper) {
        if (instance == null || !instance.isObject()) {
            throw new InvalidInputException("an instance must be a JSON object, not "
                    + (instance == null ? "null" : instance.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
        }
        try {
            return ByteString.copyFrom(mapper.writeValueAsBytes(instance));
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("cannot write the instance as JSON: " + e.getOriginalMessage());
        }
    }

    static List<ByteString> instances(List<? extends JsonNode> instances, ObjectMapper mapper) {
        if (instances == null || instances.isEmpty()) {
            throw new InvalidInputException("at least one instance is required");
        }
        List<ByteString> out = new ArrayList<>(instances.size());
        for (JsonNode n : instances) {
            out.add(instance(n, mapper));
        }
        return out;
    }

    static List<String> ids(List<String> ids) {
        if (ids == null || ids.isEmpty()) {
            throw new InvalidInputException("at least one instance id is required");
        }
        for (String id : ids) {
            if (id == null || id.isEmpty()) {
                throw new InvalidInputException("instance ids must not be empty");
            }
        }
        return ids;
    }

    static ObjectNode object(ByteString b, ObjectMapper mapper, String what) {
        JsonNode n = json(b, mapper, what);
        if (!n.isObject()) {
            throw new CorruptDataException("the peer sent a " + what + " that is not a JSON object");
        }
        return (ObjectNode) n;
    }

    static JsonNode json(ByteString b, ObjectMapper mapper, String what) {
        try {
            JsonNode n = mapper.readTree(b.toByteArray());
            if (n == null || n.isMissingNode()) {
                throw new CorruptDataException("the peer sent an empty " + what);
            }
            return n;
        } catch (IOException e) {
            throw new CorruptDataException("the peer sent a " + what + " that is not JSON: " + e.getMessage());
        }
    }

    static List<ObjectNode> objects(List<ByteString> list, ObjectMapper mapper) {
        List<ObjectNode> out = new ArrayList<>(list.size());
        for (ByteString b : list) {
            out.add(object(b, mapper, "instance"));
        }
        return out;
    }

    static void checkTransactionError(String error) {
        if (error != null && !error.isEmpty()) {
            throw Errors.transactionError(error);
        }
    }

    /**
     * A Verify reply's {@code transactionError}: the problems a save of the instances would run into, so always an
     * {@link InvalidInputException}.
     */
    static void checkVerifyError(String error) {
        if (error != null && !error.isEmpty()) {
            throw new InvalidInputException(error);
        }
    }

    static ListenRequest.Filter toProto(ListenFilter f) {
        ListenRequest.Filter.Builder b = ListenRequest.Filter.newBuilder();
        if (f.collection() != null) {
            b.setCollectionName(f.collection());
        }
        if (f.instanceId() != null) {
            b.setInstanceID(f.instanceId());
        }
        if (f.type() == null) {
            b.setAction(ListenRequest.Filter.Action.ALL);
        } else {
            b.setAction(switch (f.type()) {
                case CREATE -> ListenRequest.Filter.Action.CREATE;
                case SAVE -> ListenRequest.Filter.Action.SAVE;
                case DELETE -> ListenRequest.Filter.Action.DELETE;
            });
        }
        return b.build();
    }

    static ListenEvent event(ListenReply r, ObjectMapper mapper) {
        ChangeType type = switch (r.getAction()) {
            case CREATE -> ChangeType.CREATE;
            case SAVE -> ChangeType.SAVE;
            case DELETE -> ChangeType.DELETE;
            default -> throw new WeftException("the peer sent an unknown listen action " + r.getActionValue());
        };
        ObjectNode instance = r.getInstance().isEmpty() ? null : object(r.getInstance(), mapper, "instance");
        return new ListenEvent(r.getCollectionName(), r.getInstanceID(), type, instance);
    }
}
