package io.weft.logstore;

import static org.junit.jupiter.api.Assertions.*;

import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.format.Multiaddr;
import io.weft.api.log.AddrBook;
import io.weft.api.store.Datastore;
import io.weft.api.store.Entry;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import io.weft.core.crypto.Ed25519;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Address TTLs, with an injected clock: no sleeping. */
class AddrBookTest extends EngineFixture {
    static final Multiaddr A1 = Multiaddr.parse("/ip4/127.0.0.1/tcp/4006");
    static final Multiaddr A2 = Multiaddr.parse("/ip4/10.1.2.3/tcp/4006");
    static final Multiaddr A3 = Multiaddr.parse("/dns4/example.com/tcp/443");

    MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    Datastore ds;
    DatastoreLogstore ls;
    AddrBook ab;
    ThreadId t = ThreadId.newRandom();
    LogId l = LogId.of(Ed25519.generate().publicKey());

    void setUp(String engine) {
        ds = open(engine);
        ls = new DatastoreLogstore(ds, clock);
        ab = ls.addrBook();
        ls.keyBook().addThreadKey(t, ThreadKey.generate(true));
    }

    /** Number of raw entries in the address area and the expiry index. */
    long addrEntries() {
        byte[] area = LogstoreKeys.addrsPrefix(t);
        byte[] idx = LogstoreKeys.expiryRoot();
        return snapshot(ds).stream().map(Entry::key)
                .filter(k -> LogstoreKeys.startsWith(k, area) || LogstoreKeys.startsWith(k, idx)).count();
    }

    static List<Multiaddr> sorted(Multiaddr... as) {
        List<Multiaddr> l = new java.util.ArrayList<>(List.of(as));
        l.sort((x, y) -> java.util.Arrays.compareUnsigned(x.bytes(), y.bytes()));
        return l;
    }

    @OnEachEngine
    void addressesExpire(String engine) {
        setUp(engine);
        ab.addAddrs(t, l, List.of(A1, A2), Duration.ofSeconds(10));
        ab.addAddr(t, l, A3, AddrBook.PERMANENT);
        assertEquals(sorted(A1, A2, A3), ab.addrs(t, l));
        assertEquals(List.of(l), ab.logsWithAddrs(t));

        clock.advance(Duration.ofSeconds(9));
        assertEquals(sorted(A1, A2, A3), ab.addrs(t, l));
        clock.advance(Duration.ofSeconds(1)); // exactly at the expiry time: gone
        assertEquals(List.of(A3), ab.addrs(t, l));

        // permanent survives a century
        clock.advance(Duration.ofDays(36500));
        assertEquals(List.of(A3), ab.addrs(t, l));

        // expired entries are still stored until purged: 3 addresses + 2 index entries
        assertEquals(5, addrEntries());
        assertEquals(2, ab.purgeExpired());
        assertEquals(1, addrEntries());
        assertEquals(0, ab.purgeExpired());
        assertEquals(List.of(A3), ab.addrs(t, l));
    }

    @OnEachEngine
    void expiredAddressesAreHiddenEverywhere(String engine) {
        setUp(engine);
        ls.keyBook().addPubKey(t, l.publicKey());
        ab.addAddr(t, l, A1, Duration.ofMinutes(1));
        assertEquals(List.of(A1), ls.logInfo(t, l).addrs());
        clock.advance(Duration.ofMinutes(2));
        assertEquals(List.of(), ls.logInfo(t, l).addrs());
        assertEquals(List.of(), ls.threadInfo(t).logs().get(0).addrs());
        assertEquals(List.of(), ab.logsWithAddrs(t));
        assertEquals(List.of(), ab.addrs(t, l));
    }

    @OnEachEngine
    void addExtendsButNeverShortens(String engine) {
        setUp(engine);
        ab.addAddr(t, l, A1, Duration.ofSeconds(10));
        ab.addAddr(t, l, A1, Duration.ofSeconds(5)); // earlier expiry: ignored
        clock.advance(Duration.ofSeconds(7));
        assertEquals(List.of(A1), ab.addrs(t, l));
        ab.addAddr(t, l, A1, Duration.ofSeconds(20)); // later expiry: extended to t0+27
        clock.advance(Duration.ofSeconds(19));
        assertEquals(List.of(A1), ab.addrs(t, l));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(List.of(), ab.addrs(t, l));
        // after expiry, add re-adds
        ab.addAddr(t, l, A1, Duration.ofSeconds(1));
        assertEquals(List.of(A1), ab.addrs(t, l));
        // zero and negative TTLs add nothing
        ab.addAddr(t, l, A2, Duration.ZERO);
        ab.addAddr(t, l, A2, Duration.ofSeconds(-5));
        assertEquals(List.of(A1), ab.addrs(t, l));
        // a permanent address stays permanent when re-added with a TTL
        ab.addAddr(t, l, A3, AddrBook.PERMANENT);
        ab.addAddr(t, l, A3, Duration.ofSeconds(1));
        clock.advance(Duration.ofDays(1000));
        assertEquals(List.of(A3), ab.addrs(t, l));
    }

    @OnEachEngine
    void setShortensExtendsAndRemoves(String engine) {
        setUp(engine);
        ab.addAddr(t, l, A1, AddrBook.PERMANENT);
        ab.setAddr(t, l, A1, Duration.ofSeconds(5)); // permanent → 5 s
        ab.addAddr(t, l, A2, Duration.ofSeconds(5));
        ab.setAddr(t, l, A2, Duration.ofSeconds(50));
        clock.advance(Duration.ofSeconds(6));
        assertEquals(List.of(A2), ab.addrs(t, l));
        ab.setAddr(t, l, A2, Duration.ZERO); // removes
        assertEquals(List.of(), ab.addrs(t, l));
        // the write above lazily purged A1 too: nothing is left, not even index entries
        assertEquals(0, addrEntries());
    }

    @OnEachEngine
    void writesPurgeTheLogsExpiredAddressesLazily(String engine) {
        setUp(engine);
        ab.addAddrs(t, l, List.of(A1, A2), Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(2));
        assertEquals(4, addrEntries());
        ab.addAddr(t, l, A3, Duration.ofHours(1));
        assertEquals(2, addrEntries()); // A3 and its index entry
        assertEquals(List.of(A3), ab.addrs(t, l));
    }

    @OnEachEngine
    void clearAndPurgeAcrossThreads(String engine) {
        setUp(engine);
        ThreadId t2 = ThreadId.newRandom();
        ls.keyBook().addThreadKey(t2, ThreadKey.generate(false));
        LogId l2 = LogId.of(Ed25519.generate().publicKey());
        ab.addAddrs(t, l, List.of(A1, A2), Duration.ofSeconds(1));
        ab.addAddrs(t2, l2, List.of(A1), Duration.ofSeconds(1));
        ab.addAddrs(t2, l, List.of(A3), Duration.ofSeconds(100));
        ab.clearAddrs(t, l);
        assertEquals(List.of(), ab.addrs(t, l));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(1, ab.purgeExpired());
        assertEquals(List.of(), ab.addrs(t2, l2));
        assertEquals(List.of(A3), ab.addrs(t2, l));
    }

    @OnEachEngine
    void purgeInManyBatches(String engine) {
        setUp(engine);
        int n = 10_050; // more than one purge batch
        List<Multiaddr> many = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            many.add(Multiaddr.parse("/ip4/10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255) + "/tcp/1"));
        }
        ab.addAddrs(t, l, many, Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(n, ab.purgeExpired());
        assertEquals(0, addrEntries());
    }

    @OnEachEngine
    void requiresAThreadAndValidArguments(String engine) {
        setUp(engine);
        ThreadId unknown = ThreadId.newRandom();
        assertThrows(NotFoundException.class, () -> ab.addAddr(unknown, l, A1, AddrBook.PERMANENT));
        assertThrows(NotFoundException.class, () -> ab.setAddr(unknown, l, A1, AddrBook.PERMANENT));
        assertEquals(List.of(), ab.addrs(unknown, l));
        assertThrows(InvalidInputException.class, () -> ab.addAddr(t, l, A1, null));
        assertThrows(InvalidInputException.class, () -> ab.addAddr(t, l, Multiaddr.empty(), AddrBook.PERMANENT));
        assertThrows(InvalidInputException.class, () -> ab.addAddrs(t, l, null, AddrBook.PERMANENT));
    }

    @org.junit.jupiter.api.Test
    void expiryArithmetic() {
        long now = 1_000;
        assertEquals(Long.MAX_VALUE, DatastoreLogstore.expiryOf(AddrBook.PERMANENT, now));
        assertEquals(Long.MAX_VALUE, DatastoreLogstore.expiryOf(Duration.ofMillis(Long.MAX_VALUE - 10), now));
        assertEquals(Long.MAX_VALUE, DatastoreLogstore.expiryOf(Duration.ofSeconds(Long.MAX_VALUE / 1000 + 1), now));
        assertEquals(now + 5_000, DatastoreLogstore.expiryOf(Duration.ofSeconds(5), now));
        assertEquals(now + 1, DatastoreLogstore.expiryOf(Duration.ofNanos(1), now));
    }
}
