package io.weft.logstore;

import static org.junit.jupiter.api.Assertions.*;

import io.weft.api.ConflictException;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.UnauthorizedException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.format.Cid;
import io.weft.api.log.AppendResult;
import io.weft.api.log.Head;
import io.weft.api.log.LogInfo;
import io.weft.api.log.ThreadInfo;
import io.weft.api.record.Record;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import io.weft.core.cbor.CborValue;
import io.weft.core.cbor.DagCbor;
import io.weft.core.crypto.Ed25519;
import io.weft.core.record.Records;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Threads, own logs and locally created records. */
class LogServiceTest extends EngineFixture {

    @OnEachEngine
    void createAddGetListThreads(String engine) {
        LocalLogService svc = new LocalLogService(open(engine));
        ThreadId t1 = ThreadId.newRandom();
        ThreadInfo created = svc.createThread(t1, null);
        assertEquals(t1, created.id());
        assertTrue(created.key().canRead(), "a generated key has a read key");
        assertEquals(List.of(), created.logs());
        assertThrows(ConflictException.class, () -> svc.createThread(t1, null));
        assertThrows(ConflictException.class, () -> svc.createThread(t1, created.key()));

        ThreadId t2 = ThreadId.newRandom();
        ThreadKey k2 = ThreadKey.generate(true);
        assertEquals(k2.serviceOnly(), svc.createThread(t2, k2.serviceOnly()).key());
        // joining again with the full key upgrades; with the same key is idempotent
        assertEquals(k2, svc.addThread(t2, k2).key());
        assertEquals(k2, svc.addThread(t2, k2).key());
        assertThrows(ConflictException.class, () -> svc.addThread(t2, ThreadKey.generate(true)));

        ThreadId t3 = ThreadId.newRandom();
        ThreadKey k3 = ThreadKey.generate(false);
        assertEquals(k3, svc.addThread(t3, k3).key());
        assertThrows(InvalidInputException.class, () -> svc.addThread(t3, null));

        assertEquals(created, svc.getThread(t1));
        assertThrows(NotFoundException.class, () -> svc.getThread(ThreadId.newRandom()));
        List<ThreadId> ids = new ArrayList<>(List.of(t1, t2, t3));
        ids.sort(null);
        assertEquals(ids, svc.listThreads().stream().map(ThreadInfo::id).toList());

        assertTrue(svc.deleteThread(t2));
        assertFalse(svc.deleteThread(t2));
        assertEquals(2, svc.listThreads().size());
    }

    @OnEachEngine
    void oneLogPerIdentityPerThread(String engine) {
        LocalLogService svc = new LocalLogService(open(engine));
        ThreadId t = ThreadId.newRandom();
        ThreadId u = ThreadId.newRandom();
        PrivateKey alice = Ed25519.generate();
        PrivateKey bob = Ed25519.generate();
        assertThrows(NotFoundException.class, () -> svc.getOrCreateOwnLog(t, alice));
        svc.createThread(t, null);
        svc.createThread(u, null);

        assertEquals(Optional.empty(), svc.ownLog(t, alice.publicKey()));
        LogInfo a1 = svc.getOrCreateOwnLog(t, alice);
        assertTrue(a1.hasPrivateKey());
        assertEquals(Head.EMPTY, a1.head());
        assertNotEquals(LogId.of(alice.publicKey()), a1.id(), "the log key is fresh, not the identity key");
        assertEquals(a1, svc.getOrCreateOwnLog(t, alice));
        assertEquals(Optional.of(a1), svc.ownLog(t, alice.publicKey()));

        LogInfo b1 = svc.getOrCreateOwnLog(t, bob);
        LogInfo a2 = svc.getOrCreateOwnLog(u, alice);
        assertNotEquals(a1.id(), b1.id());
        assertNotEquals(a1.id(), a2.id());
        assertEquals(2, svc.getThread(t).logs().size());
        // the mapping lives in the thread metadata, as in go-threads
        assertArrayEquals(a1.id().bytes(),
                svc.logstore().metadata().getBytes(t, alice.publicKey().toString()).orElseThrow());
        assertTrue(svc.logstore().keyBook().privKey(t, a1.id()).isPresent());
    }

    @OnEachEngine
    void createRecordChains(String engine) {
        LocalLogService svc = new LocalLogService(open(engine));
        ThreadId t = ThreadId.newRandom();
        ThreadKey key = svc.createThread(t, null).key();
        PrivateKey me = Ed25519.generate();

        AppendResult r1 = svc.createRecord(t, me, body("one"));
        AppendResult r2 = svc.createRecord(t, me, body("two"));
        AppendResult r3 = svc.createRecord(t, me, body("three"));
        assertEquals(List.of(1L, 2L, 3L), List.of(r1.counter(), r2.counter(), r3.counter()));
        assertTrue(r1.added() && r2.added() && r3.added());
        assertEquals(Optional.empty(), r1.record().prev());
        assertEquals(Optional.of(r1.record().id()), r2.record().prev());
        assertEquals(Optional.of(r2.record().id()), r3.record().prev());
        assertEquals(me.publicKey(), r1.record().author());
        LogId log = r1.log();
        assertEquals(log, svc.ownLog(t, me.publicKey()).orElseThrow().id());
        assertEquals(new Head(r3.record().id(), 3), svc.logstore().headBook().head(t, log));
        assertEquals(r3.head(), svc.logstore().logInfo(t, log).head());
        assertEquals(Map.of(log, r3.head()), svc.logstore().headBook().heads(t));

        // stored records verify with the log key and open with the read key
        RecordEnvelope env2 = svc.getRecord(t, r2.record().id());
        assertEquals(r2.record().envelope(), env2);
        Record verified = Records.verify(env2, svc.logstore().keyBook().pubKey(t, log).orElseThrow(), key);
        assertEquals(r2.record(), verified);
        assertArrayEquals(body("two"), svc.openRecord(t, r2.record()).body());
        assertArrayEquals(body("three"), svc.openRecord(t, r3.record().id()).body());
        assertEquals(CborValue.map("foo", CborValue.text("one")), DagCbor.decode(svc.openRecord(t, r1.record()).body()));

        assertThrows(NotFoundException.class, () -> svc.getRecord(t, Cid.dagCbor(new byte[] {1})));
        assertThrows(NotFoundException.class, () -> svc.getRecord(ThreadId.newRandom(), r1.record().id()));
        assertThrows(NotFoundException.class, () -> svc.openRecord(t, Cid.dagCbor(new byte[] {1})));
        assertThrows(NotFoundException.class, () -> svc.createRecord(ThreadId.newRandom(), me, body("x")));
    }

    @OnEachEngine
    void createRecordValidatesTheBody(String engine) {
        LocalLogService svc = new LocalLogService(open(engine));
        ThreadId t = ThreadId.newRandom();
        svc.createThread(t, null);
        PrivateKey me = Ed25519.generate();
        byte[] nonCanonical = {(byte) 0xa1, 0x61, 'a', 0x18, 0x01}; // {"a": 1} with a non-minimal integer
        assertThrows(InvalidInputException.class, () -> svc.createRecord(t, me, nonCanonical));
        assertThrows(InvalidInputException.class, () -> svc.createRecord(t, me, new byte[0]));
        assertThrows(InvalidInputException.class, () -> svc.createRecord(t, me, null));
        assertEquals(Optional.empty(), svc.ownLog(t, me.publicKey()), "a refused write creates no log");
        assertEquals(Head.EMPTY, svc.getOrCreateOwnLog(t, me).head());
    }

    @OnEachEngine
    void replicaCannotWriteOrRead(String engine) {
        LocalLogService svc = new LocalLogService(open(engine));
        ThreadId t = ThreadId.newRandom();
        svc.addThread(t, ThreadKey.generate(false));
        PrivateKey me = Ed25519.generate();
        assertThrows(UnauthorizedException.class, () -> svc.createRecord(t, me, body("x")));
        assertEquals(List.of(), svc.getThread(t).logs(), "a refused write creates no log");
    }

    @OnEachEngine
    void pagesForwardThroughAThousandRecords(String engine) {
        LocalLogService svc = new LocalLogService(open(engine));
        ThreadId t = ThreadId.newRandom();
        svc.createThread(t, null);
        PrivateKey me = Ed25519.generate();
        int n = 1000;
        List<Cid> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            AppendResult r = svc.createRecord(t, me, body("r" + i));
            assertEquals(i + 1, r.counter());
            ids.add(r.record().id());
        }
        LogId log = svc.ownLog(t, me.publicKey()).orElseThrow().id();

        List<Cid> walked = new ArrayList<>();
        Cid after = null;
        int pages = 0;
        while (true) {
            List<RecordEnvelope> page = svc.records(t, log, after, 64);
            if (page.isEmpty()) {
                break;
            }
            pages++;
            assertTrue(page.size() <= 64);
            page.forEach(e -> walked.add(e.id()));
            after = page.get(page.size() - 1).id();
        }
        assertEquals(ids, walked);
        assertEquals((n + 63) / 64, pages);

        // arbitrary starting points and limits
        assertEquals(ids.subList(500, 510), svc.records(t, log, ids.get(499), 10).stream().map(RecordEnvelope::id).toList());
        assertEquals(List.of(ids.get(999)), svc.records(t, log, ids.get(998), 1000).stream().map(RecordEnvelope::id).toList());
        assertEquals(List.of(), svc.records(t, log, ids.get(999), 5));
        assertEquals(ids, svc.records(t, log, null, Integer.MAX_VALUE).stream().map(RecordEnvelope::id).toList());

        assertThrows(InvalidInputException.class, () -> svc.records(t, log, null, 0));
        assertThrows(NotFoundException.class, () -> svc.records(t, log, Cid.dagCbor(new byte[] {9}), 5));
        assertThrows(NotFoundException.class, () -> svc.records(t, LogId.of(Ed25519.generate().publicKey()), null, 5));
        assertThrows(NotFoundException.class, () -> svc.records(ThreadId.newRandom(), log, null, 5));
    }

    @OnEachEngine
    void pagingAfterARecordOfAnotherLogFails(String engine) {
        LocalLogService svc = new LocalLogService(open(engine));
        ThreadId t = ThreadId.newRandom();
        svc.createThread(t, null);
        AppendResult a = svc.createRecord(t, Ed25519.generate(), body("a"));
        AppendResult b = svc.createRecord(t, Ed25519.generate(), body("b"));
        assertThrows(NotFoundException.class, () -> svc.records(t, a.log(), b.record().id(), 5));
        assertEquals(List.of(a.record().envelope()), svc.records(t, a.log(), null, 5));
    }

    @OnEachEngine
    void recordsOnBehalfOfAnAuthorGoToTheAuthorsLogSignedByAPeerKey(String engine) {
        LocalLogService svc = new LocalLogService(open(engine));
        ThreadId t = ThreadId.newRandom();
        ThreadKey key = svc.createThread(t, null).key();
        PrivateKey author = Ed25519.generate(); // the peer never sees its private half below
        io.weft.api.crypto.PublicKey authorPub = author.publicKey();

        AppendResult first = svc.createRecord(t, authorPub, body("1"), io.weft.api.log.AppendHook.NONE);
        AppendResult second = svc.createRecord(t, authorPub, body("2"), io.weft.api.log.AppendHook.NONE);
        assertEquals(authorPub, first.record().author());
        assertEquals(first.log(), second.log());
        assertEquals(2, second.counter());
        LogInfo log = svc.ownLog(t, authorPub).orElseThrow();
        assertEquals(first.log(), log.id());
        assertTrue(log.hasPrivateKey(), "the peer keeps the log key");
        assertNotEquals(LogId.of(authorPub), log.id(), "the log key is not the author's key");
        // one log per author: the same log as the author writing with its private key, or asking for it
        assertEquals(log.id(), svc.getOrCreateOwnLog(t, authorPub).id());
        assertEquals(log.id(), svc.getOrCreateOwnLog(t, author).id());
        assertEquals(3, svc.createRecord(t, author, body("3")).counter());
        // the records verify with the log key and open with the thread key, as any record
        Record verified = Records.verify(second.record().envelope(), log.pubKey(), key);
        assertEquals(authorPub, verified.author());
        assertArrayEquals(body("2"), svc.openRecord(t, second.record().id()).body());

        assertThrows(InvalidInputException.class,
                () -> svc.createRecord(t, (io.weft.api.crypto.PublicKey) null, body("x"), io.weft.api.log.AppendHook.NONE));
        assertThrows(NotFoundException.class,
                () -> svc.createRecord(ThreadId.newRandom(), authorPub, body("x"), io.weft.api.log.AppendHook.NONE));
        assertThrows(NotFoundException.class, () -> svc.getOrCreateOwnLog(ThreadId.newRandom(), authorPub));
        ThreadId replica = ThreadId.newRandom();
        svc.addThread(replica, ThreadKey.generate(false));
        assertThrows(UnauthorizedException.class,
                () -> svc.createRecord(replica, authorPub, body("x"), io.weft.api.log.AppendHook.NONE));
    }
}
