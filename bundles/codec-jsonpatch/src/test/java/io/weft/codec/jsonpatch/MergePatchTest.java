package io.weft.codec.jsonpatch;

import static io.weft.codec.jsonpatch.TestJson.json;
import static io.weft.codec.jsonpatch.TestJson.obj;
import static io.weft.codec.jsonpatch.TestJson.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class MergePatchTest {

    /** RFC 7396 Appendix A, every example (target | patch | result). */
    @ParameterizedTest(name = "{0} + {1} = {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {"a":"b"}                      | {"a":"c"}                        | {"a":"c"}
            {"a":"b"}                      | {"b":"c"}                        | {"a":"b","b":"c"}
            {"a":"b"}                      | {"a":null}                       | {}
            {"a":"b","b":"c"}              | {"a":null}                       | {"b":"c"}
            {"a":["b"]}                    | {"a":"c"}                        | {"a":"c"}
            {"a":"c"}                      | {"a":["b"]}                      | {"a":["b"]}
            {"a":{"b":"c"}}                | {"a":{"b":"d","c":null}}         | {"a":{"b":"d"}}
            {"a":[{"b":"c"}]}              | {"a":[1]}                        | {"a":[1]}
            ["a","b"]                      | ["c","d"]                        | ["c","d"]
            {"a":"b"}                      | ["c"]                            | ["c"]
            {"a":"foo"}                    | null                             | null
            {"a":"foo"}                    | "bar"                            | "bar"
            {"e":null}                     | {"a":1}                          | {"e":null,"a":1}
            [1,2]                          | {"a":"b","c":null}               | {"a":"b"}
            {}                             | {"a":{"bb":{"ccc":null}}}        | {"a":{"bb":{}}}
            """)
    void rfc7396AppendixA(String target, String patch, String result) {
        JsonNode t = json(target);
        JsonNode p = json(patch);
        String tBefore = text(t);
        String pBefore = text(p);
        assertEquals(json(result), MergePatch.apply(t, p));
        assertEquals(tBefore, text(t), "target modified");
        assertEquals(pBefore, text(p), "patch modified");
    }

    @Test
    void applyToAbsentTargetTreatsItAsEmptyObject() {
        assertEquals(json("{\"a\":{}}"), MergePatch.apply(null, json("{\"a\":{\"b\":null}}")));
    }

    @Test
    void applyResultSharesNoNodesWithArguments() {
        JsonNode target = json("{\"keep\":{\"x\":1},\"arr\":[1]}");
        JsonNode patch = json("{\"new\":{\"y\":2},\"arr\":[2]}");
        ObjectNode result = (ObjectNode) MergePatch.apply(target, patch);
        ((ObjectNode) result.get("keep")).put("x", 99);
        ((ObjectNode) result.get("new")).put("y", 99);
        result.withArray("arr").add(3);
        assertEquals(json("{\"keep\":{\"x\":1},\"arr\":[1]}"), target);
        assertEquals(json("{\"new\":{\"y\":2},\"arr\":[2]}"), patch);
    }

    @Test
    void diffIsMinimal() {
        assertEquals(json("{}"), MergePatch.diff(obj("{\"a\":1,\"o\":{\"b\":[1,2]}}"), obj("{\"o\":{\"b\":[1,2]},\"a\":1}")));
        assertEquals(json("{\"o\":{\"c\":3}}"), MergePatch.diff(obj("{\"a\":1,\"o\":{\"b\":2}}"), obj("{\"a\":1,\"o\":{\"b\":2,\"c\":3}}")));
        assertEquals(json("{\"o\":{\"b\":null}}"), MergePatch.diff(obj("{\"o\":{\"b\":2,\"c\":3}}"), obj("{\"o\":{\"c\":3}}")));
        assertEquals(json("{\"a\":null}"), MergePatch.diff(obj("{\"a\":1,\"b\":2}"), obj("{\"b\":2}")));
        // arrays are replaced whole
        assertEquals(json("{\"l\":[1,2,4]}"), MergePatch.diff(obj("{\"l\":[1,2,3]}"), obj("{\"l\":[1,2,4]}")));
        // a type change replaces
        assertEquals(json("{\"o\":5}"), MergePatch.diff(obj("{\"o\":{\"b\":2}}"), obj("{\"o\":5}")));
        assertEquals(json("{\"o\":{\"b\":2}}"), MergePatch.diff(obj("{\"o\":[1]}"), obj("{\"o\":{\"b\":2}}")));
        // 1 and 1.0 are different JSON text, so the change is kept
        assertEquals(json("{\"n\":1.0}"), MergePatch.diff(obj("{\"n\":1}"), obj("{\"n\":1.0}")));
    }

    @Test
    void diffIgnoresNumberNodeClassForEqualIntegers() {
        ObjectNode before = JsonNodeFactory.instance.objectNode().put("n", 5);        // IntNode
        ObjectNode after = JsonNodeFactory.instance.objectNode().put("n", 5L);        // LongNode
        after.put("m", BigInteger.valueOf(7));
        before.put("m", 7);
        assertEquals(json("{}"), MergePatch.diff(before, after));
    }

    /** The null rule: null members in "after" end up absent, at any depth, also inside array elements. */
    @Test
    void nullRule() {
        // a new null member: nothing to do (absent before, absent after)
        assertEquals(json("{}"), MergePatch.diff(obj("{\"a\":1}"), obj("{\"a\":1,\"b\":null}")));
        // setting a member to null deletes it
        assertEquals(json("{\"a\":null}"), MergePatch.diff(obj("{\"a\":1}"), obj("{\"a\":null}")));
        // an existing null member is removed by the save, even if after keeps it
        assertEquals(json("{\"a\":null}"), MergePatch.diff(obj("{\"a\":null,\"b\":1}"), obj("{\"a\":null,\"b\":1}")));
        // nested, and inside array elements; null array elements stay
        assertEquals(json("{\"o\":{\"x\":1},\"l\":[{},null]}"),
                MergePatch.diff(obj("{}"), obj("{\"o\":{\"x\":1,\"y\":null},\"l\":[{\"z\":null},null]}")));
        assertEquals(json("{\"l\":[{}]}"), MergePatch.diff(obj("{\"l\":[{\"z\":null}]}"), obj("{\"l\":[{\"z\":null}]}")));

        JsonNode after = json("{\"o\":{\"x\":1,\"y\":null},\"l\":[{\"z\":null},null],\"n\":null}");
        JsonNode stored = json("{\"o\":{\"x\":1},\"l\":[{},null]}");
        assertEquals(stored, MergePatch.stripNulls(after));
        assertEquals(stored, MergePatch.apply(json("{\"n\":3,\"o\":{\"y\":2}}"),
                MergePatch.diff(obj("{\"n\":3,\"o\":{\"y\":2}}"), (ObjectNode) after)));
        assertTrue(MergePatch.hasNullMember(after));
        assertFalse(MergePatch.hasNullMember(stored));
    }

    @Test
    void jsonEquals() {
        assertTrue(MergePatch.jsonEquals(json("{\"a\":1,\"b\":[1,{\"c\":2.5}]}"), json("{\"b\":[1,{\"c\":2.50}],\"a\":1}")));
        assertFalse(MergePatch.jsonEquals(json("[1]"), json("[1.0]")));
        assertFalse(MergePatch.jsonEquals(json("{\"a\":null}"), json("{}")));
        assertFalse(MergePatch.jsonEquals(json("\"1\""), json("1")));
        assertTrue(MergePatch.jsonEquals(json("12345678901234567890123"), json("12345678901234567890123")));
    }
}
