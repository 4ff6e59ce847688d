package io.weft.api.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.weft.api.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** What a query matches, value order, and the fluent builder. */
class QuerySemanticsTest {

    private static final ObjectMapper M = new ObjectMapper();

    private static JsonNode doc(String json) {
        try {
            return M.readTree(json.replace('\'', '"'));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static final JsonNode ALICE = doc("{'_id':'1','name':'Alice','age':30,'vip':false,"
            + "'address':{'city':'Paris','zip':75001},'tags':['a','b'],'nick':null,'score':-0.0}");

    @Test
    void operatorsOnEachType() {
        assertTrue(Query.where("name").eq("Alice").matches(ALICE));
        assertFalse(Query.where("name").eq("alice").matches(ALICE));
        assertTrue(Query.where("name").gt("Al").matches(ALICE));
        assertTrue(Query.where("name").lt("Bob").matches(ALICE));
        assertTrue(Query.where("name").ge("Alice").and("name").le("Alice").matches(ALICE));
        assertTrue(Query.where("age").eq(30).matches(ALICE));
        assertTrue(Query.where("age").eq(30.0).matches(ALICE));
        assertTrue(Query.where("age").gt(29.5).matches(ALICE));
        assertFalse(Query.where("age").gt(30).matches(ALICE));
        assertTrue(Query.where("age").ge(30).matches(ALICE));
        assertTrue(Query.where("age").lt(30.0001).matches(ALICE));
        assertTrue(Query.where("age").le(30).matches(ALICE));
        assertTrue(Query.where("age").ne(31).matches(ALICE));
        assertTrue(Query.where("vip").eq(false).matches(ALICE));
        assertTrue(Query.where("vip").lt(true).matches(ALICE));
        assertFalse(Query.where("vip").gt(false).matches(ALICE));
        assertTrue(Query.where("vip").ge(false).matches(ALICE));
        assertTrue(Query.where("vip").ne(true).matches(ALICE));
        // -0.0 equals 0.0
        assertTrue(Query.where("score").eq(0).matches(ALICE));
        assertFalse(Query.where("score").lt(0).matches(ALICE));
    }

    @Test
    void missingFieldsAndOtherTypesMatchOnlyNe() {
        for (String path : new String[] {"missing", "nick", "tags", "address", "address.missing", "name.first",
                "tags.0"}) {
            for (Operation op : Operation.values()) {
                for (QueryValue v : List.of(QueryValue.of("Alice"), QueryValue.of(true), QueryValue.of(30))) {
                    Query q = Query.where(path).is(op, v);
                    assertEquals(op == Operation.NE, q.matches(ALICE), q::toString);
                }
            }
        }
        // type mismatch: age is a number, name a string, vip a boolean
        for (Operation op : Operation.values()) {
            assertEquals(op == Operation.NE, Query.where("age").is(op, QueryValue.of("30")).matches(ALICE));
            assertEquals(op == Operation.NE, Query.where("name").is(op, QueryValue.of(1)).matches(ALICE));
            assertEquals(op == Operation.NE, Query.where("vip").is(op, QueryValue.of(0)).matches(ALICE));
            assertEquals(op == Operation.NE, Query.where("age").is(op, QueryValue.of(true)).matches(ALICE));
        }
        // a non-object instance holds nothing
        assertFalse(Query.where("a").eq(1).matches(JsonNodeFactory.instance.numberNode(1)));
        assertTrue(Query.where("a").ne(1).matches(JsonNodeFactory.instance.nullNode()));
    }

    @Test
    void dotPathsGoThroughObjects() {
        assertTrue(Query.where("address.city").eq("Paris").matches(ALICE));
        assertTrue(Query.where("address.zip").ge(75000).matches(ALICE));
        JsonNode deep = doc("{'a':{'b':{'c':{'d':true}}},'x.y':1}");
        assertTrue(Query.where("a.b.c.d").eq(true).matches(deep));
        // a member whose name contains a dot cannot be addressed
        assertFalse(Query.where("x.y").eq(1).matches(deep));
        assertEquals(QueryValue.of(true), QueryValue.at(deep, "a.b.c.d"));
        assertNull(QueryValue.at(deep, "a.b"));
        assertNull(QueryValue.at(deep, "a.b.c.d.e"));
    }

    @Test
    void andsOrsSemantics() {
        Query nameOrAge = Query.where("name").eq("Bob").or(Query.where("age").eq(30));
        assertTrue(nameOrAge.matches(ALICE), "(ands) OR (ors): the or holds");
        Query both = Query.where("name").eq("Alice").or(Query.where("age").eq(99));
        assertTrue(both.matches(ALICE), "(ands) OR (ors): the ands hold");
        Query neither = Query.where("name").eq("Bob").or(Query.where("age").eq(99));
        assertFalse(neither.matches(ALICE));
        // ors only: one of them must match (go-threads would match everything here)
        assertFalse(Query.all().or(Query.where("age").eq(99)).matches(ALICE));
        assertTrue(Query.all().or(Query.where("age").eq(99)).or(Query.where("age").eq(30)).matches(ALICE));
        // the empty query and a query with an empty or
        assertTrue(Query.all().matches(ALICE));
        assertTrue(Query.all().or(Query.all()).matches(ALICE));
        // nested: (name=Bob) OR ((vip=true) OR (city=Paris AND zip=75001))
        Query nested = Query.where("name").eq("Bob").or(Query.where("vip").eq(true)
                .or(Query.where("address.city").eq("Paris").and("address.zip").eq(75001)));
        assertTrue(nested.matches(ALICE));
        Query nestedMiss = Query.where("name").eq("Bob").or(Query.where("vip").eq(true)
                .or(Query.where("address.city").eq("Paris").and("address.zip").eq(1)));
        assertFalse(nestedMiss.matches(ALICE));
        // all ands must hold
        assertFalse(Query.where("name").eq("Alice").and("age").eq(31).matches(ALICE));
    }

    @Test
    void valueOrder() {
        List<QueryValue> ascending = List.of(QueryValue.of(false), QueryValue.of(true),
                QueryValue.of(Double.NEGATIVE_INFINITY), QueryValue.of(-1e300), QueryValue.of(-1), QueryValue.of(0),
                QueryValue.of(Double.MIN_VALUE), QueryValue.of(1), QueryValue.of(Double.POSITIVE_INFINITY),
                QueryValue.of(""), QueryValue.of("\u0000"), QueryValue.of("A"), QueryValue.of("a"), QueryValue.of("a\u0000"),
                QueryValue.of("ab"), QueryValue.of("\u00e9"), QueryValue.of("\ud7ff"), QueryValue.of("\ud800"),
                QueryValue.of("\udbff"), QueryValue.of("\ue000"), QueryValue.of("\uffff"), QueryValue.of("\ud83d\ude00"));
        for (int i = 0; i < ascending.size(); i++) {
            for (int j = 0; j < ascending.size(); j++) {
                assertEquals(Integer.signum(Integer.compare(i, j)),
                        Integer.signum(ascending.get(i).compareTo(ascending.get(j))), ascending.get(i) + " vs " + ascending.get(j));
            }
        }
        assertEquals(QueryValue.of(0.0), QueryValue.of(-0.0));
        assertEquals(QueryValue.of(0.0).hashCode(), QueryValue.of(-0.0).hashCode());
        assertNotEquals(QueryValue.of("1"), QueryValue.of(1));
        assertThrows(InvalidInputException.class, () -> QueryValue.of(Double.NaN));
        assertThrows(IllegalStateException.class, () -> QueryValue.of("x").doubleValue());
        assertNull(QueryValue.ofNode(JsonNodeFactory.instance.numberNode(Double.NaN)));
    }

    /** For well-formed strings, code point order is UTF-8 byte order (and differs from String.compareTo). */
    @Property(tries = 500)
    void stringOrderIsUtf8ByteOrder(@ForAll String a, @ForAll String b) {
        if (!wellFormed(a) || !wellFormed(b)) {
            return;
        }
        int expected = Integer.signum(Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8),
                b.getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, Integer.signum(QueryValue.compareStrings(a, b)));
        assertEquals(expected, Integer.signum(Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray())));
    }

    @Property(tries = 500)
    void stringOrderIsCodePointOrder(@ForAll String a, @ForAll String b) {
        assertEquals(Integer.signum(Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray())),
                Integer.signum(QueryValue.compareStrings(a, b)));
    }

    private static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    @Test
    void codePointOrderDiffersFromUtf16() {
        // U+FFFF < U+1F600 by code point, but "\uffff".compareTo("\ud83d\ude00") > 0 in UTF-16
        assertTrue(QueryValue.compareStrings("\uffff", "\ud83d\ude00") < 0);
        assertTrue("\uffff".compareTo("\ud83d\ude00") > 0);
        assertTrue(Query.where("s").lt("\ud83d\ude00").matches(doc("{'s':'\uffff'}")));
    }

    @Test
    void fluentBuilder() {
        Query q = Query.where("name").eq("Alice").and("age").ge(18)
                .or(Query.where("vip").eq(true))
                .orderBy("age").desc()
                .skip(10).limit(20);
        assertEquals("{\"ands\":[{\"fieldPath\":\"name\",\"operation\":0,\"value\":{\"string\":\"Alice\"}},"
                + "{\"fieldPath\":\"age\",\"operation\":4,\"value\":{\"float\":18}}],"
                + "\"ors\":[{\"ands\":[{\"fieldPath\":\"vip\",\"operation\":0,\"value\":{\"bool\":true}}],\"ors\":[]}],"
                + "\"sort\":{\"fieldPath\":\"age\",\"desc\":true},\"skip\":10,\"limit\":20}", q.toString());
        assertEquals(q, Query.parse(q.toString()));
    }

    @Test
    void builderStepsNeverModify() {
        Query base = Query.where("a").eq(1);
        Query more = base.and("b").eq(2).or(Query.where("c").eq(3)).orderBy("a").seek("x").skip(1).limit(2).index("a");
        assertEquals(1, base.ands().size());
        assertTrue(base.ors().isEmpty());
        assertTrue(base.sort().isEmpty());
        assertTrue(base.seek().isEmpty());
        assertEquals(0, base.skip());
        assertEquals(0, base.limit());
        assertTrue(base.index().isEmpty());
        assertEquals(2, more.ands().size());
        assertThrows(UnsupportedOperationException.class, () -> more.ands().add(null));
        assertThrows(UnsupportedOperationException.class, () -> more.ors().clear());
    }

    @Test
    void builderRejectsBadInput() {
        assertThrows(IllegalStateException.class, () -> Query.all().desc());
        assertThrows(IllegalStateException.class, () -> Query.all().asc());
        assertThrows(InvalidInputException.class, () -> Query.where(""));
        assertThrows(InvalidInputException.class, () -> Query.where("a..b"));
        assertThrows(InvalidInputException.class, () -> Query.where(null));
        assertThrows(InvalidInputException.class, () -> Query.all().orderBy(""));
        assertThrows(InvalidInputException.class, () -> Query.all().skip(-1));
        assertThrows(InvalidInputException.class, () -> Query.all().limit(-1));
        assertThrows(InvalidInputException.class, () -> Query.where("a").eq(Double.POSITIVE_INFINITY));
        assertThrows(InvalidInputException.class, () -> Query.where("a").eq(Double.NaN));
        assertThrows(InvalidInputException.class, () -> Query.where("a").is(null, QueryValue.of(1)));
        assertThrows(InvalidInputException.class, () -> Query.where("a").is(Operation.EQ, null));
        assertThrows(InvalidInputException.class, () -> Query.all().or(null));
        assertThrows(InvalidInputException.class, () -> Query.all().or(Query.all().limit(1)));
        assertThrows(InvalidInputException.class, () -> Query.all().or(Query.all().orderBy("a")));
        assertThrows(InvalidInputException.class, () -> Query.all().or(Query.all().seek("x")));
        assertThrows(InvalidInputException.class, () -> Query.all().or(Query.all().index("x")));
        assertThrows(InvalidInputException.class, () -> Query.of(Arrays.asList((Criterion) null), List.of(), null,
                null, 0, 0, null));
        assertThrows(InvalidInputException.class, () -> Operation.ofCode(6));
    }
}
