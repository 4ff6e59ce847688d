package io.weft.db.query;

import static io.weft.db.query.QueryEnginePropertyTest.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.CorruptDataException;
import io.weft.api.NotFoundException;
import io.weft.api.db.Query;
import io.weft.db.query.DocumentSource.IndexEntry;
import io.weft.db.query.QueryPlan.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The planner's choices (explain), early stopping, and the engine's reactions to a misbehaving source. */
class QueryEngineTest {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** 1000 people: _id p0000..p0999, age = i % 100, email unique, name without an index, some without age. */
    private static List<JsonNode> people() {
        List<JsonNode> docs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            ObjectNode d = F.objectNode();
            d.put("_id", String.format("p%04d", i));
            if (i % 50 != 0) {
                d.put("age", i % 100);
            }
            d.put("email", "user" + i + "@example.org");
            d.put("name", "n" + (i % 7));
            d.putObject("address").put("city", i % 2 == 0 ? "Paris" : "Oslo");
            docs.add(d);
        }
        return docs;
    }

    private static Map<String, Boolean> indexes() {
        Map<String, Boolean> m = new LinkedHashMap<>();
        m.put("age", false);
        m.put("email", true);
        m.put("address.city", false);
        return m;
    }

    private final List<JsonNode> docs = people();
    private final InMemorySource source = new InMemorySource(docs, indexes());

    private QueryPlan plan(Query q) {
        return QueryEngine.explain(q, source);
    }

    @Test
    void equalityUsesTheIndex() {
        QueryPlan p = plan(Query.where("age").eq(30));
        assertEquals(Kind.INDEX_RANGE, p.kind());
        assertEquals("age", p.path());
        assertTrue(p.interval().isPoint());
        assertTrue(p.ordered(), "one index value: entries come in _id order");
        assertEquals("INDEX_RANGE age = 30 asc; in result order", p.toString());

        List<JsonNode> result = QueryEngine.execute(Query.where("age").eq(30), source);
        assertEquals(10, result.size());
        assertEquals("p0030", result.get(0).get("_id").textValue());
        assertEquals(10, source.entriesRead.get(), "reads only the matching entries");
        assertEquals(0, source.docsRead.get(), "no full scan");
    }

    @Test
    void equalityPrefersUniqueIndexAndIdLookup() {
        assertEquals("email", plan(Query.where("age").eq(30).and("email").eq("user30@example.org")).path());
        QueryPlan id = plan(Query.where("email").eq("x").and("_id").eq("p0030"));
        assertEquals(Kind.ID_LOOKUP, id.kind());
        assertEquals("ID_LOOKUP _id = \"p0030\"; in result order", id.toString());
        List<JsonNode> one = QueryEngine.execute(Query.where("_id").eq("p0030").and("age").eq(30), source);
        assertEquals(List.of("p0030"), ids(one));
        assertEquals(1, source.gets.get());
        // equality beats a range even when the range comes first
        assertEquals("email", plan(Query.where("age").gt(3).and("email").eq("x")).path());
    }

    @Test
    void rangeUsesTheIndex() {
        Query q = Query.where("age").ge(18).and("age").lt(20);
        QueryPlan p = plan(q);
        assertEquals(Kind.INDEX_RANGE, p.kind());
        assertEquals("INDEX_RANGE age [18, 20) asc; sorted in memory", p.toString());
        List<JsonNode> result = QueryEngine.execute(q, source);
        assertEquals(20, result.size());
        assertEquals(20, source.entriesRead.get());
        // sorted by _id (no sort), although read in age order
        List<String> got = ids(result);
        List<String> sorted = new ArrayList<>(got);
        sorted.sort(String::compareTo);
        assertEquals(sorted, got);
        // a two-sided range beats a one-sided one
        assertEquals("email", plan(Query.where("age").gt(3).and("email").ge("a").and("email").le("b")).path());
        // a one-sided range on strings runs to the end of the strings only
        assertEquals("INDEX_RANGE email (\"user9\", STRING end) asc; sorted in memory",
                plan(Query.where("email").gt("user9")).toString());
    }

    @Test
    void rangeOnTheSortPathStreamsAndStopsEarly() {
        Query q = Query.where("age").ge(90).orderBy("age").desc().limit(3);
        QueryPlan p = plan(q);
        assertEquals(Kind.INDEX_RANGE, p.kind());
        assertTrue(p.descending());
        assertTrue(p.ordered());
        List<JsonNode> result = QueryEngine.execute(q, source);
        // age 99: p0099, p0199, ... ascending id among ties
        assertEquals(List.of("p0099", "p0199", "p0299"), ids(result));
        assertTrue(source.entriesRead.get() <= 11, "stopped after the first value group: " + source.entriesRead);
    }

    @Test
    void sortWithLimitWalksTheIndex() {
        Query q = Query.all().orderBy("age").limit(5);
        QueryPlan p = plan(q);
        assertEquals(Kind.INDEX_ORDER, p.kind());
        assertEquals("INDEX_ORDER age asc; in result order", p.toString());
        List<JsonNode> result = QueryEngine.execute(q, source);
        // missing ages sort first: p0000, p0050, p0100, ...
        assertEquals(List.of("p0000", "p0050", "p0100", "p0150", "p0200"), ids(result));
        assertEquals(5, source.entriesRead.get());
        assertEquals(0, source.docsRead.get());

        Query d = Query.all().orderByDesc("age").skip(2).limit(3);
        assertEquals("INDEX_ORDER age desc; in result order", plan(d).toString());
        assertEquals(List.of("p0299", "p0399", "p0499"), ids(QueryEngine.execute(d, source)));
        // filters that no index serves still allow the index walk
        Query f = Query.where("name").eq("n3").orderBy("age").limit(2);
        assertEquals(Kind.INDEX_ORDER, plan(f).kind());
        assertEquals(Reference.run(docs, f), ids(QueryEngine.execute(f, source)));
    }

    @Test
    void sortWithoutLimitOrIndexSortsInMemory() {
        assertEquals("FULL_SCAN _id asc; sorted in memory", plan(Query.all().orderBy("age")).toString());
        assertEquals("FULL_SCAN _id asc; sorted in memory", plan(Query.all().orderBy("name").limit(3)).toString());
        Query q = Query.all().orderBy("name").desc().limit(3);
        assertEquals(Reference.run(docs, q), ids(QueryEngine.execute(q, source)));
    }

    @Test
    void idOrderStreams() {
        Query q = Query.where("name").eq("n1").limit(2);
        assertEquals("FULL_SCAN _id asc; in result order", plan(q).toString());
        assertEquals(List.of("p0001", "p0008"), ids(QueryEngine.execute(q, source)));
        assertEquals(9, source.docsRead.get(), "stopped at the second match");

        Query d = Query.all().orderByDesc("_id").limit(2);
        assertEquals("FULL_SCAN _id desc; in result order", plan(d).toString());
        assertEquals(List.of("p0999", "p0998"), ids(QueryEngine.execute(d, source)));

        Query r = Query.where("_id").gt("p0100").and("_id").le("p0103");
        assertEquals("ID_RANGE _id (\"p0100\", \"p0103\"] asc; in result order", plan(r).toString());
        assertEquals(List.of("p0101", "p0102", "p0103"), ids(QueryEngine.execute(r, source)));
        Query rd = r.orderByDesc("_id");
        assertEquals(List.of("p0103", "p0102", "p0101"), ids(QueryEngine.execute(rd, source)));
    }

    @Test
    void seekStartsAfterTheInstance() {
        Query q = Query.all().orderBy("age").seek("p0030").limit(3);
        // age 30: p0030, p0130, ...; after p0030 comes p0130
        assertEquals(List.of("p0130", "p0230", "p0330"), ids(QueryEngine.execute(q, source)));
        assertTrue(source.entriesRead.get() <= 12, "seek narrowed the index read: " + source.entriesRead);
        // without a sort the seek id need not exist
        assertEquals(List.of("p0031", "p0032"), ids(QueryEngine.execute(Query.all().seek("p0030x").limit(2), source)));
        // with a sort on another path it must
        assertThrows(NotFoundException.class, () -> QueryEngine.execute(Query.all().orderBy("age").seek("nope"), source));
    }

    @Test
    void orsDisableIndexFiltering() {
        Query q = Query.where("age").eq(30).or(Query.where("email").eq("user1@example.org"));
        assertEquals(Kind.FULL_SCAN, plan(q).kind());
        assertEquals(Reference.run(docs, q), ids(QueryEngine.execute(q, source)));
        assertEquals(11, QueryEngine.execute(q, source).size());
    }

    @Test
    void contradictionsReadNothing() {
        for (Query q : List.of(
                Query.where("age").gt(5).and("age").lt(3),
                Query.where("age").gt(5).and("age").le(5),
                Query.where("age").eq(1).and("age").eq("1"),
                Query.where("name").eq("a").and("name").eq("b"),
                Query.where("_id").eq(1))) {
            assertEquals(Kind.EMPTY, plan(q).kind(), q::toString);
            assertEquals(List.of(), QueryEngine.execute(q, source));
        }
        assertEquals(0, source.docsRead.get() + source.entriesRead.get() + source.gets.get());
        assertEquals("EMPTY; criteria contradict, nothing read", plan(Query.where("_id").eq(true)).toString());
        // with ors the ands are not necessary, so no shortcut
        assertEquals(Kind.FULL_SCAN, plan(Query.where("age").gt(5).and("age").lt(3).or(Query.all())).kind());
    }

    /** The explain table in docs/queries.md. */
    @Test
    void documentedPlans() {
        Map<Query, String> table = new LinkedHashMap<>();
        table.put(Query.where("age").eq(30), "INDEX_RANGE age = 30 asc; in result order");
        table.put(Query.where("age").ge(18).and("age").lt(20), "INDEX_RANGE age [18, 20) asc; sorted in memory");
        table.put(Query.where("age").ge(90).orderBy("age").desc().limit(3),
                "INDEX_RANGE age [90, FLOAT end) desc; in result order");
        table.put(Query.all().orderBy("age").limit(5), "INDEX_ORDER age asc; in result order");
        table.put(Query.all().orderBy("age"), "FULL_SCAN _id asc; sorted in memory");
        table.put(Query.where("_id").eq("p0030"), "ID_LOOKUP _id = \"p0030\"; in result order");
        table.put(Query.where("_id").gt("p0100").and("_id").le("p0103"),
                "ID_RANGE _id (\"p0100\", \"p0103\"] asc; in result order");
        table.put(Query.where("age").eq(30).or(Query.where("email").eq("x")), "FULL_SCAN _id asc; in result order");
        table.put(Query.where("age").gt(5).and("age").lt(3), "EMPTY; criteria contradict, nothing read");
        table.forEach((q, expected) -> assertEquals(expected, plan(q).toString(), q::toString));
    }

    @Test
    void indexHintIsIgnored() {
        Query q = Query.where("age").eq(30).index("email");
        assertEquals("age", plan(q).path());
    }

    @Test
    void sameResultsWithAndWithoutIndexes() {
        InMemorySource plain = new InMemorySource(docs, Map.of());
        for (Query q : List.of(
                Query.where("age").ge(18).and("address.city").eq("Oslo").orderBy("email").limit(7),
                Query.where("address.city").eq("Paris").orderByDesc("age").skip(3).limit(4),
                Query.where("age").le(1).orderBy("age"),
                Query.where("email").lt("user2").and("age").ne(10).orderByDesc("email").limit(5),
                Query.all().orderBy("age").seek("p0777").limit(6))) {
            assertEquals(Reference.run(docs, q), ids(QueryEngine.execute(q, source)), q::toString);
            assertEquals(Reference.run(docs, q), ids(QueryEngine.execute(q, plain)), q::toString);
        }
        assertTrue(source.allClosed() && plain.allClosed());
    }

    @Test
    void hiddenInstancesAreSkipped() {
        source.hide("p0030");
        assertEquals(List.of("p0130", "p0230"), ids(QueryEngine.execute(Query.where("age").eq(30).limit(2), source)));
    }

    @Test
    void readFilterRunsBeforeSkipAndLimit() {
        // age 30: p0030, p0130, ..., p0930; hide the ones whose id ends in "30" with an odd hundreds digit
        java.util.List<String> filtered = new ArrayList<>();
        List<JsonNode> got = QueryEngine.execute(Query.where("age").eq(30).skip(1).limit(2), source, d -> {
            String id = d.get("_id").textValue();
            filtered.add(id);
            return (id.charAt(2) - '0') % 2 == 1 ? null : ((ObjectNode) d.deepCopy()).put("seen", true);
        });
        // visible: p0030, p0230, p0430, ... -> skip 1 -> p0230, p0430
        assertEquals(List.of("p0230", "p0430"), ids(got));
        assertTrue(got.get(0).get("seen").booleanValue());
        assertEquals(List.of("p0030", "p0130", "p0230", "p0330", "p0430"), filtered, "filtered lazily, in order");
    }

    @Test
    void aStaleIndexEntryIsReported() {
        List<IndexEntry> entries = new ArrayList<>();
        for (JsonNode d : docs) {
            entries.add(new IndexEntry(IndexKeys.keyOf(d, "age"), d.get("_id").textValue()));
        }
        entries.set(31, new IndexEntry(IndexKeys.encode(30.0), "p0031"));
        source.overrideIndex("age", entries);
        CorruptDataException e = assertThrows(CorruptDataException.class,
                () -> QueryEngine.execute(Query.where("age").eq(30), source));
        assertTrue(e.getMessage().contains("p0031"), e.getMessage());
        assertTrue(source.allClosed(), "the stream is closed on failure too");
    }

    @Test
    void anInstanceWithoutStringIdIsReported() {
        InMemorySource bad = new InMemorySource(List.of(F.objectNode().put("_id", "a")), Map.of()) {
            @Override
            public java.util.stream.Stream<JsonNode> scan(String from, boolean inclusive, boolean descending) {
                return java.util.stream.Stream.of(F.objectNode().put("_id", 5));
            }
        };
        assertThrows(CorruptDataException.class, () -> QueryEngine.execute(Query.all(), bad));
    }

    @Test
    void emptyCollection() {
        InMemorySource empty = new InMemorySource(List.of(), indexes());
        assertEquals(List.of(), QueryEngine.execute(Query.all().orderBy("age").limit(3), empty));
        assertEquals(List.of(), QueryEngine.execute(Query.all().seek("x"), empty));
        assertFalse(QueryEngine.explain(Query.all(), empty).toString().isEmpty());
    }
}
