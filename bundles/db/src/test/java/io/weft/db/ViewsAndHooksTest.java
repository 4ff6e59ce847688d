package io.weft.db;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.weft.api.UnauthorizedException;
import io.weft.api.crypto.PublicKey;
import io.weft.api.db.ChangeType;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.Database;
import io.weft.api.db.FeedView;
import io.weft.api.db.KeyValueView;
import io.weft.api.db.Query;
import io.weft.api.db.WriteProblem;
import io.weft.api.db.spi.ReadFilter;
import io.weft.api.db.spi.WriteValidator;
import io.weft.core.crypto.Ed25519;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ViewsAndHooksTest extends DbFixture {

    @Test
    void keyValueView() {
        Database db = peer("memory").manager().createDatabase("kv", List.of());
        KeyValueView kv = KeyValueView.open(db, "Settings");
        assertTrue(kv.get("theme").isEmpty());
        kv.put("theme", TextNode.valueOf("dark"));
        kv.putAll(Map.of("a", IntNode.valueOf(1), "b", json("{\"x\":[1,2]}")));
        assertEquals(TextNode.valueOf("dark"), kv.get("theme").orElseThrow());
        assertEquals(List.of("a", "b", "theme"), kv.keys());
        kv.put("theme", TextNode.valueOf("light"));
        assertEquals(TextNode.valueOf("light"), kv.get("theme").orElseThrow());
        assertTrue(kv.delete("theme"));
        assertFalse(kv.delete("theme"));
        assertFalse(kv.containsKey("theme"));
        assertEquals(json("{\"x\":[1,2]}"), KeyValueView.open(db, "Settings").entries().get("b"));
    }

    @Test
    void feedView() {
        Database db = peer("memory").manager().createDatabase("feed", List.of());
        FeedView feed = FeedView.open(db, "Chat");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            ids.add(feed.append(json("{\"n\":" + i + "}")));
        }
        ids.addAll(feed.appendAll(List.of(json("{\"n\":25}"), json("{\"n\":26}"))));
        List<String> sorted = new ArrayList<>(ids);
        sorted.sort(null);
        assertEquals(sorted, ids, "ids are monotonic");
        List<Integer> seen = new ArrayList<>();
        String cursor = null;
        while (true) {
            List<FeedView.Entry> page = feed.read(cursor, 10);
            if (page.isEmpty()) {
                break;
            }
            page.forEach(e -> seen.add(e.value().get("n").intValue()));
            cursor = page.get(page.size() - 1).id();
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 27; i++) {
            expected.add(i);
        }
        assertEquals(expected, seen);
    }

    @Test
    void readFiltersHideAndTransformAfterTheQuery() {
        ReadFilter redact = new ReadFilter() {
            @Override
            public String name() {
                return "redact";
            }

            @Override
            public ObjectNode filter(PublicKey reader, String collection, ObjectNode instance) {
                if (instance.path("secret").asBoolean()) {
                    return null;
                }
                instance.remove("email");
                return instance;
            }
        };
        Peer p = peer(open("memory"), Ed25519.generate(), b -> b.readFilters(n -> n.equals("redact") ? redact : null));
        CollectionConfig cfg = new CollectionConfig("Person", schema(PERSON_SCHEMA), List.of(), null, "redact");
        Database db = p.manager().createDatabase("filtered", List.of(cfg));
        db.collection("Person").create(json("{\"_id\":\"a\",\"name\":\"A\",\"email\":\"a@x\",\"age\":1}"));
        db.collection("Person").create(json("{\"_id\":\"b\",\"name\":\"B\",\"secret\":true,\"age\":2}"));
        assertFalse(db.collection("Person").findById("a").has("email"));
        assertFalse(db.collection("Person").has("b"));
        assertEquals(List.of("a"), TransactionTest.ids(db.collection("Person").findAll()));
        // filter after the query: the hidden instance makes the page shorter
        assertEquals(List.of(), TransactionTest.ids(db.collection("Person").find(Query.all().orderByDesc("age").limit(1))));
    }

    @Test
    void writeValidatorsSeeEveryLocalChangeAndVerifyReportsRejections() {
        List<String> seen = new ArrayList<>();
        WriteValidator v = new WriteValidator() {
            @Override
            public String name() {
                return "audit";
            }

            @Override
            public String validate(PublicKey writer, String collection, ChangeType type, JsonNode before, JsonNode after) {
                seen.add(type + " " + (after != null ? after.get("_id").textValue() : before.get("_id").textValue()));
                return after != null && after.path("name").asText().isEmpty() ? "a name is required" : null;
            }
        };
        Peer p = peer(open("memory"), Ed25519.generate(), b -> b.writeValidators(n -> n.equals("audit") ? v : null));
        Database db = p.manager().createDatabase("validated",
                List.of(new CollectionConfig("Doc", schema("{\"type\":\"object\"}"), List.of(), "audit", null)));
        db.collection("Doc").create(json("{\"_id\":\"a\",\"name\":\"A\"}"));
        db.collection("Doc").save(json("{\"_id\":\"a\",\"name\":\"A2\"}"));
        db.collection("Doc").delete("a");
        assertEquals(List.of("CREATE a", "SAVE a", "DELETE a"), seen);
        assertThrows(UnauthorizedException.class, () -> db.collection("Doc").create(json("{\"_id\":\"b\"}")));
        assertEquals(List.of(WriteProblem.Kind.REJECTED),
                db.collection("Doc").verify(List.of(json("{\"_id\":\"c\"}"))).stream().map(WriteProblem::kind).toList());
    }

    @Test
    void aTransactionOpenedForAWriterIsValidatedFilteredAndRecordedAsThatWriter() {
        List<PublicKey> writers = new ArrayList<>();
        List<PublicKey> readers = new ArrayList<>();
        PublicKey owner = Ed25519.generate().publicKey();
        WriteValidator ownerOnly = new WriteValidator() {
            @Override
            public String name() {
                return "owner";
            }

            @Override
            public String validate(PublicKey writer, String collection, ChangeType type, JsonNode before, JsonNode after) {
                writers.add(writer);
                return writer.equals(owner) ? null : "only the owner writes";
            }
        };
        ReadFilter audit = new ReadFilter() {
            @Override
            public String name() {
                return "audit";
            }

            @Override
            public ObjectNode filter(PublicKey reader, String collection, ObjectNode instance) {
                readers.add(reader);
                return instance;
            }
        };
        Peer p = peer(open("memory"), Ed25519.generate(), b -> b
                .writeValidators(n -> n.equals("owner") ? ownerOnly : null)
                .readFilters(n -> n.equals("audit") ? audit : null));
        Database db = p.manager().createDatabase("owned",
                List.of(new CollectionConfig("Doc", schema("{\"type\":\"object\"}"), List.of(), "owner", "audit")));

        // the host (no writer) is refused, the owner is accepted
        assertThrows(UnauthorizedException.class, () -> db.collection("Doc").create(json("{\"_id\":\"h\"}")));
        assertEquals(p.identity().publicKey(), writers.get(0));
        String id = db.write(owner, t -> {
            assertTrue(t.findAll("Doc").isEmpty());
            return t.create("Doc", json("{\"_id\":\"o\"}"));
        });
        assertEquals("o", id);
        assertEquals(owner, writers.get(writers.size() - 1));

        // the record is the owner's: in the owner's log (kept by this peer), with the owner as author
        var thread = p.logs().getThread(db.id());
        var ownerLog = p.logs().ownLog(db.id(), owner).orElseThrow();
        assertTrue(ownerLog.hasPrivateKey());
        assertEquals(1, ownerLog.head().counter());
        var record = p.logs().openRecord(db.id(), ownerLog.head().cid());
        assertNotNull(record);
        assertEquals(owner, io.weft.core.record.Records.verify(
                p.logs().getRecord(db.id(), ownerLog.head().cid()), ownerLog.pubKey(), thread.key()).author());

        // reads on behalf of a reader pass it to the read filter; the host reads as null
        readers.clear();
        try (var r = db.readTransaction(owner)) {
            assertEquals(1, r.findAll("Doc").size());
        }
        db.collection("Doc").findById("o");
        assertEquals(java.util.Arrays.asList(owner, null), readers);

        // a transaction for another writer is rolled back by the validator; nothing is written
        PublicKey stranger = Ed25519.generate().publicKey();
        assertThrows(UnauthorizedException.class, () -> db.write(stranger, t -> {
            t.save("Doc", json("{\"_id\":\"o\",\"x\":1}"));
            return null;
        }));
        assertTrue(p.logs().ownLog(db.id(), stranger).isEmpty());
        assertFalse(db.collection("Doc").findById("o").has("x"));
        // the host's own identity as an explicit writer is the host's log
        assertEquals(p.logs().ownLog(db.id(), p.identity().publicKey()).orElseThrow().id(),
                p.logs().getOrCreateOwnLog(db.id(), p.identity()).id());
    }
}
