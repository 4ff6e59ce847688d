package io.weft.db;

import static org.junit.jupiter.api.Assertions.*;

import io.weft.api.db.Change;
import io.weft.api.db.Database;
import io.weft.api.db.Query;
import io.weft.api.store.Entry;
import io.weft.api.store.KeyRange;
import io.weft.api.thread.ThreadId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/** Snapshots, compaction, rebuild and purge (paper §5.4.1, §5.4.2.2). */
class CompactionTest extends DbFixture {

    static long historyEntries(Peer p, ThreadId id) {
        byte[] prefix = DbKeys.data(id).tag(DbKeys.A_HISTORY).build();
        return snapshot(p.store()).stream().filter(e -> DbKeys.startsWith(e.key(), prefix)).count();
    }

    static List<String> queryView(Database db) {
        return List.of(
                db.collection("Person").findAll().toString(),
                db.collection("Person").find(Query.where("age").ge(10).orderByDesc("age")).toString(),
                db.collection("Person").find(Query.where("email").eq("p3@x")).toString());
    }

    @OnEachEngine
    void compactionKeepsResultsAndARebuildFromSnapshotsGivesTheSameState(String engine) {
        Peer p = peer(engine);
        Database db = p.manager().createDatabase("compact", List.of(persons()));
        for (int i = 0; i < 6; i++) {
            db.collection("Person").create(json("{\"_id\":\"p" + i + "\",\"name\":\"n\",\"age\":" + i + ",\"email\":\"p" + i + "@x\"}"));
            for (int k = 1; k <= 3; k++) {
                db.collection("Person").save(json("{\"_id\":\"p" + i + "\",\"name\":\"n" + k + "\",\"age\":" + (i * 10 + k)
                        + ",\"email\":\"p" + i + "@x\"}"));
            }
        }
        db.collection("Person").delete("p5");
        List<String> before = queryView(db);
        List<String> stateBefore = RemoteRecordTest.snapshotOf(p, db.id()).stream()
                .filter(s -> !s.startsWith(hex(DbKeys.data(db.id()).tag(DbKeys.A_HISTORY).build()))).toList();
        long entries = historyEntries(p, db.id());

        long removed = db.compact(Instant.now().plusSeconds(60));
        assertTrue(removed > 0);
        assertEquals(entries - removed, historyEntries(p, db.id()));
        assertEquals(before, queryView(db), "compaction never changes query results");
        assertEquals(0, db.rebuild(), "the snapshots reproduce the state");
        assertEquals(0, db.compact(Instant.now().plusSeconds(60)), "compacting again finds nothing");

        // rebuild from scratch: wipe every state and index, then rebuild from snapshots plus later events
        p.store().update(txn -> {
            txn.deleteRange(KeyRange.prefix(DbKeys.data(db.id()).tag(DbKeys.A_STATE).build()));
            txn.deleteRange(KeyRange.prefix(DbKeys.data(db.id()).tag(DbKeys.A_INDEX).build()));
        });
        assertTrue(db.rebuild() > 0);
        assertEquals(before, queryView(db));
        assertEquals(stateBefore, RemoteRecordTest.snapshotOf(p, db.id()).stream()
                .filter(s -> !s.startsWith(hex(DbKeys.data(db.id()).tag(DbKeys.A_HISTORY).build()))).toList());

        // and the database goes on: later events apply on top of the snapshots
        db.collection("Person").save(json("{\"_id\":\"p1\",\"name\":\"after\",\"age\":99}"));
        assertEquals("after", db.collection("Person").findById("p1").get("name").textValue());
        assertEquals(0, db.rebuild());
    }

    @OnEachEngine
    void purgeRemovesTheLocalPastOfAnInstance(String engine) {
        Peer p = peer(engine);
        Database db = p.manager().createDatabase("purge", List.of(persons()));
        String marker = "very-secret-marker-7f3a";
        db.collection("Person").create(json("{\"_id\":\"s\",\"name\":\"" + marker + "\"}"));
        db.collection("Person").save(json("{\"_id\":\"s\",\"name\":\"" + marker + "-2\"}"));
        db.collection("Person").create(json("{\"_id\":\"keep\",\"name\":\"kept\"}"));
        assertTrue(storeContains(p, marker));
        db.collection("Person").purge("s");
        assertFalse(db.collection("Person").has("s"));
        assertFalse(storeContains(p, marker), "no plaintext of the purged instance is left in the store");
        assertTrue(storeContains(p, "kept"));
        List<Change> changes = db.changes(0, 100, List.of());
        assertTrue(changes.stream().filter(c -> c.instanceId().equals("s") && c.instance() != null)
                .allMatch(c -> c.instance().get("_purged").asBoolean()));
        assertEquals(0, db.rebuild());
        // the id can be used again
        db.collection("Person").create(json("{\"_id\":\"s\",\"name\":\"new\"}"));
        assertEquals("new", db.collection("Person").findById("s").get("name").textValue());
    }

    @org.junit.jupiter.api.Test
    void afterCompactionLaterEventsApplyAndOnlyEventsBeforeTheSnapshotAreLost() {
        Peer a = peer("memory");
        Peer b = peer("memory");
        Peer c = peer("memory");
        Database da = a.manager().createDatabase("late", List.of(anyObject("Doc")));
        ThreadId id = da.id();
        da.collection("Doc").create(json("{\"_id\":\"d\",\"x\":0}"));
        Database dc = c.manager().joinDatabase(id, da.info().key(), "late");
        RemoteRecordTest.pull(a, c, id);
        dc.collection("Doc").save(json("{\"_id\":\"d\",\"x\":0,\"y\":5}")); // c: y at t1
        da.collection("Doc").save(json("{\"_id\":\"d\",\"x\":1}"));          // a: x at t2 > t1, unaware of c
        Database db = b.manager().joinDatabase(id, da.info().key(), "late");
        RemoteRecordTest.pull(a, b, id);
        assertTrue(db.compact(Instant.now()) > 0); // b's snapshot of d sits at t2

        da.collection("Doc").save(json("{\"_id\":\"d\",\"x\":2}")); // t3: after the snapshot
        RemoteRecordTest.pull(a, b, id);
        assertEquals(2, db.collection("Doc").findById("d").get("x").intValue(), "later events apply on the snapshot");

        // c's event (t1) sorts before b's snapshot (t2): the documented trade-off, the snapshot wins on b
        RemoteRecordTest.pull(c, b, id);
        RemoteRecordTest.pull(c, a, id);
        assertFalse(db.collection("Doc").findById("d").has("y"));
        assertEquals(5, da.collection("Doc").findById("d").get("y").intValue(), "a peer without compaction has it");
    }

    private static boolean storeContains(Peer p, String text) {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        for (Entry e : snapshot(p.store())) {
            if (indexOf(e.value(), needle) >= 0 || indexOf(e.key(), needle) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }
}
