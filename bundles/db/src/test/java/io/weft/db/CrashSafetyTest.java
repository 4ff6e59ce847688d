package io.weft.db;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.StorageException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.db.Database;
import io.weft.api.db.Query;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.store.Datastore;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.core.crypto.Ed25519;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Kills the store in the middle of a commit (at every write position of a run of transactions, and at commit), then
 * reopens: the database must hold exactly the state of the transactions committed before the crash — a prefix — with
 * a log head, records, state, indexes and change log that agree, and it must go on working.
 */
class CrashSafetyTest extends DbFixture {
    static final int TXNS = 4;

    /** Transaction i: create p{i} (age i, email i), and update p{i-1}'s age, delete p{i-2}. */
    static void txn(Database db, int i) {
        db.update(t -> {
            t.create("Person", json("{\"_id\":\"p" + i + "\",\"name\":\"n" + i + "\",\"age\":" + i
                    + ",\"email\":\"e" + i + "@x\"}"));
            if (i >= 1) {
                t.save("Person", json("{\"_id\":\"p" + (i - 1) + "\",\"name\":\"n" + (i - 1) + "\",\"age\":" + (100 + i) + "}"));
            }
            if (i >= 2) {
                t.delete("Person", "p" + (i - 2));
            }
        });
    }

    /** The ages by id after transactions 0..n-1. */
    static Map<String, Integer> model(int n) {
        Map<String, Integer> m = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            m.put("p" + i, i);
            if (i >= 1) {
                m.put("p" + (i - 1), 100 + i);
            }
            if (i >= 2) {
                m.remove("p" + (i - 2));
            }
        }
        return m;
    }

    @OnEachEngine
    void aCrashAtAnyWriteLeavesAPrefix(String engine) {
        // first learn how many writes the run makes, then crash at each of them
        long total = run(engine, Long.MAX_VALUE, false).writes;
        assertTrue(total > 10, "the run makes writes: " + total);
        for (long at = 1; at <= total; at++) {
            Outcome o = run(engine, at, false);
            assertTrue(o.crashed, "write " + at + " was reached");
        }
        Outcome atCommit = run(engine, Long.MAX_VALUE, true);
        assertTrue(atCommit.crashed);
    }

    record Outcome(boolean crashed, long writes) {
    }

    private Outcome run(String engine, long failAt, boolean failCommit) {
        Path dir = tmp.resolve("crash-" + System.nanoTime());
        Datastore raw = open(engine, dir);
        FailingDatastore ds = new FailingDatastore(raw);
        PrivateKey identity = Ed25519.generate();
        Peer p = peer(ds, identity, b -> b);
        Database db = p.manager().createDatabase("crash", List.of(persons()));
        ThreadId id = db.id();
        ds.arm(failAt);
        ds.failCommit = failCommit;
        int committed = 0;
        for (int i = 0; i < TXNS; i++) {
            try {
                txn(db, i);
                committed++;
            } catch (StorageException e) {
                break; // the "process" dies here
            }
        }
        long writes = failAt == Long.MAX_VALUE && !failCommit ? ds.writes() : 0;
        boolean crashed = ds.crashed;
        // kill: drop the manager, close and reopen the store
        p.manager().close();
        Datastore reopened;
        if (engine.equals("xodus")) {
            raw.close();
            reopened = open(engine, dir);
        } else {
            reopened = raw;
        }
        Peer q = peer(reopened, identity, b -> b);
        Database again = q.manager().database(id);
        assertEquals(model(committed), ages(again), "state after crash at " + failAt + " = first " + committed + " txns");
        // the indexes agree with the state
        for (Map.Entry<String, Integer> e : model(committed).entrySet()) {
            assertEquals(List.of(e.getKey()), TransactionTest.ids(again.collection("Person").find(Query.where("age").eq(e.getValue()))));
        }
        // one record per committed transaction (plus the collections record), each verifies and opens
        LogId log = q.logs().ownLog(id, identity.publicKey()).orElseThrow().id();
        List<RecordEnvelope> recs = q.logs().records(id, log, null, 100);
        assertEquals(committed + 1, recs.size());
        for (RecordEnvelope r : recs) {
            q.logs().openRecord(id, r.id());
        }
        // the change log is consistent with the commits and the clock kept going
        assertEquals(again.lastSequence(), again.changes(0, 1000, List.of()).size());
        txn(again, committed); // and it goes on working
        q.manager().close();
        return new Outcome(crashed, writes);
    }

    private static Map<String, Integer> ages(Database db) {
        Map<String, Integer> m = new TreeMap<>();
        for (ObjectNode n : db.collection("Person").findAll()) {
            m.put(n.get("_id").textValue(), n.get("age").intValue());
        }
        return m;
    }
}
