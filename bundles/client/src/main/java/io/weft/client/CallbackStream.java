package io.weft.client;

import io.grpc.ClientCall;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.weft.api.WeftException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A server stream delivered to callbacks; the {@link Cancellable} of {@link WeftClient#listen} and {@link ThreadsClient#subscribe}. */
final class CallbackStream<Q, R, T> implements Cancellable, ClientResponseObserver<Q, R> {
    private static final Logger LOG = LoggerFactory.getLogger(CallbackStream.class);

    private final String what;
    private final Function<R, T> convert;
    private final Consumer<T> onEvent;
    private final Consumer<WeftException> onError;
    private volatile ClientCallStreamObserver<Q> requestStream;
    private volatile boolean closed;

    private CallbackStream(String what, Function<R, T> convert, Consumer<T> onEvent, Consumer<WeftException> onError) {
        this.what = what;
        this.convert = convert;
        this.onEvent = onEvent;
        this.onError = onError;
    }

    static <Q, R, T> Cancellable start(ClientCall<Q, R> call, Q request, String what, Function<R, T> convert,
            Consumer<T> onEvent, Consumer<WeftException> onError) {
        CallbackStream<Q, R, T> s = new CallbackStream<>(what, convert, onEvent, onError);
        ClientCalls.asyncServerStreamingCall(call, request, s);
        return s;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<Q> rs) {
        this.requestStream = rs;
    }

    @Override
    public void onNext(R value) {
        if (closed) {
            return;
        }
        T event;
        try {
            event = convert.apply(value);
        } catch (WeftException e) {
            fail(e);
            return;
        }
        try {
            onEvent.accept(event);
        } catch (RuntimeException e) {
            LOG.warn("{} callback failed: {}", what, e.toString());
        }
    }

    @Override
    public void onError(Throwable t) {
        if (closed && Status.fromThrowable(t).getCode() == Status.Code.CANCELLED) {
            return;
        }
        fail(Errors.map(t, what));
    }

    @Override
    public void onCompleted() {
        closed = true;
    }

    private void fail(WeftException e) {
        if (closed) {
            return;
        }
        close();
        if (onError != null) {
            onError.accept(e);
        } else {
            LOG.warn("{} ended: {}", what, e.getMessage());
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ClientCallStreamObserver<Q> rs = requestStream;
            if (rs != null) {
                rs.cancel("closed by the client", null);
            }
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }
}
