package io.weft.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.weft.api.InvalidInputException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.crypto.PublicKey;
import io.weft.api.thread.PeerId;
import io.weft.core.crypto.Ed25519;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Issues and verifies the client API's tokens, and runs the GetToken challenge flow.
 *
 * <h2>Token format</h2>
 * A token is a compact JWS (RFC 7515) signed with EdDSA (RFC 8037) by this peer's host identity — the shape of
 * go-threads' tokens plus an expiry:
 * <pre>base64url(header) "." base64url(claims) "." base64url(Ed25519 signature of the first two parts)
 * header = {"alg":"EdDSA","typ":"JWT"}
 * claims = {"iss": peer id (12D3KooW…), "sub": client identity (multibase public key), "iat": seconds, "exp": seconds}</pre>
 * It is self-contained: verifying needs only the host's public key (nothing is stored, tokens survive restarts, and
 * anyone can check that a token came from this peer). A token is accepted while {@code now < exp}; it cannot be
 * revoked other than by changing the host identity, so keep lifetimes short.
 *
 * <h2>GetToken</h2>
 * The client sends {@code {key}} (multibase text of its libp2p public key protobuf), the server replies with
 * {@code {challenge}} (32 random bytes), the client sends {@code {signature}} (its Ed25519 signature of the challenge
 * bytes), and the server replies with {@code {token}} for that key. A wrong signature ends the call with
 * {@code UNAUTHENTICATED}; a malformed key with {@code INVALID_ARGUMENT}; no signature within the challenge timeout
 * with {@code DEADLINE_EXCEEDED}.
 */
public final class TokenService {
    /** Random challenge length. */
    public static final int CHALLENGE_LENGTH = 32;
    /** Longest token accepted. */
    public static final int MAX_TOKEN_LENGTH = 2048;
    /** Longest key text accepted in GetToken. */
    private static final int MAX_KEY_TEXT = 512;
    /** Verified tokens remembered (a verification is an Ed25519 check). */
    private static final int CACHE_SIZE = 4096;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final String HEADER = B64.encodeToString(
            "{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    private static final SecureRandom RANDOM = new SecureRandom();

    private final PrivateKey hostKey;
    private final String issuer;
    private final Duration lifetime;
    private final Duration challengeTimeout;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final Map<String, Verified> cache = new ConcurrentHashMap<>();

    private record Verified(PublicKey identity, long expires) {
    }

    /**
     * @param hostKey          the host identity that signs tokens
     * @param lifetime         how long an issued token is valid
     * @param challengeTimeout how long GetToken waits for the signature
     * @param clock            the time of issue and of expiry checks
     * @param timer            runs the challenge timeouts
     */
    public TokenService(PrivateKey hostKey, Duration lifetime, Duration challengeTimeout, Clock clock,
            ScheduledExecutorService timer) {
        this.hostKey = Objects.requireNonNull(hostKey, "hostKey");
        this.issuer = PeerId.of(hostKey.publicKey()).toString();
        this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
        this.challengeTimeout = Objects.requireNonNull(challengeTimeout, "challengeTimeout");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timer = Objects.requireNonNull(timer, "timer");
    }

    /** A token for {@code identity}, valid for the configured lifetime from now. */
    public String issue(PublicKey identity) {
        Objects.requireNonNull(identity, "identity");
        long now = clock.millis() / 1000;
        ObjectNode claims = JSON.createObjectNode();
        claims.put("iss", issuer);
        claims.put("sub", identity.toString());
        claims.put("iat", now);
        claims.put("exp", now + Math.max(1, lifetime.toSeconds()));
        String signingInput;
        try {
            signingInput = HEADER + "." + B64.encodeToString(JSON.writeValueAsBytes(claims));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        byte[] sig = Ed25519.sign(hostKey, signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + B64.encodeToString(sig);
    }

    /** Why a token is refused; the message names no part of the token. */
    public static final class InvalidTokenException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidTokenException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The identity a token was issued to.
     *
     * @throws InvalidTokenException if the token is malformed, not signed by this peer, or expired
     */
    public PublicKey verify(String token) {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
            throw new InvalidTokenException("malformed token");
        }
        long now = clock.millis() / 1000;
        Verified v = cache.get(token);
        if (v == null) {
            v = check(token);
            if (cache.size() >= CACHE_SIZE) {
                cache.clear();
            }
            cache.put(token, v);
        }
        if (now >= v.expires()) {
            throw new InvalidTokenException("token expired; get a new one with GetToken");
        }
        return v.identity();
    }

    private Verified check(String token) {
        int a = token.indexOf('.');
        int b = token.indexOf('.', a + 1);
        if (a < 0 || b < 0 || token.indexOf('.', b + 1) >= 0) {
            throw new InvalidTokenException("malformed token");
        }
        if (!token.substring(0, a).equals(HEADER)) {
            throw new InvalidTokenException("token is not an EdDSA token of this peer");
        }
        byte[] sig;
        JsonNode claims;
        try {
            sig = B64D.decode(token.substring(b + 1));
            claims = JSON.readTree(B64D.decode(token.substring(a + 1, b)));
        } catch (IllegalArgumentException | IOException e) {
            throw new InvalidTokenException("malformed token");
        }
        if (!Ed25519.verify(hostKey.publicKey(), token.substring(0, b).getBytes(StandardCharsets.US_ASCII), sig)) {
            throw new InvalidTokenException("token signature is invalid (not issued by this peer)");
        }
        if (claims == null || !claims.isObject() || !issuer.equals(claims.path("iss").asText(null))
                || !claims.path("exp").canConvertToLong() || !claims.path("sub").isTextual()) {
            throw new InvalidTokenException("token is not a token of this peer");
        }
        PublicKey identity;
        try {
            identity = PublicKey.parse(claims.get("sub").textValue());
        } catch (InvalidInputException e) {
            throw new InvalidTokenException("token names no valid identity");
        }
        return new Verified(identity, claims.get("exp").longValue());
    }

    // ------------------------------------------------------------------ GetToken

    /**
     * How one API's GetToken messages look: both {@code threads.pb.API} and {@code threads.net.pb.API} have a
     * {@code key}/{@code signature} request and a {@code challenge}/{@code token} reply, as different classes.
     *
     * @param key       the request's key text, or {@code null} if it carries none
     * @param signature the request's signature, or {@code null} if it carries none
     * @param challenge a reply with a challenge
     * @param token     a reply with a token
     */
    public record Messages<Q, R>(Function<Q, String> key, Function<Q, byte[]> signature,
            Function<byte[], R> challenge, Function<String, R> token) {
    }

    /** The GetToken messages of {@code threads.pb.API}. */
    public static final Messages<io.weft.grpc.pb.GetTokenRequest, io.weft.grpc.pb.GetTokenReply> THREADS_API =
            new Messages<>(
                    q -> q.getPayloadCase() == io.weft.grpc.pb.GetTokenRequest.PayloadCase.KEY ? q.getKey() : null,
                    q -> q.getPayloadCase() == io.weft.grpc.pb.GetTokenRequest.PayloadCase.SIGNATURE
                            ? q.getSignature().toByteArray() : null,
                    c -> io.weft.grpc.pb.GetTokenReply.newBuilder()
                            .setChallenge(com.google.protobuf.ByteString.copyFrom(c)).build(),
                    t -> io.weft.grpc.pb.GetTokenReply.newBuilder().setToken(t).build());

    /** The GetToken messages of {@code threads.net.pb.API}. */
    public static final Messages<io.weft.grpc.netpb.GetTokenRequest, io.weft.grpc.netpb.GetTokenReply> NET_API =
            new Messages<>(
                    q -> q.getPayloadCase() == io.weft.grpc.netpb.GetTokenRequest.PayloadCase.KEY ? q.getKey() : null,
                    q -> q.getPayloadCase() == io.weft.grpc.netpb.GetTokenRequest.PayloadCase.SIGNATURE
                            ? q.getSignature().toByteArray() : null,
                    c -> io.weft.grpc.netpb.GetTokenReply.newBuilder()
                            .setChallenge(com.google.protobuf.ByteString.copyFrom(c)).build(),
                    t -> io.weft.grpc.netpb.GetTokenReply.newBuilder().setToken(t).build());

    /**
     * Runs one GetToken exchange on a bidi call: returns the observer of the client's messages; replies go to
     * {@code replies}.
     */
    public <Q, R> StreamObserver<Q> getToken(StreamObserver<R> replies, Messages<Q, R> messages) {
        return new Exchange<>(replies, messages);
    }

    private final class Exchange<Q, R> implements StreamObserver<Q> {
        private final StreamObserver<R> out;
        private final Messages<Q, R> m;
        private PublicKey key;
        private byte[] challenge;
        private boolean done;
        private ScheduledFuture<?> timeout;

        Exchange(StreamObserver<R> out, Messages<Q, R> m) {
            this.out = out;
            this.m = m;
            if (out instanceof ServerCallStreamObserver<R> s) {
                s.setOnCancelHandler(this::cancelTimeout);
            }
        }

        @Override
        public synchronized void onNext(Q request) {
            if (done) {
                return;
            }
            if (key == null) {
                String text = m.key().apply(request);
                if (text == null || text.isEmpty()) {
                    fail(Status.INVALID_ARGUMENT.withDescription("GetToken: the first message must carry the key"));
                    return;
                }
                if (text.length() > MAX_KEY_TEXT) {
                    fail(Status.INVALID_ARGUMENT.withDescription("GetToken: the key is too long"));
                    return;
                }
                try {
                    key = PublicKey.parse(text.strip());
                } catch (InvalidInputException e) {
                    fail(Status.INVALID_ARGUMENT.withDescription("GetToken: the key is not an Ed25519 public key"
                            + " (multibase of the libp2p PublicKey protobuf): " + e.getMessage()));
                    return;
                }
                challenge = new byte[CHALLENGE_LENGTH];
                RANDOM.nextBytes(challenge);
                timeout = timer.schedule(this::expire, challengeTimeout.toMillis(), TimeUnit.MILLISECONDS);
                out.onNext(m.challenge().apply(challenge.clone()));
                return;
            }
            byte[] sig = m.signature().apply(request);
            if (sig == null || sig.length == 0) {
                fail(Status.INVALID_ARGUMENT.withDescription("GetToken: the second message must carry the signature"
                        + " of the challenge"));
                return;
            }
            if (sig.length != Ed25519.SIGNATURE_LENGTH || !Ed25519.verify(key, challenge, sig)) {
                fail(Status.UNAUTHENTICATED.withDescription("GetToken: the signature does not verify with the key"));
                return;
            }
            cancelTimeout();
            done = true;
            out.onNext(m.token().apply(issue(key)));
            out.onCompleted();
        }

        @Override
        public synchronized void onError(Throwable t) {
            cancelTimeout();
            done = true;
        }

        @Override
        public synchronized void onCompleted() {
            if (!done) {
                fail(Status.INVALID_ARGUMENT.withDescription(key == null
                        ? "GetToken: the client closed before sending its key"
                        : "GetToken: the client closed before signing the challenge"));
            }
        }

        private synchronized void expire() {
            if (!done) {
                fail(Status.DEADLINE_EXCEEDED.withDescription("GetToken: no signature within "
                        + challengeTimeout.toSeconds() + " s"));
            }
        }

        private void fail(Status status) {
            cancelTimeout();
            done = true;
            try {
                out.onError(new StatusRuntimeException(status));
            } catch (RuntimeException e) {
                // the call is already closed
            }
        }

        private void cancelTimeout() {
            ScheduledFuture<?> t = timeout;
            if (t != null) {
                t.cancel(false);
            }
        }
    }
}
