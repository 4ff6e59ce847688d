package io.weft.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.weft.api.WeftException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** What every call of a client needs: the authenticated channel, the token flow and the deadline per call. */
final class Calls {
    final Channel channel;
    final TokenAuth auth;
    final Duration timeout;

    Calls(Channel channel, TokenAuth auth, Duration timeout) {
        this.channel = channel;
        this.auth = auth;
        this.timeout = timeout;
    }

    Calls withTimeout(Duration t) {
        return new Calls(channel, auth, t);
    }

    /**
     * Runs one unary call with a fresh deadline. When the peer rejects the token ({@code UNAUTHENTICATED}), the
     * token is fetched again and the call retried once (the peer did nothing with the rejected call).
     */
    <S extends AbstractStub<S>, R> R unary(String what, S stub, Function<S, R> call) {
        for (int attempt = 0;; attempt++) {
            try {
                return call.apply(stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS));
            } catch (StatusRuntimeException e) {
                if (attempt == 0 && auth.enabled() && e.getStatus().getCode() == Status.Code.UNAUTHENTICATED) {
                    auth.invalidate(auth.current());
                    continue;
                }
                throw Errors.map(e, what);
            } catch (WeftException e) {
                throw e;
            } catch (RuntimeException e) {
                throw Errors.map(e, what);
            }
        }
    }

    /** A new call of a streaming method, without a deadline (streams live until closed). */
    <Q, R> ClientCall<Q, R> newStreamCall(MethodDescriptor<Q, R> method, String what) {
        try {
            return channel.newCall(method, CallOptions.DEFAULT);
        } catch (WeftException e) {
            throw e;
        } catch (RuntimeException e) {
            throw Errors.map(e, what);
        }
    }
}
