package io.weft.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.db.Query;
import io.weft.api.format.Multiaddr;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.PeerId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadInvite;
import io.weft.api.thread.ThreadKey;
import io.weft.core.cbor.CborValue;
import io.weft.core.cbor.DagCbor;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The thread API ({@link WeftClient#threads()}) and joining a database between two real peers. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThreadsAndJoinTest {
    TestPeer a;
    TestPeer b;
    WeftClient clientA;
    WeftClient clientB;

    @BeforeAll
    void start() {
        a = new TestPeer();
        b = new TestPeer();
        clientA = a.client();
        clientB = b.client();
    }

    @AfterAll
    void stop() {
        clientA.close();
        clientB.close();
        a.close();
        b.close();
    }

    static byte[] body(String text) {
        return DagCbor.encode(CborValue.map("text", CborValue.text(text)));
    }

    Multiaddr p2p(TestPeer p) {
        return p.transport.listenAddresses().get(0).encapsulate(
                Multiaddr.Component.of(Multiaddr.Protocol.P2P, p.net.hostId().bytes()));
    }

    @Test
    void threadLifecycleRecordsAndSubscribe() {
        ThreadsClient t = clientA.threads();
        assertEquals(a.net.hostId(), t.getHostId());

        ThreadId id = ThreadId.newRandom();
        ThreadKey key = ThreadKey.generate(true);
        ThreadDetails created = t.createThread(id, key, null);
        assertEquals(id, created.id());
        assertEquals(key, created.key());
        assertEquals(0, created.records());
        assertFalse(created.toString().contains(key.toString()), "no key in toString");

        try (EventStream<ThreadRecord> sub = t.subscribe(id)) {
            // the Subscribe call is set up asynchronously: create records until one arrives
            ThreadRecord[] first = new ThreadRecord[1];
            TestPeer.await("a subscribed record", Duration.ofSeconds(20), () -> {
                t.createRecord(id, body("warm-up"));
                first[0] = sub.poll(Duration.ofMillis(200));
                return first[0] != null;
            });
            assertEquals(id, first[0].thread());
            ThreadRecord r = t.createRecord(id, body("hello"));
            assertEquals(id, r.thread());
            ThreadRecord seen;
            do {
                seen = sub.next();
            } while (!seen.id().equals(r.id()));
            assertEquals(r.log(), seen.log());

            RecordEnvelope got = t.getRecord(id, r.id());
            assertEquals(r.id(), got.id());
            assertArrayEquals(r.record().bodyNode(), got.bodyNode());

            ThreadDetails d = t.getThread(id);
            assertTrue(d.records() >= 2, d.toString());
            LogDetails own = d.logs().stream().filter(LogDetails::hasPrivateKey).findFirst().orElse(null);
            assertTrue(own == null || own.id().equals(r.log()));
            LogDetails log = d.logs().stream().filter(l -> l.id().equals(r.log())).findFirst().orElseThrow();
            assertEquals(r.id(), log.head());
            assertEquals(d.records(), log.counter());
            assertFalse(d.addrs().isEmpty());
        }

        t.pullThread(id);
        t.deleteThread(id);
        assertThrows(NotFoundException.class, () -> t.getThread(id));
        assertThrows(NotFoundException.class, () -> t.getRecord(id, io.weft.api.format.Cid.dagCbor(body("x"))));
        assertThrows(InvalidInputException.class, () -> t.createRecord(id, new byte[0]));
    }

    @Test
    void addThreadPullReplicateAndAddRecord() {
        ThreadsClient ta = clientA.threads();
        ThreadsClient tb = clientB.threads();
        ThreadDetails made = ta.createThread();
        ThreadId id = made.id();
        ThreadRecord r1 = ta.createRecord(id, body("one"));

        ThreadInvite invite = new ThreadInvite(made.addrs(), made.key());
        ThreadDetails added = tb.addThread(invite);
        assertEquals(id, added.id());
        TestPeer.await("B has A's record", Duration.ofSeconds(20), () -> {
            tb.pullThread(id);
            return tb.getThread(id).records() >= 1;
        });
        assertArrayEquals(r1.record().recordNode(), tb.getRecord(id, r1.id()).recordNode());

        // a record made on A, handed to B through AddRecord (B may have it already through sync: no error)
        ThreadRecord r2 = ta.createRecord(id, body("two"));
        tb.addRecord(id, r2.log(), r2.record());
        assertEquals(r2.id(), tb.getRecord(id, r2.id()).id());

        // replicate a new thread of A onto B
        ThreadDetails other = ta.createThread();
        ta.createRecord(other.id(), body("replicated"));
        PeerId replicator = ta.addReplicator(other.id(), p2p(b));
        assertEquals(b.net.hostId(), replicator);
        TestPeer.await("B replicates the thread", Duration.ofSeconds(20), () -> {
            try {
                return tb.getThread(other.id()).records() >= 1;
            } catch (NotFoundException e) {
                return false;
            }
        });
        assertFalse(tb.getThread(other.id()).key().canRead(), "a replica gets the service key only");
    }

    @Test
    void joinADatabaseFromAnInvite() {
        ThreadId db = clientA.newDB("shared", List.of(DatabaseApiTest.person()));
        clientA.create(db, "Person", DatabaseApiTest.json("{\"name\":\"Ada\",\"age\":36}"));
        ThreadInvite invite = clientA.invite(db, false);
        assertEquals(db, clientB.joinDB(invite.text(), "joined", true));
        assertEquals("joined", clientB.getDBInfo(db).name());
        assertEquals(1, clientB.find(db, "Person", Query.all()).size(), "fetched before the join returned");
        String grace = clientA.create(db, "Person", DatabaseApiTest.json("{\"name\":\"Grace\",\"age\":85}"));
        TestPeer.await("B sees A's new instance", Duration.ofSeconds(20), () -> clientB.has(db, "Person", grace));
        assertEquals(List.of("Grace"), clientB.find(db, "Person", Query.where("age").ge(60)).stream()
                .map(n -> n.get("name").asText()).toList());
        assertThrows(InvalidInputException.class, () -> clientB.joinDB("not an invite", "", true));
        assertNotNull(clientB.listDBs());
    }
}
