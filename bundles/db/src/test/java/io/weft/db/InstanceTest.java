package io.weft.db;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.ConflictException;
import io.weft.api.NotFoundException;
import io.weft.api.db.Collection;
import io.weft.api.db.Database;
import io.weft.api.db.Query;
import io.weft.api.log.Head;
import io.weft.api.thread.LogId;
import java.util.List;

class InstanceTest extends DbFixture {

    @OnEachEngine
    void createFindSaveDelete(String engine) {
        Peer p = peer(engine);
        Database db = p.manager().createDatabase("inst", List.of(persons()));
        Collection people = db.collection("Person");
        String ada = people.create(json("{\"name\":\"Ada\",\"age\":36,\"email\":\"ada@x\"}"));
        assertTrue(Ulid.isUlid(ada), "an id is generated as a lower-case ULID: " + ada);
        String given = people.create("{\"_id\":\"bob\",\"name\":\"Bob\",\"age\":20}");
        assertEquals("bob", given);
        ObjectNode a = people.findById(ada);
        assertEquals("Ada", a.get("name").textValue());
        assertEquals(ada, a.get("_id").textValue());
        long mod = a.get("_mod").longValue();
        assertTrue(mod > 1_600_000_000_000_000_000L, "_mod is a unix-nano time: " + mod);
        assertTrue(people.has(ada));
        assertTrue(people.hasAll(List.of(ada, "bob")));
        assertFalse(people.hasAll(List.of(ada, "nobody")));
        assertThrows(NotFoundException.class, () -> people.findById("nobody"));

        a.put("age", 37);
        people.save(a);
        ObjectNode a2 = people.findById(ada);
        assertEquals(37, a2.get("age").intValue());
        assertTrue(a2.get("_mod").longValue() > mod);

        // queries use the age index or scan; results are the same
        List<ObjectNode> adults = people.find(Query.where("age").ge(21));
        assertEquals(List.of(ada), adults.stream().map(n -> n.get("_id").textValue()).toList());
        assertEquals(2, people.findAll().size());
        List<ObjectNode> byAge = people.find(Query.all().orderBy("age"));
        assertEquals(List.of("bob", ada), byAge.stream().map(n -> n.get("_id").textValue()).toList());

        people.delete(ada);
        assertFalse(people.has(ada));
        people.delete("nobody"); // a no-op, as in go-threads
        assertEquals(1, people.findAll().size());

        // save of a missing id creates it (go-threads)
        people.save(json("{\"_id\":\"carl\",\"name\":\"Carl\"}"));
        assertEquals("Carl", people.findById("carl").get("name").textValue());
        assertThrows(ConflictException.class, () -> people.create(json("{\"_id\":\"carl\",\"name\":\"C2\"}")));
    }

    @OnEachEngine
    void everyWriteTransactionIsExactlyOneRecord(String engine) {
        Peer p = peer(engine);
        Database db = p.manager().createDatabase("rec", List.of(persons(), anyObject("Other")));
        LogId log = p.logs().ownLog(db.id(), p.identity().publicKey()).orElseThrow().id();
        long c0 = p.logs().logstore().headBook().head(db.id(), log).counter();
        assertEquals(1, c0, "the collections of a new database are its first record");
        Collection people = db.collection("Person");
        people.createMany(List.of(json("{\"name\":\"a\"}"), json("{\"name\":\"b\"}"), json("{\"name\":\"c\"}")));
        assertEquals(c0 + 1, head(p, db, log).counter());
        db.update(t -> {
            t.create("Person", json("{\"_id\":\"x\",\"name\":\"x\"}"));
            t.create("Other", json("{\"_id\":\"y\",\"v\":1}"));
            t.save("Person", json("{\"_id\":\"x\",\"name\":\"x2\"}"));
        });
        assertEquals(c0 + 2, head(p, db, log).counter());
        db.update(t -> { }); // nothing to commit: no record
        assertEquals(c0 + 2, head(p, db, log).counter());
        assertEquals("x2", people.findById("x").get("name").textValue());
        people.deleteMany(List.of("x", "nobody"));
        assertEquals(c0 + 3, head(p, db, log).counter());
    }

    private static Head head(Peer p, Database db, LogId log) {
        return p.logs().logstore().headBook().head(db.id(), log);
    }
}
