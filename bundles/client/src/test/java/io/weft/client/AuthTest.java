package io.weft.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.api.UnauthorizedException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.db.CollectionConfig;
import io.weft.api.thread.HostIdentity;
import io.weft.api.thread.ThreadId;
import io.weft.core.crypto.Ed25519;
import io.weft.server.ServerConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The GetToken flow, the bearer header, writes as the client's identity, and token renewal. */
class AuthTest {
    TestPeer peer;
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    @AfterEach
    void stop() {
        if (peer != null) {
            peer.close();
        }
    }

    private TestPeer start(ServerConfig.HostIdentityPolicy policy) {
        peer = new TestPeer(ServerConfig.defaults().withAddress("127.0.0.1", 0).withHostIdentity(policy)
                .withTokenLifetime(Duration.ofMinutes(10)), clock);
        return peer;
    }

    private WeftClient client(PrivateKey identity, Clock clientClock) {
        return WeftClient.builder().address(peer.api()).identity(identity).clock(clientClock)
                .timeout(Duration.ofSeconds(20)).build();
    }

    @Test
    void writesAreMadeAsTheClientsIdentity() {
        start(ServerConfig.HostIdentityPolicy.LOOPBACK);
        PrivateKey me = Ed25519.generate();
        HostIdentity identity = () -> me;
        try (WeftClient host = peer.client();
                WeftClient client = WeftClient.builder().address(peer.api()).identity(identity).clock(clock).build()) {
            ThreadId db = host.newDB("owned", List.of(new CollectionConfig("Doc",
                    DatabaseApiTest.json("{\"type\":\"object\"}"), List.of(), "audit", null)));
            client.create(db, "Doc", DatabaseApiTest.json("{\"_id\":\"mine\"}"));
            host.create(db, "Doc", DatabaseApiTest.json("{\"_id\":\"hosts\"}"));
            assertTrue(peer.audited.contains(me.publicKey() + " CREATE mine"), peer.audited.toString());
            assertTrue(peer.audited.contains(peer.hostKey.publicKey() + " CREATE hosts"), peer.audited.toString());
            // only owners may write: the client is one, the host is not
            peer.owners.put(me.publicKey(), true);
            client.create(db, "Doc", DatabaseApiTest.json("{\"_id\":\"mine2\"}"));
            assertThrows(UnauthorizedException.class, () -> host.create(db, "Doc", DatabaseApiTest.json("{\"_id\":\"no\"}")));
            // the thread API with the same token
            assertEquals(peer.net.hostId(), client.threads().getHostId());
        }
    }

    @Test
    void withoutATokenTheHostPolicyDecides() {
        start(ServerConfig.HostIdentityPolicy.NEVER);
        try (WeftClient anonymous = peer.client(); WeftClient client = client(Ed25519.generate(), clock)) {
            UnauthorizedException e = assertThrows(UnauthorizedException.class, anonymous::listDBs);
            assertNotNull(e.getMessage());
            assertThrows(UnauthorizedException.class, () -> anonymous.threads().getHostId());
            client.newDB("ok");
            assertEquals(1, client.listDBs().size());
            assertEquals(peer.net.hostId(), client.threads().getHostId());
        }
    }

    @Test
    void anExpiredTokenIsRenewedBeforeUseOrAfterARejection() {
        start(ServerConfig.HostIdentityPolicy.NEVER);
        PrivateKey me = Ed25519.generate();
        try (WeftClient sameClock = client(me, clock);
                WeftClient frozen = client(me, Clock.fixed(clock.instant(), ZoneOffset.UTC))) {
            sameClock.listDBs();
            frozen.listDBs();
            clock.advance(Duration.ofMinutes(11));
            // knows the token expired (its exp claim) and fetches a new one first
            sameClock.listDBs();
            // believes its token is still good: the peer rejects it, the client renews once and retries
            frozen.listDBs();
            frozen.newDB("after-renewal");
        }
    }

    @Test
    void jwtExpiryIsRead() {
        String payload = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("{\"exp\":1767225600}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(Instant.ofEpochSecond(1767225600), TokenAuth.expiry("e30." + payload + ".sig"));
        assertEquals(null, TokenAuth.expiry("opaque-token"));
        assertEquals(null, TokenAuth.expiry("a.b!.c"));
    }

    /** A clock tests move by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
