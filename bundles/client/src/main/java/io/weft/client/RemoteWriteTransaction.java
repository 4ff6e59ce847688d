package io.weft.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.weft.api.db.Query;
import io.weft.api.thread.ThreadId;
import io.weft.grpc.pb.APIGrpc;
import io.weft.grpc.pb.CreateReply;
import io.weft.grpc.pb.CreateRequest;
import io.weft.grpc.pb.DeleteRequest;
import io.weft.grpc.pb.DiscardRequest;
import io.weft.grpc.pb.FindByIDReply;
import io.weft.grpc.pb.FindByIDRequest;
import io.weft.grpc.pb.FindReply;
import io.weft.grpc.pb.FindRequest;
import io.weft.grpc.pb.HasReply;
import io.weft.grpc.pb.HasRequest;
import io.weft.grpc.pb.SaveRequest;
import io.weft.grpc.pb.StartTransactionRequest;
import io.weft.grpc.pb.VerifyRequest;
import io.weft.grpc.pb.WriteTransactionReply;
import io.weft.grpc.pb.WriteTransactionRequest;
import java.util.List;

/**
 * A write transaction on one collection of a remote database ({@code WriteTransaction} bidi stream). Writes are
 * applied together by {@link #commit()} (the end of the stream) or not at all: {@link #close()} without a commit
 * discards them, so a {@code try}-with-resources block that throws leaves the database unchanged. Reads inside
 * see the transaction's own writes. Not thread-safe.
 *
 * <pre>{@code
 * try (RemoteWriteTransaction txn = client.writeTransaction(db, "Person")) {
 *     String id = txn.create(person);
 *     txn.save(other);
 *     txn.commit();
 * }
 * }</pre>
 */
public final class RemoteWriteTransaction implements AutoCloseable {
    private final BidiSession<WriteTransactionRequest, WriteTransactionReply> session;
    private final ByteString db;
    private final String collection;
    private final ObjectMapper mapper;

    RemoteWriteTransaction(Calls calls, ThreadId db, String collection, ObjectMapper mapper) {
        this.db = Convert.id(db);
        this.collection = Convert.name(collection);
        this.mapper = mapper;
        this.session = new BidiSession<>(calls, APIGrpc.getWriteTransactionMethod(), "write transaction");
        session.send(WriteTransactionRequest.newBuilder().setStartTransactionRequest(
                StartTransactionRequest.newBuilder().setDbID(this.db).setCollectionName(collection)).build());
    }

    /** Creates instances (an {@code _id} is assigned where missing); returns their ids in order. */
    public List<String> create(List<? extends JsonNode> instances) {
        WriteTransactionReply r = exchange(WriteTransactionRequest.newBuilder().setCreateRequest(
                CreateRequest.newBuilder().setDbID(db).setCollectionName(collection)
                        .addAllInstances(Convert.instances(instances, mapper))).build(),
                WriteTransactionReply.OptionCase.CREATEREPLY, "create");
        CreateReply c = r.getCreateReply();
        Convert.checkTransactionError(c.getTransactionError());
        return List.copyOf(c.getInstanceIDsList());
    }

    /** Creates one instance; returns its id. */
    public String create(JsonNode instance) {
        List<String> ids = create(List.of(instance));
        return ids.isEmpty() ? null : ids.get(0);
    }

    /** Replaces existing instances (each with its {@code _id}). */
    public void save(List<? extends JsonNode> instances) {
        WriteTransactionReply r = exchange(WriteTransactionRequest.newBuilder().setSaveRequest(
                SaveRequest.newBuilder().setDbID(db).setCollectionName(collection)
                        .addAllInstances(Convert.instances(instances, mapper))).build(),
                WriteTransactionReply.OptionCase.SAVEREPLY, "save");
        Convert.checkTransactionError(r.getSaveReply().getTransactionError());
    }

    /** Replaces one existing instance. */
    public void save(JsonNode instance) {
        save(List.of(instance));
    }

    /** Deletes instances by id. */
    public void delete(List<String> ids) {
        WriteTransactionReply r = exchange(WriteTransactionRequest.newBuilder().setDeleteRequest(
                DeleteRequest.newBuilder().setDbID(db).setCollectionName(collection)
                        .addAllInstanceIDs(Convert.ids(ids))).build(),
                WriteTransactionReply.OptionCase.DELETEREPLY, "delete");
        Convert.checkTransactionError(r.getDeleteReply().getTransactionError());
    }

    /** Deletes one instance. */
    public void delete(String id) {
        delete(List.of(id));
    }

    /**
     * Checks that a save of these instances (each with its {@code _id}) would be accepted, without writing them.
     *
     * @throws io.weft.api.InvalidInputException with the peer's list of problems if one would be rejected
     */
    public void verify(List<? extends JsonNode> instances) {
        WriteTransactionReply r = exchange(WriteTransactionRequest.newBuilder().setVerifyRequest(
                VerifyRequest.newBuilder().setDbID(db).setCollectionName(collection)
                        .addAllInstances(Convert.instances(instances, mapper))).build(),
                WriteTransactionReply.OptionCase.VERIFYREPLY, "verify");
        Convert.checkVerifyError(r.getVerifyReply().getTransactionError());
    }

    /** Whether all of {@code ids} exist (including instances created in this transaction). */
    public boolean has(List<String> ids) {
        WriteTransactionReply r = exchange(WriteTransactionRequest.newBuilder().setHasRequest(
                HasRequest.newBuilder().setDbID(db).setCollectionName(collection)
                        .addAllInstanceIDs(Convert.ids(ids))).build(),
                WriteTransactionReply.OptionCase.HASREPLY, "has");
        HasReply h = r.getHasReply();
        Convert.checkTransactionError(h.getTransactionError());
        return h.getExists();
    }

    /** Whether the instance exists. */
    public boolean has(String id) {
        return has(List.of(id));
    }

    /** The instances matching {@code query}. */
    public List<ObjectNode> find(Query query) {
        WriteTransactionReply r = exchange(WriteTransactionRequest.newBuilder().setFindRequest(
                FindRequest.newBuilder().setDbID(db).setCollectionName(collection)
                        .setQueryJSON(ByteString.copyFromUtf8(query.toString()))).build(),
                WriteTransactionReply.OptionCase.FINDREPLY, "find");
        FindReply f = r.getFindReply();
        Convert.checkTransactionError(f.getTransactionError());
        return Convert.objects(f.getInstancesList(), mapper);
    }

    /**
     * The instance with this id.
     *
     * @throws io.weft.api.NotFoundException if there is none
     */
    public ObjectNode findById(String id) {
        WriteTransactionReply r = exchange(WriteTransactionRequest.newBuilder().setFindByIDRequest(
                FindByIDRequest.newBuilder().setDbID(db).setCollectionName(collection)
                        .setInstanceID(Convert.ids(List.of(id)).get(0))).build(),
                WriteTransactionReply.OptionCase.FINDBYIDREPLY, "findById");
        FindByIDReply f = r.getFindByIDReply();
        Convert.checkTransactionError(f.getTransactionError());
        return Convert.object(f.getInstance(), mapper, "instance");
    }

    /** Applies every write of the transaction, atomically; afterwards the transaction is finished. */
    public void commit() {
        session.finish();
    }

    /** Drops every write; afterwards the transaction is finished. */
    public void discard() {
        if (session.finished()) {
            return;
        }
        try {
            exchange(WriteTransactionRequest.newBuilder().setDiscardRequest(DiscardRequest.getDefaultInstance()).build(),
                    WriteTransactionReply.OptionCase.DISCARDREPLY, "discard");
            session.finish();
        } finally {
            session.cancel("discarded");
        }
    }

    /** Whether {@link #commit()} or {@link #discard()} ended the transaction (or it failed). */
    public boolean isFinished() {
        return session.finished();
    }

    /** Discards the writes unless {@link #commit()} was called. Idempotent. */
    @Override
    public void close() {
        if (!session.finished()) {
            try {
                discard();
            } catch (RuntimeException e) {
                session.cancel("closed");
            }
        }
    }

    private WriteTransactionReply exchange(WriteTransactionRequest request, WriteTransactionReply.OptionCase expected,
            String op) {
        WriteTransactionReply r = session.exchange(request, op);
        if (r.getOptionCase() != expected) {
            session.cancel("unexpected reply");
            throw new io.weft.api.CorruptDataException("write transaction: the peer answered " + r.getOptionCase()
                    + " to a " + op + " request");
        }
        return r;
    }
}
