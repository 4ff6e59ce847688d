package io.weft.db;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.ConflictException;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.db.Collection;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.Database;
import io.weft.api.db.IndexConfig;
import io.weft.api.db.Query;
import io.weft.api.db.SchemaUpdate;
import io.weft.api.store.Cursor;
import io.weft.api.store.KeyRange;
import io.weft.db.query.DocumentSource;
import io.weft.db.query.QueryEngine;
import io.weft.db.query.QueryPlan;
import java.util.List;
import org.junit.jupiter.api.Test;

class CollectionTest extends DbFixture {

    @OnEachEngine
    void defineListUpdateDelete(String engine) {
        Peer p = peer(engine);
        Database db = p.manager().createDatabase("cols", List.of());
        assertEquals(List.of(), db.listCollections());
        Collection c = db.newCollection(persons());
        assertEquals("Person", c.name());
        assertEquals(persons(), c.config());
        assertThrows(ConflictException.class, () -> db.newCollection(persons()));
        db.newCollection(anyObject("Notes"));
        assertEquals(List.of("Notes", "Person"), db.listCollections().stream().map(CollectionConfig::name).toList());

        db.deleteCollection("Notes");
        assertThrows(NotFoundException.class, () -> db.collection("Notes"));
        assertThrows(NotFoundException.class, () -> db.deleteCollection("Notes"));
        assertThrows(NotFoundException.class, () -> db.updateCollection(anyObject("Notes")));
        assertEquals(List.of("Person"), db.listCollections().stream().map(CollectionConfig::name).toList());
    }

    @Test
    void deletingACollectionDeletesItsInstancesAndARecreatedOneStartsEmpty() {
        Peer p = peer("memory");
        Database db = p.manager().createDatabase("del", List.of(persons()));
        db.collection("Person").create(json("{\"_id\":\"a\",\"name\":\"A\",\"age\":3}"));
        db.deleteCollection("Person");
        db.newCollection(persons());
        assertEquals(List.of(), db.collection("Person").findAll());
        byte[] idx = DbKeys.indexPrefix(db.id(), "Person");
        assertTrue(snapshot(p.store()).stream().noneMatch(e -> DbKeys.startsWith(e.key(), idx)), "no stale index entries");
        db.collection("Person").create(json("{\"_id\":\"a\",\"name\":\"A again\"}"));
        assertEquals("A again", db.collection("Person").findById("a").get("name").textValue());
    }

    @Test
    void schemasMayBeDraft07Or202012() {
        Peer p = peer("memory");
        Database db = p.manager().createDatabase("dialects", List.of());
        // prefixItems exists only in 2020-12; draft-07 ignores it
        String body = "\"type\":\"object\",\"properties\":{\"t\":{\"type\":\"array\",\"prefixItems\":[{\"type\":\"string\"}]}}";
        db.newCollection(new CollectionConfig("New", schema("{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\"," + body + "}")));
        db.newCollection(new CollectionConfig("Old", schema("{" + body + "}")));
        assertThrows(InvalidInputException.class, () -> db.collection("New").create(json("{\"t\":[1]}")));
        db.collection("New").create(json("{\"t\":[\"x\"]}"));
        db.collection("Old").create(json("{\"t\":[1]}"));
    }

    @Test
    void badSchemasAreRejected() {
        Peer p = peer("memory");
        Database db = p.manager().createDatabase("bad", List.of());
        assertThrows(InvalidInputException.class,
                () -> db.newCollection(new CollectionConfig("A", schema("{\"properties\":{\"_id\":{\"type\":\"integer\"}}}"))));
        assertThrows(InvalidInputException.class,
                () -> db.newCollection(new CollectionConfig("B", schema("{\"properties\":{\"a\":{\"pattern\":\"(\"}}}"))));
        assertThrows(InvalidInputException.class,
                () -> db.newCollection(new CollectionConfig("C", schema("{\"$ref\":\"http://example.com/x.json\"}"))));
        assertThrows(InvalidInputException.class,
                () -> db.newCollection(new CollectionConfig("D", schema("{\"$schema\":\"http://example.com/meta\"}"))));
        // the go-threads reflector form: $ref to a definition whose _id is a string
        db.newCollection(new CollectionConfig("E", schema("{\"$ref\":\"#/definitions/P\",\"definitions\":{\"P\":"
                + "{\"type\":\"object\",\"properties\":{\"_id\":{\"type\":\"string\"},\"n\":{\"type\":\"integer\"}}}}}")));
        assertThrows(InvalidInputException.class, () -> db.collection("E").create(json("{\"n\":\"x\"}")));
        assertThrows(InvalidInputException.class, () -> new CollectionConfig("_x", schema("{}")));
        assertThrows(InvalidInputException.class, () -> new CollectionConfig("x", schema("{}"),
                List.of(IndexConfig.of("a"), IndexConfig.unique("a"))));
        assertEquals(List.of(), db.listCollections().stream().filter(c -> !c.name().equals("E")).toList());
    }

    @OnEachEngine
    void updateReportsInvalidInstancesAndBackfillsNewIndexes(String engine) {
        Peer p = peer(engine);
        Database db = p.manager().createDatabase("upd", List.of(new CollectionConfig("Person", schema(PERSON_SCHEMA))));
        Collection c = db.collection("Person");
        c.create(json("{\"_id\":\"a\",\"name\":\"A\",\"age\":30}"));
        c.create(json("{\"_id\":\"b\",\"name\":\"B\"}"));
        c.create(json("{\"_id\":\"c\",\"name\":\"C\",\"age\":50}"));

        // a stricter schema: age now required
        String strict = PERSON_SCHEMA.replace("\"required\": [\"name\"]", "\"required\": [\"name\", \"age\"]");
        CollectionConfig next = new CollectionConfig("Person", schema(strict), List.of(IndexConfig.of("age")));
        SchemaUpdate dry = db.checkCollectionUpdate(next);
        assertEquals(List.of("b"), dry.invalidInstances().stream().map(SchemaUpdate.InvalidInstance::instanceId).toList());
        assertEquals(List.of("age"), dry.addedIndexes());
        assertEquals(3, dry.instances());
        assertEquals(List.of(), db.collection("Person").config().indexes(), "a dry run changes nothing");

        SchemaUpdate done = db.updateCollection(next);
        assertEquals(dry, done);
        assertEquals(next, db.collection("Person").config());
        // the kept instance no longer validates: a save of it must now satisfy the schema
        ObjectNode b = c.findById("b");
        assertThrows(InvalidInputException.class, () -> c.save(b));
        b.put("age", 1);
        c.save(b);

        // the new index was backfilled: it has one entry per instance and the planner uses it
        try (var rt = db.readTransaction()) {
            assertEquals(List.of("b", "a", "c"), rt.find("Person", Query.where("age").ge(0).orderBy("age"))
                    .stream().map(n -> n.get("_id").textValue()).toList());
        }
        p.store().read(txn -> {
            DocumentSource src = new SnapshotSource(txn, db.id(), next);
            QueryPlan plan = QueryEngine.explain(Query.where("age").eq(30), src);
            assertEquals(QueryPlan.Kind.INDEX_RANGE, plan.kind(), plan.toString());
            try (Cursor cur = txn.scan(KeyRange.prefix(DbKeys.indexPrefix(db.id(), "Person", "age")))) {
                int n = 0;
                while (cur.hasNext()) {
                    cur.next();
                    n++;
                }
                assertEquals(3, n);
            }
            return null;
        });

        // removing the index drops its entries
        SchemaUpdate removed = db.updateCollection(new CollectionConfig("Person", schema(strict)));
        assertEquals(List.of("age"), removed.removedIndexes());
        byte[] idx = DbKeys.indexPrefix(db.id(), "Person");
        assertTrue(snapshot(p.store()).stream().noneMatch(e -> DbKeys.startsWith(e.key(), idx)));
    }

    @OnEachEngine
    void aNewUniqueIndexOverDuplicatesIsRefusedWhole(String engine) {
        Peer p = peer(engine);
        Database db = p.manager().createDatabase("uniq", List.of(new CollectionConfig("Person", schema(PERSON_SCHEMA))));
        Collection c = db.collection("Person");
        c.create(json("{\"_id\":\"a\",\"name\":\"A\",\"email\":\"same@x\"}"));
        c.create(json("{\"_id\":\"b\",\"name\":\"B\",\"email\":\"same@x\"}"));
        CollectionConfig withUnique = new CollectionConfig("Person", schema(PERSON_SCHEMA), List.of(IndexConfig.unique("email")));
        assertThrows(ConflictException.class, () -> db.checkCollectionUpdate(withUnique));
        var before = snapshot(p.store());
        assertThrows(ConflictException.class, () -> db.updateCollection(withUnique));
        assertEquals(before, snapshot(p.store()));
        assertEquals(List.of(), db.collection("Person").config().indexes());
        c.delete("b");
        db.updateCollection(withUnique);
        assertThrows(ConflictException.class, () -> c.create(json("{\"_id\":\"z\",\"name\":\"Z\",\"email\":\"same@x\"}")));
    }
}
