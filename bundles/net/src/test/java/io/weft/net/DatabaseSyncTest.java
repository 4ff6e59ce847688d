package io.weft.net;

import static io.weft.net.NetPeer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.Database;
import io.weft.api.db.IndexConfig;
import io.weft.api.db.Query;
import io.weft.api.db.Subscription;
import io.weft.api.thread.ThreadInvite;
import io.weft.db.Manager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Databases on three peers: joined from an invite, written concurrently, converge to the same query results. */
class DatabaseSyncTest {
    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A peer with a database manager on its thread service. */
    static final class DbPeer implements AutoCloseable {
        final NetPeer peer = new NetPeer();
        final Manager dbs = Manager.builder(peer.logService, peer.store, peer.identity).threadService(peer.net).build();

        @Override
        public void close() {
            dbs.close();
            peer.close();
        }
    }

    private static CollectionConfig people() throws Exception {
        return new CollectionConfig("people", JSON.readTree("""
                {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
                 "properties": {"_id": {"type": "string"}, "name": {"type": "string"}, "n": {"type": "integer"}},
                 "required": ["name"]}"""), List.of(new IndexConfig("name", false)));
    }

    static List<String> all(Database db) {
        List<String> out = new ArrayList<>();
        for (ObjectNode n : db.collection("people").find(Query.all())) {
            out.add(n.toString());
        }
        return out;
    }

    @Test
    void threeWritersConvergeOnIdenticalQueryResults() throws Exception {
        try (DbPeer a = new DbPeer(); DbPeer b = new DbPeer(); DbPeer c = new DbPeer()) {
            Database dbA = a.dbs.createDatabase("team", List.of(people()));
            dbA.collection("people").create("{\"_id\":\"seed\",\"name\":\"seed\",\"n\":0}");
            ThreadInvite invite = a.peer.net.invite(dbA.id(), false);

            Database dbB = b.dbs.joinDatabase(invite, "team");
            Database dbC = c.dbs.joinDatabase(ThreadInvite.parse(invite.text()), "team");
            assertEquals(dbA.listCollections(), dbB.listCollections(), "the join brings the collections");
            assertEquals(all(dbA), all(dbB), "and the data");

            List<String> seenOnB = new CopyOnWriteArrayList<>();
            Subscription sub = dbB.listen(dbB.lastSequence(), List.of(), change -> seenOnB.add(change.instanceId()));
            try {
                List<CompletableFuture<Void>> writers = new ArrayList<>();
                int i = 0;
                for (Database db : List.of(dbA, dbB, dbC)) {
                    String who = "w" + i++;
                    writers.add(CompletableFuture.runAsync(() -> {
                        for (int k = 0; k < 40; k++) {
                            db.collection("people").create("{\"_id\":\"" + who + "-" + k + "\",\"name\":\"" + who
                                    + "\",\"n\":" + k + "}");
                        }
                        db.collection("people").save("{\"_id\":\"seed\",\"name\":\"seed\",\"n\":1}");
                    }));
                }
                writers.forEach(CompletableFuture::join);
                await("three databases hold the same 121 documents", WITHIN, () -> all(dbA).size() == 121
                        && all(dbA).equals(all(dbB)) && all(dbA).equals(all(dbC)));
                Query byName = Query.where("name").eq("w1").orderByDesc("n");
                assertEquals(dbA.collection("people").find(byName), dbC.collection("people").find(byName));
                await("b's listener saw a's and c's writes", WITHIN,
                        () -> seenOnB.contains("w0-39") && seenOnB.contains("w2-39"));
                for (DbPeer p : List.of(a, b, c)) {
                    assertEquals(0, p.peer.net.stats().recordsRejected());
                }
                assertTrue(seenOnB.stream().filter("w0-0"::equals).count() == 1, "each change is delivered once");
            } finally {
                sub.close();
            }
        }
    }

    @Test
    void databasesConvergeAfterAPartitionHeals() throws Exception {
        try (DbPeer a = new DbPeer(); DbPeer b = new DbPeer(); DbPeer c = new DbPeer()) {
            Database dbA = a.dbs.createDatabase("team", List.of(people()));
            ThreadInvite invite = a.peer.net.invite(dbA.id(), false);
            Database dbB = b.dbs.joinDatabase(invite, "team");
            Database dbC = c.dbs.joinDatabase(invite, "team");
            dbC.collection("people").create("{\"_id\":\"c-0\",\"name\":\"c\",\"n\":0}");
            await("all three see c's first document", WITHIN,
                    () -> all(dbA).size() == 1 && all(dbB).equals(all(dbA)) && all(dbC).equals(all(dbA)));

            c.peer.disconnect();
            for (int k = 1; k <= 20; k++) {
                dbA.collection("people").create("{\"_id\":\"a-" + k + "\",\"name\":\"a\",\"n\":" + k + "}");
                dbC.collection("people").create("{\"_id\":\"c-" + k + "\",\"name\":\"c\",\"n\":" + k + "}");
            }
            dbC.collection("people").save("{\"_id\":\"c-0\",\"name\":\"c\",\"n\":100}");
            await("a and b converge while c is cut off", WITHIN, () -> all(dbA).size() == 21 && all(dbB).equals(all(dbA)));
            assertEquals(21, all(dbC).size(), "c sees only its own documents while cut off");

            c.peer.reconnect();
            await("all three converge after the partition heals", WITHIN, () -> all(dbA).size() == 41
                    && all(dbB).equals(all(dbA)) && all(dbC).equals(all(dbA)));
            assertEquals(100, dbB.collection("people").findById("c-0").get("n").intValue());
        }
    }
}
