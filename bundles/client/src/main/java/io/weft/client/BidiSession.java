package io.weft.client;

import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.weft.api.WeftException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A request/reply conversation over one bidi stream (the transactions): each request is answered by one reply,
 * waited for up to the client's timeout. The end of the stream (half-close by us, then the peer's status) is where
 * the peer commits or reports the failure.
 */
final class BidiSession<Q, R> {
    private static final Object END = new Object();

    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final ClientCall<Q, R> call;
    private final StreamObserver<Q> requests;
    private final Calls calls;
    private final String what;
    private boolean finished;

    BidiSession(Calls calls, MethodDescriptor<Q, R> method, String what) {
        this.calls = calls;
        this.what = what;
        this.call = calls.newStreamCall(method, what);
        this.requests = ClientCalls.asyncBidiStreamingCall(call, new StreamObserver<R>() {
            @Override
            public void onNext(R value) {
                inbox.add(value);
            }

            @Override
            public void onError(Throwable t) {
                inbox.add(t);
            }

            @Override
            public void onCompleted() {
                inbox.add(END);
            }
        });
    }

    /** Sends a request that gets no reply (the start of a transaction). */
    void send(Q request) {
        check();
        try {
            requests.onNext(request);
        } catch (RuntimeException e) {
            finished = true;
            throw Errors.map(e, what);
        }
    }

    /** Sends a request and waits for its reply. */
    R exchange(Q request, String op) {
        send(request);
        Object o = take(op);
        if (o == END) {
            finished = true;
            throw new WeftException(what + " " + op + ": the peer ended the transaction without a reply");
        }
        @SuppressWarnings("unchecked")
        R reply = (R) o;
        return reply;
    }

    /** Half-closes and waits for the peer's final status; throws the mapped error if it is not OK. */
    void finish() {
        check();
        try {
            requests.onCompleted();
        } catch (RuntimeException e) {
            finished = true;
            throw Errors.map(e, what);
        }
        while (true) {
            Object o = take("commit");
            if (o == END) {
                finished = true;
                return;
            }
            // a stray reply after the last request is ignored; the status decides
        }
    }

    /** Abandons the stream (no commit). */
    void cancel(String why) {
        if (!finished) {
            finished = true;
            call.cancel(why, null);
        }
    }

    boolean finished() {
        return finished;
    }

    private void check() {
        if (finished) {
            throw new IllegalStateException(what + " is already finished");
        }
    }

    private Object take(String op) {
        Object o;
        try {
            o = inbox.poll(calls.timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel("interrupted");
            throw new WeftException(what + " " + op + " interrupted");
        }
        if (o == null) {
            cancel("deadline exceeded");
            throw new PeerUnavailableException(what + " " + op + ": no answer within " + calls.timeout.toMillis() + " ms");
        }
        if (o instanceof Throwable t) {
            finished = true;
            if (Status.fromThrowable(t).getCode() == Status.Code.UNAUTHENTICATED) {
                calls.auth.invalidate(calls.auth.current());
            }
            throw Errors.map(t, what + " " + op);
        }
        return o;
    }
}
