package io.weft.logstore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.weft.api.format.Multiaddr;
import io.weft.api.log.AddrBook;
import io.weft.api.store.Datastore;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import io.weft.core.crypto.Ed25519;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple3;

/** The address book agrees with a simple model under random adds, sets, clears, purges and clock moves. */
class AddrBookPropertiesTest {
    static final List<Multiaddr> ADDRS = List.of(
            Multiaddr.parse("/ip4/127.0.0.1/tcp/1"), Multiaddr.parse("/ip4/127.0.0.1/tcp/2"),
            Multiaddr.parse("/ip6/::1/tcp/3"), Multiaddr.parse("/dns4/a.example/tcp/4"));
    static final List<Duration> TTLS = List.of(Duration.ZERO, Duration.ofSeconds(-1), Duration.ofSeconds(1),
            Duration.ofSeconds(5), Duration.ofSeconds(30), AddrBook.PERMANENT);

    /** op: 0 add, 1 set, 2 clear, 3 purge, 4 advance clock; then an address index and a TTL index / seconds. */
    @Provide
    Arbitrary<List<Tuple3<Integer, Integer, Integer>>> ops() {
        return Arbitraries.integers().between(0, 4)
                .flatMap(op -> Arbitraries.integers().between(0, ADDRS.size() - 1)
                        .flatMap(a -> Arbitraries.integers().between(0, TTLS.size() - 1).map(x -> Tuple.of(op, a, x))))
                .list().ofMaxSize(40);
    }

    @Property(tries = 200)
    void matchesModel(@ForAll("ops") List<Tuple3<Integer, Integer, Integer>> ops) {
        MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        try (Datastore ds = EngineFixture.provider("memory").open(null, Map.of())) {
            DatastoreLogstore ls = new DatastoreLogstore(ds, clock);
            AddrBook ab = ls.addrBook();
            ThreadId t = ThreadId.newRandom();
            LogId l = LogId.of(Ed25519.generate().publicKey());
            ls.keyBook().addThreadKey(t, ThreadKey.generate(true));
            Map<Multiaddr, Long> model = new HashMap<>(); // address → expiry millis
            for (Tuple3<Integer, Integer, Integer> op : ops) {
                long now = clock.millis();
                Multiaddr a = ADDRS.get(op.get2());
                Duration ttl = TTLS.get(op.get3());
                long exp = DatastoreLogstore.expiryOf(ttl, now);
                boolean positive = !ttl.isZero() && !ttl.isNegative();
                switch (op.get1()) {
                    case 0 -> {
                        ab.addAddr(t, l, a, ttl);
                        if (positive) {
                            Long old = model.get(a);
                            if (old == null || old <= now || old < exp) {
                                model.put(a, exp);
                            }
                        }
                    }
                    case 1 -> {
                        ab.setAddr(t, l, a, ttl);
                        if (positive) {
                            model.put(a, exp);
                        } else {
                            model.remove(a);
                        }
                    }
                    case 2 -> {
                        ab.clearAddrs(t, l);
                        model.clear();
                    }
                    case 3 -> ab.purgeExpired();
                    default -> clock.advance(Duration.ofSeconds(op.get3() * 3L));
                }
                long at = clock.millis();
                List<Multiaddr> expected = new ArrayList<>();
                model.forEach((addr, e) -> {
                    if (e > at) {
                        expected.add(addr);
                    }
                });
                expected.sort((x, y) -> java.util.Arrays.compareUnsigned(x.bytes(), y.bytes()));
                assertEquals(expected, ab.addrs(t, l));
            }
            // after a purge, nothing expired remains stored
            ab.purgeExpired();
            long at = clock.millis();
            long live = model.values().stream().filter(e -> e > at).count();
            long stored = EngineFixture.snapshot(ds).stream()
                    .filter(e -> LogstoreKeys.startsWith(e.key(), LogstoreKeys.addrsPrefix(t))).count();
            assertEquals(live, stored);
        }
    }
}
