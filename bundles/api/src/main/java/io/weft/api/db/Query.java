package io.weft.api.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable query over the instances of one collection, in go-threads' model and JSON wire format.
 *
 * <h2>Which instances match</h2>
 * A query holds a list of {@link Criterion criteria} ({@code ands}) and a list of alternative queries
 * ({@code ors}). An instance matches when
 * <ul>
 *   <li>{@code ors} is empty and it satisfies every criterion in {@code ands} (so the empty query matches
 *       everything); or</li>
 *   <li>{@code ors} is not empty and either {@code ands} is not empty and it satisfies all of them, or it
 *       matches at least one query in {@code ors}.</li>
 * </ul>
 * That is go-threads' rule {@code (a AND b) OR c} ({@code db/query.go}: the ands are tried first, then each
 * or), with one deliberate difference: in go-threads an empty {@code ands} counts as "true", so a query with
 * only {@code ors} matches every instance; here it matches the instances that match one of the ors. How a
 * single criterion treats missing fields and other types is described on {@link Criterion} (only
 * {@code NE} matches them).
 *
 * <h2>Result order</h2>
 * The result order is total and deterministic:
 * <ul>
 *   <li>without a sort, by {@code _id} ascending (Unicode code point order, i.e. UTF-8 byte order);</li>
 *   <li>with a {@link Sort} on a path, by the {@link QueryValue#at value at that path}: missing values (absent,
 *       null, object, array) first, then booleans, numbers and strings in {@link QueryValue}'s order;
 *       {@code desc} reverses this (missing values last). Instances with equal values are ordered by
 *       {@code _id} ascending in both directions. Sorting on {@code "_id"} orders by id (descending when
 *       {@code desc}).</li>
 * </ul>
 *
 * <h2>Paging</h2>
 * The matching instances are put in the result order, then {@code seek}, {@code skip} and {@code limit}
 * apply in that order: {@code seek} keeps only the instances that come strictly <em>after</em> the instance
 * with that {@code _id} in the result order (pass the last id of the previous page to get the next page; the
 * seek instance itself need not match the query; without a sort, or with a sort on {@code _id}, it need not
 * even exist; with a sort on another path it must exist, or the query fails with
 * {@link io.weft.api.NotFoundException}); then the first {@code skip} are dropped; then at most {@code limit}
 * are returned ({@code 0} means no limit). Sorting therefore happens before paging (go-threads sorted only
 * the returned page, issue #452, and its seek was inclusive and in {@code _id} order only).
 *
 * <h2>Index</h2>
 * {@code index} is accepted and kept for go-threads compatibility ({@code UseIndex}) but has no effect:
 * Weft's planner chooses indexes itself, and results never depend on whether an index is used.
 *
 * <h2>Wire format</h2>
 * <pre>{@code
 * {"ands":[{"fieldPath":"missions","operation":1,"value":{"float":1}}],
 *  "ors":[{"ands":[...],"ors":[]}],
 *  "sort":{"fieldPath":"missions","desc":true},
 *  "seek":"01f...","skip":0,"limit":10,"index":"missions"}
 * }</pre>
 * {@link #parse} and {@link #fromJson} accept the JSON sent by the JS client ({@code @textile/threads-client})
 * and by go-threads' Go client: member names are matched ignoring ASCII case ({@code "Ands"}, {@code "FieldPath"}),
 * and JSON {@code null}, an empty sort path, an empty seek and an empty index all mean "not set". They are
 * otherwise strict and throw {@link InvalidInputException} for: malformed JSON or trailing data, duplicate
 * members, unknown members at any level, a non-string field path, an empty path or path segment, a missing or
 * unknown operation code, a value with no type or more than one, a value of the wrong JSON type, a non-finite
 * number, a non-integer or negative skip or limit, null elements in {@code ands} or {@code ors}, paging, sort
 * or index inside a query in {@code ors}, and {@code ors} nested more than {@link #MAX_DEPTH} levels deep.
 * {@link #toJson} writes the JS client's form (lower-case names; sort, seek and index only when set; skip and
 * limit only when not 0).
 *
 * <h2>Building</h2>
 * <pre>{@code
 * Query q = Query.where("name").eq("Alice").and("age").ge(18)
 *         .or(Query.where("vip").eq(true))
 *         .orderBy("age").desc()
 *         .skip(10).limit(20);
 * }</pre>
 * Every step returns a new query; a query is never modified. {@link #or} takes a query holding only criteria
 * and ors.
 */
public final class Query {

    /** The most levels of nesting through {@code ors}: a query without ors has depth 1. */
    public static final int MAX_DEPTH = 32;

    private static final Query ALL = new Query(List.of(), List.of(), null, null, 0, 0, null);

    private final List<Criterion> ands;
    private final List<Query> ors;
    private final Sort sort;
    private final String seek;
    private final int skip;
    private final int limit;
    private final String index;
    private final int depth;

    private Query(List<Criterion> ands, List<Query> ors, Sort sort, String seek, int skip, int limit, String index) {
        this.ands = List.copyOf(ands);
        this.ors = List.copyOf(ors);
        this.sort = sort;
        this.seek = seek == null || seek.isEmpty() ? null : seek;
        this.index = index == null || index.isEmpty() ? null : index;
        if (skip < 0) {
            throw new InvalidInputException("skip must not be negative: " + skip);
        }
        if (limit < 0) {
            throw new InvalidInputException("limit must not be negative: " + limit);
        }
        this.skip = skip;
        this.limit = limit;
        int d = 0;
        for (Query q : this.ors) {
            String extra = q.pagingMember();
            if (extra != null) {
                throw new InvalidInputException("a query inside ors may hold only ands and ors, but has " + extra);
            }
            d = Math.max(d, q.depth);
        }
        this.depth = d + 1;
        if (depth > MAX_DEPTH) {
            throw new InvalidInputException("ors are nested more than " + MAX_DEPTH + " levels deep");
        }
    }

    /** The query that matches every instance, in {@code _id} order, without paging. */
    public static Query all() {
        return ALL;
    }

    /**
     * A query from its parts.
     *
     * @param ands criteria, all of which must hold (see the class description)
     * @param ors alternative queries; each may hold only ands and ors
     * @param sort the order, or {@code null} for {@code _id} order
     * @param seek the {@code _id} to start after, or {@code null} (or empty) for none
     * @param skip how many results to drop, {@code >= 0}
     * @param limit the most results to return, {@code >= 0}; {@code 0} means no limit
     * @param index a go-threads index hint, or {@code null} (or empty); kept but ignored
     * @throws InvalidInputException if a rule on the class description is broken
     */
    public static Query of(List<Criterion> ands, List<Query> ors, Sort sort, String seek, int skip, int limit,
            String index) {
        Objects.requireNonNull(ands, "ands");
        Objects.requireNonNull(ors, "ors");
        for (Criterion c : ands) {
            if (c == null) {
                throw new InvalidInputException("ands must not contain null");
            }
        }
        for (Query q : ors) {
            if (q == null) {
                throw new InvalidInputException("ors must not contain null");
            }
        }
        return new Query(ands, ors, sort, seek, skip, limit, index);
    }

    /** Starts a query whose first criterion is on {@code fieldPath}: {@code Query.where("age").ge(18)}. */
    public static Condition where(String fieldPath) {
        return new Condition(ALL, fieldPath);
    }

    // ---- accessors

    /** The criteria that must all hold. */
    public List<Criterion> ands() {
        return ands;
    }

    /** The alternative queries. */
    public List<Query> ors() {
        return ors;
    }

    /** The sort, if any; without one results are in {@code _id} order. */
    public Optional<Sort> sort() {
        return Optional.ofNullable(sort);
    }

    /** The {@code _id} results start after, if any. */
    public Optional<String> seek() {
        return Optional.ofNullable(seek);
    }

    /** How many results are dropped. */
    public int skip() {
        return skip;
    }

    /** The most results returned; {@code 0} means no limit. */
    public int limit() {
        return limit;
    }

    /** The go-threads index hint, if any (ignored by Weft's planner). */
    public Optional<String> index() {
        return Optional.ofNullable(index);
    }

    // ---- building

    /** Adds a criterion on {@code fieldPath}: {@code q.and("age").ge(18)}. */
    public Condition and(String fieldPath) {
        return new Condition(this, fieldPath);
    }

    /** Adds a criterion. */
    public Query and(Criterion criterion) {
        if (criterion == null) {
            throw new InvalidInputException("criterion is required");
        }
        List<Criterion> a = new ArrayList<>(ands);
        a.add(criterion);
        return new Query(a, ors, sort, seek, skip, limit, index);
    }

    /**
     * Adds an alternative: the result matches this query's criteria or {@code alternative} (see the class
     * description). {@code alternative} may hold only ands and ors.
     *
     * @throws InvalidInputException if {@code alternative} has a sort, seek, skip, limit or index, or the
     *     nesting would exceed {@link #MAX_DEPTH}
     */
    public Query or(Query alternative) {
        if (alternative == null) {
            throw new InvalidInputException("alternative query is required");
        }
        List<Query> o = new ArrayList<>(ors);
        o.add(alternative);
        return new Query(ands, o, sort, seek, skip, limit, index);
    }

    /** Sorts ascending by {@code fieldPath}, replacing any earlier sort. Follow with {@link #desc()} to reverse. */
    public Query orderBy(String fieldPath) {
        return new Query(ands, ors, Sort.asc(fieldPath), seek, skip, limit, index);
    }

    /** Sorts descending by {@code fieldPath}, replacing any earlier sort. */
    public Query orderByDesc(String fieldPath) {
        return new Query(ands, ors, Sort.desc(fieldPath), seek, skip, limit, index);
    }

    /** Sets the sort ({@code null} for {@code _id} order). */
    public Query orderBy(Sort sort) {
        return new Query(ands, ors, sort, seek, skip, limit, index);
    }

    /**
     * Makes the current sort descending.
     *
     * @throws IllegalStateException if there is no sort
     */
    public Query desc() {
        if (sort == null) {
            throw new IllegalStateException("desc() needs a sort: call orderBy(path) first");
        }
        return new Query(ands, ors, Sort.desc(sort.fieldPath()), seek, skip, limit, index);
    }

    /**
     * Makes the current sort ascending.
     *
     * @throws IllegalStateException if there is no sort
     */
    public Query asc() {
        if (sort == null) {
            throw new IllegalStateException("asc() needs a sort: call orderBy(path) first");
        }
        return new Query(ands, ors, Sort.asc(sort.fieldPath()), seek, skip, limit, index);
    }

    /** Starts the results after the instance with this {@code _id} ({@code null} or empty: from the start). */
    public Query seek(String id) {
        return new Query(ands, ors, sort, id, skip, limit, index);
    }

    /** Drops the first {@code skip} results. */
    public Query skip(int skip) {
        return new Query(ands, ors, sort, seek, skip, limit, index);
    }

    /** Returns at most {@code limit} results ({@code 0}: no limit). */
    public Query limit(int limit) {
        return new Query(ands, ors, sort, seek, skip, limit, index);
    }

    /** Sets the go-threads index hint (kept for compatibility, ignored by the planner). */
    public Query index(String path) {
        return new Query(ands, ors, sort, seek, skip, limit, path);
    }

    // ---- semantics

    /** Whether {@code instance} matches (see "Which instances match" on the class description). */
    public boolean matches(JsonNode instance) {
        boolean andsHold = true;
        for (Criterion c : ands) {
            if (!c.matches(instance)) {
                andsHold = false;
                break;
            }
        }
        if (ors.isEmpty()) {
            return andsHold;
        }
        if (andsHold && !ands.isEmpty()) {
            return true;
        }
        for (Query q : ors) {
            if (q.matches(instance)) {
                return true;
            }
        }
        return false;
    }

    private String pagingMember() {
        if (sort != null) {
            return "sort";
        }
        if (seek != null) {
            return "seek";
        }
        if (skip != 0) {
            return "skip";
        }
        if (limit != 0) {
            return "limit";
        }
        if (index != null) {
            return "index";
        }
        return null;
    }

    // ---- JSON

    /**
     * Parses query JSON (see "Wire format" on the class description). The JSON text {@code null} is the
     * empty query, as in go-threads.
     *
     * @throws InvalidInputException if the text is not a valid query
     */
    public static Query parse(String json) {
        return fromJson(QueryJson.parse(json));
    }

    /**
     * Reads a query from a JSON tree (see "Wire format" on the class description). A JSON {@code null} node
     * is the empty query.
     *
     * @throws InvalidInputException if the tree is not a valid query
     */
    public static Query fromJson(JsonNode node) {
        if (node == null) {
            throw new InvalidInputException("query JSON is required");
        }
        if (node.isNull()) {
            return ALL;
        }
        return fromJson(node, "query", 1);
    }

    private static Query fromJson(JsonNode node, String where, int depth) {
        if (depth > MAX_DEPTH) {
            throw new InvalidInputException(where + ": ors are nested more than " + MAX_DEPTH + " levels deep");
        }
        Map<String, JsonNode> m = QueryJson.members(node, where,
                "ands", "ors", "sort", "seek", "skip", "limit", "index");
        List<Criterion> ands = new ArrayList<>();
        JsonNode a = m.get("ands");
        if (a != null && !a.isNull()) {
            if (!a.isArray()) {
                throw new InvalidInputException(where + ".ands must be an array, not " + QueryJson.kind(a));
            }
            for (int i = 0; i < a.size(); i++) {
                String w = where + ".ands[" + i + "]";
                if (a.get(i).isNull()) {
                    throw new InvalidInputException(w + " must not be null");
                }
                ands.add(Criterion.fromJson(a.get(i), w));
            }
        }
        List<Query> ors = new ArrayList<>();
        JsonNode o = m.get("ors");
        if (o != null && !o.isNull()) {
            if (!o.isArray()) {
                throw new InvalidInputException(where + ".ors must be an array, not " + QueryJson.kind(o));
            }
            for (int i = 0; i < o.size(); i++) {
                String w = where + ".ors[" + i + "]";
                if (o.get(i).isNull()) {
                    throw new InvalidInputException(w + " must not be null");
                }
                ors.add(fromJson(o.get(i), w, depth + 1));
            }
        }
        Sort sort = null;
        JsonNode s = m.get("sort");
        if (s != null && !s.isNull()) {
            Map<String, JsonNode> sm = QueryJson.members(s, where + ".sort", "fieldPath", "desc");
            String path = QueryJson.string(sm.get("fieldPath"), where + ".sort.fieldPath");
            JsonNode desc = sm.get("desc");
            if (desc != null && !desc.isNull() && !desc.isBoolean()) {
                throw new InvalidInputException(where + ".sort.desc must be true or false, not " + QueryJson.kind(desc));
            }
            if (path != null && !path.isEmpty()) {
                QueryJson.fieldPath(path, where + ".sort.fieldPath");
                sort = new Sort(path, desc != null && desc.booleanValue());
            }
        }
        String seek = QueryJson.string(m.get("seek"), where + ".seek");
        int skip = QueryJson.nonNegativeInt(m.get("skip"), where + ".skip");
        int limit = QueryJson.nonNegativeInt(m.get("limit"), where + ".limit");
        String index = QueryJson.string(m.get("index"), where + ".index");
        Query q = new Query(ands, ors, sort, seek, skip, limit, index);
        if (depth > 1) {
            String extra = q.pagingMember();
            if (extra != null) {
                throw new InvalidInputException(where + ": a query inside ors may hold only ands and ors, but has "
                        + extra);
            }
        }
        return q;
    }

    /** The wire form (see "Wire format" on the class description). */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        ArrayNode a = o.putArray("ands");
        for (Criterion c : ands) {
            a.add(c.toJson());
        }
        ArrayNode r = o.putArray("ors");
        for (Query q : ors) {
            r.add(q.toJson());
        }
        if (sort != null) {
            o.set("sort", sort.toJson());
        }
        if (seek != null) {
            o.put("seek", seek);
        }
        if (skip != 0) {
            o.put("skip", skip);
        }
        if (limit != 0) {
            o.put("limit", limit);
        }
        if (index != null) {
            o.put("index", index);
        }
        return o;
    }

    /** The wire form as compact JSON text. */
    @Override
    public String toString() {
        return toJson().toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Query q && ands.equals(q.ands) && ors.equals(q.ors) && Objects.equals(sort, q.sort)
                && Objects.equals(seek, q.seek) && skip == q.skip && limit == q.limit
                && Objects.equals(index, q.index);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ands, ors, sort, seek, skip, limit, index);
    }

    /**
     * A criterion under construction: the field path is known, the comparison comes next. Each comparison
     * returns the query with the criterion added. Numbers of any primitive type widen to {@code double}.
     */
    public static final class Condition {
        private final Query query;
        private final String fieldPath;

        private Condition(Query query, String fieldPath) {
            this.query = query;
            this.fieldPath = QueryJson.fieldPath(fieldPath, "fieldPath");
        }

        /** Adds {@code fieldPath operation value}. */
        public Query is(Operation operation, QueryValue value) {
            return query.and(new Criterion(fieldPath, operation, value));
        }

        /** Equal to a string. */
        public Query eq(String value) {
            return is(Operation.EQ, QueryValue.of(value));
        }

        /** Equal to a boolean. */
        public Query eq(boolean value) {
            return is(Operation.EQ, QueryValue.of(value));
        }

        /** Equal to a number. */
        public Query eq(double value) {
            return is(Operation.EQ, QueryValue.of(value));
        }

        /** Not equal to a string (also matches a missing field or another type). */
        public Query ne(String value) {
            return is(Operation.NE, QueryValue.of(value));
        }

        /** Not equal to a boolean (also matches a missing field or another type). */
        public Query ne(boolean value) {
            return is(Operation.NE, QueryValue.of(value));
        }

        /** Not equal to a number (also matches a missing field or another type). */
        public Query ne(double value) {
            return is(Operation.NE, QueryValue.of(value));
        }

        /** Greater than a string. */
        public Query gt(String value) {
            return is(Operation.GT, QueryValue.of(value));
        }

        /** Greater than a boolean ({@code false < true}). */
        public Query gt(boolean value) {
            return is(Operation.GT, QueryValue.of(value));
        }

        /** Greater than a number. */
        public Query gt(double value) {
            return is(Operation.GT, QueryValue.of(value));
        }

        /** Less than a string. */
        public Query lt(String value) {
            return is(Operation.LT, QueryValue.of(value));
        }

        /** Less than a boolean ({@code false < true}). */
        public Query lt(boolean value) {
            return is(Operation.LT, QueryValue.of(value));
        }

        /** Less than a number. */
        public Query lt(double value) {
            return is(Operation.LT, QueryValue.of(value));
        }

        /** Greater than or equal to a string. */
        public Query ge(String value) {
            return is(Operation.GE, QueryValue.of(value));
        }

        /** Greater than or equal to a boolean ({@code false < true}). */
        public Query ge(boolean value) {
            return is(Operation.GE, QueryValue.of(value));
        }

        /** Greater than or equal to a number. */
        public Query ge(double value) {
            return is(Operation.GE, QueryValue.of(value));
        }

        /** Less than or equal to a string. */
        public Query le(String value) {
            return is(Operation.LE, QueryValue.of(value));
        }

        /** Less than or equal to a boolean ({@code false < true}). */
        public Query le(boolean value) {
            return is(Operation.LE, QueryValue.of(value));
        }

        /** Less than or equal to a number. */
        public Query le(double value) {
            return is(Operation.LE, QueryValue.of(value));
        }
    }
}
