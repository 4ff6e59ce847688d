package io.weft.logstore;

import static org.junit.jupiter.api.Assertions.*;

import io.weft.api.ConflictException;
import io.weft.api.InvalidInputException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.log.AppendResult;
import io.weft.api.log.Head;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.store.Datastore;
import io.weft.api.store.Entry;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import io.weft.core.crypto.Ed25519;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The same-transaction hooks of {@code createRecord} and {@code addRecord}: what the hook writes commits with the
 * record; a hook that throws leaves no record, no head move and none of its writes.
 */
class AppendHookTest extends EngineFixture {
    static final byte[] K1 = "zz-hook-1".getBytes(StandardCharsets.UTF_8);
    static final byte[] K2 = "zz-hook-2".getBytes(StandardCharsets.UTF_8);

    @OnEachEngine
    void createRecordHookWritesCommitWithTheRecord(String engine) {
        Datastore ds = open(engine);
        LocalLogService svc = new LocalLogService(ds);
        ThreadId t = ThreadId.newRandom();
        svc.createThread(t, null);
        PrivateKey me = Ed25519.generate();
        AtomicReference<AppendResult> seen = new AtomicReference<>();
        AppendResult r = svc.createRecord(t, me, body("1"), (txn, appended) -> {
            // the record and the new head are already visible inside the transaction
            assertEquals(appended.head(), DatastoreLogstore.head(txn, t, appended.log()));
            txn.put(K1, appended.record().id().bytes());
            seen.set(appended);
        });
        assertSame(r, seen.get());
        assertEquals(1, r.counter());
        assertArrayEquals(r.record().id().bytes(), ds.read(txn -> txn.get(K1)));
    }

    @OnEachEngine
    void createRecordHookThrowingStoresNothing(String engine) {
        Datastore ds = open(engine);
        LocalLogService svc = new LocalLogService(ds);
        ThreadId t = ThreadId.newRandom();
        svc.createThread(t, null);
        PrivateKey me = Ed25519.generate();
        svc.createRecord(t, me, body("1"));
        LogId log = svc.ownLog(t, me.publicKey()).orElseThrow().id();
        Head head = svc.logstore().headBook().head(t, log);
        List<Entry> before = snapshot(ds);

        ConflictException thrown = assertThrows(ConflictException.class, () -> svc.createRecord(t, me, body("2"), (txn, a) -> {
            txn.put(K1, new byte[] {1});
            throw new ConflictException("hook says no");
        }));
        assertEquals("hook says no", thrown.getMessage());
        assertEquals(before, snapshot(ds), "no record, no head move, none of the hook's writes");
        assertEquals(head, svc.logstore().headBook().head(t, log));
        assertEquals(1, svc.records(t, log, null, 10).size());

        // the log continues normally
        AppendResult r = svc.createRecord(t, me, body("2"), (txn, a) -> txn.put(K2, new byte[] {2}));
        assertEquals(2, r.counter());
        assertNull(ds.read(txn -> txn.get(K1)));
        assertArrayEquals(new byte[] {2}, ds.read(txn -> txn.get(K2)));
    }

    @OnEachEngine
    void createRecordHookRunsOnceEvenWhenTheHeadMoves(String engine) {
        Datastore ds = open(engine);
        LocalLogService svc = new LocalLogService(ds);
        LocalLogService other = new LocalLogService(ds); // a second service over the same store: no shared lock
        ThreadId t = ThreadId.newRandom();
        svc.createThread(t, null);
        PrivateKey me = Ed25519.generate();
        svc.createRecord(t, me, body("0"));
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger sneaked = new AtomicInteger();
        // two services over one store do not share their append locks, so their appends race on the head and the
        // losers rebuild their records; each appended record must still run its hook exactly once
        Thread[] ts = new Thread[4];
        for (int i = 0; i < ts.length; i++) {
            LocalLogService s = i % 2 == 0 ? svc : other;
            ts[i] = new Thread(() -> {
                for (int j = 0; j < 10; j++) {
                    s.createRecord(t, me, body("x" + j), (txn, a) -> calls.incrementAndGet());
                    sneaked.incrementAndGet();
                }
            });
            ts[i].start();
        }
        for (Thread th : ts) {
            try {
                th.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        assertEquals(40, sneaked.get());
        assertEquals(40, calls.get(), "one hook call per appended record");
        LogId log = svc.ownLog(t, me.publicKey()).orElseThrow().id();
        assertEquals(41, svc.logstore().headBook().head(t, log).counter());
    }

    @OnEachEngine
    void addRecordHookCommitsWithTheRecordAndNotOnRepeats(String engine) {
        LocalLogService writer = new LocalLogService(open(engine));
        Datastore ds = open(engine);
        LocalLogService receiver = new LocalLogService(ds);
        ThreadId t = ThreadId.newRandom();
        ThreadKey key = writer.createThread(t, null).key();
        receiver.addThread(t, key);
        PrivateKey me = Ed25519.generate();
        RecordEnvelope e1 = writer.createRecord(t, me, body("1")).record().envelope();
        LogId log = writer.ownLog(t, me.publicKey()).orElseThrow().id();
        receiver.logstore().keyBook().addPubKey(t, log.publicKey());

        AtomicInteger calls = new AtomicInteger();
        AppendResult r = receiver.addRecord(t, log, e1, (txn, a) -> {
            calls.incrementAndGet();
            assertEquals(e1.id(), a.record().id());
            txn.put(K1, new byte[] {1});
        });
        assertTrue(r.added());
        assertEquals(1, calls.get());
        assertArrayEquals(new byte[] {1}, ds.read(txn -> txn.get(K1)));

        AppendResult again = receiver.addRecord(t, log, e1, (txn, a) -> calls.incrementAndGet());
        assertFalse(again.added());
        assertEquals(1, calls.get(), "an idempotent repeat does not run the hook");
    }

    @OnEachEngine
    void addRecordHookThrowingStoresNothing(String engine) {
        LocalLogService writer = new LocalLogService(open(engine));
        Datastore ds = open(engine);
        LocalLogService receiver = new LocalLogService(ds);
        ThreadId t = ThreadId.newRandom();
        ThreadKey key = writer.createThread(t, null).key();
        receiver.addThread(t, key);
        PrivateKey me = Ed25519.generate();
        RecordEnvelope e1 = writer.createRecord(t, me, body("1")).record().envelope();
        LogId log = writer.ownLog(t, me.publicKey()).orElseThrow().id();
        receiver.logstore().keyBook().addPubKey(t, log.publicKey());
        List<Entry> before = snapshot(ds);

        assertThrows(InvalidInputException.class, () -> receiver.addRecord(t, log, e1, (txn, a) -> {
            txn.put(K1, new byte[] {1});
            throw new InvalidInputException("bad body");
        }));
        assertEquals(before, snapshot(ds));
        assertEquals(Head.EMPTY, receiver.logstore().headBook().head(t, log));

        assertTrue(receiver.addRecord(t, log, e1).added(), "the record can still be added afterwards");
    }

    @OnEachEngine
    void hooksAreRequired(String engine) {
        LocalLogService svc = new LocalLogService(open(engine));
        ThreadId t = ThreadId.newRandom();
        svc.createThread(t, null);
        assertThrows(InvalidInputException.class, () -> svc.createRecord(t, Ed25519.generate(), body("1"), null));
    }
}
