package io.weft.db;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.NotFoundException;
import io.weft.api.db.Change;
import io.weft.api.db.ChangeType;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.Database;
import io.weft.api.db.IndexConfig;
import io.weft.api.db.Query;
import io.weft.api.log.AppendResult;
import io.weft.api.log.LogInfo;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.ThreadId;
import io.weft.core.cbor.CborValue;
import io.weft.core.cbor.DagCbor;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Records made by one peer, applied by another through the same dispatcher path: collection definitions travel with
 * the thread, events for a collection that is not defined yet wait in the history, and concurrent writes converge.
 */
class RemoteRecordTest extends DbFixture {

    /** Copies every record of {@code from}'s own log that {@code to} lacks, via the database's remote path. */
    static void pull(Peer from, Peer to, ThreadId db) {
        LogInfo log = from.logs().ownLog(db, from.identity().publicKey()).orElseThrow();
        if (!to.logs().logstore().logs(db).contains(log.id())) {
            to.logs().logstore().addLog(db, log.pubKey(), List.of(), Duration.ofHours(1));
        }
        long have = to.logs().logstore().headBook().head(db, log.id()).counter();
        List<RecordEnvelope> recs = from.logs().records(db, log.id(), null, 1000);
        for (RecordEnvelope r : recs.subList((int) have, recs.size())) {
            AppendResult res = to.manager().addRecord(db, log.id(), r);
            assertTrue(res.added());
        }
    }

    static List<String> dump(Database db, String collection) {
        return db.collection(collection).findAll().stream().map(ObjectNode::toString).toList();
    }

    @OnEachEngine
    void aJoiningPeerGetsCollectionsAndInstances(String engine) {
        Peer a = peer(engine);
        Peer b = peer(engine);
        Database da = a.manager().createDatabase("shared", List.of(persons()));
        da.collection("Person").create(json("{\"_id\":\"ada\",\"name\":\"Ada\",\"age\":36,\"email\":\"ada@x\"}"));
        da.collection("Person").create(json("{\"_id\":\"bob\",\"name\":\"Bob\",\"age\":20}"));
        da.collection("Person").delete("bob");
        da.newCollection(anyObject("Notes"));

        Database db = b.manager().joinDatabase(da.id(), da.info().key(), "shared");
        assertEquals(List.of(), db.listCollections());
        pull(a, b, da.id());
        assertEquals(da.listCollections(), db.listCollections(), "collections came with the thread (go-threads #379)");
        assertEquals(dump(da, "Person"), dump(db, "Person"));
        assertEquals(List.of("ada"), TransactionTest.ids(db.collection("Person").find(Query.where("age").eq(36))));
        // the change log saw the collections appear and the instance changes
        List<Change> changes = db.changes(0, 100, List.of());
        assertTrue(changes.stream().anyMatch(c -> c.collection().equals("Person") && c.instanceId().equals("ada")
                && c.type() == ChangeType.CREATE));
        // b can now write, and a can pull it back
        db.collection("Person").create(json("{\"_id\":\"cat\",\"name\":\"Cat\"}"));
        pull(b, a, da.id());
        assertEquals(dump(db, "Person"), dump(da, "Person"));
    }

    @Test
    void eventsForAnUndefinedCollectionWaitForItsDefinition() {
        Peer a = peer("memory");
        Peer b = peer("memory");
        Peer c = peer("memory");
        Database da = a.manager().createDatabase("late", List.of());
        ThreadId id = da.id();
        da.newCollection(new CollectionConfig("Things", schema("{\"type\":\"object\"}"), List.of(IndexConfig.of("n"))));
        Database dbB = b.manager().joinDatabase(id, da.info().key(), "late");
        pull(a, b, id);
        dbB.collection("Things").create(json("{\"_id\":\"t1\",\"n\":1}"));
        dbB.collection("Things").create(json("{\"_id\":\"t2\",\"n\":2}"));

        // c hears from b first: the events are kept, nothing is visible yet
        Database dbC = c.manager().joinDatabase(id, da.info().key(), "late");
        pull(b, c, id);
        assertThrows(NotFoundException.class, () -> dbC.collection("Things"));
        assertEquals(0, dbC.lastSequence());
        // then from a: the definition arrives, the waiting instances appear and are indexed
        pull(a, c, id);
        assertEquals(dump(dbB, "Things"), dump(dbC, "Things"));
        assertEquals(List.of("t2"), TransactionTest.ids(dbC.collection("Things").find(Query.where("n").eq(2))));
        assertEquals(List.of("t1", "t2"), dbC.changes(0, 100, List.of()).stream()
                .filter(ch -> ch.collection().equals("Things")).map(Change::instanceId).toList());
        assertEquals(snapshotOf(b, id), snapshotOf(c, id), "same records, same state, indexes and history");
    }

    @Test
    void concurrentWritesConverge() {
        Peer a = peer("memory");
        Peer b = peer("memory");
        Database da = a.manager().createDatabase("conc", List.of(anyObject("Doc")));
        ThreadId id = da.id();
        da.collection("Doc").create(json("{\"_id\":\"d\",\"x\":0,\"y\":0}"));
        Database dbB = b.manager().joinDatabase(id, da.info().key(), "conc");
        pull(a, b, id);
        // concurrent edits of the same instance on both sides
        da.collection("Doc").save(json("{\"_id\":\"d\",\"x\":1,\"y\":0}"));
        dbB.collection("Doc").save(json("{\"_id\":\"d\",\"x\":0,\"y\":2}"));
        dbB.collection("Doc").save(json("{\"_id\":\"d\",\"x\":0,\"y\":3,\"z\":true}"));
        pull(a, b, id);
        pull(b, a, id);
        assertEquals(dump(da, "Doc"), dump(dbB, "Doc"));
        assertEquals(snapshotOf(a, id), snapshotOf(b, id));
        // a write made after seeing the other side's writes sorts after all of them on every peer
        da.collection("Doc").save(json("{\"_id\":\"d\",\"final\":1}"));
        pull(a, b, id);
        assertEquals("{\"_id\":\"d\",\"final\":1}", strip(dbB.collection("Doc").findById("d")));
    }

    @Test
    void aRecordWhoseBodyTheCodecRejectsIsStoredButChangesNothing() {
        Peer a = peer("memory");
        Peer b = peer("memory");
        Database da = a.manager().createDatabase("odd", List.of(anyObject("Doc")));
        ThreadId id = da.id();
        Database dbB = b.manager().joinDatabase(id, da.info().key(), "odd");
        pull(a, b, id);
        // a foreign writer appends a body that is dag-cbor but not a jsonpatch body
        a.logs().createRecord(id, a.identity(), DagCbor.encode(CborValue.map("hello", CborValue.text("world"))));
        da.collection("Doc").create(json("{\"_id\":\"after\"}"));
        pull(a, b, id);
        assertEquals(List.of("after"), TransactionTest.ids(dbB.collection("Doc").findAll()), "the log goes on");
    }

    static String strip(ObjectNode n) {
        ObjectNode c = n.deepCopy();
        c.remove("_mod");
        return c.toString();
    }

    /** The database's state, index and history entries. */
    static List<String> snapshotOf(Peer p, ThreadId id) {
        return snapshot(p.store()).stream()
                .filter(e -> DbKeys.startsWith(e.key(), DbKeys.data(id).tag(DbKeys.A_STATE).build())
                        || DbKeys.startsWith(e.key(), DbKeys.data(id).tag(DbKeys.A_INDEX).build())
                        || DbKeys.startsWith(e.key(), DbKeys.data(id).tag(DbKeys.A_HISTORY).build()))
                .map(e -> java.util.HexFormat.of().formatHex(e.key()) + "=" + java.util.HexFormat.of().formatHex(e.value()))
                .toList();
    }
}
