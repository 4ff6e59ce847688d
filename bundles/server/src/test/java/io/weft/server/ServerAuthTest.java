package io.weft.server;

import static org.junit.jupiter.api.Assertions.*;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.weft.api.crypto.PrivateKey;
import io.weft.core.crypto.Ed25519;
import io.weft.grpc.pb.APIGrpc;
import io.weft.grpc.pb.CreateRequest;
import io.weft.grpc.pb.GetTokenReply;
import io.weft.grpc.pb.GetTokenRequest;
import io.weft.grpc.pb.ListDBsRequest;
import io.weft.server.ServerConfig.HostIdentityPolicy;
import io.weft.server.auth.TokenService;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** GetToken, token checks, and the host-identity policy for calls without a token. */
class ServerAuthTest extends ServerFixture {

    @Test
    void aTokenFromGetTokenAuthenticatesItsIdentity() {
        ByteString db = newDb("auth");
        PrivateKey alice = Ed25519.generate();
        String token = token(alice);
        assertTrue(token.split("\\.").length == 3, "a compact JWS");
        var reply = withToken(api, token).create(CreateRequest.newBuilder().setDbID(db).setCollectionName("Person")
                .addInstances(bytes("{\"_id\":\"a\",\"name\":\"Alice\"}")).build());
        assertEquals(java.util.List.of("a"), reply.getInstanceIDsList());
        // the instance was written by alice: her log, her records
        assertTrue(logs.ownLog(io.weft.api.thread.ThreadId.decode(db.toByteArray()), alice.publicKey()).isPresent());
        // the token names the identity and the issuer, and expires after the configured lifetime
        var claims = json(ByteString.copyFrom(Base64.getUrlDecoder().decode(token.split("\\.")[1])));
        assertEquals(alice.publicKey().toString(), claims.get("sub").asText());
        assertEquals(io.weft.api.thread.PeerId.of(hostKey.publicKey()).toString(), claims.get("iss").asText());
        assertEquals(24 * 3600, claims.get("exp").asLong() - claims.get("iat").asLong());
    }

    @Test
    void aWrongSignatureIsUnauthenticatedAndIssuesNoToken() {
        PrivateKey alice = Ed25519.generate();
        Replies<GetTokenReply> replies = new Replies<>();
        StreamObserver<GetTokenRequest> requests = async.getToken(replies);
        requests.onNext(GetTokenRequest.newBuilder().setKey(alice.publicKey().toString()).build());
        GetTokenReply challenge = replies.next();
        byte[] sig = Ed25519.sign(Ed25519.generate(), challenge.getChallenge().toByteArray()); // someone else
        requests.onNext(GetTokenRequest.newBuilder().setSignature(ByteString.copyFrom(sig)).build());
        Status end = replies.awaitEnd();
        assertEquals(Status.Code.UNAUTHENTICATED, end.getCode());
        assertTrue(end.getDescription().contains("signature"));
        requests.onCompleted();
    }

    @Test
    void malformedGetTokenRequestsAreInvalidArguments() {
        for (GetTokenRequest first : new GetTokenRequest[] {
                GetTokenRequest.newBuilder().setKey("not a key").build(),
                GetTokenRequest.newBuilder().setKey(Ed25519.generate().toString()).build(),
                GetTokenRequest.newBuilder().setSignature(ByteString.copyFrom(new byte[64])).build()}) {
            Replies<GetTokenReply> replies = new Replies<>();
            StreamObserver<GetTokenRequest> requests = async.getToken(replies);
            requests.onNext(first);
            assertEquals(Status.Code.INVALID_ARGUMENT, replies.awaitEnd().getCode(), first.toString());
            requests.onCompleted();
        }
        // closing before signing
        Replies<GetTokenReply> replies = new Replies<>();
        StreamObserver<GetTokenRequest> requests = async.getToken(replies);
        requests.onNext(GetTokenRequest.newBuilder().setKey(Ed25519.generate().publicKey().toString()).build());
        replies.next();
        requests.onCompleted();
        assertEquals(Status.Code.INVALID_ARGUMENT, replies.awaitEnd().getCode());
    }

    @Test
    void aChallengeLeftUnsignedTimesOut() {
        startServer(server.config().withChallengeTimeout(Duration.ofMillis(200)));
        Replies<GetTokenReply> replies = new Replies<>();
        StreamObserver<GetTokenRequest> requests = async.getToken(replies);
        requests.onNext(GetTokenRequest.newBuilder().setKey(Ed25519.generate().publicKey().toString()).build());
        replies.next();
        assertEquals(Status.Code.DEADLINE_EXCEEDED, replies.awaitEnd().getCode());
        requests.onCompleted();
    }

    @Test
    void expiredTamperedAndForeignTokensAreUnauthenticated() {
        ByteString db = newDb("expiry");
        String token = token(Ed25519.generate());
        CreateRequest create = CreateRequest.newBuilder().setDbID(db).setCollectionName("Person")
                .addInstances(bytes("{\"name\":\"X\"}")).build();

        // tampered: another identity in the claims, the old signature
        String[] parts = token.split("\\.");
        String otherClaims = new String(Base64.getUrlDecoder().decode(parts[1]))
                .replaceAll("\"sub\":\"[^\"]+\"", "\"sub\":\"" + Ed25519.generate().publicKey() + "\"");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(otherClaims.getBytes())
                + "." + parts[2];
        assertStatus(Status.Code.UNAUTHENTICATED, () -> withToken(api, tampered).create(create));
        // issued by another peer (another host key)
        TokenService other = new TokenService(Ed25519.generate(), Duration.ofHours(1), Duration.ofSeconds(1), clock,
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor());
        String foreign = other.issue(Ed25519.generate().publicKey());
        assertStatus(Status.Code.UNAUTHENTICATED, () -> withToken(api, foreign).create(create));
        // garbage and a wrong scheme
        assertStatus(Status.Code.UNAUTHENTICATED, () -> withToken(api, "abc.def.ghi").create(create));
        assertStatus(Status.Code.UNAUTHENTICATED, () -> withToken(api, "x".repeat(5000)).create(create));
        String d = assertStatus(Status.Code.UNAUTHENTICATED,
                () -> withHeader(api, "authorization", "basic dXNlcjpwYXNz").create(create));
        assertTrue(d.contains("bearer"), d);

        // valid until exp, refused from exp on
        withToken(api, token).create(create);
        clock.advance(Duration.ofHours(24).minusSeconds(1));
        withToken(api, token).create(create.toBuilder().setInstances(0, bytes("{\"name\":\"Y\"}")).build());
        clock.advance(Duration.ofSeconds(1));
        d = assertStatus(Status.Code.UNAUTHENTICATED,
                () -> withToken(api, token).create(create.toBuilder().setInstances(0, bytes("{\"name\":\"Z\"}")).build()));
        assertTrue(d.contains("expired"), d);
        assertEquals(2, manager.database(io.weft.api.thread.ThreadId.decode(db.toByteArray()))
                .collection("Person").findAll().size(), "refused calls wrote nothing");
    }

    @Test
    void withoutATokenLoopbackClientsActAsTheHostUnderTheDefaultPolicy() {
        ByteString db = newDb("host");
        api.create(CreateRequest.newBuilder().setDbID(db).setCollectionName("Person")
                .addInstances(bytes("{\"_id\":\"h\",\"name\":\"Host\"}")).build());
        assertTrue(logs.ownLog(io.weft.api.thread.ThreadId.decode(db.toByteArray()), hostKey.publicKey()).isPresent());
        assertEquals(1, api.listDBs(ListDBsRequest.getDefaultInstance()).getDbsCount());
    }

    @Test
    void policyNeverRequiresATokenEvenOnLoopback() {
        startServer(server.config().withHostIdentity(HostIdentityPolicy.NEVER));
        String d = assertStatus(Status.Code.UNAUTHENTICATED, () -> api.listDBs(ListDBsRequest.getDefaultInstance()));
        assertTrue(d.contains("GetToken"), d);
        // GetToken itself stays open, and its token works
        String token = token(Ed25519.generate());
        assertEquals(0, withToken(api, token).listDBs(ListDBsRequest.getDefaultInstance()).getDbsCount());
    }

    @Test
    void inProcessCallsUseTheGatewaysRemoteAddressHeader() throws Exception {
        ManagedChannel in = InProcessChannelBuilder.forName(server.inProcessName()).build();
        try {
            APIGrpc.APIBlockingStub stub = APIGrpc.newBlockingStub(in).withDeadlineAfter(10, TimeUnit.SECONDS);
            ListDBsRequest req = ListDBsRequest.getDefaultInstance();
            assertEquals(0, withHeader(stub, "x-weft-remote-addr", "127.0.0.1").listDBs(req).getDbsCount());
            assertEquals(0, withHeader(stub, "x-weft-remote-addr", "[::1]:53211").listDBs(req).getDbsCount());
            assertStatus(Status.Code.UNAUTHENTICATED,
                    () -> withHeader(stub, "x-weft-remote-addr", "203.0.113.9:4000").listDBs(req));
            assertStatus(Status.Code.UNAUTHENTICATED, () -> withHeader(stub, "x-weft-remote-addr", "localhost").listDBs(req));
            assertStatus(Status.Code.UNAUTHENTICATED, () -> stub.listDBs(req)); // no header: not local
            // a browser page counts as local only if it is served from this machine (no DNS-rebound names)
            var local = withHeader(stub, "x-weft-remote-addr", "127.0.0.1");
            assertEquals(0, withHeader(local, "x-weft-origin", "http://localhost:3000").listDBs(req).getDbsCount());
            assertEquals(0, withHeader(local, "x-weft-origin", "http://127.0.0.1:8080").listDBs(req).getDbsCount());
            assertEquals(0, withHeader(local, "x-weft-origin", "http://[::1]").listDBs(req).getDbsCount());
            for (String foreign : List.of("https://example.org", "http://rebound.example:6007", "null", "garbage ::")) {
                assertStatus(Status.Code.UNAUTHENTICATED,
                        () -> withHeader(local, "x-weft-origin", foreign).listDBs(req));
            }
            // with a token the address does not matter
            String token = token(Ed25519.generate());
            assertEquals(0, withToken(withHeader(stub, "x-weft-remote-addr", "203.0.113.9"), token).listDBs(req)
                    .getDbsCount());
            assertEquals(1, server.services().size());
        } finally {
            in.shutdownNow();
        }
    }

    @Test
    void networkClientsCannotClaimALoopbackAddress() throws Exception {
        InetAddress external = null;
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isUp() || ni.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    external = a;
                }
            }
        }
        Assumptions.assumeTrue(external != null, "no non-loopback IPv4 address to test with");
        startServer(server.config().withAddress("0.0.0.0", 0));
        ManagedChannel ext = NettyChannelBuilder.forAddress(new java.net.InetSocketAddress(external, server.grpcPort())).usePlaintext()
                .build();
        try {
            APIGrpc.APIBlockingStub stub = APIGrpc.newBlockingStub(ext).withDeadlineAfter(10, TimeUnit.SECONDS);
            ListDBsRequest req = ListDBsRequest.getDefaultInstance();
            assertStatus(Status.Code.UNAUTHENTICATED, () -> stub.listDBs(req));
            assertStatus(Status.Code.UNAUTHENTICATED,
                    () -> withHeader(stub, "x-weft-remote-addr", "127.0.0.1").listDBs(req));
            assertEquals(0, api.listDBs(req).getDbsCount(), "loopback still works");
        } finally {
            ext.shutdownNow();
        }
    }

    @Test
    void policyAlwaysLetsEveryoneActAsTheHost() throws Exception {
        startServer(server.config().withHostIdentity(HostIdentityPolicy.ALWAYS));
        ManagedChannel in = InProcessChannelBuilder.forName(server.inProcessName()).build();
        try {
            assertEquals(0, APIGrpc.newBlockingStub(in).listDBs(ListDBsRequest.getDefaultInstance()).getDbsCount());
        } finally {
            in.shutdownNow();
        }
    }

    @Test
    void loopbackLiterals() {
        assertTrue(io.weft.server.auth.AuthTestAccess.isLoopback("127.0.0.1"));
        assertTrue(io.weft.server.auth.AuthTestAccess.isLoopback("127.8.9.10:80"));
        assertTrue(io.weft.server.auth.AuthTestAccess.isLoopback("::1"));
        assertTrue(io.weft.server.auth.AuthTestAccess.isLoopback("[::1]:443"));
        assertFalse(io.weft.server.auth.AuthTestAccess.isLoopback("localhost"));
        assertFalse(io.weft.server.auth.AuthTestAccess.isLoopback("127.1"));
        assertFalse(io.weft.server.auth.AuthTestAccess.isLoopback("10.0.0.1"));
        assertFalse(io.weft.server.auth.AuthTestAccess.isLoopback("[::2]:1"));
        assertFalse(io.weft.server.auth.AuthTestAccess.isLoopback(""));
        assertFalse(io.weft.server.auth.AuthTestAccess.isLoopback(null));
        assertFalse(io.weft.server.auth.AuthTestAccess.isLoopback("evil.example"));
    }
}
