package io.weft.client;

import io.grpc.ClientCall;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.weft.api.WeftException;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The events of a server stream ({@link WeftClient#listen}, {@link ThreadsClient#subscribe}) as a blocking
 * iterator: {@link #hasNext()} waits for the next event and returns {@code false} when the peer ends the stream;
 * a failed stream throws the mapped exception ({@link PeerUnavailableException} when the peer goes away).
 * {@link #close()} cancels the stream; it may be called from any thread, and a blocked {@code hasNext()} then
 * returns {@code false}. Events are requested from the peer as they are consumed (flow control), so a slow reader
 * makes the peer buffer or drop, never this process.
 *
 * @param <T> the event type
 */
public final class EventStream<T> implements Iterator<T>, AutoCloseable {
    private static final int WINDOW = 32;
    private static final Object END = new Object();

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final String what;
    private final Function<Object, T> convert;
    private volatile ClientCallStreamObserver<?> requestStream;
    private volatile boolean closed;
    private Object peeked;
    private boolean ended;

    private EventStream(String what, Function<Object, T> convert) {
        this.what = what;
        this.convert = convert;
    }

    /** Starts the server-streaming {@code call} with {@code request}. */
    @SuppressWarnings("unchecked")
    static <Q, R, T> EventStream<T> start(ClientCall<Q, R> call, Q request, String what, Function<R, T> convert) {
        EventStream<T> s = new EventStream<>(what, o -> convert.apply((R) o));
        ClientCalls.asyncServerStreamingCall(call, request, new ClientResponseObserver<Q, R>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<Q> rs) {
                s.requestStream = rs;
                rs.disableAutoRequestWithInitial(WINDOW);
            }

            @Override
            public void onNext(R value) {
                s.queue.add(value);
            }

            @Override
            public void onError(Throwable t) {
                s.queue.add(t);
            }

            @Override
            public void onCompleted() {
                s.queue.add(END);
            }
        });
        return s;
    }

    /** Waits for the next event; {@code false} when the stream ended or was closed. */
    @Override
    public boolean hasNext() {
        return fetch(-1);
    }

    /** The next event, waiting for it. */
    @Override
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException(what + " ended");
        }
        return takePeeked();
    }

    /**
     * The next event, waiting at most {@code timeout}; {@code null} when none came in time.
     *
     * @throws NoSuchElementException if the stream ended or was closed
     */
    public T poll(Duration timeout) {
        if (fetch(timeout.toNanos())) {
            return takePeeked();
        }
        if (ended || closed) {
            throw new NoSuchElementException(what + " ended");
        }
        return null;
    }

    /** The remaining events as a sequential stream (closing it closes this). */
    public Stream<T> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL),
                false).onClose(this::close);
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** Cancels the stream. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ClientCallStreamObserver<?> rs = requestStream;
            if (rs != null) {
                rs.cancel("closed by the client", null);
            }
            queue.add(END);
        }
    }

    private T takePeeked() {
        Object o = peeked;
        peeked = null;
        ClientCallStreamObserver<?> rs = requestStream;
        if (rs != null && !closed) {
            rs.request(1);
        }
        return convert.apply(o);
    }

    private boolean fetch(long timeoutNanos) {
        if (peeked != null) {
            return true;
        }
        if (ended) {
            return false;
        }
        Object o;
        try {
            o = timeoutNanos < 0 ? queue.take() : queue.poll(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new WeftException(what + " interrupted");
        }
        if (o == null) {
            return false;
        }
        if (o == END) {
            ended = true;
            return false;
        }
        if (o instanceof Throwable t) {
            ended = true;
            if (closed && Status.fromThrowable(t).getCode() == Status.Code.CANCELLED) {
                return false;
            }
            throw Errors.map(t, what);
        }
        if (closed) {
            ended = true;
            return false;
        }
        peeked = o;
        return true;
    }
}
