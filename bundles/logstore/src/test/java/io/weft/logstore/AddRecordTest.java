package io.weft.logstore;

import static org.junit.jupiter.api.Assertions.*;

import io.weft.api.ConflictException;
import io.weft.api.CorruptDataException;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.UnauthorizedException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.format.Cid;
import io.weft.api.log.AppendResult;
import io.weft.api.log.Head;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.store.Datastore;
import io.weft.api.store.Entry;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import io.weft.core.crypto.Ed25519;
import io.weft.core.record.Records;
import java.util.List;
import org.junit.jupiter.api.function.Executable;

/**
 * Records made elsewhere: a writer service on one store, a receiving service on another, sharing the thread key.
 * Every rejection leaves the receiver's store byte-identical.
 */
class AddRecordTest extends EngineFixture {
    ThreadId t = ThreadId.newRandom();
    ThreadKey key = ThreadKey.generate(true);
    PrivateKey writerIdentity = Ed25519.generate();
    Datastore receiverStore;
    LocalLogService writer;
    LocalLogService receiver;
    LogId log;
    PrivateKey logKey;

    void setUp(String engine) {
        writer = new LocalLogService(open(engine));
        receiverStore = open(engine);
        receiver = new LocalLogService(receiverStore);
        writer.createThread(t, key);
        receiver.addThread(t, key);
        log = writer.getOrCreateOwnLog(t, writerIdentity).id();
        logKey = writer.logstore().keyBook().privKey(t, log).orElseThrow();
        receiver.logstore().keyBook().addPubKey(t, logKey.publicKey());
    }

    RecordEnvelope write(String text) {
        return writer.createRecord(t, writerIdentity, body(text)).record().envelope();
    }

    /** Asserts that {@code call} throws {@code type} and leaves the receiver's store byte-identical. */
    <X extends Throwable> X rejects(Class<X> type, Executable call) {
        List<Entry> before = snapshot(receiverStore);
        X x = assertThrows(type, call);
        assertEquals(before, snapshot(receiverStore), "a rejected record must not change the store");
        return x;
    }

    @OnEachEngine
    void acceptsAValidChainMadeElsewhere(String engine) {
        setUp(engine);
        RecordEnvelope e1 = write("1");
        RecordEnvelope e2 = write("2");
        RecordEnvelope e3 = write("3");
        AppendResult a1 = receiver.addRecord(t, log, e1);
        assertTrue(a1.added());
        assertEquals(1, a1.counter());
        assertEquals(writerIdentity.publicKey(), a1.record().author());
        assertEquals(2, receiver.addRecord(t, log, e2).counter());
        assertEquals(3, receiver.addRecord(t, log, e3).counter());
        assertEquals(new Head(e3.id(), 3), receiver.logstore().headBook().head(t, log));
        assertEquals(List.of(e1, e2, e3), receiver.records(t, log, null, 10));
        assertArrayEquals(body("2"), receiver.openRecord(t, e2.id()).body());
        // the receiver does not hold the log's private key
        assertFalse(receiver.logstore().logInfo(t, log).hasPrivateKey());
        // and the writer's and receiver's stored records agree
        assertEquals(writer.records(t, log, null, 10), receiver.records(t, log, null, 10));
    }

    @OnEachEngine
    void duplicatesAreIdempotent(String engine) {
        setUp(engine);
        RecordEnvelope e1 = write("1");
        RecordEnvelope e2 = write("2");
        receiver.addRecord(t, log, e1);
        receiver.addRecord(t, log, e2);
        List<Entry> before = snapshot(receiverStore);
        AppendResult again1 = receiver.addRecord(t, log, e1);
        AppendResult again2 = receiver.addRecord(t, log, e2);
        assertFalse(again1.added());
        assertFalse(again2.added());
        assertEquals(1, again1.counter());
        assertEquals(2, again2.counter());
        assertEquals(before, snapshot(receiverStore));
        // a duplicate of the writer's own record on the writer is a no-op too
        assertFalse(writer.addRecord(t, log, e2).added());
    }

    @OnEachEngine
    void rejectsAGap(String engine) {
        setUp(engine);
        write("1");
        RecordEnvelope e2 = write("2");
        ConflictException x = rejects(ConflictException.class, () -> receiver.addRecord(t, log, e2));
        assertTrue(x.getMessage().contains("head is empty"), x.getMessage());
    }

    @OnEachEngine
    void rejectsAForkOrASecondFirstRecord(String engine) {
        setUp(engine);
        RecordEnvelope e1 = write("1");
        RecordEnvelope e2 = write("2");
        receiver.addRecord(t, log, e1);
        receiver.addRecord(t, log, e2);
        // signed with the right log key, but linking to e1 (a fork), to nothing (a second first record), or to an
        // unknown record
        RecordEnvelope fork = Records.create(body("fork"), logKey, writerIdentity.publicKey(), e1.id(), key);
        RecordEnvelope first = Records.create(body("again"), logKey, writerIdentity.publicKey(), null, key);
        RecordEnvelope dangling = Records.create(body("x"), logKey, writerIdentity.publicKey(), Cid.dagCbor(new byte[] {7}), key);
        rejects(ConflictException.class, () -> receiver.addRecord(t, log, fork));
        rejects(ConflictException.class, () -> receiver.addRecord(t, log, first));
        rejects(ConflictException.class, () -> receiver.addRecord(t, log, dangling));
        assertEquals(new Head(e2.id(), 2), receiver.logstore().headBook().head(t, log));
    }

    @OnEachEngine
    void rejectsAWrongSignature(String engine) {
        setUp(engine);
        // a record signed by another log's key, submitted to this log
        PrivateKey otherLogKey = Ed25519.generate();
        RecordEnvelope forged = Records.create(body("1"), otherLogKey, writerIdentity.publicKey(), null, key);
        rejects(CorruptDataException.class, () -> receiver.addRecord(t, log, forged));
    }

    @OnEachEngine
    void rejectsTamperedNodes(String engine) {
        setUp(engine);
        RecordEnvelope e = write("1");
        RecordEnvelope badEvent = new RecordEnvelope(e.recordNode(), flip(e.eventNode()), e.headerNode(), e.bodyNode());
        RecordEnvelope badHeader = new RecordEnvelope(e.recordNode(), e.eventNode(), flip(e.headerNode()), e.bodyNode());
        RecordEnvelope badBody = new RecordEnvelope(e.recordNode(), e.eventNode(), e.headerNode(), flip(e.bodyNode()));
        RecordEnvelope swapped = new RecordEnvelope(e.recordNode(), e.eventNode(), e.bodyNode(), e.headerNode());
        rejects(CorruptDataException.class, () -> receiver.addRecord(t, log, badEvent));
        rejects(CorruptDataException.class, () -> receiver.addRecord(t, log, badHeader));
        rejects(CorruptDataException.class, () -> receiver.addRecord(t, log, badBody));
        rejects(CorruptDataException.class, () -> receiver.addRecord(t, log, swapped));
        // the record node is authenticated by AES-GCM under the service key: a change is indistinguishable from a
        // wrong key
        RecordEnvelope badRecord = new RecordEnvelope(flip(e.recordNode()), e.eventNode(), e.headerNode(), e.bodyNode());
        rejects(UnauthorizedException.class, () -> receiver.addRecord(t, log, badRecord));
        // not dag-cbor at all
        RecordEnvelope garbage = new RecordEnvelope(new byte[] {(byte) 0xff}, e.eventNode(), e.headerNode(), e.bodyNode());
        rejects(CorruptDataException.class, () -> receiver.addRecord(t, log, garbage));
        // the untouched record is still accepted afterwards
        assertTrue(receiver.addRecord(t, log, e).added());
    }

    @OnEachEngine
    void rejectsAWrongServiceKey(String engine) {
        setUp(engine);
        // the same thread id, but the record was made under another thread key
        ThreadKey otherKey = ThreadKey.generate(true);
        RecordEnvelope e = Records.create(body("1"), logKey, writerIdentity.publicKey(), null, otherKey);
        rejects(UnauthorizedException.class, () -> receiver.addRecord(t, log, e));
    }

    @OnEachEngine
    void rejectsUnknownThreadOrLog(String engine) {
        setUp(engine);
        RecordEnvelope e = write("1");
        rejects(NotFoundException.class, () -> receiver.addRecord(ThreadId.newRandom(), log, e));
        LogId unknown = LogId.of(Ed25519.generate().publicKey());
        rejects(NotFoundException.class, () -> receiver.addRecord(t, unknown, e));
        rejects(InvalidInputException.class, () -> receiver.addRecord(t, log, null));
        // a record of a log the receiver has not been told about
        LocalLogService third = new LocalLogService(open(engine));
        third.addThread(t, key);
        RecordEnvelope fromOther = third.createRecord(t, Ed25519.generate(), body("z")).record().envelope();
        LogId otherLog = third.logstore().logs(t).get(0);
        rejects(NotFoundException.class, () -> receiver.addRecord(t, otherLog, fromOther));
    }

    @OnEachEngine
    void aReplicaWithTheServiceKeyOnlyVerifiesAndStores(String engine) {
        setUp(engine);
        LocalLogService replica = new LocalLogService(open(engine));
        replica.addThread(t, key.serviceOnly());
        replica.logstore().keyBook().addPubKey(t, logKey.publicKey());
        RecordEnvelope e1 = write("1");
        AppendResult r = replica.addRecord(t, log, e1);
        assertTrue(r.added());
        assertEquals(List.of(e1), replica.records(t, log, null, 10));
        assertThrows(UnauthorizedException.class, () -> replica.openRecord(t, e1.id()));
        assertThrows(UnauthorizedException.class, () -> replica.openRecord(t, r.record()));
    }

    static byte[] flip(byte[] b) {
        byte[] c = b.clone();
        c[c.length - 1] ^= 0x01;
        return c;
    }
}
