package io.weft.server.auth;

import io.grpc.Context;
import io.weft.api.crypto.PublicKey;

/**
 * Who makes the current call, as the server's {@link AuthInterceptor} established it and put it in the gRPC
 * {@link Context}: a client identity proven with a token, or this peer's host identity (a call without a token that
 * the host-identity policy allowed). Services read it with {@link #current()} on the call's thread.
 *
 * @param identity the client's identity key, or {@code null} for the host identity
 */
public record Caller(PublicKey identity) {

    /** The host identity: reads as the local host, writes to this peer's own logs. */
    public static final Caller HOST = new Caller(null);

    /** The context key under which the interceptor stores the caller. */
    public static final Context.Key<Caller> KEY = Context.key("weft-caller");

    /** A client that proved {@code identity} with a token. */
    public static Caller client(PublicKey identity) {
        if (identity == null) {
            throw new IllegalArgumentException("a client caller needs its identity");
        }
        return new Caller(identity);
    }

    /** Whether this is the host identity (no token). */
    public boolean isHost() {
        return identity == null;
    }

    /**
     * The caller of the current call. Outside an intercepted call (no caller in the context) this is
     * {@link #HOST}: only code of this process runs there.
     */
    public static Caller current() {
        Caller c = KEY.get();
        return c != null ? c : HOST;
    }

    @Override
    public String toString() {
        return isHost() ? "Caller[host]" : "Caller[" + identity + "]";
    }
}
