package io.weft.server.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.weft.api.InvalidInputException;
import io.weft.api.crypto.PublicKey;
import io.weft.api.db.DatabaseManager;
import io.weft.api.db.WriteProblem;
import io.weft.api.db.WriteTransaction;
import io.weft.grpc.pb.CreateReply;
import io.weft.grpc.pb.CreateRequest;
import io.weft.grpc.pb.DeleteReply;
import io.weft.grpc.pb.DeleteRequest;
import io.weft.grpc.pb.DiscardReply;
import io.weft.grpc.pb.FindByIDReply;
import io.weft.grpc.pb.FindByIDRequest;
import io.weft.grpc.pb.FindReply;
import io.weft.grpc.pb.FindRequest;
import io.weft.grpc.pb.HasReply;
import io.weft.grpc.pb.HasRequest;
import io.weft.grpc.pb.SaveReply;
import io.weft.grpc.pb.SaveRequest;
import io.weft.grpc.pb.StartTransactionRequest;
import io.weft.grpc.pb.VerifyReply;
import io.weft.grpc.pb.VerifyRequest;
import io.weft.grpc.pb.WriteTransactionReply;
import io.weft.grpc.pb.WriteTransactionRequest;
import io.weft.server.GrpcErrors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A {@code WriteTransaction} call: one database write transaction (holding the database's write lock) on behalf of
 * the caller, committed as one record when the client half-closes.
 *
 * <ul>
 *   <li>A failing read (Has, Find, FindByID) or Verify is answered with its {@code transactionError}; the transaction
 *       goes on.</li>
 *   <li>A failing write (Create, Save, Delete) is answered with its {@code transactionError} and rolls the whole
 *       transaction back, as every Weft write transaction does: later operations fail, and the half-close ends the
 *       call with {@code ABORTED} and nothing written.</li>
 *   <li>{@code DiscardRequest} discards the transaction (answered with {@code DiscardReply}); later operations fail
 *       and the half-close ends the call with OK, nothing written.</li>
 *   <li>A request with no option set discards the transaction and ends the call with {@code INVALID_ARGUMENT}
 *       "no WriteTransactionRequest type set" (what older JS clients send to abort).</li>
 * </ul>
 */
final class WriteTxnCall extends TxnCall<WriteTransactionRequest, WriteTransactionReply> {
    private static final String M = "WriteTransaction";
    private WriteTransaction txn;
    private boolean discarded;
    private String rolledBack;

    WriteTxnCall(DatabaseManager databases, ServerCallStreamObserver<WriteTransactionReply> out, PublicKey caller,
            ScheduledExecutorService timer, Duration idle) {
        super(M, databases, out, caller, timer, idle);
    }

    @Override
    protected StartTransactionRequest startOf(WriteTransactionRequest request) {
        return request.getOptionCase() == WriteTransactionRequest.OptionCase.STARTTRANSACTIONREQUEST
                ? request.getStartTransactionRequest() : null;
    }

    @Override
    protected void open() {
        txn = db.writeTransaction(caller);
    }

    @Override
    protected void handle(WriteTransactionRequest request) {
        WriteTransactionReply.Builder reply = WriteTransactionReply.newBuilder();
        switch (request.getOptionCase()) {
            case CREATEREQUEST -> reply.setCreateReply(create(request.getCreateRequest()));
            case SAVEREQUEST -> reply.setSaveReply(save(request.getSaveRequest()));
            case DELETEREQUEST -> reply.setDeleteReply(delete(request.getDeleteRequest()));
            case HASREQUEST -> reply.setHasReply(has(request.getHasRequest()));
            case FINDREQUEST -> reply.setFindReply(find(request.getFindRequest()));
            case FINDBYIDREQUEST -> reply.setFindByIDReply(findById(request.getFindByIDRequest()));
            case VERIFYREQUEST -> reply.setVerifyReply(verify(request.getVerifyRequest()));
            case DISCARDREQUEST -> {
                discard();
                discarded = true;
                reply.setDiscardReply(DiscardReply.getDefaultInstance());
            }
            default -> throw Status.INVALID_ARGUMENT.withDescription("no WriteTransactionRequest type set")
                    .asRuntimeException();
        }
        out.onNext(reply.build());
    }

    /** The open transaction, or an error naming why there is none. */
    private WriteTransaction txn() {
        if (discarded) {
            throw new InvalidInputException("the transaction was discarded");
        }
        if (rolledBack != null) {
            throw new InvalidInputException("the transaction was rolled back: " + rolledBack);
        }
        return txn;
    }

    /** A failed write: the database rolled the transaction back (or is told to); returns the error text. */
    private String writeFailed(RuntimeException e) {
        String error = GrpcErrors.transactionError(M, e);
        if (!discarded && rolledBack == null) {
            rolledBack = error;
            if (txn != null) {
                txn.close();
            }
        }
        return error;
    }

    private CreateReply create(CreateRequest r) {
        try {
            WriteTransaction t = txn();
            String c = collectionOf(r.getCollectionName());
            List<ObjectNode> docs = DbApiService.instances(r.getInstancesList());
            return CreateReply.newBuilder().addAllInstanceIDs(t.createMany(c, docs)).build();
        } catch (RuntimeException e) {
            return CreateReply.newBuilder().setTransactionError(writeFailed(e)).build();
        }
    }

    private SaveReply save(SaveRequest r) {
        try {
            WriteTransaction t = txn();
            List<ObjectNode> docs = DbApiService.instances(r.getInstancesList());
            TxnOps.save(t, collectionOf(r.getCollectionName()), docs);
            return SaveReply.getDefaultInstance();
        } catch (RuntimeException e) {
            return SaveReply.newBuilder().setTransactionError(writeFailed(e)).build();
        }
    }

    private DeleteReply delete(DeleteRequest r) {
        try {
            txn().deleteMany(collectionOf(r.getCollectionName()), r.getInstanceIDsList());
            return DeleteReply.getDefaultInstance();
        } catch (RuntimeException e) {
            return DeleteReply.newBuilder().setTransactionError(writeFailed(e)).build();
        }
    }

    private HasReply has(HasRequest r) {
        try {
            return HasReply.newBuilder().setExists(txn().hasAll(collectionOf(r.getCollectionName()),
                    r.getInstanceIDsList())).build();
        } catch (RuntimeException e) {
            return HasReply.newBuilder().setTransactionError(GrpcErrors.transactionError(M, e)).build();
        }
    }

    private FindReply find(FindRequest r) {
        try {
            return TxnOps.findReply(txn().find(collectionOf(r.getCollectionName()),
                    DbApiService.query(r.getQueryJSON())));
        } catch (RuntimeException e) {
            return FindReply.newBuilder().setTransactionError(GrpcErrors.transactionError(M, e)).build();
        }
    }

    private FindByIDReply findById(FindByIDRequest r) {
        try {
            return FindByIDReply.newBuilder().setInstance(WireJson.bytes(
                    txn().findById(collectionOf(r.getCollectionName()), r.getInstanceID()))).build();
        } catch (RuntimeException e) {
            return FindByIDReply.newBuilder().setTransactionError(GrpcErrors.transactionError(M, e)).build();
        }
    }

    private VerifyReply verify(VerifyRequest r) {
        try {
            WriteTransaction t = txn();
            List<String> problems = new ArrayList<>();
            List<JsonNode> docs = new ArrayList<>();
            for (int i = 0; i < r.getInstancesCount(); i++) {
                try {
                    docs.add(WireJson.parseObject(r.getInstances(i), "instance " + i));
                } catch (InvalidInputException e) {
                    problems.add(e.getMessage());
                }
            }
            if (problems.isEmpty()) {
                for (WriteProblem p : t.verify(collectionOf(r.getCollectionName()), docs)) {
                    problems.add(p.message());
                }
            }
            VerifyReply.Builder b = VerifyReply.newBuilder();
            if (!problems.isEmpty()) {
                b.setTransactionError(String.join("; ", problems));
            }
            return b.build();
        } catch (RuntimeException e) {
            return VerifyReply.newBuilder().setTransactionError(GrpcErrors.transactionError(M, e)).build();
        }
    }

    @Override
    protected void finish() {
        if (rolledBack != null) {
            throw Status.ABORTED.withDescription("the transaction was rolled back, nothing was written: " + rolledBack)
                    .asRuntimeException();
        }
        if (discarded || txn == null) {
            return;
        }
        WriteTransaction t = txn;
        txn = null;
        try {
            t.commit();
        } finally {
            t.close();
        }
    }

    @Override
    protected void discard() {
        if (txn != null) {
            txn.close();
            txn = null;
        }
    }
}
