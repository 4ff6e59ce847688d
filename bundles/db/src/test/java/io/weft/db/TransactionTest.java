package io.weft.db;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.ConflictException;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.db.Database;
import io.weft.api.db.Query;
import io.weft.api.db.ReadTransaction;
import io.weft.api.db.WriteProblem;
import io.weft.api.db.WriteTransaction;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TransactionTest extends DbFixture {

    @OnEachEngine
    void readTransactionsSeeOneSnapshot(String engine) {
        Peer p = peer(engine);
        Database db = p.manager().createDatabase("snap", List.of(persons()));
        db.collection("Person").create(json("{\"_id\":\"a\",\"name\":\"A\",\"age\":1}"));
        try (ReadTransaction rt = db.readTransaction()) {
            db.collection("Person").create(json("{\"_id\":\"b\",\"name\":\"B\"}"));
            db.collection("Person").save(json("{\"_id\":\"a\",\"name\":\"A2\",\"age\":1}"));
            assertFalse(rt.has("Person", "b"));
            assertEquals("A", rt.findById("Person", "a").get("name").textValue());
            assertEquals(1, rt.find("Person", Query.all()).size());
            assertEquals(1, rt.find("Person", Query.where("age").eq(1)).size());
        }
        assertEquals(2, db.collection("Person").findAll().size());
    }

    @OnEachEngine
    void writeTransactionsSeeTheirOwnChanges(String engine) {
        Peer p = peer(engine);
        Database db = p.manager().createDatabase("own", List.of(persons()));
        db.collection("Person").create(json("{\"_id\":\"a\",\"name\":\"A\",\"age\":5}"));
        try (WriteTransaction wt = db.writeTransaction()) {
            wt.create("Person", json("{\"_id\":\"b\",\"name\":\"B\",\"age\":7}"));
            wt.delete("Person", "a");
            assertTrue(wt.has("Person", "b"));
            assertFalse(wt.has("Person", "a"));
            assertEquals(List.of("b"), ids(wt.find("Person", Query.where("age").ge(1))));
            assertThrows(NotFoundException.class, () -> wt.findById("Person", "a"));
            // others do not see it before commit
            assertFalse(db.collection("Person").has("b"));
            wt.commit();
        }
        assertEquals(List.of("b"), ids(db.collection("Person").findAll()));
    }

    @Test
    void writersAreSerialized() throws Exception {
        Peer p = peer("memory");
        Database db = p.manager().createDatabase("serial", List.of(anyObject("Counter")));
        db.collection("Counter").create(json("{\"_id\":\"c\",\"n\":0}"));
        int threads = 4;
        int each = 15;
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<Void>> fs = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            fs.add(CompletableFuture.runAsync(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
                for (int i = 0; i < each; i++) {
                    db.update(wt -> {
                        ObjectNode c = wt.findById("Counter", "c");
                        c.put("n", c.get("n").intValue() + 1);
                        wt.save("Counter", c);
                    });
                }
            }));
        }
        start.countDown();
        for (CompletableFuture<Void> f : fs) {
            f.get(60, TimeUnit.SECONDS);
        }
        assertEquals(threads * each, db.collection("Counter").findById("c").get("n").intValue(),
                "read-modify-write transactions never lose an update");
    }

    @Test
    void aSecondWriterWaitsAndAThreadCannotNestWriters() throws Exception {
        Peer p = peer("memory");
        Database db = p.manager().createDatabase("wait", List.of(anyObject("X")));
        WriteTransaction first = db.writeTransaction();
        assertThrows(InvalidInputException.class, db::writeTransaction, "same thread: refused, not deadlocked");
        assertThrows(InvalidInputException.class, () -> db.collection("X").create(json("{}")));
        AtomicInteger got = new AtomicInteger();
        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> {
            try (WriteTransaction wt = db.writeTransaction()) {
                got.set(1);
                wt.create("X", json("{\"_id\":\"2\"}"));
                wt.commit();
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!((Db) db).hasQueuedWriters()) {
            assertTrue(System.nanoTime() < deadline, "the second writer never queued");
            Thread.onSpinWait();
        }
        assertEquals(0, got.get(), "the second writer waits for the first");
        first.create("X", json("{\"_id\":\"1\"}"));
        first.commit();
        second.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("1", "2"), ids(db.collection("X").findAll()));
    }

    @Test
    void aFailedWriteRollsBackTheWholeTransaction() {
        Peer p = peer("memory");
        Database db = p.manager().createDatabase("rb", List.of(persons()));
        var before = snapshot(p.store());
        WriteTransaction wt = db.writeTransaction();
        wt.create("Person", json("{\"_id\":\"ok\",\"name\":\"fine\"}"));
        assertThrows(InvalidInputException.class, () -> wt.create("Person", json("{\"name\":42}")));
        InvalidInputException closed = assertThrows(InvalidInputException.class,
                () -> wt.create("Person", json("{\"name\":\"late\"}")));
        assertTrue(closed.getMessage().contains("rolled back"), closed.getMessage());
        assertThrows(InvalidInputException.class, wt::commit);
        wt.close();
        assertEquals(before, snapshot(p.store()));
        // the lock was released: others can write
        db.collection("Person").create(json("{\"name\":\"next\"}"));
    }

    @Test
    void uniqueIndexesAreCheckedAtCommitAcrossTheTransaction() {
        Peer p = peer("memory");
        Database db = p.manager().createDatabase("uq", List.of(persons()));
        db.collection("Person").create(json("{\"_id\":\"a\",\"name\":\"A\",\"email\":\"a@x\"}"));
        var before = snapshot(p.store());
        WriteTransaction wt = db.writeTransaction();
        wt.create("Person", json("{\"_id\":\"b\",\"name\":\"B\",\"email\":\"b@x\"}"));
        wt.create("Person", json("{\"_id\":\"c\",\"name\":\"C\",\"email\":\"b@x\"}"));
        assertThrows(ConflictException.class, wt::commit);
        assertEquals(before, snapshot(p.store()));
        // moving a value from one instance to another in one transaction is fine
        db.update(t -> {
            t.save("Person", json("{\"_id\":\"a\",\"name\":\"A\",\"email\":\"new@x\"}"));
            t.create("Person", json("{\"_id\":\"d\",\"name\":\"D\",\"email\":\"a@x\"}"));
        });
        assertEquals("d", db.collection("Person").find(Query.where("email").eq("a@x")).get(0).get("_id").textValue());
    }

    @Test
    void verifyDryRunsAWrite() {
        Peer p = peer("memory");
        Database db = p.manager().createDatabase("ver", List.of(persons()));
        db.collection("Person").create(json("{\"_id\":\"a\",\"name\":\"A\",\"email\":\"a@x\"}"));
        var before = snapshot(p.store());
        List<WriteProblem> problems = db.collection("Person").verify(List.of(
                json("{\"_id\":\"x\",\"name\":\"X\"}"),
                json("{\"_id\":\"y\",\"name\":7}"),
                json("{\"name\":\"no id\"}")));
        assertEquals(List.of(WriteProblem.Kind.SCHEMA, WriteProblem.Kind.INVALID_JSON),
                problems.stream().map(WriteProblem::kind).toList());
        assertEquals(List.of(WriteProblem.Kind.UNIQUE_INDEX), db.collection("Person")
                .verify(List.of(json("{\"_id\":\"z\",\"name\":\"Z\",\"email\":\"a@x\"}"))).stream().map(WriteProblem::kind).toList());
        assertEquals(List.of(), db.collection("Person").verify(List.of(json("{\"_id\":\"z\",\"name\":\"Z\",\"email\":\"z@x\"}"))));
        try (WriteTransaction wt = db.writeTransaction()) {
            wt.create("Person", json("{\"_id\":\"q\",\"name\":\"Q\",\"email\":\"q@x\"}"));
            assertEquals(List.of(WriteProblem.Kind.UNIQUE_INDEX),
                    wt.verify("Person", List.of(json("{\"_id\":\"r\",\"name\":\"R\",\"email\":\"q@x\"}"))).stream()
                            .map(WriteProblem::kind).toList(), "verify sees the transaction's own changes");
            assertEquals(List.of(WriteProblem.Kind.UNKNOWN_COLLECTION), wt.verify("Nope", List.of(json("{}"))).stream()
                    .map(WriteProblem::kind).toList());
            assertTrue(wt.has("Person", "q"), "verify leaves the transaction usable");
        }
        assertEquals(before, snapshot(p.store()));
    }

    static List<String> ids(List<ObjectNode> nodes) {
        return nodes.stream().map(n -> n.get("_id").textValue()).toList();
    }
}
