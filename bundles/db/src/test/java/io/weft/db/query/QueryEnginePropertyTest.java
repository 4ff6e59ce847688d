package io.weft.db.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.NotFoundException;
import io.weft.api.db.Criterion;
import io.weft.api.db.Operation;
import io.weft.api.db.Query;
import io.weft.api.db.QueryValue;
import io.weft.api.db.Sort;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * The engine against the brute-force {@link Reference} over random documents (nested fields, mixed types,
 * missing fields, nulls, objects, arrays, NaN and infinities) and random queries (every operator, ands and
 * nested ors, sort on any path either way, skip, limit, seek), with no indexes and with random indexes.
 */
class QueryEnginePropertyTest {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    static final List<String> IDS = List.of("a", "aa", "ab", "b", "B", "0", "10", "9", "\u00e9", "z",
            "\uffff", "\ud83d\ude00", "a\u0000", "m");
    static final List<String> PATHS = List.of("a", "b", "c", "c.d", "_id", "x");
    static final List<String> INDEXABLE = List.of("a", "b", "c", "c.d", "x");
    static final List<String> STRINGS = List.of("", "a", "b", "ab", "B", "\u00e9", "\u0000", "\ud83d\ude00", "\uffff",
            "m", "10", "9");
    static final List<Double> NUMBERS = List.of(-2.5, -1.0, 0.0, 0.5, 1.0, 2.0, 1e300);

    @Property(tries = 1500)
    void engineMatchesReference(@ForAll("documents") List<JsonNode> docs, @ForAll("queries") Query query,
            @ForAll("indexSets") Map<String, Boolean> indexes) {
        Supplier<List<String>> expected = () -> Reference.run(docs, query);
        InMemorySource plain = new InMemorySource(docs, Map.of());
        InMemorySource indexed = new InMemorySource(docs, indexes);
        QueryPlan plan = QueryEngine.explain(query, indexed);
        Statistics.label("plan").collect(plan.kind());
        Statistics.label("ordered").collect(plan.ordered());

        List<String> want;
        try {
            want = expected.get();
        } catch (NotFoundException e) {
            assertThrows(NotFoundException.class, () -> QueryEngine.execute(query, plain));
            assertThrows(NotFoundException.class, () -> QueryEngine.execute(query, indexed));
            return;
        }
        Statistics.label("results").collect(want.isEmpty() ? "none" : want.size() < 3 ? "1-2" : "3+");
        assertEquals(want, ids(QueryEngine.execute(query, plain)), () -> "no index, plan "
                + QueryEngine.explain(query, plain) + ", query " + query);
        assertEquals(want, ids(QueryEngine.execute(query, indexed)), () -> "indexes " + indexes + ", plan " + plan
                + ", query " + query);
        assertTrue(plain.allClosed() && indexed.allClosed(), "every stream is closed");
        // Query.matches agrees with the independent reference matcher
        for (JsonNode d : docs) {
            assertEquals(Reference.matches(query, d), query.matches(d), () -> query + " on " + d);
        }
    }

    /** Queries biased towards what indexes serve: no ors, range criteria on indexed paths, sort + limit. */
    @Property(tries = 1500)
    void indexFriendlyQueries(@ForAll("documents") List<JsonNode> docs, @ForAll("indexFriendly") Query query,
            @ForAll("indexSets") Map<String, Boolean> indexes) {
        InMemorySource indexed = new InMemorySource(docs, indexes);
        QueryPlan plan = QueryEngine.explain(query, indexed);
        Statistics.label("plan").collect(plan.kind());
        Statistics.label("plan").coverage(c -> {
            c.check(QueryPlan.Kind.INDEX_RANGE).count(n -> n > 50);
            c.check(QueryPlan.Kind.INDEX_ORDER).count(n -> n > 20);
            c.check(QueryPlan.Kind.ID_RANGE).count(n -> n > 10);
            c.check(QueryPlan.Kind.ID_LOOKUP).count(n -> n > 5);
            c.check(QueryPlan.Kind.EMPTY).count(n -> n > 5);
        });
        List<String> want;
        try {
            want = Reference.run(docs, query);
        } catch (NotFoundException e) {
            assertThrows(NotFoundException.class, () -> QueryEngine.execute(query, indexed));
            return;
        }
        assertEquals(want, ids(QueryEngine.execute(query, indexed)), () -> "indexes " + indexes + ", plan " + plan
                + ", query " + query);
        assertEquals(want, ids(QueryEngine.execute(query, new InMemorySource(docs, Map.of()))));
        assertTrue(indexed.allClosed());
    }

    /** Queries that mostly match much of the collection, to exercise ordering, seek, skip and limit. */
    @Property(tries = 1000)
    void orderingQueries(@ForAll("documents") List<JsonNode> docs, @ForAll("broad") Query query,
            @ForAll("indexSets") Map<String, Boolean> indexes) {
        InMemorySource indexed = new InMemorySource(docs, indexes);
        Statistics.label("plan").collect(QueryEngine.explain(query, indexed).kind());
        List<String> want;
        try {
            want = Reference.run(docs, query);
        } catch (NotFoundException e) {
            assertThrows(NotFoundException.class, () -> QueryEngine.execute(query, indexed));
            return;
        }
        Statistics.label("results").collect(want.isEmpty() ? "none" : want.size() < 3 ? "1-2" : "3+");
        assertEquals(want, ids(QueryEngine.execute(query, indexed)), () -> "indexes " + indexes + ", query " + query);
        assertEquals(want, ids(QueryEngine.execute(query, new InMemorySource(docs, Map.of()))));
    }

    @Provide
    Arbitrary<Query> broad() {
        return paged(criteria(PATHS, List.of(Operation.NE)).list().ofMaxSize(1)
                .map(ands -> Query.of(ands, List.of(), null, null, 0, 0, null)));
    }

    /**
     * With a read filter that hides some instances and marks the others: hidden ones are not counted by skip or
     * limit, the returned nodes are the filter's, and the filter sees each match at most once.
     */
    @Property(tries = 1000)
    void readFilterHidesBeforePaging(@ForAll("documents") List<JsonNode> docs, @ForAll("queries") Query query,
            @ForAll("indexSets") Map<String, Boolean> indexes, @ForAll("hiddenIds") java.util.Set<String> hidden) {
        InMemorySource indexed = new InMemorySource(docs, indexes);
        List<String> want;
        try {
            want = Reference.run(docs, query, id -> !hidden.contains(id));
        } catch (NotFoundException e) {
            assertThrows(NotFoundException.class, () -> QueryEngine.execute(query, indexed, d -> d));
            return;
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        List<JsonNode> got = QueryEngine.execute(query, indexed, d -> {
            String id = d.get("_id").textValue();
            assertTrue(seen.add(id), "filtered twice: " + id);
            return hidden.contains(id) ? null : ((ObjectNode) d.deepCopy()).put("filtered", true);
        });
        assertEquals(want, ids(got), () -> "hidden " + hidden + ", query " + query);
        got.forEach(d -> assertTrue(d.get("filtered").booleanValue()));
        assertTrue(indexed.allClosed());
    }

    @Provide
    Arbitrary<java.util.Set<String>> hiddenIds() {
        return Arbitraries.of(IDS).set().ofMaxSize(6);
    }

    /** Paging with seek through a whole result yields the unpaged result. */
    @Property(tries = 300)
    void seekPagingCoversTheResult(@ForAll("documents") List<JsonNode> docs, @ForAll("indexSets") Map<String, Boolean> indexes,
            @ForAll("sorts") Optional<Sort> sort, @ForAll("pageSizes") int pageSize) {
        InMemorySource source = new InMemorySource(docs, indexes);
        Query base = Query.all().orderBy(sort.orElse(null));
        List<String> all = ids(QueryEngine.execute(base, source));
        List<String> paged = new ArrayList<>();
        String last = null;
        for (int i = 0; i <= docs.size(); i++) {
            List<String> page = ids(QueryEngine.execute(base.seek(last).limit(pageSize), source));
            paged.addAll(page);
            if (page.size() < pageSize) {
                break;
            }
            last = page.get(page.size() - 1);
        }
        assertEquals(all, paged);
    }

    static List<String> ids(List<JsonNode> docs) {
        List<String> out = new ArrayList<>();
        for (JsonNode d : docs) {
            out.add(d.get("_id").textValue());
        }
        return out;
    }

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<Integer> pageSizes() {
        return Arbitraries.integers().between(1, 4);
    }

    @Provide
    Arbitrary<Optional<Sort>> sorts() {
        return Combinators.combine(Arbitraries.of(PATHS), Arbitraries.of(false, true))
                .as(Sort::new).optional(0.8);
    }

    @Provide
    Arbitrary<List<JsonNode>> documents() {
        return Arbitraries.of(IDS).set().ofMaxSize(IDS.size()).withSizeDistribution(RandomDistribution.uniform())
                .flatMap(ids ->
                fields().list().ofSize(ids.size()).map(fieldSets -> {
                    List<JsonNode> docs = new ArrayList<>();
                    int i = 0;
                    for (String id : ids) {
                        ObjectNode d = F.objectNode();
                        d.put("_id", id);
                        for (Map.Entry<String, JsonNode> f : fieldSets.get(i++).entrySet()) {
                            d.set(f.getKey(), f.getValue());
                        }
                        docs.add(d);
                    }
                    return docs;
                }));
    }

    /** The members a, b, c of a document, each possibly absent. */
    Arbitrary<Map<String, JsonNode>> fields() {
        Arbitrary<Optional<JsonNode>> a = scalar().optional(0.8);
        Arbitrary<Optional<JsonNode>> b = scalar().optional(0.8);
        Arbitrary<Optional<JsonNode>> c = Arbitraries.frequencyOf(
                Tuple.of(3, scalar().optional(0.7).map(d -> {
                    ObjectNode o = F.objectNode();
                    d.ifPresent(v -> o.set("d", v));
                    return Optional.<JsonNode>of(o);
                })),
                Tuple.of(2, scalar().optional(0.8)));
        return Combinators.combine(a, b, c).as((x, y, z) -> {
            Map<String, JsonNode> m = new LinkedHashMap<>();
            x.ifPresent(v -> m.put("a", v));
            y.ifPresent(v -> m.put("b", v));
            z.ifPresent(v -> m.put("c", v));
            return m;
        });
    }

    /** A member value: mostly comparable scalars, sometimes null, NaN, infinities, objects or arrays. */
    static Arbitrary<JsonNode> scalar() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of(STRINGS).map(s -> (JsonNode) F.textNode(s))),
                Tuple.of(4, Arbitraries.of(NUMBERS).map(n -> (JsonNode) F.numberNode(n))),
                Tuple.of(2, Arbitraries.of(-1, 0, 1, 2).map(n -> (JsonNode) F.numberNode(n))),
                Tuple.of(1, Arbitraries.of(-0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)
                        .map(n -> (JsonNode) F.numberNode(n))),
                Tuple.of(3, Arbitraries.of(true, false).map(v -> (JsonNode) F.booleanNode(v))),
                Tuple.of(1, Arbitraries.just(F.nullNode())),
                Tuple.of(1, Arbitraries.just(F.objectNode().put("k", 1))),
                Tuple.of(1, Arbitraries.just(F.arrayNode().add(1))));
    }

    static Arbitrary<QueryValue> queryValues() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of(STRINGS).map(QueryValue::of)),
                Tuple.of(4, Arbitraries.of(NUMBERS).map(QueryValue::of)),
                Tuple.of(2, Arbitraries.of(true, false).map(QueryValue::of)),
                Tuple.of(1, Arbitraries.of(IDS).map(QueryValue::of)));
    }

    static Arbitrary<Criterion> criteria(List<String> paths, List<Operation> ops) {
        return Combinators.combine(Arbitraries.of(paths), Arbitraries.of(ops), queryValues()).as(Criterion::new);
    }

    static Arbitrary<Query> nested(int depth) {
        Arbitrary<List<Query>> ors = depth <= 1 ? Arbitraries.just(List.of())
                : Arbitraries.lazy(() -> nested(depth - 1)).list().ofMaxSize(2);
        return Combinators.combine(criteria(PATHS, List.of(Operation.values())).list().ofMaxSize(3), ors)
                .as((ands, o) -> Query.of(ands, o, null, null, 0, 0, null));
    }

    @Provide
    Arbitrary<Query> queries() {
        Arbitrary<List<Query>> ors = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(List.<Query>of())),
                Tuple.of(2, nested(2).list().ofMinSize(1).ofMaxSize(2)));
        return paged(Combinators.combine(criteria(PATHS, List.of(Operation.values())).list().ofMaxSize(3), ors)
                .as((ands, o) -> Query.of(ands, o, null, null, 0, 0, null)));
    }

    @Provide
    Arbitrary<Query> indexFriendly() {
        List<Operation> ranges = List.of(Operation.EQ, Operation.EQ, Operation.GT, Operation.GE, Operation.LT,
                Operation.LE, Operation.NE);
        return paged(criteria(PATHS, ranges).list().ofMaxSize(3)
                .map(ands -> Query.of(ands, List.of(), null, null, 0, 0, null)));
    }

    /** Adds a sort, seek, skip and limit to a query. */
    private Arbitrary<Query> paged(Arbitrary<Query> base) {
        Arbitrary<Integer> skip = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.integers().between(1, 4)));
        Arbitrary<Integer> limit = Arbitraries.frequencyOf(Tuple.of(2, Arbitraries.just(0)),
                Tuple.of(3, Arbitraries.integers().between(1, 5)));
        Arbitrary<Optional<String>> seek = Arbitraries.of(IDS).optional(0.25);
        return Combinators.combine(base, sorts(), seek, skip, limit).as((q, sort, sk, s, l) ->
                Query.of(q.ands(), q.ors(), sort.orElse(null), sk.orElse(null), s, l, null));
    }

    @Provide
    Arbitrary<Map<String, Boolean>> indexSets() {
        return Arbitraries.of(INDEXABLE).set().ofMaxSize(INDEXABLE.size()).flatMap(paths ->
                Arbitraries.of(false, true).list().ofSize(paths.size()).map(unique -> {
                    Map<String, Boolean> m = new LinkedHashMap<>();
                    int i = 0;
                    for (String p : paths) {
                        m.put(p, unique.get(i++));
                    }
                    return m;
                }));
    }
}
