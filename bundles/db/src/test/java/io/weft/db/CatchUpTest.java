package io.weft.db;

import static org.junit.jupiter.api.Assertions.*;

import io.weft.api.StorageException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.db.Change;
import io.weft.api.db.Database;
import io.weft.api.db.Query;
import io.weft.api.format.Cid;
import io.weft.api.log.Head;
import io.weft.api.log.LogInfo;
import io.weft.api.log.LogService;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.store.Datastore;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.core.cbor.CborValue;
import io.weft.core.cbor.DagCbor;
import io.weft.core.crypto.Ed25519;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Records appended to the log service without the database (as the network layer appends them) are applied by
 * catch-up from a durable per-log cursor: they converge, are applied exactly once across restarts and kills, and
 * fire listeners.
 */
class CatchUpTest extends DbFixture {

    /**
     * Copies up to {@code max} records of every log of {@code from}'s thread that {@code to} lacks, straight into
     * {@code to}'s log service (no database call), a page at a time.
     *
     * @return how many records were copied
     */
    static int copy(LogService from, LogService to, ThreadId id, int max) {
        int copied = 0;
        for (LogId log : from.logstore().logs(id)) {
            LogInfo info = from.logstore().logInfo(id, log);
            if (!to.logstore().logs(id).contains(log)) {
                to.logstore().addLog(id, info.pubKey(), List.of(), Duration.ofHours(1));
            }
            Head have = to.logstore().headBook().head(id, log);
            Cid after = have.isEmpty() ? null : have.cid();
            while (copied < max) {
                List<RecordEnvelope> page = from.records(id, log, after, Math.min(500, max - copied));
                if (page.isEmpty()) {
                    break;
                }
                to.addRecords(id, log, page);
                copied += page.size();
                after = page.get(page.size() - 1).id();
            }
        }
        return copied;
    }

    static int copy(LogService from, LogService to, ThreadId id) {
        return copy(from, to, id, Integer.MAX_VALUE);
    }

    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting: " + what);
            Thread.onSpinWait();
        }
    }

    /** Creates {@code n} persons, {@code perTxn} per transaction, then updates every 7th and deletes every 11th. */
    static void write(Database db, int n, int perTxn) {
        for (int i = 0; i < n; i += perTxn) {
            int from = i;
            db.update(t -> {
                for (int k = from; k < Math.min(n, from + perTxn); k++) {
                    t.create("Person", json("{\"_id\":\"p" + k + "\",\"name\":\"n" + k + "\",\"age\":" + (k % 90)
                            + ",\"email\":\"e" + k + "@x\"}"));
                }
            });
        }
        for (int k = 0; k < n; k += 7) {
            db.collection("Person").save(json("{\"_id\":\"p" + k + "\",\"name\":\"m" + k + "\",\"age\":" + (k % 50) + "}"));
        }
        for (int k = 0; k < n; k += 11) {
            db.collection("Person").delete("p" + k);
        }
    }

    /** The change log as (collection, id, type), which must not depend on how the records arrived. */
    static List<String> changeList(Database db) {
        List<String> out = new ArrayList<>();
        long after = 0;
        while (true) {
            List<Change> page = db.changes(after, 1000, List.of());
            if (page.isEmpty()) {
                return out;
            }
            for (Change c : page) {
                out.add(c.collection() + "/" + c.instanceId() + " " + c.type());
                after = c.sequence();
            }
        }
    }

    static boolean converged(Database a, Database b) {
        return a.listCollections().equals(b.listCollections())
                && (a.listCollections().isEmpty() || RemoteRecordTest.dump(a, "Person").equals(RemoteRecordTest.dump(b, "Person")));
    }

    static LogCursor cursor(Datastore store, ThreadId id, LogId log) {
        return store.read(txn -> LogCursor.read(txn, id, log));
    }

    static LogId ownLog(Peer p, ThreadId id) {
        return p.logs().ownLog(id, p.identity().publicKey()).orElseThrow().id();
    }

    @OnEachEngine
    void recordsAppendedWithoutTheDatabaseConverge(String engine) {
        Peer a = peer(engine);
        Peer b = peer(engine);
        Database da = a.manager().createDatabase("net", List.of(persons()));
        ThreadId id = da.id();
        Database db = b.manager().joinDatabase(id, da.info().key(), "net");
        AtomicInteger heard = new AtomicInteger();
        db.listen(0, List.of(), c -> heard.incrementAndGet());

        write(da, 600, 3);
        int copied = copy(a.logs(), b.logs(), id);
        assertTrue(copied > 200, "records: " + copied);
        await(() -> converged(da, db), "b applies what the log service appended");
        assertEquals(RemoteRecordTest.snapshotOf(a, id), RemoteRecordTest.snapshotOf(b, id),
                "same state, indexes and history");
        assertEquals(TransactionTest.ids(da.collection("Person").find(Query.where("age").eq(14))),
                TransactionTest.ids(db.collection("Person").find(Query.where("age").eq(14))));
        assertEquals(changeList(da), changeList(db));
        await(() -> heard.get() == changeList(da).size(), "listeners hear caught-up changes");
        assertEquals(0, b.manager().catchUp(id), "nothing left");
        assertEquals(0, ((Db) db).keptVerifiedRecords(), "the records verified on append were used and forgotten");
        LogId log = ownLog(a, id);
        assertEquals(b.logs().logstore().headBook().head(id, log).counter(), cursor(b.store(), id, log).counter());

        // b writes on top; a gets it through its log service alone and converges too
        db.collection("Person").create(json("{\"_id\":\"b1\",\"name\":\"from b\"}"));
        copy(b.logs(), a.logs(), id);
        await(() -> converged(da, db), "a applies b's record");
        assertEquals(RemoteRecordTest.snapshotOf(a, id), RemoteRecordTest.snapshotOf(b, id));
    }

    @Test
    void aLongLogIsCaughtUpInBatches() {
        Peer a = peer("memory");
        Peer b = peer(open("memory"), Ed25519.generate(), o -> o.catchUpBatch(64, 1 << 20));
        Database da = a.manager().createDatabase("long", List.of(persons()));
        ThreadId id = da.id();
        write(da, 1000, 1);
        Database db = b.manager().joinDatabase(id, da.info().key(), "long");
        b.manager().close(); // no background catch-up: the synchronous call below does all the work
        Peer b2 = peer(b.store(), b.identity(), o -> o.catchUpBatch(64, 1 << 20));
        copy(a.logs(), b2.logs(), id);
        long records = a.logs().logstore().headBook().head(id, ownLog(a, id)).counter();
        b2.manager().catchUp(id);
        Database db2 = b2.manager().database(id);
        assertTrue(converged(da, db2));
        assertEquals(changeList(da), changeList(db2));
        assertEquals(records, cursor(b2.store(), id, ownLog(a, id)).counter());
        assertNotNull(db);
    }

    @Test
    void aBodyTheCodecRejectsIsSkippedAndTheCursorMovesOn() {
        Peer a = peer("memory");
        Peer b = peer("memory");
        Database da = a.manager().createDatabase("odd", List.of(anyObject("Doc")));
        ThreadId id = da.id();
        a.logs().createRecord(id, a.identity(), DagCbor.encode(CborValue.map("hello", CborValue.text("world"))));
        da.collection("Doc").create(json("{\"_id\":\"after\"}"));
        LogId log = ownLog(a, id);
        assertEquals(3, a.logs().logstore().headBook().head(id, log).counter());
        // a's own commit found its log ahead of the cursor (the odd record), applied it, then committed on top
        assertEquals(3, cursor(a.store(), id, log).counter());

        Database db = b.manager().joinDatabase(id, da.info().key(), "odd");
        copy(a.logs(), b.logs(), id);
        b.manager().catchUp(id);
        assertEquals(List.of("after"), TransactionTest.ids(db.collection("Doc").findAll()));
        assertEquals(3, cursor(b.store(), id, log).counter(), "the cursor moved past the rejected record");
    }

    @Test
    void recordsAppendedWhileClosedAreAppliedExactlyOnceOnReopen() {
        Path dir = tmp.resolve("b-restart");
        Peer a = peer("xodus");
        Database da = a.manager().createDatabase("restart", List.of(persons()));
        ThreadId id = da.id();
        write(da, 200, 2);
        PrivateKey identity = Ed25519.generate();
        Datastore store = open("xodus", dir);
        Peer b = peer(store, identity, o -> o);
        Database db = b.manager().joinDatabase(id, da.info().key(), "restart");
        copy(a.logs(), b.logs(), id, 40);
        b.manager().catchUp(id);
        long seqBefore = db.lastSequence();
        assertTrue(seqBefore > 0);

        // the manager goes away; the network keeps appending to the log service
        b.manager().close();
        copy(a.logs(), b.logs(), id, 60);
        store.close();

        // restart: a new store handle, log service and manager catch up on their own
        Datastore reopened = open("xodus", dir);
        Peer b2 = peer(reopened, identity, o -> o);
        copy(a.logs(), b2.logs(), id); // and the rest arrives after the start
        Database db2 = b2.manager().database(id);
        await(() -> converged(da, db2), "the reopened database applies everything");
        b2.manager().catchUp(id);
        assertEquals(changeList(da), changeList(db2), "every change exactly once, in log order");
        Map<String, Integer> creates = new HashMap<>();
        for (Change c : db2.changes(0, 100_000, List.of())) {
            if (c.type() == io.weft.api.db.ChangeType.CREATE && c.collection().equals("Person")) {
                creates.merge(c.instanceId(), 1, Integer::sum);
            }
        }
        assertEquals(200, creates.size());
        assertTrue(creates.values().stream().allMatch(n -> n == 1), "no instance created twice");
        assertEquals(RemoteRecordTest.snapshotOf(a, id), RemoteRecordTest.snapshotOf(b2, id));
    }

    @OnEachEngine
    void aKillBetweenBatchesLosesNothingAndRepeatsNothing(String engine) {
        Peer a = peer("memory");
        Database da = a.manager().createDatabase("kill", List.of(persons()));
        ThreadId id = da.id();
        write(da, 300, 1);
        LogId log = ownLog(a, id);
        long records = a.logs().logstore().headBook().head(id, log).counter();
        boolean partial = false;
        for (long at : new long[] {1, 40, 300, 700}) {
            Path dir = tmp.resolve("kill-" + engine + "-" + at);
            Datastore raw = open(engine, dir);
            FailingDatastore ds = new FailingDatastore(raw);
            ds.sticky = true;
            PrivateKey identity = Ed25519.generate();
            Peer b = peer(ds, identity, o -> o.catchUpBatch(16, 1 << 20));
            b.manager().joinDatabase(id, da.info().key(), "kill");
            b.manager().catchUp(id);
            b.manager().close();
            copy(a.logs(), b.logs(), id);

            // a manager starts catching up and the process is killed at write `at`
            ds.arm(at);
            Peer killed = peer(ds, identity, o -> o.catchUpBatch(16, 1 << 20));
            assertThrows(StorageException.class, () -> killed.manager().catchUp(id));
            assertTrue(ds.crashed);
            killed.manager().close();
            long reached = cursor(raw, id, log).counter();
            assertTrue(reached < records, "killed before the end (at write " + at + ")");
            partial |= reached > 0;

            Datastore reopened = raw;
            if (engine.equals("xodus")) {
                raw.close();
                reopened = open(engine, dir);
            }
            Peer again = peer(reopened, identity, o -> o.catchUpBatch(16, 1 << 20));
            again.manager().catchUp(id);
            Database db = again.manager().database(id);
            assertEquals(records, cursor(reopened, id, log).counter());
            assertTrue(converged(da, db), "no loss after a kill at write " + at);
            assertEquals(changeList(da), changeList(db), "no repeats after a kill at write " + at);
            assertEquals(db.lastSequence(), changeList(db).size());
            assertEquals(RemoteRecordTest.snapshotOf(a, id), RemoteRecordTest.snapshotOf(again, id));
            again.manager().close();
        }
        assertTrue(partial, "some kill came after a committed batch");
    }

    @Test
    void aLocalCommitAppliesUndispatchedRecordsOfItsOwnLogFirst() {
        Peer a = peer("memory");
        Database da = a.manager().createDatabase("own", List.of(anyObject("Doc")));
        ThreadId id = da.id();
        da.collection("Doc").create(json("{\"_id\":\"x\",\"n\":1}"));
        // a record of this peer's own log appended without the database, with a valid body (made by a's codec)
        Peer other = peer("memory");
        Database dOther = other.manager().createDatabase("scratch", List.of(anyObject("Doc")));
        dOther.collection("Doc").create(json("{\"_id\":\"y\",\"n\":2}"));
        List<RecordEnvelope> recs = other.logs().records(dOther.id(), ownLog(other, dOther.id()), null, 10);
        byte[] body = other.logs().openRecord(dOther.id(), recs.get(1).id()).body();
        a.manager().close();
        Peer a2 = peer(a.store(), a.identity(), o -> o);
        a2.logs().createRecord(id, a.identity(), body);
        // whichever comes first (the background catch-up or this commit), y is applied once, before z
        Database d2 = a2.manager().database(id);
        d2.collection("Doc").create(json("{\"_id\":\"z\",\"n\":3}"));
        assertEquals(List.of("x", "y", "z"), TransactionTest.ids(d2.collection("Doc").findAll()));
        assertEquals(List.of("Doc/x CREATE", "Doc/y CREATE", "Doc/z CREATE"),
                changeList(d2).stream().filter(s -> s.startsWith("Doc/")).toList());
        LogId log = ownLog(a2, id);
        assertEquals(a2.logs().logstore().headBook().head(id, log).counter(), cursor(a2.store(), id, log).counter());
    }

    @Test
    void aDatabaseFromBeforeCursorsStartsAtTheHeads() {
        Peer a = peer("memory");
        Database da = a.manager().createDatabase("old", List.of(persons()));
        ThreadId id = da.id();
        write(da, 30, 1);
        List<String> before = changeList(da);
        a.manager().close();
        // what a store written before cursors looks like: no cursors, no marker
        a.store().update(txn -> {
            txn.deleteRange(io.weft.api.store.KeyRange.prefix(DbKeys.cursorPrefix(id)));
            txn.delete(DbKeys.meta(id, Db.META_CURSORS));
        });
        Peer again = peer(a.store(), a.identity(), o -> o);
        assertEquals(0, again.manager().catchUp(id), "the records were applied when they were appended");
        Database d = again.manager().database(id);
        assertEquals(before, changeList(d));
        LogId log = ownLog(again, id);
        assertEquals(again.logs().logstore().headBook().head(id, log).counter(), cursor(again.store(), id, log).counter());
        d.collection("Person").create(json("{\"_id\":\"new\",\"name\":\"N\"}"));
        assertEquals(before.size() + 1, changeList(d).size());
    }
}
