package io.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.format.Multibase;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadInvite;
import io.weft.client.TestPeer;
import io.weft.core.crypto.Ed25519;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The command line against real peers (a {@link TestPeer} each: database, sync, server). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndToEndTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PERSON_SCHEMA = """
            {"type":"object","properties":{"_id":{"type":"string"},"name":{"type":"string"},
             "age":{"type":"integer","minimum":0}},"required":["name"]}""";

    TestPeer a;
    TestPeer b;

    @TempDir
    Path dir;

    @BeforeAll
    void start() {
        a = new TestPeer();
        b = new TestPeer();
    }

    @AfterAll
    void stop() {
        a.close();
        b.close();
    }

    /** {@code weft --api <peer> args…}, expecting exit status 0. */
    Cli ok(TestPeer p, String... args) {
        Cli c = on(p, args);
        assertEquals(0, c.exit(), c.describe());
        return c;
    }

    Cli on(TestPeer p, String... args) {
        return onWithInput(p, "", args);
    }

    Cli onWithInput(TestPeer p, String stdin, String... args) {
        List<String> all = new ArrayList<>(List.of("--api", p.api()));
        all.addAll(Arrays.asList(args));
        return Cli.runWithInput(stdin, all.toArray(new String[0]));
    }

    static JsonNode json(Cli c) {
        try {
            return JSON.readTree(c.out());
        } catch (Exception e) {
            throw new AssertionError(c.describe(), e);
        }
    }

    /** A database with a Person collection (unique name, age index); returns its id. */
    String peopleDb(TestPeer p, String name) throws Exception {
        String db = ok(p, "db", "create", name).out().strip();
        Path schema = Files.writeString(dir.resolve("person-" + System.nanoTime() + ".json"), PERSON_SCHEMA);
        ok(p, "collection", "create", db, "Person", "--schema", schema.toString(), "--index", "name:unique", "--index", "age");
        return db;
    }

    @Test
    void databases() {
        String db = ok(a, "db", "create", "people").out().strip();
        assertTrue(db.startsWith("bafk"), db);
        JsonNode list = json(ok(a, "db", "list", "--json"));
        boolean found = false;
        for (JsonNode d : list) {
            found |= d.get("id").asText().equals(db) && d.get("name").asText().equals("people") && !d.has("key");
        }
        assertTrue(found, list.toString());
        String table = ok(a, "db", "list").out();
        assertTrue(table.startsWith("ID "), table);
        assertTrue(table.contains(db + "  people"), table);

        JsonNode info = json(ok(a, "--json", "db", "info", db));
        assertFalse(info.has("key"), "the key only with --show-key");
        assertTrue(json(ok(a, "--json", "db", "info", db, "--show-key")).has("key"));
        assertTrue(ok(a, "db", "info", db).out().contains("(secret; --show-key prints it)"));

        String invite = ok(a, "db", "invite", db).out().strip();
        ThreadInvite parsed = ThreadInvite.parse(invite);
        assertEquals(ThreadId.parse(db), parsed.threadId());
        assertEquals(a.net.hostId(), parsed.peers().get(0));
        assertFalse(ThreadInvite.parse(json(ok(a, "db", "invite", db, "--replica", "--json")).get("invite").asText()).canRead());

        ok(a, "db", "delete", db);
        Cli gone = on(a, "db", "info", db);
        assertEquals(Weft.NOT_FOUND, gone.exit(), gone.describe());
        assertTrue(gone.err().startsWith("weft: "), gone.err());
        assertEquals(Weft.NOT_FOUND, on(a, "db", "delete", db).exit());
        Cli dup = on(a, "db", "create", "x", "--id", ThreadId.newRandom().toString(), "--key", "bnotakey");
        assertEquals(Weft.USER_ERROR, dup.exit(), dup.describe());
    }

    @Test
    void aDatabaseCanBeNamedWhenTheNameIsUnique() throws Exception {
        String db = peopleDb(b, "by-name");
        ok(b, "create", "by-name", "Person", "{\"name\":\"Ada\",\"age\":36}");
        assertEquals(1, json(ok(b, "find", "by-name", "Person", "--json")).size());
        assertEquals(db, json(ok(b, "db", "info", "by-name", "--json")).get("id").asText());
        Cli missing = on(b, "find", "no-such-db", "Person");
        assertEquals(Weft.NOT_FOUND, missing.exit(), missing.describe());
        assertTrue(missing.err().contains("no-such-db"), missing.err());
        ok(b, "db", "create", "by-name");
        Cli twice = on(b, "find", "by-name", "Person");
        assertEquals(Weft.USER_ERROR, twice.exit(), twice.describe());
        assertTrue(twice.err().contains("use the id"), twice.err());
        assertEquals(1, json(ok(b, "find", db, "Person", "--json")).size(), "the id still works");
    }

    @Test
    void collections() throws Exception {
        String db = peopleDb(a, "cols");
        ok(a, "collection", "create", db, "Note");
        Cli again = on(a, "collection", "create", db, "Note");
        assertEquals(Weft.USER_ERROR, again.exit(), "a conflict is a user error");
        String table = ok(a, "collection", "list", db).out();
        assertTrue(table.contains("Person  name:unique,age"), table);
        JsonNode info = json(ok(a, "collection", "info", db, "Person", "--json"));
        assertEquals(JSON.readTree(PERSON_SCHEMA), info.get("schema"));
        assertEquals(2, info.get("indexes").size());
        ok(a, "collection", "update", db, "Note", "--index", "title");
        assertEquals("title", json(ok(a, "--json", "collection", "info", db, "Note")).get("indexes").get(0).get("path").asText());
        assertEquals(Weft.USER_ERROR, on(a, "collection", "update", db, "Note").exit(), "update needs a change");
        ok(a, "collection", "delete", db, "Note");
        assertEquals(Weft.NOT_FOUND, on(a, "collection", "info", db, "Note").exit());
        assertEquals(Weft.USER_ERROR, on(a, "collection", "create", db, "Bad", "--schema", dir.resolve("nope.json").toString()).exit());
        assertEquals(Weft.USER_ERROR, on(a, "collection", "create", db, "Bad", "--index", "a:b").exit());
    }

    @Test
    void instances() throws Exception {
        String db = peopleDb(a, "instances");
        String ada = ok(a, "create", db, "Person", "{\"name\":\"Ada\",\"age\":36}").out().strip();
        Path file = Files.writeString(dir.resolve("people.jsonl"),
                "{\"name\":\"Grace\",\"age\":85}\n{\"_id\":\"alan\",\"name\":\"Alan\",\"age\":41}\n");
        JsonNode ids = json(ok(a, "create", db, "Person", "--file", file.toString(), "--json"));
        assertEquals(2, ids.size());
        assertEquals("alan", ids.get(1).asText());
        String fromStdin = onWithInput(a, "[{\"name\":\"Edsger\",\"age\":72}]", "create", db, "Person").out().strip();
        assertFalse(fromStdin.isEmpty());

        JsonNode got = json(ok(a, "--json", "get", db, "Person", ada));
        assertEquals("Ada", got.get("name").asText());
        assertTrue(ok(a, "get", db, "Person", ada).out().contains("\"name\" : \"Ada\""), "pretty without --json");
        Cli missing = on(a, "get", db, "Person", "nobody");
        assertEquals(Weft.NOT_FOUND, missing.exit(), missing.describe());

        JsonNode old = json(ok(a, "find", db, "Person", "--where", "age>=60", "--sort", "-age", "--json"));
        assertEquals(List.of("Grace", "Edsger"), names(old));
        assertEquals(List.of("Alan", "Edsger"),
                names(json(ok(a, "find", db, "Person", "-w", "age>40", "-w", "age<80", "--sort", "age", "--json"))));
        assertEquals(List.of("Ada"), names(json(ok(a, "find", db, "Person", "--where", "name=Ada", "--json"))));
        assertEquals(List.of("Edsger"), names(json(ok(a, "find", db, "Person", "--sort", "age", "--skip", "2", "--limit", "1", "--json"))));
        String query = "{\"ands\":[{\"fieldPath\":\"name\",\"operation\":1,\"value\":{\"string\":\"Ada\"}}],"
                + "\"sort\":{\"fieldPath\":\"name\",\"desc\":false}}";
        assertEquals(List.of("Alan", "Edsger", "Grace"), names(json(ok(a, "find", db, "Person", query, "--json"))));
        Cli table = ok(a, "find", db, "Person", "--sort", "name");
        assertTrue(table.out().startsWith("_id"), table.out());
        assertTrue(table.out().contains("Ada"), table.out());
        assertEquals("4 instances", table.err().strip());

        ((com.fasterxml.jackson.databind.node.ObjectNode) got).put("age", 37);
        ok(a, "save", db, "Person", got.toString());
        assertEquals(37, json(ok(a, "--json", "get", db, "Person", ada)).get("age").asInt());
        ok(a, "delete", db, "Person", ada, "alan");
        assertEquals(2, json(ok(a, "find", db, "Person", "--json")).size());

        Cli schema = on(a, "create", db, "Person", "{\"age\":1}");
        assertEquals(Weft.USER_ERROR, schema.exit(), schema.describe());
        Cli unique = on(a, "create", db, "Person", "{\"name\":\"Grace\"}");
        assertEquals(Weft.USER_ERROR, unique.exit(), unique.describe());
        assertEquals(Weft.USER_ERROR, on(a, "create", db, "Person", "not json").exit());
        assertEquals(Weft.NOT_FOUND, on(a, "find", db, "Nothing").exit());
        assertEquals(Weft.NOT_FOUND, on(a, "find", ThreadId.newRandom().toString(), "Person").exit());
    }

    static List<String> names(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.get("name").asText()));
        return out;
    }

    /** Runs a command that stops after {@code --count} lines in a thread, doing {@code poke} until it has ended. */
    Cli untilDone(Runnable poke, TestPeer p, String... args) throws Exception {
        AtomicReference<Cli> result = new AtomicReference<>();
        Thread t = new Thread(() -> result.set(on(p, args)));
        t.start();
        TestPeer.await("weft " + String.join(" ", args) + " to end", Duration.ofSeconds(30), () -> {
            if (result.get() != null) {
                return true;
            }
            poke.run();
            return false;
        });
        t.join();
        return result.get();
    }

    @Test
    void listen() throws Exception {
        String db = peopleDb(a, "listen");
        int[] n = {0};
        Cli c = untilDone(() -> on(a, "create", db, "Person", "{\"name\":\"p" + (n[0]++) + "\",\"age\":1}"),
                a, "listen", db, "--collection", "Person", "--action", "create", "--count", "2");
        assertEquals(0, c.exit(), c.describe());
        String[] lines = c.out().strip().split("\n");
        assertEquals(2, lines.length, c.out());
        for (String line : lines) {
            JsonNode e = JSON.readTree(line);
            assertEquals("Person", e.get("collection").asText());
            assertEquals("create", e.get("action").asText());
            assertEquals(e.get("id").asText(), e.get("instance").get("_id").asText());
        }
        assertEquals(Weft.USER_ERROR, on(a, "listen", db, "--action", "poke").exit());
    }

    @Test
    void exportAndImport() throws Exception {
        String db = peopleDb(a, "export");
        ok(a, "collection", "create", db, "Note");
        for (int i = 0; i < 7; i++) {
            ok(a, "create", db, "Person", "{\"name\":\"n" + i + "\",\"age\":" + i + "}");
        }
        ok(a, "create", db, "Note", "{\"text\":\"hello\"}");
        Cli exported = ok(a, "export", db, "--page", "3");
        String[] lines = exported.out().strip().split("\n");
        assertEquals(2 + 8, lines.length, exported.out());
        assertTrue(exported.err().startsWith("exported 8 instances from 2 collections in "), exported.err());
        assertTrue(JSON.readTree(lines[0]).has("config"));

        String copy = ok(a, "db", "create", "copy").out().strip();
        Cli imported = onWithInput(a, exported.out(), "import", copy, "--batch", "4");
        assertEquals(0, imported.exit(), imported.describe());
        assertTrue(imported.err().startsWith("imported 8 instances, created 2 collections"), imported.err());
        assertEquals(7, json(ok(a, "find", copy, "Person", "--json")).size());
        assertEquals(JSON.readTree(PERSON_SCHEMA), json(ok(a, "collection", "info", copy, "Person", "--json")).get("schema"));
        Cli onlyNotes = ok(a, "export", copy, "--collection", "Note", "--no-config");
        assertEquals(1, onlyNotes.out().strip().split("\n").length);

        Cli twice = onWithInput(a, exported.out(), "import", copy);
        assertEquals(Weft.USER_ERROR, twice.exit(), "the instances exist already: " + twice.describe());
        assertTrue(twice.err().contains("lines "), twice.err());
        Cli saved = onWithInput(a, exported.out(), "import", copy, "--save", "--json");
        assertEquals(0, saved.exit(), saved.describe());
        assertEquals(8, json(saved).get("imported").asInt());
        assertEquals(Weft.USER_ERROR, onWithInput(a, "{\"instance\":{}}\n", "import", copy).exit());
        assertEquals(Weft.USER_ERROR, onWithInput(a, "nonsense\n", "import", copy).exit());
    }

    @Test
    void joinThroughAnInvite() throws Exception {
        String db = peopleDb(a, "shared");
        ok(a, "create", db, "Person", "{\"name\":\"Ada\",\"age\":36}");
        String invite = ok(a, "db", "invite", db).out().strip();
        JsonNode joined = json(ok(b, "db", "join", invite, "--name", "from-a", "--json"));
        assertEquals(db, joined.get("id").asText());
        assertTrue(joined.get("records").asLong() >= 1, joined.toString());
        assertEquals(List.of("Ada"), names(json(ok(b, "find", db, "Person", "--json"))));
        ok(a, "create", db, "Person", "{\"name\":\"Grace\",\"age\":85}");
        TestPeer.await("B has Grace", Duration.ofSeconds(20),
                () -> json(ok(b, "find", db, "Person", "--where", "name=Grace", "--json")).size() == 1);
        assertEquals(Weft.USER_ERROR, on(b, "db", "join", "/ip4/1.2.3.4/tcp/1#nokey").exit());
    }

    @Test
    void threads() throws Exception {
        assertEquals(a.net.hostId().toString(), ok(a, "thread", "host").out().strip());
        JsonNode t = json(ok(a, "thread", "create", "--json"));
        String id = t.get("id").asText();
        assertFalse(t.has("key"));
        JsonNode withKey = json(ok(a, "thread", "get", id, "--show-key", "--json"));
        assertTrue(withKey.has("key"));

        JsonNode rec = json(ok(a, "thread", "record", "create", id, "{\"text\":\"hi\",\"n\":1}", "--json"));
        String recordId = rec.get("id").asText();
        JsonNode got = json(ok(a, "thread", "record", "get", id, recordId, "--json"));
        assertEquals(rec.get("recordNode"), got.get("recordNode"));
        assertEquals(rec.get("log").asText(), got.get("log").asText());
        assertEquals(JSON.readTree("{\"text\":\"hi\",\"n\":1}"), got.get("body"));
        assertTrue(ok(a, "thread", "record", "get", id, recordId).out().contains("{\"n\":1,\"text\":\"hi\"}"));
        assertEquals(1, json(ok(a, "thread", "get", id, "--json")).get("records").asInt());

        // B adds the thread from an invite made of the thread's addresses and key, then gets A's record by hand
        String invite = String.join(",", iterable(withKey.get("addrs"))) + "#" + withKey.get("key").asText();
        ok(b, "thread", "add", invite);
        Path recordFile = Files.writeString(dir.resolve("record.json"), got.toString());
        TestPeer.await("B pulls the record", Duration.ofSeconds(20), () -> {
            ok(b, "thread", "pull", id);
            return json(ok(b, "thread", "get", id, "--json")).get("records").asInt() >= 1;
        });
        ok(b, "thread", "record", "add", id, rec.get("log").asText(), "--file", recordFile.toString());

        int[] n = {0};
        Cli sub = untilDone(() -> ok(a, "thread", "record", "create", id, "{\"n\":" + (n[0]++) + "}"),
                a, "thread", "subscribe", id, "--count", "1");
        assertEquals(0, sub.exit(), sub.describe());
        assertEquals(id, JSON.readTree(sub.out()).get("thread").asText());

        ok(a, "thread", "delete", id);
        assertEquals(Weft.NOT_FOUND, on(a, "thread", "get", id).exit());
        assertEquals(Weft.USER_ERROR, on(a, "thread", "record", "get", id, "nocid").exit());
        assertEquals(Weft.USER_ERROR, on(a, "thread", "add", "/ip4/1.2.3.4/tcp/1").exit(), "an address needs --key");
    }

    static List<String> iterable(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(x -> out.add(x.asText()));
        return out;
    }

    @Test
    void identityFileMakesTheWriter() throws Exception {
        PrivateKey me = Ed25519.generate();
        Path text = Files.writeString(dir.resolve("me.key"), Multibase.encode(me.marshal()) + "\n");
        Path binary = Files.write(dir.resolve("identity.key"), me.marshal());
        String db = ok(a, "db", "create", "owned").out().strip();
        ok(a, "collection", "create", db, "Doc", "--write-validator",
                Files.writeString(dir.resolve("validator.txt"), "audit").toString());
        ok(a, "--identity", text.toString(), "create", db, "Doc", "{\"_id\":\"t\"}");
        ok(a, "--identity", binary.toString(), "create", db, "Doc", "{\"_id\":\"b\"}");
        assertTrue(a.audited.contains(me.publicKey() + " CREATE t"), a.audited.toString());
        assertTrue(a.audited.contains(me.publicKey() + " CREATE b"), a.audited.toString());
        Path junk = Files.writeString(dir.resolve("junk.key"), "junk");
        assertEquals(Weft.USER_ERROR, on(a, "--identity", junk.toString(), "db", "list").exit());
    }
}
