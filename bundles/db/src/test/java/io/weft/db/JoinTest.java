package io.weft.db;

import static org.junit.jupiter.api.Assertions.*;

import io.weft.api.ConflictException;
import io.weft.api.InvalidInputException;
import io.weft.api.StorageException;
import io.weft.api.crypto.PublicKey;
import io.weft.api.db.Database;
import io.weft.api.db.Query;
import io.weft.api.format.Multiaddr;
import io.weft.api.log.AppendResult;
import io.weft.api.log.LogInfo;
import io.weft.api.log.LogService;
import io.weft.api.log.SyncStats;
import io.weft.api.log.ThreadInfo;
import io.weft.api.log.ThreadService;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.LogId;
import io.weft.api.thread.PeerId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadInvite;
import io.weft.api.thread.ThreadKey;
import io.weft.core.crypto.Ed25519;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Joining a database from an invite through a thread service (here a stand-in that copies from another store). */
class JoinTest extends DbFixture {

    /**
     * A thread service whose "network" is another peer's log service: {@code addThread} stores the key and copies
     * every record, as the first pull would; or fails, when told to.
     */
    static final class CopyingThreadService implements ThreadService {
        final LogService local;
        final LogService remote;
        volatile RuntimeException failure;
        final List<ThreadId> deleted = new java.util.concurrent.CopyOnWriteArrayList<>();

        CopyingThreadService(LogService local, LogService remote) {
            this.local = local;
            this.remote = remote;
        }

        @Override
        public PeerId hostId() {
            return PeerId.of(Ed25519.generate().publicKey());
        }

        @Override
        public LogService logService() {
            return local;
        }

        @Override
        public ThreadInfo addThread(ThreadInvite invite) {
            ThreadInfo info = local.addThread(invite.threadId(), invite.key());
            if (failure != null) {
                throw failure;
            }
            CatchUpTest.copy(remote, local, invite.threadId());
            return local.getThread(info.id());
        }

        @Override
        public ThreadInfo createThread(ThreadId id, ThreadKey key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ThreadInvite invite(ThreadId thread, boolean replicaOnly) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void pullThread(ThreadId thread) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean deleteThread(ThreadId thread) {
            deleted.add(thread);
            return local.deleteThread(thread);
        }

        @Override
        public PeerId addReplicator(ThreadId thread, Multiaddr address) {
            throw new UnsupportedOperationException();
        }

        @Override
        public LogInfo addLog(ThreadId thread, PublicKey logKey) {
            throw new UnsupportedOperationException();
        }

        @Override
        public AppendResult addRecord(ThreadId thread, LogId log, RecordEnvelope envelope) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<PeerId> peers(ThreadId thread) {
            return List.of();
        }

        @Override
        public SyncStats stats() {
            throw new UnsupportedOperationException();
        }
    }

    static final Multiaddr HOST = Multiaddr.parse("/ip4/192.0.2.7/tcp/4006");

    /** A peer whose databases advertise {@link #HOST}, so that their info makes invites. */
    Peer host() {
        return peer(open("memory"), Ed25519.generate(), o -> o.hostAddresses(() -> List.of(HOST)));
    }

    static ThreadInvite invite(Database db) {
        return new ThreadInvite(db.info().addrs(), db.info().key());
    }

    @OnEachEngine
    void joiningFromAnInviteFetchesAndAppliesEverything(String engine) {
        Peer a = host();
        Database da = a.manager().createDatabase("shared", List.of(persons()));
        CatchUpTest.write(da, 120, 4);
        da.newCollection(anyObject("Notes"));
        da.collection("Notes").create(json("{\"_id\":\"n1\",\"text\":\"hi\"}"));

        AtomicReference<ThreadService> net = new AtomicReference<>();
        Peer b = peer(open(engine), Ed25519.generate(), o -> o.threadServiceLookup(net::get));
        net.set(new CopyingThreadService(b.logs(), a.logs()));
        Database db = b.manager().joinDatabase(invite(da), "mine");

        // applied on return: collections came as events, instances and indexes with them
        assertEquals("mine", db.name());
        assertEquals(da.listCollections(), db.listCollections());
        assertEquals(RemoteRecordTest.dump(da, "Person"), RemoteRecordTest.dump(db, "Person"));
        assertEquals(RemoteRecordTest.dump(da, "Notes"), RemoteRecordTest.dump(db, "Notes"));
        assertEquals(TransactionTest.ids(da.collection("Person").find(Query.where("age").eq(21))),
                TransactionTest.ids(db.collection("Person").find(Query.where("age").eq(21))));
        assertEquals(CatchUpTest.changeList(da), CatchUpTest.changeList(db));
        assertEquals(List.of(db.id()), b.manager().listDatabases().stream().map(i -> i.id()).toList());
        // joining again is a conflict
        assertThrows(ConflictException.class, () -> b.manager().joinDatabase(invite(da), "again"));
    }

    @Test
    void aServiceKeyOnlyInviteIsRefused() {
        Peer a = host();
        Database da = a.manager().createDatabase("shared", List.of());
        Peer b = peer(open("memory"), Ed25519.generate(), o -> o.threadService(new CopyingThreadService(null, a.logs())));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> b.manager().joinDatabase(invite(da).replicaOnly(), "r"));
        assertTrue(e.getMessage().contains("read key"), e.getMessage());
        assertEquals(List.of(), b.manager().listDatabases());
        assertFalse(b.logs().logstore().hasThread(da.id()));
    }

    @Test
    void withoutAThreadServiceJoiningIsRefused() {
        Peer a = host();
        Database da = a.manager().createDatabase("shared", List.of());
        Peer b = peer("memory");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> b.manager().joinDatabase(invite(da), "x"));
        assertTrue(e.getMessage().contains("no network"), e.getMessage());
        Peer c = peer(open("memory"), Ed25519.generate(), o -> o.threadServiceLookup(() -> null));
        assertThrows(InvalidInputException.class, () -> c.manager().joinDatabase(invite(da), "x"));
        assertEquals(List.of(), b.manager().listDatabases());
        assertFalse(b.logs().logstore().hasThread(da.id()));
    }

    @Test
    void aFailedNetworkAddLeavesNoHalfJoinedDatabase() {
        Peer a = host();
        Database da = a.manager().createDatabase("shared", List.of(persons()));
        da.collection("Person").create(json("{\"_id\":\"ada\",\"name\":\"Ada\"}"));
        AtomicReference<CopyingThreadService> net = new AtomicReference<>();
        Peer b = peer(open("memory"), Ed25519.generate(), o -> o.threadServiceLookup(net::get));
        CopyingThreadService failing = new CopyingThreadService(b.logs(), a.logs());
        failing.failure = new StorageException("network down");
        net.set(failing);

        // a new thread: database and thread are removed again
        assertThrows(StorageException.class, () -> b.manager().joinDatabase(invite(da), "x"));
        assertEquals(List.of(), b.manager().listDatabases());
        assertFalse(b.logs().logstore().hasThread(da.id()));
        assertEquals(List.of(da.id()), failing.deleted, "the network stops syncing it");

        // a thread that was already here (as a replica): the database goes, the thread stays
        b.logs().addThread(da.id(), da.info().key().serviceOnly());
        assertThrows(StorageException.class, () -> b.manager().joinDatabase(invite(da), "x"));
        assertEquals(List.of(), b.manager().listDatabases());
        assertTrue(b.logs().logstore().hasThread(da.id()));
        assertEquals(1, failing.deleted.size());

        // and with a working network the join succeeds afterwards
        failing.failure = null;
        Database db = b.manager().joinDatabase(invite(da), "x");
        assertEquals(RemoteRecordTest.dump(da, "Person"), RemoteRecordTest.dump(db, "Person"));
    }
}
