package io.weft.logstore;

import static org.junit.jupiter.api.Assertions.*;

import io.weft.api.StorageException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.log.Head;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.store.Entry;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import io.weft.core.crypto.Ed25519;
import java.util.List;

/**
 * A write transaction that fails midway (after the record's puts, before or at commit) leaves head and records
 * unchanged: the store never holds a head that names a missing record, nor a record without its head.
 */
class AtomicityTest extends EngineFixture {

    static java.util.function.Predicate<byte[]> headKeyOf(ThreadId t, LogId log) {
        byte[] head = LogstoreKeys.head(t, log);
        return k -> java.util.Arrays.equals(k, head);
    }

    @OnEachEngine
    void createRecordAbortedAfterTheRecordPuts(String engine) {
        FailingDatastore ds = new FailingDatastore(open(engine));
        LocalLogService svc = new LocalLogService(ds);
        ThreadId t = ThreadId.newRandom();
        svc.createThread(t, null);
        PrivateKey me = Ed25519.generate();
        svc.createRecord(t, me, body("1"));
        LogId log = svc.ownLog(t, me.publicKey()).orElseThrow().id();
        Head head = svc.logstore().headBook().head(t, log);
        List<Entry> before = snapshot(ds);

        // fail on the head put, which comes after the record and index puts
        ds.putsBeforeFailure = 0;
        ds.failPut = headKeyOf(t, log);
        assertThrows(StorageException.class, () -> svc.createRecord(t, me, body("2")));
        assertEquals(2, ds.putsBeforeFailure, "the record and its index entry were written before the failure");
        assertEquals(before, snapshot(ds));
        assertEquals(head, svc.logstore().headBook().head(t, log));

        // fail at commit, after every put
        ds.failPut = k -> false;
        ds.failCommit = true;
        assertThrows(StorageException.class, () -> svc.createRecord(t, me, body("2")));
        assertEquals(before, snapshot(ds));

        // and the log continues normally afterwards
        ds.failCommit = false;
        assertEquals(2, svc.createRecord(t, me, body("2")).counter());
        assertEquals(2, svc.records(t, log, null, 10).size());
    }

    @OnEachEngine
    void addRecordAbortedAfterTheRecordPuts(String engine) {
        LocalLogService writer = new LocalLogService(open(engine));
        FailingDatastore ds = new FailingDatastore(open(engine));
        LocalLogService receiver = new LocalLogService(ds);
        ThreadId t = ThreadId.newRandom();
        ThreadKey key = writer.createThread(t, null).key();
        receiver.addThread(t, key);
        PrivateKey me = Ed25519.generate();
        RecordEnvelope e1 = writer.createRecord(t, me, body("1")).record().envelope();
        LogId log = writer.ownLog(t, me.publicKey()).orElseThrow().id();
        receiver.logstore().keyBook().addPubKey(t, log.publicKey());
        List<Entry> before = snapshot(ds);

        ds.failPut = headKeyOf(t, log);
        assertThrows(StorageException.class, () -> receiver.addRecord(t, log, e1));
        assertEquals(before, snapshot(ds));
        ds.failPut = k -> false;
        ds.failCommit = true;
        assertThrows(StorageException.class, () -> receiver.addRecord(t, log, e1));
        assertEquals(before, snapshot(ds));

        ds.failCommit = false;
        assertTrue(receiver.addRecord(t, log, e1).added());
        assertEquals(new Head(e1.id(), 1), receiver.logstore().headBook().head(t, log));
    }

    @OnEachEngine
    void deleteThreadAbortedMidwayKeepsEverything(String engine) {
        FailingDatastore ds = new FailingDatastore(open(engine));
        LocalLogService svc = new LocalLogService(ds);
        ThreadId t = ThreadId.newRandom();
        DeleteTest.populate(svc, t);
        List<Entry> before = snapshot(ds);
        ds.failCommit = true;
        assertThrows(StorageException.class, () -> svc.deleteThread(t));
        assertEquals(before, snapshot(ds));
    }
}
