package io.weft.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.ConflictException;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.WeftException;
import io.weft.api.db.ChangeType;
import io.weft.api.db.ListenFilter;
import io.weft.api.db.Query;
import io.weft.api.thread.ThreadId;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Read and write transactions over the bidi streams, and listen as an iterator and with callbacks. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransactionsAndListenTest {
    TestPeer peer;
    WeftClient client;

    @BeforeAll
    void start() {
        peer = new TestPeer();
        client = peer.client();
    }

    @AfterAll
    void stop() {
        client.close();
        peer.close();
    }

    ThreadId db() {
        return client.newDB("txn", List.of(DatabaseApiTest.person()));
    }

    static ObjectNode person(String name, int age) {
        return (ObjectNode) DatabaseApiTest.json("{\"name\":\"" + name + "\",\"age\":" + age + "}");
    }

    @Test
    void writeTransactionCommitsAtomically() {
        ThreadId db = db();
        String ada;
        try (RemoteWriteTransaction txn = client.writeTransaction(db, "Person")) {
            ada = txn.create(person("Ada", 36));
            List<String> more = txn.create(List.of(person("Grace", 85), person("Alan", 41)));
            assertEquals(2, more.size());
            assertTrue(txn.has(ada), "the transaction sees its own writes");
            assertEquals(3, txn.find(Query.all()).size());
            ObjectNode a = txn.findById(ada);
            a.put("age", 37);
            txn.save(a);
            txn.delete(more.get(1));
            ObjectNode valid = person("Valid", 1);
            valid.put("_id", "valid");
            txn.verify(List.of(valid));
            assertThrows(InvalidInputException.class, () -> txn.verify(List.of((ObjectNode) DatabaseApiTest.json("{}"))));
            assertFalse(client.has(db, "Person", ada), "nothing is visible before the commit");
            txn.commit();
            assertTrue(txn.isFinished());
        }
        assertEquals(37, client.findById(db, "Person", ada).get("age").asInt());
        assertEquals(2, client.find(db, "Person", Query.all()).size());
    }

    @Test
    void closingWithoutCommitDiscards() {
        ThreadId db = db();
        try (RemoteWriteTransaction txn = client.writeTransaction(db, "Person")) {
            txn.create(person("Ghost", 1));
        }
        assertEquals(0, client.find(db, "Person", Query.all()).size());
        RemoteWriteTransaction txn = client.writeTransaction(db, "Person");
        txn.create(person("Ghost", 1));
        txn.discard();
        assertTrue(txn.isFinished());
        assertThrows(IllegalStateException.class, () -> txn.create(person("Late", 1)));
        txn.close();
        assertEquals(0, client.find(db, "Person", Query.all()).size());
    }

    @Test
    void aFailedWriteAbortsTheTransaction() {
        ThreadId db = db();
        client.create(db, "Person", person("Ada", 36));
        RemoteWriteTransaction txn = client.writeTransaction(db, "Person");
        txn.create(person("Grace", 85));
        // the duplicate is refused by the create or, at the latest, by the commit
        boolean refusedAtCreate;
        try {
            txn.create(person("Ada", 1));
            refusedAtCreate = false;
        } catch (ConflictException e) {
            refusedAtCreate = true;
        }
        WeftException atCommit = assertThrows(WeftException.class, txn::commit);
        if (!refusedAtCreate) {
            assertTrue(atCommit instanceof ConflictException, atCommit.toString());
        }
        txn.close();
        assertEquals(1, client.find(db, "Person", Query.all()).size(), "Grace was rolled back");
        assertThrows(NotFoundException.class, () -> {
            try (RemoteWriteTransaction t = client.writeTransaction(ThreadId.newRandom(), "Person")) {
                t.create(person("X", 1));
                t.commit();
            }
        });
    }

    @Test
    void readTransaction() {
        ThreadId db = db();
        String ada = client.create(db, "Person", person("Ada", 36));
        try (RemoteReadTransaction txn = client.readTransaction(db, "Person")) {
            assertTrue(txn.has(ada));
            assertFalse(txn.has(List.of(ada, "nobody")));
            assertEquals("Ada", txn.findById(ada).get("name").asText());
            assertEquals(1, txn.find(Query.where("age").gt(30)).size());
            assertEquals(0, txn.find(Query.where("age").gt(40)).size());
            assertThrows(NotFoundException.class, () -> txn.findById("nobody"));
            assertTrue(txn.has(ada), "the transaction goes on after a failed read");
        }
    }

    /** Creates instances until the stream has delivered one (the Listen call is set up asynchronously). */
    private static void untilListening(WeftClient client, ThreadId db, java.util.function.BooleanSupplier got) {
        TestPeer.await("the listener to receive an event", Duration.ofSeconds(20), () -> {
            if (got.getAsBoolean()) {
                return true;
            }
            client.create(db, "Person", person("warmup-" + System.nanoTime(), 1));
            return false;
        });
    }

    @Test
    void listenAsIterator() throws Exception {
        ThreadId db = db();
        try (EventStream<ListenEvent> events = client.listen(db, ListenFilter.collection("Person"))) {
            AtomicReference<ListenEvent> first = new AtomicReference<>();
            Thread t = new Thread(() -> first.set(events.next()));
            t.start();
            untilListening(client, db, () -> first.get() != null);
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            ListenEvent warm = first.get();
            assertEquals(ChangeType.CREATE, warm.type());
            assertEquals("Person", warm.collection());
            // drain the warm-up creates, then do one of each
            while (events.poll(Duration.ofMillis(300)) != null) {
                // skip
            }
            String id = client.create(db, "Person", person("Ada", 36));
            ListenEvent created = events.next();
            assertEquals(ChangeType.CREATE, created.type());
            assertEquals(id, created.instanceId());
            assertEquals("Ada", created.instance().get("name").asText());
            ObjectNode a = client.findById(db, "Person", id);
            a.put("age", 37);
            client.save(db, "Person", a);
            ListenEvent saved = events.next();
            assertEquals(ChangeType.SAVE, saved.type());
            assertEquals(37, saved.instance().get("age").asInt());
            client.delete(db, "Person", id);
            ListenEvent deleted = events.next();
            assertEquals(ChangeType.DELETE, deleted.type());
            assertEquals(id, deleted.instanceId());
            assertNull(deleted.instance());
            events.close();
            assertFalse(events.hasNext());
            assertThrows(NoSuchElementException.class, () -> events.poll(Duration.ofMillis(10)));
        }
    }

    @Test
    void listenWithCallbacksAndFilters() {
        ThreadId db = db();
        List<ListenEvent> saves = new CopyOnWriteArrayList<>();
        List<WeftException> errors = new CopyOnWriteArrayList<>();
        List<ListenEvent> all = new CopyOnWriteArrayList<>();
        try (Cancellable everything = client.listen(db, List.of(), all::add, errors::add);
                Cancellable onlySaves = client.listen(db, List.of(new ListenFilter("Person", null, ChangeType.SAVE)),
                        saves::add, errors::add)) {
            untilListening(client, db, () -> !all.isEmpty());
            String id = client.create(db, "Person", person("Ada", 36));
            ObjectNode a = client.findById(db, "Person", id);
            a.put("age", 40);
            client.save(db, "Person", a);
            TestPeer.await("the save event", Duration.ofSeconds(10), () -> !saves.isEmpty());
            assertEquals(id, saves.get(0).instanceId());
            assertEquals(40, saves.get(0).instance().get("age").asInt());
            assertTrue(saves.stream().allMatch(e -> e.type() == ChangeType.SAVE));
            onlySaves.close();
            assertTrue(onlySaves.isClosed());
            client.save(db, "Person", a);
            TestPeer.await("the second save on the unfiltered listener", Duration.ofSeconds(10),
                    () -> all.stream().filter(e -> e.type() == ChangeType.SAVE).count() == 2);
            assertEquals(1, saves.size(), "nothing after close");
            assertTrue(errors.isEmpty(), errors.toString());
        }
    }

    @Test
    void listenOnAnUnknownDatabaseFails() {
        try (EventStream<ListenEvent> events = client.listen(ThreadId.newRandom())) {
            assertThrows(NotFoundException.class, events::hasNext);
        }
        List<WeftException> errors = new CopyOnWriteArrayList<>();
        try (Cancellable c = client.listen(ThreadId.newRandom(), List.of(), e -> { }, errors::add)) {
            TestPeer.await("the error callback", Duration.ofSeconds(10), () -> !errors.isEmpty());
            assertTrue(errors.get(0) instanceof NotFoundException, errors.toString());
            assertTrue(c.isClosed());
        }
    }
}
