package io.weft.server.db;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.weft.api.crypto.PublicKey;
import io.weft.api.db.DatabaseManager;
import io.weft.api.db.ReadTransaction;
import io.weft.grpc.pb.FindByIDReply;
import io.weft.grpc.pb.FindByIDRequest;
import io.weft.grpc.pb.FindReply;
import io.weft.grpc.pb.FindRequest;
import io.weft.grpc.pb.HasReply;
import io.weft.grpc.pb.HasRequest;
import io.weft.grpc.pb.ReadTransactionReply;
import io.weft.grpc.pb.ReadTransactionRequest;
import io.weft.grpc.pb.StartTransactionRequest;
import io.weft.server.GrpcErrors;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A {@code ReadTransaction} call: Has, Find and FindByID on one snapshot. A failing read is answered with its
 * {@code transactionError}; the transaction goes on.
 */
final class ReadTxnCall extends TxnCall<ReadTransactionRequest, ReadTransactionReply> {
    private ReadTransaction txn;

    ReadTxnCall(DatabaseManager databases, ServerCallStreamObserver<ReadTransactionReply> out, PublicKey caller,
            ScheduledExecutorService timer, Duration idle) {
        super("ReadTransaction", databases, out, caller, timer, idle);
    }

    @Override
    protected StartTransactionRequest startOf(ReadTransactionRequest request) {
        return request.getOptionCase() == ReadTransactionRequest.OptionCase.STARTTRANSACTIONREQUEST
                ? request.getStartTransactionRequest() : null;
    }

    @Override
    protected void open() {
        txn = db.readTransaction(caller);
    }

    @Override
    protected void handle(ReadTransactionRequest request) {
        ReadTransactionReply.Builder reply = ReadTransactionReply.newBuilder();
        switch (request.getOptionCase()) {
            case HASREQUEST -> reply.setHasReply(has(request.getHasRequest()));
            case FINDREQUEST -> reply.setFindReply(find(request.getFindRequest()));
            case FINDBYIDREQUEST -> reply.setFindByIDReply(findById(request.getFindByIDRequest()));
            default -> throw Status.INVALID_ARGUMENT.withDescription("no ReadTransactionRequest type set")
                    .asRuntimeException();
        }
        out.onNext(reply.build());
    }

    private HasReply has(HasRequest r) {
        try {
            return HasReply.newBuilder().setExists(txn.hasAll(collectionOf(r.getCollectionName()),
                    r.getInstanceIDsList())).build();
        } catch (RuntimeException e) {
            return HasReply.newBuilder().setTransactionError(GrpcErrors.transactionError("ReadTransaction", e)).build();
        }
    }

    private FindReply find(FindRequest r) {
        try {
            return TxnOps.findReply(txn.find(collectionOf(r.getCollectionName()), DbApiService.query(r.getQueryJSON())));
        } catch (RuntimeException e) {
            return FindReply.newBuilder().setTransactionError(GrpcErrors.transactionError("ReadTransaction", e)).build();
        }
    }

    private FindByIDReply findById(FindByIDRequest r) {
        try {
            return FindByIDReply.newBuilder().setInstance(WireJson.bytes(
                    txn.findById(collectionOf(r.getCollectionName()), r.getInstanceID()))).build();
        } catch (RuntimeException e) {
            return FindByIDReply.newBuilder().setTransactionError(GrpcErrors.transactionError("ReadTransaction", e))
                    .build();
        }
    }

    @Override
    protected void finish() {
        discard();
    }

    @Override
    protected void discard() {
        if (txn != null) {
            txn.close();
            txn = null;
        }
    }
}
