package io.weft.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.ConflictException;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.UnauthorizedException;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.DatabaseInfo;
import io.weft.api.db.IndexConfig;
import io.weft.api.db.Query;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadInvite;
import io.weft.api.thread.ThreadKey;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Every database, collection and instance method of {@link WeftClient} against a real server. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PERSON_SCHEMA = """
            {"type":"object","properties":{"_id":{"type":"string"},"name":{"type":"string"},
             "age":{"type":"integer","minimum":0}},"required":["name"]}""";

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

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static CollectionConfig person() {
        return new CollectionConfig("Person", json(PERSON_SCHEMA), List.of(IndexConfig.unique("name"), IndexConfig.of("age")));
    }

    ThreadId newPeopleDb() {
        return client.newDB("people", List.of(person()));
    }

    /** A plain record type for the typed find. */
    @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    public record Person(String _id, String name, int age) {
    }

    @Test
    void databases() {
        ThreadId empty = client.newDB("empty");
        ThreadId id = ThreadId.newRandom();
        ThreadKey key = ThreadKey.generate(true);
        assertEquals(id, client.newDB(id, "chosen", key, List.of(person())));

        List<DatabaseInfo> all = client.listDBs();
        assertTrue(all.stream().anyMatch(d -> d.id().equals(empty) && d.name().equals("empty")), all.toString());
        DatabaseInfo info = client.getDBInfo(id);
        assertEquals("chosen", info.name());
        assertEquals(key, info.key());
        assertFalse(info.addrs().isEmpty(), "the peer serves it at its libp2p address");

        ThreadInvite invite = client.invite(id, false);
        assertEquals(id, invite.threadId());
        assertEquals(key, invite.key());
        assertEquals(peer.net.hostId(), invite.peers().get(0));
        assertFalse(client.invite(id, true).canRead(), "a replica invite has no read key");

        assertThrows(ConflictException.class, () -> client.newDB(id, "again", null, List.of()));
        client.deleteDB(id);
        assertThrows(NotFoundException.class, () -> client.getDBInfo(id));
        assertThrows(NotFoundException.class, () -> client.deleteDB(id));
        assertThrows(InvalidInputException.class, () -> client.newDB(null, "x", null, List.of()));
    }

    @Test
    void collections() {
        ThreadId db = client.newDB("collections");
        client.newCollection(db, person());
        assertThrows(ConflictException.class, () -> client.newCollection(db, person()));
        CollectionConfig got = client.getCollectionInfo(db, "Person");
        assertEquals("Person", got.name());
        assertEquals(json(PERSON_SCHEMA), got.schema());
        assertEquals(List.of(IndexConfig.unique("name"), IndexConfig.of("age")), got.indexes());
        assertEquals(got.indexes(), client.getCollectionIndexes(db, "Person"));

        client.newCollection(db, new CollectionConfig("Note", json("{\"type\":\"object\"}")));
        assertEquals(List.of("Note", "Person"), client.listCollections(db).stream().map(CollectionConfig::name).sorted().toList());

        client.updateCollection(db, new CollectionConfig("Note", json("{\"type\":\"object\"}"), List.of(IndexConfig.of("title"))));
        assertEquals(List.of(IndexConfig.of("title")), client.getCollectionInfo(db, "Note").indexes());
        client.deleteCollection(db, "Note");
        assertThrows(NotFoundException.class, () -> client.getCollectionInfo(db, "Note"));
        assertThrows(NotFoundException.class, () -> client.deleteCollection(db, "Note"));
        assertThrows(NotFoundException.class, () -> client.listCollections(ThreadId.newRandom()));
        assertThrows(InvalidInputException.class, () -> client.newCollection(db,
                new CollectionConfig("Bad", json("{\"type\":\"object\",\"properties\":{\"_id\":{\"type\":\"integer\"}}}"))));
    }

    @Test
    void instances() {
        ThreadId db = newPeopleDb();
        String ada = client.create(db, "Person", json("{\"name\":\"Ada\",\"age\":36}"));
        List<String> ids = client.create(db, "Person", List.of(json("{\"name\":\"Grace\",\"age\":85}"),
                json("{\"_id\":\"alan\",\"name\":\"Alan\",\"age\":41}")));
        assertEquals(2, ids.size());
        assertEquals("alan", ids.get(1));
        assertNotNull(ada);

        ObjectNode got = client.findById(db, "Person", ada);
        assertEquals("Ada", got.get("name").asText());
        assertTrue(client.has(db, "Person", ada));
        assertTrue(client.has(db, "Person", List.of(ada, "alan")));
        assertFalse(client.has(db, "Person", List.of(ada, "nobody")));

        got.put("age", 37);
        client.save(db, "Person", got);
        assertEquals(37, client.findById(db, "Person", ada).get("age").asInt());

        // the fluent builder, sorting and paging
        List<ObjectNode> old = client.find(db, "Person", Query.where("age").ge(40).orderByDesc("age"));
        assertEquals(List.of("Grace", "Alan"), old.stream().map(n -> n.get("name").asText()).toList());
        assertEquals(List.of("Alan"), client.find(db, "Person", Query.where("age").ge(40).orderBy("age").limit(1))
                .stream().map(n -> n.get("name").asText()).toList());
        assertEquals(3, client.find(db, "Person", Query.all()).size());
        List<Person> typed = client.find(db, "Person", Query.where("name").eq("Ada"), Person.class);
        assertEquals(37, typed.get(0).age());
        assertEquals("Alan", client.findById(db, "Person", "alan", Person.class).name());

        // verify: no write, problems reported as errors
        client.verify(db, "Person", List.of(json("{\"_id\":\"valid\",\"name\":\"Valid\"}")));
        assertFalse(client.has(db, "Person", "valid"));
        InvalidInputException problem = assertThrows(InvalidInputException.class,
                () -> client.verify(db, "Person", List.of(json("{\"_id\":\"x\",\"age\":-1}"))));
        assertTrue(problem.getMessage().contains("name") || problem.getMessage().contains("age"), problem.getMessage());
        assertThrows(InvalidInputException.class, () -> client.verify(db, "Person", List.of(json("{\"name\":\"no id\"}"))));

        // errors
        assertThrows(InvalidInputException.class, () -> client.create(db, "Person", json("{\"age\":1}")), "schema");
        assertThrows(ConflictException.class, () -> client.create(db, "Person", json("{\"name\":\"Ada\"}")), "unique");
        assertThrows(ConflictException.class, () -> client.create(db, "Person", json("{\"_id\":\"alan\",\"name\":\"X\"}")));
        assertThrows(NotFoundException.class, () -> client.findById(db, "Person", "nobody"));
        assertThrows(NotFoundException.class, () -> client.find(db, "Nothing", Query.all()));
        assertThrows(InvalidInputException.class, () -> client.create(db, "Person", List.of()));
        assertThrows(InvalidInputException.class, () -> client.create(db, "Person", JSON.createArrayNode()));
        assertEquals(3, client.find(db, "Person", Query.all()).size(), "failed writes changed nothing");

        // save of an unknown id creates it (go-threads' save is an upsert)
        client.save(db, "Person", json("{\"_id\":\"newbie\",\"name\":\"Newbie\"}"));
        assertTrue(client.has(db, "Person", "newbie"));
        client.delete(db, "Person", "newbie");

        client.delete(db, "Person", List.of(ada, "alan"));
        assertFalse(client.has(db, "Person", ada));
        assertEquals(1, client.find(db, "Person", Query.all()).size());
        client.delete(db, "Person", "alan"); // deleting what is gone is not an error
        assertFalse(client.has(db, "Person", "alan"));
    }

    @Test
    void writeValidatorRefusalIsUnauthorized() {
        ThreadId db = client.newDB("guarded", List.of(new CollectionConfig("Doc", json("{\"type\":\"object\"}"),
                List.of(), "audit", null)));
        client.create(db, "Doc", json("{\"_id\":\"a\"}"));
        peer.owners.put(io.weft.core.crypto.Ed25519.generate().publicKey(), true);
        try {
            assertThrows(UnauthorizedException.class, () -> client.create(db, "Doc", json("{\"_id\":\"b\"}")));
        } finally {
            peer.owners.clear();
        }
        assertFalse(client.has(db, "Doc", "b"));
    }
}
