package io.weft.server.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.weft.server.ServerConfig.HostIdentityPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates every call but GetToken and puts its {@link Caller} into the gRPC {@link Context}.
 *
 * <ul>
 *   <li>With {@code authorization: bearer <token>} metadata, the token must verify ({@link TokenService#verify});
 *       otherwise the call ends with {@code UNAUTHENTICATED}. The caller is the token's identity.</li>
 *   <li>Without a token, the {@link HostIdentityPolicy} decides: the caller is the host identity if allowed,
 *       otherwise the call ends with {@code UNAUTHENTICATED}.</li>
 * </ul>
 * Whether a client is on loopback: for calls over the network (native gRPC) the connection's remote address; for
 * calls through the in-process server, which the web gateway forwards to, the {@value #REMOTE_ADDR} metadata that
 * the gateway sets to the web client's address (an in-process call without it is not local). The header is removed
 * from native calls, so a network client cannot claim an address. A web call from a browser also needs a local
 * page ({@value #ORIGIN}: {@code localhost} or a loopback literal) to count as loopback: otherwise any web site open in
 * the user's browser could act as the host identity on the user's own peer.
 */
public final class AuthInterceptor implements ServerInterceptor {
    private static final Logger LOG = LoggerFactory.getLogger(AuthInterceptor.class);

    /** Metadata with the web client's IP address, set by the web gateway on the calls it forwards. */
    public static final String REMOTE_ADDR = "x-weft-remote-addr";
    /** Metadata with the browser's {@code Origin}, set by the web gateway. */
    public static final String ORIGIN = "x-weft-origin";

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> REMOTE_ADDR_KEY = Metadata.Key.of(REMOTE_ADDR, Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> ORIGIN_KEY = Metadata.Key.of(ORIGIN, Metadata.ASCII_STRING_MARSHALLER);

    /** The GetToken methods: open to everyone, that is how a client gets a token. */
    private static final Set<String> OPEN_METHODS = Set.of("threads.pb.API/GetToken", "threads.net.pb.API/GetToken");

    private final TokenService tokens;
    private final HostIdentityPolicy policy;

    public AuthInterceptor(TokenService tokens, HostIdentityPolicy policy) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        boolean loopback;
        if (remote instanceof InetSocketAddress inet) {
            // a network call: the gateway's headers cannot come from here
            headers.removeAll(REMOTE_ADDR_KEY);
            headers.removeAll(ORIGIN_KEY);
            loopback = inet.getAddress() != null && inet.getAddress().isLoopbackAddress();
        } else {
            // a browser page from elsewhere (or a DNS-rebound name) on this machine is not a local client
            loopback = isLoopbackLiteral(headers.get(REMOTE_ADDR_KEY)) && isLocalOrigin(headers.get(ORIGIN_KEY));
        }
        String method = call.getMethodDescriptor().getFullMethodName();
        if (OPEN_METHODS.contains(method)) {
            return next.startCall(call, headers);
        }
        Caller caller;
        String auth = headers.get(AUTHORIZATION);
        String token = bearer(auth);
        if (token == null && auth != null && !auth.isBlank()) {
            return refuse(call, "authorization metadata must be 'bearer <token>'");
        }
        if (token != null) {
            try {
                caller = Caller.client(tokens.verify(token));
            } catch (TokenService.InvalidTokenException e) {
                LOG.debug("{}: refused a token from {}: {}", method, remote, e.getMessage());
                return refuse(call, e.getMessage());
            }
        } else if (policy == HostIdentityPolicy.ALWAYS || policy == HostIdentityPolicy.LOOPBACK && loopback) {
            caller = Caller.HOST;
        } else {
            return refuse(call, "a token is required (get one with GetToken and send it as 'authorization: bearer"
                    + " <token>')" + (policy == HostIdentityPolicy.LOOPBACK ? "; only loopback clients may call"
                    + " without one" : ""));
        }
        Context ctx = Context.current().withValue(Caller.KEY, caller);
        return Contexts.interceptCall(ctx, call, headers, next);
    }

    /** The token of {@code bearer <token>} (scheme in any case), {@code null} if absent or empty. */
    static String bearer(String auth) {
        if (auth == null) {
            return null;
        }
        String a = auth.strip();
        if (a.length() < 6 || !a.substring(0, 6).toLowerCase(Locale.ROOT).equals("bearer")) {
            return null;
        }
        String t = a.substring(6).strip();
        if (t.isEmpty() || a.length() > 6 && !Character.isWhitespace(a.charAt(6))) {
            return null;
        }
        return t;
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, String why) {
        call.close(Status.UNAUTHENTICATED.withDescription(why), new Metadata());
        return new ServerCall.Listener<>() {
        };
    }

    /**
     * Whether a web call's browser origin is a page of this machine: no origin (not a browser), or an origin whose host
     * is {@code localhost} (or a subdomain of it) or a loopback IP literal. {@code null} origins (sandboxed frames,
     * files) and names that merely resolve to loopback are not local.
     */
    static boolean isLocalOrigin(String origin) {
        if (origin == null) {
            return true;
        }
        String host;
        try {
            host = new java.net.URI(origin.strip()).getHost();
        } catch (java.net.URISyntaxException e) {
            return false;
        }
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(java.util.Locale.ROOT);
        return h.equals("localhost") || h.endsWith(".localhost") || isLoopbackLiteral(h);
    }

    /**
     * Whether {@code text} is a loopback IP literal, optionally with a port ({@code 127.0.0.1}, {@code 127.0.0.1:80},
     * {@code ::1}, {@code [::1]:80}). Names are never resolved: anything but a literal is not loopback.
     */
    static boolean isLoopbackLiteral(String text) {
        if (text == null) {
            return false;
        }
        String t = text.strip();
        if (t.isEmpty() || t.length() > 64) {
            return false;
        }
        if (t.startsWith("[")) {
            int end = t.indexOf(']');
            if (end < 0) {
                return false;
            }
            t = t.substring(1, end);
        } else if (t.indexOf(':') == t.lastIndexOf(':') && t.indexOf('.') > 0) {
            int colon = t.indexOf(':');
            if (colon > 0) {
                t = t.substring(0, colon); // IPv4 with a port
            }
        }
        int zone = t.indexOf('%');
        if (zone >= 0) {
            t = t.substring(0, zone);
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.')) {
                return false;
            }
        }
        if (t.indexOf(':') < 0 && !t.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return false; // getByName would take "1" or "127.1" as IPv4 shorthand
        }
        try {
            return InetAddress.getByName(t).isLoopbackAddress();
        } catch (UnknownHostException | SecurityException e) {
            return false;
        }
    }
}
