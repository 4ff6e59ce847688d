package io.weft.server.net;

import io.grpc.stub.StreamObserver;
import io.weft.grpc.netpb.GetTokenReply;
import io.weft.grpc.netpb.GetTokenRequest;

/**
 * The GetToken challenge flow of {@code threads.net.pb.API}, supplied by the server's auth layer: the client sends
 * {@code {key}}, the issuer answers {@code {challenge}}, the client sends {@code {signature}} and the issuer answers
 * {@code {token}}. {@link NetApiService} only forwards the bidi stream to it; the net API has its own
 * {@code GetTokenRequest}/{@code GetTokenReply} types, so an issuer written for {@code threads.pb.API} needs a thin
 * adapter.
 */
@FunctionalInterface
public interface TokenIssuer {

    /**
     * Starts one token exchange.
     *
     * @param replies where to send the challenge, then the token (or an error status)
     * @return the observer of the client's messages
     */
    StreamObserver<GetTokenRequest> getToken(StreamObserver<GetTokenReply> replies);
}
