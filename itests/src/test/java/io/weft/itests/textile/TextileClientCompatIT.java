package io.weft.itests.textile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.NotFoundException;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.DatabaseInfo;
import io.weft.api.db.IndexConfig;
import io.weft.api.db.Query;
import io.weft.api.format.Multiaddr;
import io.weft.api.thread.ThreadId;
import io.weft.client.WeftClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The real, unmodified {@code @textile/threads-client} 2.3.4 ({@code itests/textile-client-harness/compat.js},
 * over its grpc-websockets transport) against Weft peers run from the distribution as processes, with the effects
 * checked from Java over native gRPC ({@link WeftClient}).
 */
class TextileClientCompatIT {

    /** The whole suite: about a hundred calls, several listen streams; generous for a loaded 2-core machine. */
    static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(5);
    static final Duration SYNC_TIMEOUT = Duration.ofSeconds(90);
    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * getToken (and a wrong signature, a malformed key, a bad token), newDB, listDBs, getDBInfo, collections
     * (new, duplicate, bad schema, list, info, update, indexes, delete), create/save/delete/has/findByID/verify with
     * their error paths, find with every operator the client can express (its gt sends Ne) and malformed queries,
     * read and write transactions (commit, discard, error), listen (collection, action and instance filters, all),
     * the paper's §5.1 example, deleteDB. Then, from Java: the databases the script kept and deleted.
     */
    @Test
    void theRealJsClientRunsTheWholeDatabaseApi() throws Exception {
        try (WeftPeer peer = WeftPeer.start("compat")) {
            CompatScript run = CompatScript.run(SCRIPT_TIMEOUT, Map.of(), "suite", "--url", peer.webUrl());
            JsonNode done = run.assertPassed("peer output:\n" + peer.output());

            // the client's gt really sent Ne, and the answer was Ne's
            JsonNode gt = run.step("query.gt.sendsNe");
            assertEquals(1, gt.path("sent").path("ands").path(0).path("operation").asInt());

            WeftClient java = peer.client();
            List<String> dbs = java.listDBs().stream().map(d -> d.id().toString()).toList();
            assertTrue(dbs.contains(done.path("compatDb").asText()), dbs::toString);
            assertTrue(dbs.contains(done.path("paperDb").asText()), dbs::toString);
            assertFalse(dbs.contains(done.path("deletedDb").asText()), "deleteDB removed it: " + dbs);

            ThreadId compat = ThreadId.parse(done.path("compatDb").asText());
            DatabaseInfo info = java.getDBInfo(compat);
            assertEquals("compat", info.name());
            ObjectNode john = java.findById(compat, "Person", done.path("compatJohn").asText());
            assertEquals("John", john.path("firstName").asText());
            assertEquals(26, john.path("age").asInt(), "the JS client's save");
            assertEquals(List.of("Person"), java.listCollections(compat).stream().map(CollectionConfig::name).toList());

            ThreadId paper = ThreadId.parse(done.path("paperDb").asText());
            List<ObjectNode> persons = java.find(paper, "Person", Query.all());
            assertEquals(done.path("paperPersons").asInt(), persons.size(), persons::toString);
            ObjectNode existing = java.findById(paper, "Person", done.path("paperExisting").asText());
            assertEquals(40, existing.path("age").asInt(), "the last save of the paper's listen example");
            assertEquals(7, java.find(paper, "Person",
                    Query.where("age").ge(60).and("age").lt(66).or(Query.where("age").eq(67))).size());

            ThreadId deleted = ThreadId.parse(done.path("deletedDb").asText());
            try {
                java.getDBInfo(deleted);
                throw new AssertionError("the deleted database is still there");
            } catch (NotFoundException expected) {
                // deleted through the JS client
            }
        }
    }

    /**
     * newDBFromAddr: a database created (over native gRPC) on peer A, with a collection and three instances, is
     * joined by the JS client through peer B with A's thread address and key; B gets the collection and the
     * instances, refuses a second join ("already exists"), and an instance the JS client creates on B reaches A.
     */
    @Test
    void newDBFromAddrJoinsADatabaseServedByAnotherPeer() throws Exception {
        try (WeftPeer a = WeftPeer.start("served"); WeftPeer b = WeftPeer.start("joiner")) {
            WeftClient onA = a.client();
            ObjectNode schema = (ObjectNode) JSON.readTree("""
                    {"type": "object", "required": ["_id"], "properties": {
                      "_id": {"type": "string"}, "firstName": {"type": "string"}, "lastName": {"type": "string"},
                      "age": {"type": "integer", "minimum": 0}}}""");
            ThreadId db = onA.newDB("shared", List.of(new CollectionConfig("Person", schema, List.of(IndexConfig.of("age")))));
            List<String> ids = onA.create(db, "Person", List.of(
                    person("ada", "Ada", "Lovelace", 36), person("alan", "Alan", "Turing", 41),
                    person("grace", "Grace", "Hopper", 85)));
            assertEquals(List.of("ada", "alan", "grace"), ids);

            DatabaseInfo info = onA.getDBInfo(db);
            Multiaddr addr = info.addrs().stream()
                    .filter(m -> m.toString().startsWith("/ip4/127.0.0.1/") && m.threadId().isPresent())
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no 127.0.0.1 thread address in " + info.addrs()));
            CompatScript run = CompatScript.run(SCRIPT_TIMEOUT, Map.of("COMPAT_THREAD_KEY", info.key().toString()),
                    "join", "--url", b.webUrl(), "--addr", addr.toString(), "--collection", "Person",
                    "--expect-ids", String.join(",", ids), "--write-id", "from-js");
            JsonNode done = run.assertPassed("peer A output:\n" + a.output() + "\npeer B output:\n" + b.output());
            assertEquals(db.toString(), done.path("dbId").asText());

            // B has the database with A's key; A receives what the JS client wrote through B
            assertTrue(b.client().listDBs().stream().anyMatch(d -> d.id().equals(db)));
            long deadline = System.nanoTime() + SYNC_TIMEOUT.toNanos();
            a.await("the instance written through peer B", deadline, () -> onA.has(db, "Person", "from-js"));
            ObjectNode fromJs = onA.findById(db, "Person", "from-js");
            assertEquals("Ada", fromJs.path("firstName").asText());
            assertEquals(List.of("ada", "alan", "from-js", "grace"),
                    onA.find(db, "Person", Query.all()).stream().map(n -> n.path("_id").asText()).collect(Collectors.toList()));
        }
    }

    private static ObjectNode person(String id, String first, String last, int age) {
        ObjectNode n = JSON.createObjectNode();
        n.put("_id", id).put("firstName", first).put("lastName", last).put("age", age);
        return n;
    }
}
