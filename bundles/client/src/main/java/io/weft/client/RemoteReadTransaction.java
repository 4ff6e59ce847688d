package io.weft.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.weft.api.db.Query;
import io.weft.api.thread.ThreadId;
import io.weft.grpc.pb.APIGrpc;
import io.weft.grpc.pb.FindByIDReply;
import io.weft.grpc.pb.FindByIDRequest;
import io.weft.grpc.pb.FindReply;
import io.weft.grpc.pb.FindRequest;
import io.weft.grpc.pb.HasReply;
import io.weft.grpc.pb.HasRequest;
import io.weft.grpc.pb.ReadTransactionReply;
import io.weft.grpc.pb.ReadTransactionRequest;
import io.weft.grpc.pb.StartTransactionRequest;
import java.util.List;

/**
 * A read transaction on one collection of a remote database ({@code ReadTransaction} bidi stream): every read
 * sees the same snapshot. Close it when done ({@code try}-with-resources); it is not thread-safe.
 */
public final class RemoteReadTransaction implements AutoCloseable {
    private final BidiSession<ReadTransactionRequest, ReadTransactionReply> session;
    private final ByteString db;
    private final String collection;
    private final ObjectMapper mapper;

    RemoteReadTransaction(Calls calls, ThreadId db, String collection, ObjectMapper mapper) {
        this.db = Convert.id(db);
        this.collection = Convert.name(collection);
        this.mapper = mapper;
        this.session = new BidiSession<>(calls, APIGrpc.getReadTransactionMethod(), "read transaction");
        session.send(ReadTransactionRequest.newBuilder().setStartTransactionRequest(
                StartTransactionRequest.newBuilder().setDbID(this.db).setCollectionName(collection)).build());
    }

    /** Whether all of {@code ids} exist. */
    public boolean has(List<String> ids) {
        ReadTransactionReply r = session.exchange(ReadTransactionRequest.newBuilder().setHasRequest(
                HasRequest.newBuilder().setDbID(db).setCollectionName(collection)
                        .addAllInstanceIDs(Convert.ids(ids))).build(), "has");
        HasReply h = expect(r, ReadTransactionReply.OptionCase.HASREPLY).getHasReply();
        Convert.checkTransactionError(h.getTransactionError());
        return h.getExists();
    }

    /** Whether the instance exists. */
    public boolean has(String id) {
        return has(List.of(id));
    }

    /** The instances matching {@code query}. */
    public List<ObjectNode> find(Query query) {
        ReadTransactionReply r = session.exchange(ReadTransactionRequest.newBuilder().setFindRequest(
                FindRequest.newBuilder().setDbID(db).setCollectionName(collection)
                        .setQueryJSON(ByteString.copyFromUtf8(query.toString()))).build(), "find");
        FindReply f = expect(r, ReadTransactionReply.OptionCase.FINDREPLY).getFindReply();
        Convert.checkTransactionError(f.getTransactionError());
        return Convert.objects(f.getInstancesList(), mapper);
    }

    /**
     * The instance with this id.
     *
     * @throws io.weft.api.NotFoundException if there is none
     */
    public ObjectNode findById(String id) {
        ReadTransactionReply r = session.exchange(ReadTransactionRequest.newBuilder().setFindByIDRequest(
                FindByIDRequest.newBuilder().setDbID(db).setCollectionName(collection)
                        .setInstanceID(Convert.ids(List.of(id)).get(0))).build(), "findById");
        FindByIDReply f = expect(r, ReadTransactionReply.OptionCase.FINDBYIDREPLY).getFindByIDReply();
        Convert.checkTransactionError(f.getTransactionError());
        return Convert.object(f.getInstance(), mapper, "instance");
    }

    /** Ends the transaction. Idempotent. */
    @Override
    public void close() {
        if (!session.finished()) {
            try {
                session.finish();
            } catch (RuntimeException e) {
                session.cancel("closed");
            }
        }
    }

    private ReadTransactionReply expect(ReadTransactionReply r, ReadTransactionReply.OptionCase c) {
        if (r.getOptionCase() != c) {
            session.cancel("unexpected reply");
            throw new io.weft.api.CorruptDataException("read transaction: the peer answered " + r.getOptionCase()
                    + " to a request for " + c);
        }
        return r;
    }
}
