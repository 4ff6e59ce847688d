package io.weft.api.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.weft.api.InvalidInputException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The query JSON wire format: what the JS and Go clients send, round trips, and every rejection. */
class QueryJsonTest {

    /** Captured from @textile/threads-client (notes/textile-js-and-peers.md, "Query JSON on the wire"). */
    static final String JS_CAPTURED = "{\"ands\":[{\"fieldPath\":\"missions\",\"operation\":1,\"value\":{\"float\":1}},"
            + "{\"fieldPath\":\"name\",\"operation\":0,\"value\":{\"string\":\"Buzz\"}}],\"ors\":[],"
            + "\"sort\":{\"fieldPath\":\"missions\",\"desc\":true},\"limit\":10}";

    @Test
    void jsClientCapturedJson() {
        Query q = Query.parse(JS_CAPTURED);
        assertEquals(List.of(
                new Criterion("missions", Operation.NE, QueryValue.of(1.0)),
                new Criterion("name", Operation.EQ, QueryValue.of("Buzz"))), q.ands());
        assertEquals(List.of(), q.ors());
        assertEquals(Optional.of(new Sort("missions", true)), q.sort());
        assertEquals(10, q.limit());
        assertEquals(0, q.skip());
        assertEquals(Optional.empty(), q.seek());
        assertEquals(Optional.empty(), q.index());
        // our output is byte-for-byte the JS client's
        assertEquals(JS_CAPTURED, q.toString());
        // and the same query from the builder
        assertEquals(q, Query.where("missions").ne(1).and("name").eq("Buzz").orderByDesc("missions").limit(10));
    }

    @Test
    void fullWireFormWithEveryMember() {
        String json = "{\"ands\":[{\"fieldPath\":\"missions\",\"operation\":1,\"value\":{\"float\":1}}],"
                + "\"ors\":[{\"ands\":[{\"fieldPath\":\"a.b\",\"operation\":2,\"value\":{\"bool\":false}}],\"ors\":[]},"
                + "{\"ands\":[],\"ors\":[{\"ands\":[{\"fieldPath\":\"x\",\"operation\":5,\"value\":{\"float\":2.5}}],\"ors\":[]}]}],"
                + "\"sort\":{\"fieldPath\":\"missions\",\"desc\":true},\"seek\":\"01abc\",\"skip\":3,\"limit\":10,"
                + "\"index\":\"missions\"}";
        Query q = Query.parse(json);
        assertEquals(2, q.ors().size());
        assertEquals(new Criterion("a.b", Operation.GT, QueryValue.of(false)), q.ors().get(0).ands().get(0));
        assertEquals(new Criterion("x", Operation.LE, QueryValue.of(2.5)), q.ors().get(1).ors().get(0).ands().get(0));
        assertEquals(Optional.of("01abc"), q.seek());
        assertEquals(3, q.skip());
        assertEquals(10, q.limit());
        assertEquals(Optional.of("missions"), q.index());
        assertEquals(json, q.toString());
        assertEquals(q, Query.parse(q.toString()));
    }

    @Test
    void operationCodesAreGoThreads() {
        int[] codes = {0, 1, 2, 3, 4, 5};
        Operation[] ops = {Operation.EQ, Operation.NE, Operation.GT, Operation.LT, Operation.GE, Operation.LE};
        for (int i = 0; i < codes.length; i++) {
            Query q = Query.parse("{\"ands\":[{\"fieldPath\":\"f\",\"operation\":" + codes[i]
                    + ",\"value\":{\"float\":0}}]}");
            assertEquals(ops[i], q.ands().get(0).operation());
            assertEquals(codes[i], ops[i].code());
            assertEquals(ops[i], Operation.ofCode(codes[i]));
        }
    }

    /** go-threads' Go client marshals its Query struct with encoding/json: capitalised names, nulls, empty defaults. */
    @Test
    void goClientJson() {
        String go = "{\"Ands\":[{\"FieldPath\":\"name\",\"Operation\":0,\"Value\":{\"String\":\"Buzz\",\"Bool\":null,"
                + "\"Float\":null}}],\"Ors\":[{\"Ands\":[{\"FieldPath\":\"age\",\"Operation\":4,\"Value\":{\"String\":null,"
                + "\"Bool\":null,\"Float\":30}}],\"Ors\":null,\"Sort\":{\"FieldPath\":\"\",\"Desc\":false},\"Seek\":\"\","
                + "\"Limit\":0,\"Skip\":0,\"Index\":\"\"}],\"Sort\":{\"FieldPath\":\"\",\"Desc\":false},\"Seek\":\"\","
                + "\"Limit\":0,\"Skip\":0,\"Index\":\"\"}";
        Query q = Query.parse(go);
        assertEquals(Query.where("name").eq("Buzz").or(Query.where("age").ge(30)), q);
        assertEquals(Optional.empty(), q.sort());
    }

    @Test
    void emptyAndNullQueries() {
        assertEquals(Query.all(), Query.parse("{}"));
        assertEquals(Query.all(), Query.parse("null"));
        assertEquals(Query.all(), Query.parse("{\"ands\":null,\"ors\":null,\"sort\":null,\"seek\":null,"
                + "\"skip\":null,\"limit\":null,\"index\":null}"));
        assertEquals(Query.all(), Query.fromJson(JsonNodeFactory.instance.nullNode()));
        assertEquals("{\"ands\":[],\"ors\":[]}", Query.all().toString());
        // a sort object without a path (or an empty one) is "no sort"
        assertEquals(Query.all(), Query.parse("{\"sort\":{\"fieldPath\":\"\",\"desc\":true}}"));
        assertEquals(Query.all(), Query.parse("{\"sort\":{}}"));
    }

    @Test
    void numbersOnTheWire() {
        assertEquals("{\"float\":1}", QueryValue.of(1.0).toString());
        assertEquals("{\"float\":-3}", QueryValue.of(-3).toString());
        assertEquals("{\"float\":0}", QueryValue.of(-0.0).toString());
        assertEquals("{\"float\":2.5}", QueryValue.of(2.5).toString());
        assertEquals("{\"float\":1.0E300}", QueryValue.of(1e300).toString());
        assertEquals(QueryValue.of(1e300), QueryValue.fromJson(QueryValue.of(1e300).toJson()));
        assertEquals(QueryValue.of(9007199254740993.0), Query.parse(
                "{\"ands\":[{\"fieldPath\":\"f\",\"operation\":0,\"value\":{\"float\":9007199254740993}}]}")
                .ands().get(0).value());
        // integers, decimals and exponents are all numbers
        for (String n : new String[] {"1", "1.0", "1e0", "10E-1"}) {
            assertEquals(QueryValue.of(1.0), QueryValue.fromJson(Query.parse(
                    "{\"ands\":[{\"fieldPath\":\"f\",\"operation\":0,\"value\":{\"float\":" + n + "}}]}")
                    .ands().get(0).value().toJson()));
        }
        assertThrows(IllegalStateException.class, () -> QueryValue.of(Double.POSITIVE_INFINITY).toJson());
    }

    @Test
    void stringsKeepEveryCharacter() {
        String s = "a\u0000b\"\\\u00e9\ud83d\ude00\ud800";
        Query q = Query.where("f").eq(s);
        assertEquals(q, Query.parse(q.toString()));
        assertEquals(s, Query.parse(q.toString()).ands().get(0).value().stringValue());
    }

    static Stream<Arguments> malformed() {
        String c = "{\"fieldPath\":\"f\",\"operation\":0,\"value\":{\"float\":1}}";
        return Stream.of(
                // not JSON / not a query object
                Arguments.of("", "empty"),
                Arguments.of("   ", "empty"),
                Arguments.of("{", "not well-formed"),
                Arguments.of("{} {}", "not well-formed"),
                Arguments.of("{}x", "not well-formed"),
                Arguments.of("[]", "query must be a JSON object"),
                Arguments.of("\"q\"", "query must be a JSON object"),
                Arguments.of("7", "query must be a JSON object"),
                // members
                Arguments.of("{\"and\":[]}", "unknown member \"and\""),
                Arguments.of("{\"ands\":[],\"extra\":1}", "unknown member \"extra\""),
                Arguments.of("{\"ands\":[],\"ands\":[]}", "not well-formed"),
                Arguments.of("{\"ands\":[],\"Ands\":[]}", "more than once"),
                Arguments.of("{\"ands\":{}}", "ands must be an array"),
                Arguments.of("{\"ors\":\"x\"}", "ors must be an array"),
                Arguments.of("{\"ands\":[null]}", "ands[0] must not be null"),
                Arguments.of("{\"ors\":[null]}", "ors[0] must not be null"),
                Arguments.of("{\"ors\":[[]]}", "ors[0] must be a JSON object"),
                // criterion
                Arguments.of("{\"ands\":[1]}", "ands[0] must be a JSON object"),
                Arguments.of("{\"ands\":[{\"operation\":0,\"value\":{\"float\":1}}]}", "fieldPath is required"),
                Arguments.of("{\"ands\":[{\"fieldPath\":null,\"operation\":0,\"value\":{\"float\":1}}]}", "fieldPath is required"),
                Arguments.of("{\"ands\":[{\"fieldPath\":5,\"operation\":0,\"value\":{\"float\":1}}]}", "fieldPath must be a JSON string"),
                Arguments.of("{\"ands\":[{\"fieldPath\":[\"a\"],\"operation\":0,\"value\":{\"float\":1}}]}", "fieldPath must be a JSON string"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"\",\"operation\":0,\"value\":{\"float\":1}}]}", "fieldPath must not be empty"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"a..b\",\"operation\":0,\"value\":{\"float\":1}}]}", "empty segment"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\".a\",\"operation\":0,\"value\":{\"float\":1}}]}", "empty segment"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"a.\",\"operation\":0,\"value\":{\"float\":1}}]}", "empty segment"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"f\",\"value\":{\"float\":1}}]}", "operation is required"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"f\",\"operation\":6,\"value\":{\"float\":1}}]}", "unknown code 6"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"f\",\"operation\":-1,\"value\":{\"float\":1}}]}", "unknown code -1"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"f\",\"operation\":99999999999999999999,\"value\":{\"float\":1}}]}", "unknown code"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"f\",\"operation\":1.5,\"value\":{\"float\":1}}]}", "operation must be an integer"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"f\",\"operation\":\"0\",\"value\":{\"float\":1}}]}", "operation must be an integer"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"f\",\"operation\":0}]}", "value is required"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"f\",\"operation\":0,\"value\":null}]}", "value is required"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"f\",\"operation\":0,\"value\":{}}]}", "found none"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"f\",\"operation\":0,\"value\":{\"string\":null,\"float\":null}}]}", "found none"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"f\",\"operation\":0,\"value\":{\"string\":\"a\",\"float\":1}}]}", "found more"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"f\",\"operation\":0,\"value\":{\"bool\":true,\"string\":\"a\"}}]}", "found more"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"f\",\"operation\":0,\"value\":{\"int\":1}}]}", "unknown member \"int\""),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"f\",\"operation\":0,\"value\":1}]}", "value must be a JSON object"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"f\",\"operation\":0,\"value\":\"a\"}]}", "value must be a JSON object"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"f\",\"operation\":0,\"value\":{\"string\":1}}]}", "string must be a JSON string"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"f\",\"operation\":0,\"value\":{\"bool\":\"true\"}}]}", "bool must be true or false"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"f\",\"operation\":0,\"value\":{\"bool\":0}}]}", "bool must be true or false"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"f\",\"operation\":0,\"value\":{\"float\":\"1\"}}]}", "float must be a JSON number"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"f\",\"operation\":0,\"value\":{\"float\":true}}]}", "float must be a JSON number"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"f\",\"operation\":0,\"value\":{\"float\":1e400}}]}", "finite"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"f\",\"operation\":0,\"value\":{\"float\":-1e400}}]}", "finite"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"f\",\"operation\":0,\"value\":{\"float\":NaN}}]}", "not well-formed"),
                Arguments.of("{\"ands\":[{\"fieldPath\":\"f\",\"operation\":0,\"value\":{\"float\":1},\"query\":{}}]}", "unknown member \"query\""),
                // sort
                Arguments.of("{\"sort\":\"f\"}", "sort must be a JSON object"),
                Arguments.of("{\"sort\":{\"fieldPath\":1}}", "sort.fieldPath must be a JSON string"),
                Arguments.of("{\"sort\":{\"fieldPath\":\"f\",\"desc\":\"yes\"}}", "sort.desc must be true or false"),
                Arguments.of("{\"sort\":{\"fieldPath\":\"a..b\"}}", "empty segment"),
                Arguments.of("{\"sort\":{\"fieldPath\":\"f\",\"asc\":true}}", "unknown member \"asc\""),
                // paging
                Arguments.of("{\"skip\":-1}", "skip must not be negative"),
                Arguments.of("{\"limit\":-5}", "limit must not be negative"),
                Arguments.of("{\"limit\":1.5}", "limit must be an integer"),
                Arguments.of("{\"limit\":\"10\"}", "limit must be an integer"),
                Arguments.of("{\"skip\":4294967296}", "skip is out of range"),
                Arguments.of("{\"seek\":5}", "seek must be a JSON string"),
                Arguments.of("{\"index\":true}", "index must be a JSON string"),
                // nested queries hold only ands and ors
                Arguments.of("{\"ors\":[{\"ands\":[" + c + "],\"limit\":1}]}", "may hold only ands and ors, but has limit"),
                Arguments.of("{\"ors\":[{\"skip\":1}]}", "but has skip"),
                Arguments.of("{\"ors\":[{\"seek\":\"x\"}]}", "but has seek"),
                Arguments.of("{\"ors\":[{\"index\":\"x\"}]}", "but has index"),
                Arguments.of("{\"ors\":[{\"sort\":{\"fieldPath\":\"f\",\"desc\":false}}]}", "but has sort"),
                Arguments.of("{\"ors\":[{\"ands\":[{\"fieldPath\":\"f\",\"operation\":9,\"value\":{\"float\":1}}]}]}",
                        "query.ors[0].ands[0].operation"),
                // nesting depth
                Arguments.of(nested(Query.MAX_DEPTH + 1), "nested more than 32 levels"),
                Arguments.of(nested(40), "nested more than 32 levels"),
                Arguments.of(nested(10_000), "nesting depth"));
    }

    private static String nested(int depth) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < depth; i++) {
            sb.append("{\"ors\":[");
        }
        sb.append("{}");
        for (int i = 1; i < depth; i++) {
            sb.append("]}");
        }
        return sb.toString();
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void rejectsMalformed(String json, String messagePart) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Query.parse(json));
        assertTrue(e.getMessage().contains(messagePart), () -> "message \"" + e.getMessage()
                + "\" lacks \"" + messagePart + "\" for " + (json.length() > 200 ? json.substring(0, 200) + "..." : json));
    }

    @Test
    void depthLimitIsExact() {
        Query q = Query.parse(nested(Query.MAX_DEPTH));
        assertEquals(q, Query.parse(q.toString()));
        // the builder enforces the same limit
        Query deep = Query.all();
        for (int i = 1; i < Query.MAX_DEPTH; i++) {
            deep = Query.all().or(deep);
        }
        Query last = deep;
        assertThrows(InvalidInputException.class, () -> Query.all().or(last));
    }

    @Test
    void rejectsNullInput() {
        assertThrows(InvalidInputException.class, () -> Query.parse(null));
        assertThrows(InvalidInputException.class, () -> Query.fromJson(null));
    }

    @Test
    void namesAreMatchedIgnoringAsciiCaseOnly() {
        assertEquals(Query.all().limit(3), Query.parse("{\"LIMIT\":3}"));
        assertEquals(Query.all().orderBy("f"), Query.parse("{\"sort\":{\"FIELDPATH\":\"f\"}}"));
        // a non-ASCII look-alike is not a known name (U+212A KELVIN SIGN)
        assertThrows(InvalidInputException.class, () -> Query.parse("{\"\u212Aey\":1}"));
        assertThrows(InvalidInputException.class, () -> Query.parse("{\"\u017Feek\":\"x\"}"));
    }

    // ---- round trips of random queries

    @Property(tries = 300)
    void roundTrip(@ForAll("queries") Query q) {
        String json = q.toString();
        Query back = Query.parse(json);
        assertEquals(q, back);
        assertEquals(json, back.toString());
        assertEquals(q.hashCode(), back.hashCode());
        assertEquals(q, Query.fromJson(q.toJson()));
    }

    @Provide
    Arbitrary<Query> queries() {
        return Combinators.combine(nestedQueries(3),
                Arbitraries.of("a", "b.c", "_id", "").optional(),
                Arbitraries.of(false, true),
                Arbitraries.strings().ofMaxLength(4).injectNull(0.3),
                Arbitraries.integers().between(0, 100),
                Arbitraries.integers().between(0, 100),
                Arbitraries.strings().alpha().ofMaxLength(3).injectNull(0.5))
                .as((base, sortPath, desc, seek, skip, limit, index) -> {
                    Sort sort = sortPath.filter(p -> !p.isEmpty()).map(p -> new Sort(p, desc)).orElse(null);
                    return Query.of(base.ands(), base.ors(), sort, seek, skip, limit, index);
                });
    }

    static Arbitrary<Query> nestedQueries(int depth) {
        Arbitrary<List<Query>> ors = depth <= 1
                ? Arbitraries.just(List.of())
                : Arbitraries.lazy(() -> nestedQueries(depth - 1)).list().ofMaxSize(2);
        return Combinators.combine(criteria().list().ofMaxSize(3), ors)
                .as((ands, o) -> Query.of(ands, o, null, null, 0, 0, null));
    }

    static Arbitrary<Criterion> criteria() {
        Arbitrary<QueryValue> values = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(5).map(QueryValue::of),
                Arbitraries.of(true, false).map(QueryValue::of),
                Arbitraries.doubles().map(QueryValue::of),
                Arbitraries.integers().map(i -> QueryValue.of(i)),
                Arbitraries.of(0.0, -0.0, Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE, 1e-300, 0.1)
                        .map(QueryValue::of));
        return Combinators.combine(Arbitraries.of("a", "b", "a.b", "_id", "x.y.z"),
                Arbitraries.of(Operation.class), values).as(Criterion::new);
    }

    @Test
    void sortEqualityAndBuilderForms() {
        assertEquals(Query.all().orderBy("a").desc(), Query.all().orderByDesc("a"));
        assertEquals(Query.all().orderByDesc("a").asc(), Query.all().orderBy("a"));
        assertEquals(Query.all().orderBy(Sort.desc("a")), Query.all().orderByDesc("a"));
        assertFalse(Query.all().orderBy("a").equals(Query.all().orderBy("b")));
        assertEquals(Query.all(), Query.all().seek("").index(""));
    }
}
