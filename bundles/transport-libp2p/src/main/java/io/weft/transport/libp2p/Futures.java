package io.weft.transport.libp2p;

import io.weft.api.net.TransportException;
import io.weft.api.net.TransportException.Kind;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Small helpers for the transport's futures. */
final class Futures {

    private Futures() {
    }

    /** {@code future}, failing with a {@code TIMEOUT} {@link TransportException} after {@code timeout}. */
    static <T> CompletableFuture<T> withTimeout(CompletableFuture<T> future, Duration timeout, String what) {
        CompletableFuture<T> out = new CompletableFuture<>();
        future.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
            if (e == null) {
                out.complete(v);
            } else if (unwrap(e) instanceof TimeoutException) {
                out.completeExceptionally(new TransportException(Kind.TIMEOUT, what + " timed out after " + timeout.toMillis() + " ms"));
            } else {
                out.completeExceptionally(unwrap(e));
            }
        });
        return out;
    }

    /** The cause behind completion wrappers. */
    static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** {@code e} as a {@link TransportException} ({@code kind} with the message of {@code e} if it is another type). */
    static TransportException asTransport(Throwable e, Kind kind, String context) {
        Throwable cause = unwrap(e);
        if (cause instanceof TransportException te) {
            return te;
        }
        return new TransportException(kind, context + ": " + cause.getMessage(), cause);
    }
}
