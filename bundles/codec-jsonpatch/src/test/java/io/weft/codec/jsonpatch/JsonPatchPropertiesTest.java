package io.weft.codec.jsonpatch;

import static io.weft.codec.jsonpatch.TestJson.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.InvalidInputException;
import io.weft.api.db.ChangeType;
import io.weft.api.db.spi.Action;
import io.weft.api.db.spi.CodecEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class JsonPatchPropertiesTest {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String[] KEYS = {"a", "b", "c", "d", "_mod", "é"};
    private final JsonPatchCodec codec = new JsonPatchCodec();

    // ------------------------------------------------------------------ generators

    static Arbitrary<JsonNode> scalars() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(NullNode.getInstance())),
                Tuple.of(3, Arbitraries.integers().between(-2, 2).map(i -> (JsonNode) F.numberNode(i))),
                Tuple.of(1, Arbitraries.longs().map(l -> (JsonNode) F.numberNode(l))),
                Tuple.of(1, Arbitraries.doubles().filter(Double::isFinite).map(d -> (JsonNode) F.numberNode(d))),
                Tuple.of(2, Arbitraries.of("", "x", "y", "\u0000\"\\✓").map(s -> (JsonNode) F.textNode(s))),
                Tuple.of(1, Arbitraries.of(true, false).map(b -> (JsonNode) F.booleanNode(b))));
    }

    static Arbitrary<JsonNode> values(int depth) {
        if (depth == 0) {
            return scalars();
        }
        Arbitrary<JsonNode> sub = Arbitraries.lazy(() -> values(depth - 1));
        return Arbitraries.frequencyOf(
                Tuple.of(4, scalars()),
                Tuple.of(2, objects(sub).map(o -> (JsonNode) o)),
                Tuple.of(1, sub.list().ofMaxSize(3).map(l -> (JsonNode) F.arrayNode().addAll(l))));
    }

    static Arbitrary<ObjectNode> objects(Arbitrary<JsonNode> members) {
        return Arbitraries.maps(Arbitraries.of(KEYS), members).ofMaxSize(5).map(m -> {
            ObjectNode o = F.objectNode();
            m.forEach(o::set);
            return o;
        });
    }

    /** Instances with {@code _id} "i". */
    @Provide
    Arbitrary<ObjectNode> docs() {
        return objects(values(3)).map(o -> {
            ObjectNode d = F.objectNode().put("_id", "i");
            d.setAll(o);
            return d;
        });
    }

    /** An instance and an edited copy of it (shares most of its structure, like real saves). */
    @Provide
    Arbitrary<Tuple2<ObjectNode, ObjectNode>> edits() {
        return docs().flatMap(before -> Arbitraries.randomValue(r -> {
            ObjectNode after = before.deepCopy();
            edit(after, r, 0);
            return Tuple.of(before, after);
        }));
    }

    @Provide
    Arbitrary<Tuple2<ObjectNode, ObjectNode>> pairs() {
        return Arbitraries.oneOf(edits(), Combinators.combine(docs(), docs()).as(Tuple::of));
    }

    private static void edit(JsonNode node, Random r, int depth) {
        if (node instanceof ObjectNode o) {
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("_id")) {
                    continue;
                }
                int dice = r.nextInt(10);
                if (dice == 0) {
                    it.remove();
                } else if (dice == 1) {
                    e.setValue(NullNode.getInstance());
                } else if (dice == 2) {
                    e.setValue(randomJson(r, 2));
                } else if (dice < 6) {
                    edit(e.getValue(), r, depth + 1);
                }
            }
            if (r.nextInt(3) == 0) {
                o.set(KEYS[r.nextInt(KEYS.length)], randomJson(r, 2));
            }
        } else if (node instanceof ArrayNode a) {
            if (r.nextInt(3) == 0) {
                a.add(randomJson(r, 1));
            }
            if (a.size() > 0 && r.nextInt(3) == 0) {
                int i = r.nextInt(a.size());
                if (r.nextBoolean()) {
                    edit(a.get(i), r, depth + 1);
                } else {
                    a.set(i, randomJson(r, 1));
                }
            }
        }
    }

    private static JsonNode randomJson(Random r, int depth) {
        int kind = r.nextInt(depth > 0 ? 8 : 6);
        return switch (kind) {
            case 0, 1 -> NullNode.getInstance();
            case 2 -> F.numberNode(r.nextInt(5) - 2);
            case 3 -> F.numberNode(r.nextDouble() * 100);
            case 4 -> F.textNode(KEYS[r.nextInt(KEYS.length)]);
            case 5 -> F.booleanNode(r.nextBoolean());
            case 6 -> {
                ObjectNode o = F.objectNode();
                for (int i = r.nextInt(4); i > 0; i--) {
                    o.set(KEYS[r.nextInt(KEYS.length)], randomJson(r, depth - 1));
                }
                yield o;
            }
            default -> {
                ArrayNode a = F.arrayNode();
                for (int i = r.nextInt(3); i > 0; i--) {
                    a.add(randomJson(r, depth - 1));
                }
                yield a;
            }
        };
    }

    private static void assertJsonEquals(JsonNode expected, JsonNode actual) {
        if (!MergePatch.jsonEquals(expected, actual)) {
            fail("expected " + text(expected) + " but was " + text(actual));
        }
    }

    // ------------------------------------------------------------------ properties

    /** The null rule: a save's patch, applied to "before", gives "after" without null members — "after" itself if it had none. */
    @Property(tries = 2000)
    void saveRoundTrip(@ForAll("pairs") Tuple2<ObjectNode, ObjectNode> pair) {
        ObjectNode before = pair.get1();
        ObjectNode after = pair.get2();
        String beforeText = text(before);
        String afterText = text(after);

        ObjectNode patch = MergePatch.diff(before, after);
        assertJsonEquals(MergePatch.stripNulls(after), MergePatch.apply(before, patch));

        byte[] body = codec.encode(List.of(new Action(ChangeType.SAVE, "C", "i", before, after)), 7);
        CodecEvent event = codec.decode(body).get(0);
        JsonNode stored = codec.apply(event, before);
        assertJsonEquals(MergePatch.stripNulls(after), stored);
        if (!MergePatch.hasNullMember(after)) {
            assertJsonEquals(after, stored);
        }
        assertEquals(beforeText, text(before));
        assertEquals(afterText, text(after));
    }

    /** Applying a patch Weft emits twice changes nothing more (merge patches are idempotent). */
    @Property
    void saveIsIdempotent(@ForAll("pairs") Tuple2<ObjectNode, ObjectNode> pair) {
        ObjectNode patch = MergePatch.diff(pair.get1(), pair.get2());
        JsonNode once = MergePatch.apply(pair.get1(), patch);
        assertJsonEquals(once, MergePatch.apply(once, patch));
    }

    /**
     * go-threads (evanphx/json-patch v4.5.0) applies every patch Weft emits to the same result as RFC 7396, except
     * for null array elements (which v4.5.0 drops from inserted arrays).
     */
    @Property(tries = 2000)
    void goThreadsMergeAgrees(@ForAll("pairs") Tuple2<ObjectNode, ObjectNode> pair) {
        ObjectNode before = pair.get1();
        ObjectNode after = pair.get2();
        if (hasNullArrayElement(after)) {
            return;
        }
        ObjectNode patch = MergePatch.diff(before, after);
        assertJsonEquals(MergePatch.apply(before, patch), EvanphxV45.mergePatch(before, patch));
    }

    @Example
    void goThreadsDifferenceIsOnlyNullArrayElements() {
        ObjectNode before = TestJson.obj("{\"l\":[1]}");
        ObjectNode after = TestJson.obj("{\"l\":[1,null]}");
        ObjectNode patch = MergePatch.diff(before, after);
        assertJsonEquals(TestJson.json("{\"l\":[1,null]}"), MergePatch.apply(before, patch));
        assertJsonEquals(TestJson.json("{\"l\":[1]}"), EvanphxV45.mergePatch(before, patch));
    }

    static boolean hasNullArrayElement(JsonNode n) {
        if (n.isArray()) {
            for (JsonNode item : n) {
                if (item.isNull() || hasNullArrayElement(item)) {
                    return true;
                }
            }
        } else if (n.isObject()) {
            for (JsonNode v : n) {
                if (hasNullArrayElement(v)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A step of a generated transaction: op 0 create-or-save, 1 save, 2 delete, on one of four instances. */
    record Step(int op, int instance, ObjectNode doc) {
    }

    @Provide
    Arbitrary<List<Step>> transactions() {
        Arbitrary<Step> step = Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 3),
                objects(values(2))).as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(12);
    }

    /** encode → decode → apply over a transaction's actions gives the states the actions describe. */
    @Property(tries = 1000)
    void transactionRoundTrip(@ForAll("transactions") List<Step> steps, @ForAll long time) {
        Map<String, JsonNode> expected = new HashMap<>();
        List<Action> actions = new ArrayList<>();
        for (Step s : steps) {
            String id = "id" + s.instance();
            String coll = s.instance() % 2 == 0 ? "Even" : "Odd";
            String key = coll + "/" + id;
            ObjectNode doc = F.objectNode().put("_id", id);
            doc.setAll(s.doc());
            JsonNode current = expected.get(key);
            if (current == null) {
                actions.add(new Action(ChangeType.CREATE, coll, id, null, doc));
                expected.put(key, doc);
            } else if (s.op() == 2) {
                actions.add(new Action(ChangeType.DELETE, coll, id, current, null));
                expected.remove(key);
            } else {
                actions.add(new Action(ChangeType.SAVE, coll, id, current, doc));
                expected.put(key, MergePatch.stripNulls(doc));
            }
        }
        List<CodecEvent> events = codec.decode(codec.encode(actions, time));
        assertEquals(actions.size(), events.size());
        Map<String, JsonNode> state = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            CodecEvent e = events.get(i);
            Action a = actions.get(i);
            assertEquals(a.type(), e.type());
            assertEquals(a.collection(), e.collection());
            assertEquals(a.instanceId(), e.instanceId());
            assertEquals(time, e.time());
            String key = e.collection() + "/" + e.instanceId();
            JsonNode next = codec.apply(e, state.get(key));
            if (next == null) {
                state.remove(key);
            } else {
                state.put(key, next);
            }
        }
        assertEquals(expected.keySet(), state.keySet());
        expected.forEach((k, v) -> assertJsonEquals(v, state.get(k)));
    }

    /** apply never modifies "before" and never returns nodes shared with it. */
    @Property(tries = 1000)
    void applyNeverMutates(@ForAll("docs") ObjectNode before, @ForAll("docs") ObjectNode patch) {
        patch.remove("_id");
        String beforeText = text(before);
        CodecEvent save = new CodecEvent(ChangeType.SAVE, "C", "i", 1, TestJson.utf8(text(patch)));
        JsonNode result = codec.apply(save, before);
        assertEquals(beforeText, text(before));
        scribble(result);
        assertEquals(beforeText, text(before));

        String patchText = text(patch);
        JsonNode merged = MergePatch.apply(before, patch);
        scribble(merged);
        assertEquals(beforeText, text(before));
        assertEquals(patchText, text(patch));

        CodecEvent create = new CodecEvent(ChangeType.CREATE, "C", "i", 1, TestJson.utf8(beforeText));
        scribble(codec.apply(create, before));
        assertJsonEquals(before, codec.apply(create, null));
        assertNull(codec.apply(new CodecEvent(ChangeType.DELETE, "C", "i", 1, null), before));
        assertEquals(beforeText, text(before));
    }

    /** Modifies every container in {@code n}. */
    private static void scribble(JsonNode n) {
        if (n instanceof ObjectNode o) {
            List<JsonNode> children = new ArrayList<>();
            o.forEach(children::add);
            children.forEach(JsonPatchPropertiesTest::scribble);
            o.put("scribbled", 1);
        } else if (n instanceof ArrayNode a) {
            a.forEach(JsonPatchPropertiesTest::scribble);
            a.add(1);
        }
    }

    /** Random bytes: decode returns or throws InvalidInputException, nothing else. */
    @Property(tries = 5000)
    void garbageNeverCrashes(@ForAll @Size(max = 300) byte[] garbage) {
        decodeAndApplyOrReject(garbage);
    }

    /** Valid bodies with random damage: decode returns or throws InvalidInputException, nothing else. */
    @Property(tries = 3000)
    void damagedBodiesNeverCrash(@ForAll("transactions") List<Step> steps, @ForAll long seed,
                                 @ForAll @IntRange(min = 1, max = 4) int damage) {
        List<Action> actions = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            ObjectNode doc = F.objectNode().put("_id", "id" + i);
            doc.setAll(steps.get(i).doc());
            actions.add(new Action(ChangeType.CREATE, "C", "id" + i, null, doc));
        }
        byte[] body = codec.encode(actions, 1);
        Random r = new Random(seed);
        for (int i = 0; i < damage; i++) {
            switch (r.nextInt(4)) {
                case 0 -> body[r.nextInt(body.length)] ^= (byte) (1 << r.nextInt(8));
                case 1 -> body[r.nextInt(body.length)] = (byte) r.nextInt(256);
                case 2 -> body = java.util.Arrays.copyOf(body, r.nextInt(body.length));
                default -> {
                    byte[] longer = java.util.Arrays.copyOf(body, body.length + 1);
                    longer[body.length] = (byte) r.nextInt(256);
                    body = longer;
                }
            }
            if (body.length == 0) {
                break;
            }
        }
        decodeAndApplyOrReject(body);
    }

    private void decodeAndApplyOrReject(byte[] body) {
        try {
            for (CodecEvent e : codec.decode(body)) {
                codec.apply(e, F.objectNode().put("_id", e.instanceId()));
            }
        } catch (InvalidInputException expected) {
            assertTrue(expected.getMessage().startsWith("jsonpatch: "), expected.getMessage());
        }
    }

    /** go-threads' merge: evanphx/json-patch v4.5.0 {@code MergePatch} (merge.go), transcribed for object documents. */
    static final class EvanphxV45 {
        static JsonNode mergePatch(ObjectNode doc, ObjectNode patch) {
            ObjectNode d = doc.deepCopy();
            mergeDocs(d, patch.deepCopy());
            return d;
        }

        private static void mergeDocs(ObjectNode doc, ObjectNode patch) {
            for (Map.Entry<String, JsonNode> e : patch.properties()) {
                JsonNode v = e.getValue();
                if (v.isNull()) {
                    doc.remove(e.getKey());
                } else {
                    JsonNode cur = doc.get(e.getKey());
                    if (cur == null || cur.isNull()) {
                        doc.set(e.getKey(), pruneNulls(v));
                    } else {
                        doc.set(e.getKey(), merge(cur, v));
                    }
                }
            }
        }

        private static JsonNode merge(JsonNode cur, JsonNode patch) {
            if (!cur.isObject()) {
                return pruneNulls(patch);
            }
            if (!patch.isObject()) {
                return patch;
            }
            mergeDocs((ObjectNode) cur, (ObjectNode) patch);
            return cur;
        }

        private static JsonNode pruneNulls(JsonNode n) {
            if (n instanceof ObjectNode o) {
                ObjectNode out = F.objectNode();
                o.properties().forEach(e -> {
                    if (!e.getValue().isNull()) {
                        out.set(e.getKey(), pruneNulls(e.getValue()));
                    }
                });
                return out;
            }
            if (n instanceof ArrayNode a) {
                ArrayNode out = F.arrayNode();
                a.forEach(item -> {
                    if (!item.isNull()) {
                        out.add(pruneNulls(item));
                    }
                });
                return out;
            }
            return n;
        }
    }
}
