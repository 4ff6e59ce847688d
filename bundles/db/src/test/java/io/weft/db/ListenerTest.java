package io.weft.db;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.NotFoundException;
import io.weft.api.db.Change;
import io.weft.api.db.ChangeType;
import io.weft.api.db.Database;
import io.weft.api.db.ListenFilter;
import io.weft.api.db.Listener;
import io.weft.api.db.Subscription;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ListenerTest extends DbFixture {

    @OnEachEngine
    void aSlowListenerGetsEveryChangeInCommitOrderExactlyOnce(String engine) throws Exception {
        Peer p = peer(engine);
        Database db = p.manager().createDatabase("listen", List.of(anyObject("Doc")));
        long start = db.lastSequence();
        int writers = 4;
        int each = 25;
        int total = writers * each * 2; // every transaction creates one instance and saves it again later

        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch slowDone = new CountDownLatch(total);
        CountDownLatch fastDone = new CountDownLatch(total);
        List<Change> slow = Collections.synchronizedList(new ArrayList<>());
        List<Change> fast = Collections.synchronizedList(new ArrayList<>());
        Subscription s1 = db.listen(start, List.of(), c -> {
            try {
                release.await(); // blocked until every writer has finished
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            slow.add(c);
            slowDone.countDown();
        });
        Subscription s2 = db.listen(start, List.of(), c -> {
            fast.add(c);
            fastDone.countDown();
        });

        List<CompletableFuture<Void>> fs = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int wi = w;
            fs.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < each; i++) {
                    String id = "w" + wi + "-" + i;
                    db.collection("Doc").create(json("{\"_id\":\"" + id + "\",\"v\":0}"));
                    db.collection("Doc").save(json("{\"_id\":\"" + id + "\",\"v\":1}"));
                }
            }));
        }
        for (CompletableFuture<Void> f : fs) {
            f.get(60, TimeUnit.SECONDS); // writers finish although the slow listener has not taken a single change
        }
        assertEquals(0, slow.size());
        assertTrue(fastDone.await(60, TimeUnit.SECONDS), "the fast listener is not held up by the slow one");
        release.countDown();
        assertTrue(slowDone.await(60, TimeUnit.SECONDS));

        for (List<Change> got : List.of(slow, fast)) {
            assertEquals(total, got.size());
            for (int i = 0; i < total; i++) {
                assertEquals(start + i + 1, got.get(i).sequence(), "in commit order, exactly once");
            }
            assertEquals(db.changes(start, total + 10, List.of()), got, "the same as the change log");
        }
        // per instance: the create comes before the save
        for (int w = 0; w < writers; w++) {
            for (int i = 0; i < each; i++) {
                String id = "w" + w + "-" + i;
                List<ChangeType> types = slow.stream().filter(c -> c.instanceId().equals(id)).map(Change::type).toList();
                assertEquals(List.of(ChangeType.CREATE, ChangeType.SAVE), types);
            }
        }
        // the position passes a change once its handler has returned, just after the handler counted it down
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (s1.position() < db.lastSequence() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(db.lastSequence(), s1.position());
        s1.close();
        s2.close();
    }

    @Test
    void filtersAndResumingFromACursor() throws Exception {
        Peer p = peer("memory");
        Database db = p.manager().createDatabase("filters", List.of(persons(), anyObject("Other")));
        long start = db.lastSequence();
        db.collection("Person").create(json("{\"_id\":\"a\",\"name\":\"A\"}"));
        db.collection("Other").create(json("{\"_id\":\"o\"}"));
        db.collection("Person").save(json("{\"_id\":\"a\",\"name\":\"A2\"}"));
        db.collection("Person").create(json("{\"_id\":\"b\",\"name\":\"B\"}"));
        db.collection("Person").delete("a");

        List<ListenFilter> filters = List.of(new ListenFilter("Person", "a", null), new ListenFilter(null, null, ChangeType.CREATE));
        List<Change> got = db.changes(start, 100, filters);
        assertEquals(List.of("a CREATE", "o CREATE", "a SAVE", "b CREATE", "a DELETE"),
                got.stream().map(c -> c.instanceId() + " " + c.type()).toList());
        assertEquals("A2", got.get(2).instance().get("name").textValue(), "the instance after the change");
        assertNull(got.get(4).instance());
        assertEquals(List.of("a SAVE"), db.changes(start, 100, List.of(new ListenFilter("Person", null, ChangeType.SAVE)))
                .stream().map(c -> c.instanceId() + " " + c.type()).toList());

        // push delivery with a filter; close after two; resume from the position
        CountDownLatch two = new CountDownLatch(2);
        List<Change> first = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch hold = new CountDownLatch(1);
        Subscription s = db.listen(start, List.of(ListenFilter.collection("Person")), c -> {
            if (first.size() == 2) {
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            first.add(c);
            two.countDown();
        });
        assertTrue(two.await(10, TimeUnit.SECONDS));
        long pos = first.get(1).sequence();
        s.close();
        hold.countDown();
        List<Change> rest = db.changes(pos, 100, List.of(ListenFilter.collection("Person")));
        assertEquals(List.of("b CREATE", "a DELETE"), rest.stream().map(c -> c.instanceId() + " " + c.type()).toList());
    }

    @Test
    void aListenerIsToldOnceWhenItsDatabaseIsDeletedAfterItsLastChange() throws Exception {
        Peer p = peer("memory");
        Database db = p.manager().createDatabase("ending", List.of(persons()));
        long start = db.lastSequence();
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(1);
        Subscription s = db.listen(start, List.of(), new Listener() {
            @Override
            public void onChange(Change c) {
                events.add(c.instanceId());
                first.countDown();
                try {
                    release.await(); // the deletion happens while this delivery is in progress
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void ended(boolean deleted) {
                events.add(deleted ? "ended" : "closed");
                ended.countDown();
            }
        });
        db.collection("Person").create(json("{\"_id\":\"a\",\"name\":\"A\"}"));
        db.collection("Person").create(json("{\"_id\":\"b\",\"name\":\"B\"}"));
        assertTrue(first.await(10, TimeUnit.SECONDS));
        Thread deleting = new Thread(() -> p.manager().deleteDatabase(db.id()));
        deleting.start();
        release.countDown();
        assertTrue(ended.await(10, TimeUnit.SECONDS), "the listener was told");
        deleting.join(10_000);
        assertEquals("ended", events.get(events.size() - 1), "after the last change: " + events);
        assertEquals(1, events.stream().filter("ended"::equals).count(), events.toString());
        s.close(); // closing an ended subscription is harmless
        // a subscription its owner closes is not told
        Database other = p.manager().createDatabase("closed-by-owner", List.of(persons()));
        CountDownLatch told = new CountDownLatch(1);
        Subscription mine = other.listen(other.lastSequence(), List.of(), new Listener() {
            @Override
            public void onChange(Change c) {
            }

            @Override
            public void ended(boolean deleted) {
                told.countDown();
            }
        });
        mine.close();
        p.manager().deleteDatabase(other.id());
        assertFalse(told.await(200, TimeUnit.MILLISECONDS));
    }

    @Test
    void pruningKeepsWhatALiveSubscriptionHasNotRead() throws Exception {
        Peer p = peer(open("memory"), io.weft.core.crypto.Ed25519.generate(),
                b -> b.config(DbConfig.defaults().withChangeLogRetention(10)));
        Database db = p.manager().createDatabase("prune", List.of(anyObject("Doc")));
        CountDownLatch hold = new CountDownLatch(1);
        List<Change> got = Collections.synchronizedList(new ArrayList<>());
        Subscription s = db.listen(0, List.of(), c -> {
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            got.add(c);
        });
        for (int batch = 0; batch < 6; batch++) {
            List<ObjectNode> docs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                docs.add(json("{\"_id\":\"d" + batch + "-" + i + "\"}"));
            }
            db.collection("Doc").createMany(docs);
        }
        long last = db.lastSequence();
        assertEquals(1201, last);
        assertEquals(1201, db.changes(0, 2000, List.of()).size(), "nothing pruned past the live subscription");
        hold.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (s.position() < last) {
            assertTrue(System.nanoTime() < deadline);
            Thread.onSpinWait();
        }
        assertEquals(1201, got.size());
        s.close();
        db.collection("Doc").create(json("{\"_id\":\"trigger\"}"));
        assertThrows(NotFoundException.class, () -> db.changes(0, 10, List.of()));
        assertThrows(NotFoundException.class, () -> db.listen(0, List.of(), c -> { }));
        assertEquals(10, db.changes(db.lastSequence() - 10, 100, List.of()).size(), "the retention is kept");
    }
}
