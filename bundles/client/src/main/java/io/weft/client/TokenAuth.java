package io.weft.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.weft.api.UnauthorizedException;
import io.weft.api.WeftException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.format.Multibase;
import io.weft.core.crypto.Ed25519;
import io.weft.grpc.pb.APIGrpc;
import io.weft.grpc.pb.GetTokenReply;
import io.weft.grpc.pb.GetTokenRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The GetToken challenge flow and the {@code authorization: bearer <token>} header on every other call. The token
 * is fetched on first use and again when it is about to expire (its JWT {@code exp} claim, when the token is a JWT)
 * or after the peer rejected it. The token is never logged or put in a message.
 */
final class TokenAuth implements ClientInterceptor {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /** Tokens are renewed this long before their expiry. */
    private static final Duration RENEW_BEFORE = Duration.ofSeconds(30);

    private final Channel channel;
    private final PrivateKey identity;
    private final Duration timeout;
    private final Clock clock;
    private String token;
    private Instant expiresAt;

    TokenAuth(Channel channel, PrivateKey identity, Duration timeout, Clock clock) {
        this.channel = channel;
        this.identity = identity;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** Whether calls carry a token (an identity was given). */
    boolean enabled() {
        return identity != null;
    }

    /** The current token, fetching a new one when there is none or it is about to expire. */
    synchronized String token() {
        if (token == null || (expiresAt != null && clock.instant().plus(RENEW_BEFORE).isAfter(expiresAt))) {
            token = fetch();
            expiresAt = expiry(token);
        }
        return token;
    }

    /** Forgets {@code rejected} (if it is still the current token) so that the next call fetches a new one. */
    synchronized void invalidate(String rejected) {
        if (rejected != null && rejected.equals(token)) {
            token = null;
            expiresAt = null;
        }
    }

    /** The token the next call would send, without fetching; {@code null} if none is held. */
    synchronized String current() {
        return token;
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        boolean tokenCall = method.getBareMethodName() != null && method.getBareMethodName().equals("GetToken");
        if (identity == null || tokenCall) {
            return next.newCall(method, options);
        }
        String t = token();
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                headers.put(AUTHORIZATION, "bearer " + t);
                super.start(listener, headers);
            }
        };
    }

    /** Runs GetToken: send the public key, sign the challenge, receive the token. */
    private String fetch() {
        BlockingQueue<Object> replies = new LinkedBlockingQueue<>();
        StreamObserver<GetTokenReply> observer = new StreamObserver<>() {
            @Override
            public void onNext(GetTokenReply value) {
                replies.add(value);
            }

            @Override
            public void onError(Throwable t) {
                replies.add(t);
            }

            @Override
            public void onCompleted() {
                replies.add(Boolean.TRUE);
            }
        };
        ClientCall<GetTokenRequest, GetTokenReply> call = channel.newCall(APIGrpc.getGetTokenMethod(),
                CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS));
        StreamObserver<GetTokenRequest> requests = ClientCalls.asyncBidiStreamingCall(call, observer);
        try {
            requests.onNext(GetTokenRequest.newBuilder()
                    .setKey(Multibase.encode(identity.publicKey().marshal())).build());
            GetTokenReply first = next(replies, "challenge");
            if (first.getPayloadCase() != GetTokenReply.PayloadCase.CHALLENGE) {
                throw new UnauthorizedException("GetToken: the peer sent no challenge");
            }
            byte[] signature = Ed25519.sign(identity, first.getChallenge().toByteArray());
            requests.onNext(GetTokenRequest.newBuilder()
                    .setSignature(com.google.protobuf.ByteString.copyFrom(signature)).build());
            requests.onCompleted();
            GetTokenReply second = next(replies, "token");
            if (second.getPayloadCase() != GetTokenReply.PayloadCase.TOKEN || second.getToken().isEmpty()) {
                throw new UnauthorizedException("GetToken: the peer sent no token");
            }
            return second.getToken();
        } catch (RuntimeException e) {
            call.cancel("GetToken failed", null);
            throw e;
        }
    }

    private GetTokenReply next(BlockingQueue<Object> replies, String what) {
        Object o;
        try {
            o = replies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WeftException("GetToken interrupted");
        }
        if (o == null) {
            throw new PeerUnavailableException("GetToken: no " + what + " from the peer within " + timeout.toMillis() + " ms");
        }
        if (o instanceof GetTokenReply r) {
            return r;
        }
        if (o instanceof Throwable t) {
            throw Errors.map(t, "GetToken");
        }
        throw new UnauthorizedException("GetToken: the peer ended the exchange without a " + what);
    }

    /** The {@code exp} claim of a JWT, or {@code null} when the token is not a JWT or has none. */
    static Instant expiry(String token) {
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            return null;
        }
        try {
            JsonNode claims = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(parts[1]));
            JsonNode exp = claims.get("exp");
            return exp != null && exp.isNumber() ? Instant.ofEpochSecond(exp.asLong()) : null;
        } catch (Exception e) {
            return null;
        }
    }
}
