package io.weft.logstore;

import static org.junit.jupiter.api.Assertions.*;

import io.weft.api.NotFoundException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.format.Multiaddr;
import io.weft.api.log.AddrBook;
import io.weft.api.log.AppendResult;
import io.weft.api.log.Head;
import io.weft.api.store.Datastore;
import io.weft.api.store.Entry;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.core.crypto.Ed25519;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Deleting a thread or a log removes all of it and nothing else. */
class DeleteTest extends EngineFixture {
    final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));

    /** Fills a thread with every kind of data: keys, two logs with records, addresses (timed and permanent), metadata. */
    static void populate(LocalLogService svc, ThreadId t) {
        svc.createThread(t, null);
        PrivateKey alice = Ed25519.generate();
        PrivateKey bob = Ed25519.generate();
        for (int i = 0; i < 5; i++) {
            svc.createRecord(t, alice, body("a" + i));
            svc.createRecord(t, bob, body("b" + i));
        }
        LogId remote = svc.logstore().addLog(t, Ed25519.generate().publicKey(),
                List.of(Multiaddr.parse("/ip4/1.2.3.4/tcp/1")), Duration.ofHours(1)).id();
        svc.logstore().addrBook().addAddr(t, remote, Multiaddr.parse("/ip4/1.2.3.5/tcp/1"), AddrBook.PERMANENT);
        svc.logstore().metadata().putString(t, "name", "thread " + t);
        svc.logstore().metadata().putBoolean(t, "flag", true);
    }

    @OnEachEngine
    void deleteThreadRemovesEverythingOfThatThreadOnly(String engine) {
        Datastore ds = open(engine);
        LocalLogService svc = new LocalLogService(ds, clock);
        ThreadId keep = ThreadId.newRandom();
        populate(svc, keep);
        List<Entry> onlyKeep = snapshot(ds);

        ThreadId gone = ThreadId.newRandom();
        populate(svc, gone);
        assertNotEquals(onlyKeep, snapshot(ds));
        assertTrue(svc.deleteThread(gone));
        assertEquals(onlyKeep, snapshot(ds), "exactly the other thread's entries remain, unchanged");
        assertFalse(svc.deleteThread(gone));

        assertFalse(svc.logstore().hasThread(gone));
        assertThrows(NotFoundException.class, () -> svc.getThread(gone));
        assertEquals(List.of(keep), svc.logstore().threads());
        // a purge after the delete finds no stale expiry entries of the deleted thread
        clock.advance(Duration.ofHours(2));
        assertEquals(1, svc.logstore().addrBook().purgeExpired()); // only keep's timed address
    }

    @OnEachEngine
    void aDeletedThreadCanBeRecreatedEmpty(String engine) {
        LocalLogService svc = new LocalLogService(open(engine), clock);
        ThreadId t = ThreadId.newRandom();
        populate(svc, t);
        svc.deleteThread(t);
        svc.createThread(t, null);
        assertEquals(List.of(), svc.getThread(t).logs());
        assertEquals(List.of(), svc.logstore().metadata().metadataKeys(t));
        PrivateKey alice = Ed25519.generate();
        assertEquals(1, svc.createRecord(t, alice, body("x")).counter());
    }

    @OnEachEngine
    void deleteLogRemovesItsKeysAddrsHeadRecordsAndMapping(String engine) {
        Datastore ds = open(engine);
        LocalLogService svc = new LocalLogService(ds, clock);
        ThreadId t = ThreadId.newRandom();
        svc.createThread(t, null);
        PrivateKey alice = Ed25519.generate();
        PrivateKey bob = Ed25519.generate();
        svc.createRecord(t, bob, body("b"));
        List<Entry> withBob = snapshot(ds);

        AppendResult a1 = svc.createRecord(t, alice, body("a1"));
        svc.createRecord(t, alice, body("a2"));
        LogId aliceLog = a1.log();
        svc.logstore().addrBook().addAddr(t, aliceLog, Multiaddr.parse("/ip4/1.2.3.4/tcp/1"), Duration.ofMinutes(5));

        assertTrue(svc.logstore().deleteLog(t, aliceLog));
        assertEquals(withBob, snapshot(ds));
        assertFalse(svc.logstore().deleteLog(t, aliceLog));
        assertEquals(Optional.empty(), svc.ownLog(t, alice.publicKey()));
        assertEquals(Head.EMPTY, svc.logstore().headBook().head(t, aliceLog));
        assertThrows(NotFoundException.class, () -> svc.getRecord(t, a1.record().id()));
        // the identity gets a fresh log on its next write
        AppendResult again = svc.createRecord(t, alice, body("a3"));
        assertNotEquals(aliceLog, again.log());
        assertEquals(1, again.counter());
    }
}
