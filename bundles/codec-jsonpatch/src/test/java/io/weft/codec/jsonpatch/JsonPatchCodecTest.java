package io.weft.codec.jsonpatch;

import static io.weft.codec.jsonpatch.TestJson.create;
import static io.weft.codec.jsonpatch.TestJson.delete;
import static io.weft.codec.jsonpatch.TestJson.json;
import static io.weft.codec.jsonpatch.TestJson.save;
import static io.weft.codec.jsonpatch.TestJson.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.InvalidInputException;
import io.weft.api.db.ChangeType;
import io.weft.api.db.spi.Action;
import io.weft.api.db.spi.CodecEvent;
import io.weft.api.db.spi.EventCodec;
import io.weft.core.cbor.CborValue;
import io.weft.core.cbor.DagCbor;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JsonPatchCodecTest {
    private static final long T = 1600000000000000000L;
    /** Put into document contents of malformed inputs: must never show up in an error message. */
    private static final String SECRET = "S3CR3T";
    private static final String ALICE = "{\"_id\":\"01abc\",\"name\":\"Alice\",\"_mod\":1600000000000000000}";

    private final JsonPatchCodec codec = new JsonPatchCodec();

    // ------------------------------------------------------------------ basics

    @Test
    void nameAndServiceLoader() {
        assertEquals("jsonpatch", codec.name());
        List<EventCodec> found = new ArrayList<>();
        ServiceLoader.load(EventCodec.class).forEach(found::add);
        assertTrue(found.stream().anyMatch(c -> c instanceof JsonPatchCodec && c.name().equals("jsonpatch")), "" + found);
    }

    @Test
    void limitsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new JsonPatchCodec(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new JsonPatchCodec(10, 11));
        assertEquals(16 << 20, codec.maxBodyBytes());
        assertEquals(1 << 20, codec.maxPatchBytes());
    }

    @Test
    void encodeDecodeKeepsOrderAndTime() {
        List<Action> actions = List.of(
                create("Persons", "b", "{\"_id\":\"b\",\"x\":1}"),
                save("Persons", "a", "{\"_id\":\"a\",\"x\":1}", "{\"_id\":\"a\",\"x\":2}"),
                delete("Other", "c", "{\"_id\":\"c\"}"));
        List<CodecEvent> events = codec.decode(codec.encode(actions, -5));
        assertEquals(3, events.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(actions.get(i).type(), events.get(i).type());
            assertEquals(actions.get(i).collection(), events.get(i).collection());
            assertEquals(actions.get(i).instanceId(), events.get(i).instanceId());
            assertEquals(-5, events.get(i).time());
        }
        assertArrayEquals(utf8("{\"_id\":\"b\",\"x\":1}"), events.get(0).payload());
        assertArrayEquals(utf8("{\"x\":2}"), events.get(1).payload());
        assertNull(events.get(2).payload());
    }

    @Test
    void createKeepsTheInstanceVerbatimIncludingNulls() {
        String doc = "{\"_id\":\"i\",\"z\":null,\"a\":{\"n\":null},\"é\":\"\\u0000✓\"}";
        CodecEvent e = codec.decode(codec.encode(List.of(create("C", "i", doc)), 1)).get(0);
        assertEquals(json(doc), codec.apply(e, null));
        assertEquals(doc, new String(e.payload(), StandardCharsets.UTF_8));
    }

    /** The null rule, through the whole codec: explicit nulls in a save's "after" end up absent. */
    @Test
    void saveNullRule() {
        String before = "{\"_id\":\"i\",\"keep\":null,\"gone\":1,\"o\":{\"p\":1}}";
        String after = "{\"_id\":\"i\",\"keep\":null,\"gone\":null,\"new\":null,\"o\":{\"p\":null,\"q\":[{\"r\":null},null]}}";
        CodecEvent e = codec.decode(codec.encode(List.of(save("C", "i", before, after)), 1)).get(0);
        assertEquals(json("{\"_id\":\"i\",\"o\":{\"q\":[{},null]}}"), codec.apply(e, json(before)));
        assertEquals(json("{\"keep\":null,\"gone\":null,\"o\":{\"p\":null,\"q\":[{},null]}}"),
                json(new String(e.payload(), StandardCharsets.UTF_8)));
    }

    @Test
    void saveWithoutChangesIsAnEmptyPatch() {
        CodecEvent e = codec.decode(codec.encode(List.of(save("C", "i", "{\"_id\":\"i\",\"a\":[1]}", "{\"a\":[1],\"_id\":\"i\"}")), 1)).get(0);
        assertArrayEquals(utf8("{}"), e.payload());
    }

    @Test
    void saveOverAbsentInstanceMergesIntoEmptyObject() {
        CodecEvent e = new CodecEvent(ChangeType.SAVE, "C", "i", 1, utf8("{\"a\":1,\"b\":null}"));
        assertEquals(json("{\"a\":1}"), codec.apply(e, null));
    }

    @Test
    void applyIsPure() {
        JsonNode before = json("{\"_id\":\"i\",\"o\":{\"a\":1},\"l\":[1]}");
        String beforeText = TestJson.text(before);
        CodecEvent e = new CodecEvent(ChangeType.SAVE, "C", "i", 1, utf8("{\"o\":{\"b\":2},\"n\":{\"c\":3}}"));
        ObjectNode r1 = (ObjectNode) codec.apply(e, before);
        assertEquals(beforeText, TestJson.text(before));
        ((ObjectNode) r1.get("o")).put("a", 42);
        r1.withArray("l").add(2);
        assertEquals(beforeText, TestJson.text(before));
        assertEquals(r1.get("n"), codec.apply(e, before).get("n"));

        CodecEvent c = new CodecEvent(ChangeType.CREATE, "C", "i", 1, utf8("{\"_id\":\"i\",\"o\":{}}"));
        ObjectNode c1 = (ObjectNode) codec.apply(c, before);
        c1.put("x", 1);
        JsonNode c2 = codec.apply(c, before);
        assertNotSame(c1, c2);
        assertEquals(json("{\"_id\":\"i\",\"o\":{}}"), c2);
        assertEquals(beforeText, TestJson.text(before));
        assertNull(codec.apply(new CodecEvent(ChangeType.DELETE, "C", "i", 1, null), before));
        assertEquals(beforeText, TestJson.text(before));
    }

    @Test
    void encodeDoesNotModifyActions() {
        JsonNode before = json("{\"_id\":\"i\",\"a\":null,\"o\":{\"b\":null}}");
        JsonNode after = json("{\"_id\":\"i\",\"c\":null,\"o\":{\"d\":[{\"e\":null}]}}");
        String b = TestJson.text(before);
        String a = TestJson.text(after);
        codec.encode(List.of(new Action(ChangeType.SAVE, "C", "i", before, after)), 1);
        assertEquals(b, TestJson.text(before));
        assertEquals(a, TestJson.text(after));
    }

    // ------------------------------------------------------------------ encode rejects

    static Stream<Arguments> badActions() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return Stream.of(
                Arguments.of("no actions", List.of()),
                Arguments.of("null action", Arrays.asList((Action) null)),
                Arguments.of("empty collection", List.of(create("", "i", "{\"_id\":\"i\"}"))),
                Arguments.of("empty id", List.of(create("C", "", "{\"_id\":\"\"}"))),
                Arguments.of("create array", List.of(create("C", "i", "[1]"))),
                Arguments.of("create without _id", List.of(create("C", "i", "{\"a\":1}"))),
                Arguments.of("create with other _id", List.of(create("C", "i", "{\"_id\":\"j\"}"))),
                Arguments.of("create with numeric _id", List.of(create("C", "1", "{\"_id\":1}"))),
                Arguments.of("save to other _id", List.of(save("C", "i", "{\"_id\":\"i\"}", "{\"_id\":\"j\"}"))),
                Arguments.of("save deleting _id", List.of(save("C", "i", "{\"_id\":\"i\"}", "{\"a\":1}"))),
                Arguments.of("save from non-object", List.of(save("C", "i", "[]", "{\"_id\":\"i\"}"))),
                Arguments.of("NaN", List.of(new Action(ChangeType.CREATE, "C", "i", null,
                        f.objectNode().put("_id", "i").put("x", Double.NaN)))),
                Arguments.of("infinity", List.of(new Action(ChangeType.CREATE, "C", "i", null,
                        f.objectNode().put("_id", "i").put("x", Float.POSITIVE_INFINITY)))),
                Arguments.of("binary node", List.of(new Action(ChangeType.CREATE, "C", "i", null,
                        f.objectNode().put("_id", "i").put("x", new byte[] {1})))),
                Arguments.of("pojo node", List.of(new Action(ChangeType.CREATE, "C", "i", null,
                        f.objectNode().put("_id", "i").putPOJO("x", new Object())))),
                Arguments.of("lone surrogate", List.of(new Action(ChangeType.CREATE, "C", "i", null,
                        f.objectNode().put("_id", "i").put("x", "a\uD800b")))),
                Arguments.of("too deep", List.of(new Action(ChangeType.CREATE, "C", "i", null, deep(1001)))));
    }

    static ObjectNode deep(int depth) {
        ObjectNode root = JsonNodeFactory.instance.objectNode().put("_id", "i");
        ObjectNode cur = root;
        for (int i = 1; i < depth; i++) {
            cur = cur.putObject("d");
        }
        return root;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badActions")
    void encodeRejects(String name, List<Action> actions) {
        assertThrows(InvalidInputException.class, () -> codec.encode(actions, 1));
    }

    @Test
    void encodeAcceptsMaximumDepth() {
        CodecEvent e = codec.decode(codec.encode(List.of(new Action(ChangeType.CREATE, "C", "i", null, deep(1000))), 1)).get(0);
        assertEquals(deep(1000), codec.apply(e, null));
    }

    @Test
    void encodeEnforcesLimits() {
        String big = "{\"_id\":\"i\",\"x\":\"" + "y".repeat(200) + "\"}";
        JsonPatchCodec small = new JsonPatchCodec(1000, 200);
        assertThrows(InvalidInputException.class, () -> small.encode(List.of(create("C", "i", big)), 1));
        String mid = "{\"_id\":\"i\",\"x\":\"" + "y".repeat(150) + "\"}";
        small.encode(List.of(create("C", "i", mid)), 1);
        List<Action> many = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            many.add(create("C", "i", mid));
        }
        assertThrows(InvalidInputException.class, () -> small.encode(many, 1));
    }

    // ------------------------------------------------------------------ decode rejects

    private static Map<String, CborValue> patch(int type, String id, CborValue jsonPatch) {
        Map<String, CborValue> m = new LinkedHashMap<>();
        m.put("type", CborValue.integer(type));
        m.put("instanceID", CborValue.text(id));
        m.put("jSONPatch", jsonPatch);
        return m;
    }

    private static Map<String, CborValue> event(Map<String, CborValue> patch) {
        Map<String, CborValue> m = new LinkedHashMap<>();
        m.put("iD", CborValue.text("01abc"));
        m.put("collectionName", CborValue.text("Persons"));
        m.put("timestamp", CborValue.integer(T));
        m.put("patch", CborValue.map(patch));
        return m;
    }

    private static byte[] body(Map<String, CborValue> event) {
        return DagCbor.encode(CborValue.map("patches", CborValue.list(CborValue.map(event))));
    }

    private static CborValue bytes(String json) {
        return CborValue.bytes(utf8(json));
    }

    /** A valid create body, changed by {@code edit} on the event map. */
    private static byte[] createBody(Consumer<Map<String, CborValue>> editEvent, Consumer<Map<String, CborValue>> editPatch) {
        Map<String, CborValue> p = patch(0, "01abc", bytes(ALICE));
        editPatch.accept(p);
        Map<String, CborValue> e = event(p);
        editEvent.accept(e);
        return body(e);
    }

    private static byte[] withPatch(int type, CborValue jsonPatch) {
        return body(event(patch(type, "01abc", jsonPatch)));
    }

    static Stream<Arguments> badBodies() {
        Consumer<Map<String, CborValue>> none = m -> { };
        String nested = "[".repeat(1001) + "]".repeat(1001);
        return Stream.of(
                Arguments.of("empty", new byte[0]),
                Arguments.of("not cbor", utf8("{\"patches\":[]}")),
                Arguments.of("non-canonical key order", TestJson.hex("a2617a01616102")),
                Arguments.of("root is a list", DagCbor.encode(CborValue.list())),
                Arguments.of("root without patches", DagCbor.encode(CborValue.map())),
                Arguments.of("root with extra field", DagCbor.encode(CborValue.map("patches",
                        CborValue.list(CborValue.map(event(patch(0, "01abc", bytes(ALICE))))), "x", CborValue.NULL))),
                Arguments.of("patches not a list", DagCbor.encode(CborValue.map("patches", CborValue.map()))),
                Arguments.of("patches null", DagCbor.encode(CborValue.map("patches", CborValue.NULL))),
                Arguments.of("patches empty", DagCbor.encode(CborValue.map("patches", CborValue.list()))),
                Arguments.of("entry not a map", DagCbor.encode(CborValue.map("patches", CborValue.list(CborValue.text("x"))))),
                Arguments.of("missing iD", createBody(e -> e.remove("iD"), none)),
                Arguments.of("missing collectionName", createBody(e -> e.remove("collectionName"), none)),
                Arguments.of("missing timestamp", createBody(e -> e.remove("timestamp"), none)),
                Arguments.of("missing patch", createBody(e -> e.remove("patch"), none)),
                Arguments.of("extra event field", createBody(e -> e.put("extra", CborValue.integer(1)), none)),
                Arguments.of("iD not text", createBody(e -> e.put("iD", bytes("01abc")), none)),
                Arguments.of("iD empty", createBody(e -> e.put("iD", CborValue.text("")), p -> p.put("instanceID", CborValue.text("")))),
                Arguments.of("collectionName empty", createBody(e -> e.put("collectionName", CborValue.text("")), none)),
                Arguments.of("collectionName not text", createBody(e -> e.put("collectionName", CborValue.integer(1)), none)),
                Arguments.of("timestamp text", createBody(e -> e.put("timestamp", CborValue.text("1")), none)),
                Arguments.of("timestamp float", createBody(e -> e.put("timestamp", CborValue.float64(1.5)), none)),
                Arguments.of("timestamp beyond int64", createBody(e -> e.put("timestamp",
                        CborValue.integer(BigInteger.ONE.shiftLeft(63))), none)),
                Arguments.of("patch not a map", createBody(e -> e.put("patch", CborValue.list()), none)),
                Arguments.of("missing type", createBody(none, p -> p.remove("type"))),
                Arguments.of("missing instanceID", createBody(none, p -> p.remove("instanceID"))),
                Arguments.of("missing jSONPatch", createBody(none, p -> p.remove("jSONPatch"))),
                Arguments.of("extra patch field", createBody(none, p -> p.put("z", CborValue.NULL))),
                Arguments.of("type text", createBody(none, p -> p.put("type", CborValue.text("create")))),
                Arguments.of("type 3", createBody(none, p -> p.put("type", CborValue.integer(3)))),
                Arguments.of("type -1", createBody(none, p -> p.put("type", CborValue.integer(-1)))),
                Arguments.of("instanceID differs from iD", createBody(none, p -> p.put("instanceID", CborValue.text("01abd")))),
                Arguments.of("instanceID not text", createBody(none, p -> p.put("instanceID", CborValue.integer(1)))),
                Arguments.of("jSONPatch text", createBody(none, p -> p.put("jSONPatch", CborValue.text(ALICE)))),
                Arguments.of("create without patch", withPatch(0, CborValue.NULL)),
                Arguments.of("save without patch", withPatch(1, CborValue.NULL)),
                Arguments.of("delete with patch", withPatch(2, bytes("{}"))),
                Arguments.of("delete with empty bytes", withPatch(2, CborValue.bytes(new byte[0]))),
                Arguments.of("patch empty", withPatch(1, CborValue.bytes(new byte[0]))),
                Arguments.of("patch whitespace", withPatch(1, bytes("  \n"))),
                Arguments.of("patch truncated", withPatch(1, bytes("{\"" + SECRET + "\":"))),
                Arguments.of("patch bad token", withPatch(1, bytes("{\"a\":" + SECRET + "}"))),
                Arguments.of("patch two values", withPatch(1, bytes("{} {\"" + SECRET + "\":1}"))),
                Arguments.of("patch trailing garbage", withPatch(1, bytes("{}" + SECRET))),
                Arguments.of("patch duplicate member", withPatch(1, bytes("{\"" + SECRET + "\":1,\"" + SECRET + "\":2}"))),
                Arguments.of("patch comment", withPatch(1, bytes("{/*" + SECRET + "*/}"))),
                Arguments.of("patch NaN", withPatch(1, bytes("{\"a\":NaN}"))),
                Arguments.of("patch number overflowing double", withPatch(1, bytes("{\"a\":1e400}"))),
                Arguments.of("patch single quotes", withPatch(1, bytes("{'a':1}"))),
                Arguments.of("patch invalid utf-8", withPatch(1, CborValue.bytes(new byte[] {'{', '"', (byte) 0xC3, '"', ':', '1', '}'}))),
                Arguments.of("patch utf-8 surrogate", withPatch(1, CborValue.bytes(new byte[] {'{', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', ':', '1', '}'}))),
                Arguments.of("patch utf-16", withPatch(1, CborValue.bytes("{\"a\":1}".getBytes(StandardCharsets.UTF_16)))),
                Arguments.of("patch utf-16le", withPatch(1, CborValue.bytes("{\"a\":1}".getBytes(StandardCharsets.UTF_16LE)))),
                Arguments.of("patch lone surrogate escape", withPatch(1, bytes("{\"a\":\"\\ud800\"}"))),
                Arguments.of("patch lone low surrogate in name", withPatch(1, bytes("{\"\\udc00x\":1}"))),
                Arguments.of("patch reversed surrogates", withPatch(1, bytes("{\"a\":\"\\udc00\\ud800\"}"))),
                Arguments.of("patch bom", withPatch(1, CborValue.bytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'}))),
                Arguments.of("patch too deep", withPatch(1, bytes("{\"a\":" + nested + "}"))),
                Arguments.of("save patch is an array", withPatch(1, bytes("[1]"))),
                Arguments.of("save patch is a string", withPatch(1, bytes("\"" + SECRET + "\""))),
                Arguments.of("save patch is null", withPatch(1, bytes("null"))),
                Arguments.of("save changes _id", withPatch(1, bytes("{\"_id\":\"01abd\"}"))),
                Arguments.of("save deletes _id", withPatch(1, bytes("{\"_id\":null}"))),
                Arguments.of("create is an array", withPatch(0, bytes("[{\"_id\":\"01abc\"}]"))),
                Arguments.of("create without _id", withPatch(0, bytes("{\"name\":\"" + SECRET + "\"}"))),
                Arguments.of("create with other _id", withPatch(0, bytes("{\"_id\":\"01abd\"}"))),
                Arguments.of("create with numeric _id", withPatch(0, bytes("{\"_id\":1}"))),
                Arguments.of("second entry bad", DagCbor.encode(CborValue.map("patches", CborValue.list(
                        CborValue.map(event(patch(0, "01abc", bytes(ALICE)))),
                        CborValue.map(event(patch(1, "01abc", bytes("{" + SECRET)))))))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void decodeRejects(String name, byte[] body) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> codec.decode(body));
        assertTrue(e.getMessage().startsWith("jsonpatch: "), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        assertFalse(e.getMessage().contains("Alice"), e.getMessage());
    }

    @Test
    void decodeRejectsNull() {
        assertThrows(InvalidInputException.class, () -> codec.decode(null));
    }

    @Test
    void validBaselinesOfTheBadBodiesDecode() {
        // guards the table above: the unedited bodies are fine
        assertEquals(1, codec.decode(createBody(e -> { }, p -> { })).size());
        assertEquals(1, codec.decode(withPatch(1, bytes(" {\"_id\":\"01abc\", \"a\" : [1, {\"b\":null}]}\n"))).size());
        assertEquals(1, codec.decode(withPatch(2, CborValue.NULL)).size());
        assertEquals(1, codec.decode(withPatch(1, bytes("{\"\\ud83d\\ude00\":\"\\ud83d\\ude00\"}"))).size());
        assertEquals(1, codec.decode(withPatch(1, bytes("{\"a\":" + "[".repeat(999) + "]".repeat(999) + "}"))).size());
    }

    @Test
    void decodeEnforcesLimits() {
        byte[] body = createBody(e -> { }, p -> { });
        assertEquals(1, new JsonPatchCodec(body.length, ALICE.length()).decode(body).size());
        assertThrows(InvalidInputException.class, () -> new JsonPatchCodec(body.length - 1, ALICE.length()).decode(body));
        assertThrows(InvalidInputException.class, () -> new JsonPatchCodec(body.length, ALICE.length() - 1).decode(body));
    }

    @Test
    void decodeOfAMaximalBody() {
        // 15 creates of almost 1 MiB each: just under the default 16 MiB body limit
        List<Action> actions = new ArrayList<>();
        String filler = "x".repeat((1 << 20) - 100);
        for (int i = 0; i < 15; i++) {
            actions.add(create("C", "id" + i, "{\"_id\":\"id" + i + "\",\"f\":\"" + filler + "\"}"));
        }
        byte[] body = codec.encode(actions, 1);
        assertEquals(15, codec.decode(body).size());
        actions.add(actions.get(0));
        assertThrows(InvalidInputException.class, () -> codec.encode(actions, 1));
    }

    // ------------------------------------------------------------------ apply rejects

    @Test
    void applyValidatesHandMadeEvents() {
        assertThrows(InvalidInputException.class, () -> codec.apply(null, null));
        assertThrows(InvalidInputException.class,
                () -> codec.apply(new CodecEvent(ChangeType.CREATE, "C", "i", 1, null), null));
        assertThrows(InvalidInputException.class,
                () -> codec.apply(new CodecEvent(ChangeType.CREATE, "C", "i", 1, utf8("{\"_id\":\"j\"}")), null));
        assertThrows(InvalidInputException.class,
                () -> codec.apply(new CodecEvent(ChangeType.SAVE, "C", "i", 1, utf8("[]")), json("{}")));
        assertThrows(InvalidInputException.class,
                () -> codec.apply(new CodecEvent(ChangeType.SAVE, "C", "i", 1, utf8("{\"_id\":null}")), json("{}")));
        assertThrows(InvalidInputException.class,
                () -> codec.apply(new CodecEvent(ChangeType.DELETE, "C", "i", 1, utf8("{}")), json("{}")));
        JsonNode r = codec.apply(new CodecEvent(ChangeType.SAVE, "C", "i", 1, utf8("{\"_id\":\"i\"}")), json("{\"a\":1}"));
        assertInstanceOf(ObjectNode.class, r);
        assertEquals(json("{\"a\":1,\"_id\":\"i\"}"), r);
    }
}
