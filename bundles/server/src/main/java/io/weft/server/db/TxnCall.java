package io.weft.server.db;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.weft.api.crypto.PublicKey;
import io.weft.api.db.Database;
import io.weft.api.db.DatabaseManager;
import io.weft.grpc.pb.StartTransactionRequest;
import io.weft.server.GrpcErrors;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One Read/WriteTransaction call: the first message starts the transaction, then each request gets one reply, and
 * the client's half-close ends it. Every step of the call runs on one thread of its own, in order: a database
 * transaction is bound to the thread that opened it (its write lock, its store snapshot), while gRPC delivers the
 * messages of one call on any of its threads. Messages are requested one at a time, so a fast client cannot queue
 * unbounded work. A call that stays silent longer than the idle timeout is ended and its transaction discarded.
 */
abstract class TxnCall<Q, R> implements StreamObserver<Q> {
    private static final AtomicInteger THREADS = new AtomicInteger();

    protected final DatabaseManager databases;
    protected final ServerCallStreamObserver<R> out;
    /** The identity the transaction runs as; {@code null} for the host. */
    protected final PublicKey caller;
    private final String method;
    private final ExecutorService thread;
    private final ScheduledExecutorService timer;
    private final Duration idle;
    private ScheduledFuture<?> idleTimer;
    /** Set on the call's thread only. */
    private boolean ended;
    protected Database db;
    protected String collection;

    TxnCall(String method, DatabaseManager databases, ServerCallStreamObserver<R> out, PublicKey caller,
            ScheduledExecutorService timer, Duration idle) {
        this.method = method;
        this.databases = databases;
        this.out = out;
        this.caller = caller;
        this.timer = timer;
        this.idle = idle;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "weft-grpc-txn-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        out.disableAutoRequest();
        out.setOnCancelHandler(() -> run(this::cancelled));
        out.request(1);
        armIdle();
    }

    // ------------------------------------------------------------------ the transaction

    /** Whether the transaction was started. */
    protected final boolean started() {
        return db != null;
    }

    /** Opens the transaction ({@link #db} and {@link #collection} are set). */
    protected abstract void open();

    /** Handles one request after the start. */
    protected abstract void handle(Q request);

    /** The start request, if {@code request} is one, else {@code null}. */
    protected abstract StartTransactionRequest startOf(Q request);

    /** Ends the transaction after the client's half-close (commits a write transaction). */
    protected abstract void finish();

    /** Discards the transaction, if open, quietly. */
    protected abstract void discard();

    /** The collection a request names, or the transaction's. */
    protected final String collectionOf(String named) {
        return named == null || named.isEmpty() ? collection : named;
    }

    // ------------------------------------------------------------------ the call

    private void run(Runnable step) {
        try {
            thread.execute(step);
        } catch (RejectedExecutionException e) {
            // the call has ended
        }
    }

    @Override
    public final void onNext(Q request) {
        cancelIdle();
        run(() -> {
            if (ended) {
                return;
            }
            try {
                StartTransactionRequest start = startOf(request);
                if (start != null) {
                    if (started()) {
                        throw Status.INVALID_ARGUMENT.withDescription("the transaction is already started")
                                .asRuntimeException();
                    }
                    db = databases.database(DbApiService.dbId(start.getDbID()));
                    collection = DbApiService.collectionName(start.getCollectionName());
                    db.collection(collection); // NOT_FOUND for an unknown collection
                    open();
                } else if (!started()) {
                    throw Status.INVALID_ARGUMENT.withDescription("the first message must be a"
                            + " StartTransactionRequest").asRuntimeException();
                } else {
                    handle(request);
                }
            } catch (RuntimeException e) {
                end(GrpcErrors.toStatus(method, e));
                return;
            }
            if (!ended) {
                armIdle();
                out.request(1);
            }
        });
    }

    @Override
    public final void onError(Throwable t) {
        run(this::cancelled);
    }

    @Override
    public final void onCompleted() {
        cancelIdle();
        run(() -> {
            if (ended) {
                return;
            }
            try {
                if (started()) {
                    finish();
                }
            } catch (RuntimeException e) {
                end(GrpcErrors.toStatus(method, e));
                return;
            }
            ended = true;
            stop();
            try {
                out.onCompleted();
            } catch (RuntimeException e) {
                // cancelled meanwhile
            }
        });
    }

    /** Ends the call with {@code status}, discarding the transaction. */
    protected final void end(StatusRuntimeException status) {
        if (ended) {
            return;
        }
        ended = true;
        safeDiscard();
        stop();
        try {
            out.onError(status);
        } catch (RuntimeException e) {
            // cancelled meanwhile
        }
    }

    private void cancelled() {
        if (!ended) {
            ended = true;
            safeDiscard();
            stop();
        }
    }

    private void safeDiscard() {
        try {
            discard();
        } catch (RuntimeException e) {
            // nothing to add: the call ends either way
        }
    }

    private void stop() {
        cancelIdle();
        thread.shutdown();
    }

    private synchronized void armIdle() {
        cancelIdle();
        idleTimer = timer.schedule(() -> run(() -> end(Status.DEADLINE_EXCEEDED.withDescription(method
                + ": no message for " + idle.toSeconds() + " s; the transaction was discarded").asRuntimeException())),
                idle.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void cancelIdle() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }
}
