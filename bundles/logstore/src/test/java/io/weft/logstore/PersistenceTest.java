package io.weft.logstore;

import static org.junit.jupiter.api.Assertions.*;

import io.weft.api.crypto.PrivateKey;
import io.weft.api.format.Multiaddr;
import io.weft.api.log.AddrBook;
import io.weft.api.log.ThreadInfo;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.store.Datastore;
import io.weft.api.store.Entry;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.core.crypto.Ed25519;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Everything the logstore writes survives closing and reopening a Xodus store. */
class PersistenceTest extends EngineFixture {

    @Test
    void stateSurvivesReopen() {
        Path dir = tmp.resolve("xodus");
        MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        ThreadId t = ThreadId.newRandom();
        PrivateKey me = Ed25519.generate();
        Multiaddr timed = Multiaddr.parse("/ip4/1.2.3.4/tcp/1");
        Multiaddr permanent = Multiaddr.parse("/ip4/1.2.3.5/tcp/1");

        Datastore ds = open("xodus", dir);
        LocalLogService svc = new LocalLogService(ds, clock);
        svc.createThread(t, null);
        for (int i = 0; i < 10; i++) {
            svc.createRecord(t, me, body("r" + i));
        }
        LogId log = svc.ownLog(t, me.publicKey()).orElseThrow().id();
        svc.logstore().addrBook().addAddr(t, log, timed, Duration.ofMinutes(10));
        svc.logstore().addrBook().addAddr(t, log, permanent, AddrBook.PERMANENT);
        svc.logstore().metadata().putString(t, "name", "persisted");
        ThreadInfo info = svc.getThread(t);
        List<RecordEnvelope> records = svc.records(t, log, null, 100);
        List<Entry> everything = snapshot(ds);
        ds.close();

        Datastore reopened = open("xodus", dir);
        assertEquals(everything, snapshot(reopened));
        LocalLogService again = new LocalLogService(reopened, clock);
        assertEquals(info, again.getThread(t));
        assertEquals(records, again.records(t, log, null, 100));
        assertEquals("persisted", again.logstore().metadata().getString(t, "name").orElseThrow());
        assertArrayEquals(body("r3"), again.openRecord(t, records.get(3).id()).body());
        // the same identity keeps writing the same log, continuing the chain
        assertEquals(11, again.createRecord(t, me, body("r10")).counter());
        assertEquals(log, again.ownLog(t, me.publicKey()).orElseThrow().id());
        // TTLs keep running against the clock across the restart
        clock.advance(Duration.ofMinutes(11));
        assertEquals(List.of(permanent), again.logstore().addrBook().addrs(t, log));
        assertEquals(1, again.logstore().addrBook().purgeExpired());
    }
}
