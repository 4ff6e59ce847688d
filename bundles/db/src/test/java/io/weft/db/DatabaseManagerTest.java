package io.weft.db;

import static org.junit.jupiter.api.Assertions.*;

import io.weft.api.ConflictException;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.db.Database;
import io.weft.api.db.DatabaseInfo;
import io.weft.api.format.Multiaddr;
import io.weft.api.store.Datastore;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import io.weft.core.crypto.Ed25519;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatabaseManagerTest extends DbFixture {

    @OnEachEngine
    void createListInfoDelete(String engine) {
        Peer p = peer(engine);
        Manager m = p.manager();
        Database a = m.createDatabase("alpha", List.of(persons()));
        Database b = m.createDatabase("beta-2", List.of());
        assertEquals("alpha", a.name());
        List<DatabaseInfo> all = m.listDatabases();
        assertEquals(2, all.size());
        assertTrue(all.get(0).id().compareTo(all.get(1).id()) < 0, "sorted by id");
        DatabaseInfo info = m.databaseInfo(a.id());
        assertEquals("alpha", info.name());
        assertEquals(p.logs().getThread(a.id()).key(), info.key());
        assertTrue(info.key().canRead());
        assertFalse(info.toString().contains(info.key().toString()), "toString must not print the key");
        assertEquals(List.of("Person"), a.listCollections().stream().map(c -> c.name()).toList());

        assertTrue(m.deleteDatabase(a.id()));
        assertFalse(m.deleteDatabase(a.id()));
        assertThrows(NotFoundException.class, () -> m.database(a.id()));
        assertThrows(NotFoundException.class, () -> m.databaseInfo(a.id()));
        assertThrows(NotFoundException.class, a::listCollections, "a deleted database's handle is dead");
        assertFalse(p.logs().logstore().hasThread(a.id()), "the thread is deleted with the database");
        assertEquals(List.of(b.id()), m.listDatabases().stream().map(DatabaseInfo::id).toList());
        // no database keys remain for the deleted one
        byte[] prefix = DbKeys.dataPrefix(a.id());
        assertTrue(snapshot(p.store()).stream().noneMatch(e -> DbKeys.startsWith(e.key(), prefix)));
    }

    @Test
    void namesFollowTheGoThreadsRule() {
        Peer p = peer("memory");
        for (String bad : new String[] {"", "a b", "-a", "a-", "a--b", "a_b", "é", "a.b"}) {
            assertThrows(InvalidInputException.class, () -> p.manager().createDatabase(bad, List.of()), bad);
        }
        for (String good : new String[] {"a", "A1", "a-b-c", "x9-Y"}) {
            assertEquals(good, p.manager().createDatabase(good, List.of()).name());
        }
        assertTrue(p.logs().listThreads().size() == 4, "failed creates leave no thread");
    }

    @Test
    void givenIdAndKeyAreUsed() {
        Peer p = peer("memory");
        ThreadId id = ThreadId.newRandom();
        ThreadKey key = ThreadKey.generate(true);
        Database db = p.manager().createDatabase(id, key, "given", List.of());
        assertEquals(id, db.id());
        assertEquals(key, db.info().key());
        assertThrows(ConflictException.class, () -> p.manager().createDatabase(id, key, "again", List.of()));
        assertThrows(InvalidInputException.class,
                () -> p.manager().createDatabase(null, ThreadKey.generate(false), "replica", List.of()));
    }

    @Test
    void infoAddressesNameThePeerAndThread() {
        Multiaddr host = Multiaddr.parse("/ip4/127.0.0.1/tcp/4006");
        Peer p = peer(open("memory"), Ed25519.generate(), b -> b.hostAddresses(() -> List.of(host)));
        Database db = p.manager().createDatabase("addr", List.of());
        List<Multiaddr> addrs = db.info().addrs();
        assertEquals(1, addrs.size());
        assertEquals(db.id(), addrs.get(0).threadId().orElseThrow());
        assertEquals(io.weft.api.thread.PeerId.of(p.identity().publicKey()), addrs.get(0).peerId().orElseThrow());
    }

    @Test
    void databasesSurviveAReopen() {
        Path dir = tmp.resolve("persist");
        var identity = Ed25519.generate();
        Datastore ds = open("xodus", dir);
        Peer p = peer(ds, identity, b -> b);
        Database db = p.manager().createDatabase("keep", List.of(persons()));
        String id = db.collection("Person").create(json("{\"name\":\"Ada\",\"age\":36}"));
        long seq = db.lastSequence();
        p.manager().close();
        ds.close();

        Datastore ds2 = open("xodus", dir);
        Peer q = peer(ds2, identity, b -> b);
        Database again = q.manager().database(db.id());
        assertEquals("keep", again.name());
        assertEquals("Ada", again.collection("Person").findById(id).get("name").textValue());
        assertEquals(seq, again.lastSequence());
        String id2 = again.collection("Person").create(json("{\"name\":\"Bob\"}"));
        long mod1 = again.collection("Person").findById(id).get("_mod").longValue();
        long mod2 = again.collection("Person").findById(id2).get("_mod").longValue();
        assertTrue(mod2 > mod1, "the clock continues after a reopen");
    }

    @Test
    void aStoreMismatchIsRefused() {
        Datastore ds1 = open("memory");
        Datastore ds2 = open("memory");
        var logs = new io.weft.logstore.LocalLogService(ds1);
        Manager m = Manager.builder(logs, ds2, Ed25519.generate()).codecs(new io.weft.codec.jsonpatch.JsonPatchCodec())
                .build();
        try {
            assertThrows(io.weft.api.StorageException.class, () -> m.createDatabase("x", List.of(persons())));
        } finally {
            m.close();
        }
    }
}
