package io.weft.db.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.weft.api.CorruptDataException;
import io.weft.api.NotFoundException;
import io.weft.api.db.Criterion;
import io.weft.api.db.Query;
import io.weft.api.db.QueryValue;
import io.weft.api.db.Sort;
import io.weft.db.query.DocumentSource.Bound;
import io.weft.db.query.DocumentSource.IndexEntry;
import io.weft.db.query.DocumentSource.IndexInfo;
import io.weft.db.query.QueryPlan.Interval;
import io.weft.db.query.QueryPlan.Kind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Runs {@link Query queries} over a {@link DocumentSource}, choosing an index by itself.
 *
 * <h2>Planning</h2>
 * Indexes only accelerate: every candidate is re-checked against the whole query, and results are the same
 * with or without indexes (given the {@link DocumentSource} contract). The plan, in order of preference:
 * <ol>
 *   <li>When {@code ors} is empty (so every criterion in {@code ands} is necessary), the range criteria
 *       ({@code EQ GT GE LT LE}) on each path are intersected. If some path's criteria contradict (different
 *       value types, or an empty range), the result is empty and nothing is read ({@link Kind#EMPTY}).
 *       Otherwise the best path that is {@code _id} or indexed is used, ranked: {@code _id} equality
 *       ({@link Kind#ID_LOOKUP}); equality on a unique index; equality on an index; a range bounded on both
 *       sides; a range bounded on one side ({@link Kind#ID_RANGE} for {@code _id}, {@link Kind#INDEX_RANGE}
 *       otherwise). Ties go to the sort path (its order is then the result order), then to {@code _id}, then
 *       to the criterion that comes first.</li>
 *   <li>Otherwise, with a sort on {@code _id}, or no sort: the primary order, read in the result order
 *       ({@link Kind#FULL_SCAN}).</li>
 *   <li>Otherwise, with a sort on an indexed path and a limit: that index in the sort order
 *       ({@link Kind#INDEX_ORDER}), so reading stops after {@code skip + limit} matches.</li>
 *   <li>Otherwise the primary order, with the matches sorted in memory ({@link Kind#FULL_SCAN}).</li>
 * </ol>
 * When candidates arrive in the result order (an index read on the sort path, the primary order for an
 * {@code _id} order, a single index value for {@code _id} order), seek, skip and limit are applied as they
 * stream and reading stops once the limit is reached; a seek also narrows where the read starts. Otherwise the
 * matches are collected (keeping only the best {@code skip + limit} when there is a limit) and sorted.
 *
 * <h2>Order</h2>
 * The result order is {@link Query}'s: by the sort path's value key ({@link IndexKeys}, which orders exactly as
 * documented there, missing first), reversed for {@code desc}, then by {@code _id} ascending; without a sort by
 * {@code _id} ascending.
 *
 * <p>The engine is stateless; its methods are safe to call from many threads (each with its own source).
 */
public final class QueryEngine {

    private static final String ID = "_id";

    private QueryEngine() {
    }

    // ------------------------------------------------------------------ planning

    /**
     * The plan {@link #execute} would use for {@code query} over {@code source}. Reads only
     * {@link DocumentSource#indexes()}.
     */
    public static QueryPlan explain(Query query, DocumentSource source) {
        Map<String, Boolean> indexes = new HashMap<>();
        for (IndexInfo info : source.indexes()) {
            if (!ID.equals(info.path())) {
                indexes.put(info.path(), info.unique());
            }
        }
        String sortPath = query.sort().map(Sort::fieldPath).orElse(ID);
        boolean desc = query.sort().map(Sort::desc).orElse(false);

        if (query.ors().isEmpty()) {
            Map<String, Interval> ranges = new LinkedHashMap<>();
            for (Criterion c : query.ands()) {
                if (!Interval.isRange(c.operation())) {
                    continue;
                }
                Interval iv = Interval.of(c);
                if (ranges.containsKey(c.fieldPath())) {
                    iv = ranges.get(c.fieldPath()).intersect(iv);
                    if (iv == null) {
                        return QueryPlan.empty();
                    }
                }
                ranges.put(c.fieldPath(), iv);
            }
            String best = null;
            int bestScore = Integer.MAX_VALUE;
            for (Map.Entry<String, Interval> e : ranges.entrySet()) {
                String path = e.getKey();
                Interval iv = e.getValue();
                if (iv.isEmpty() || (ID.equals(path) && iv.type() != QueryValue.Type.STRING)) {
                    // every instance has a string _id, so a non-string _id criterion matches nothing
                    return QueryPlan.empty();
                }
                boolean isId = ID.equals(path);
                if (!isId && !indexes.containsKey(path)) {
                    continue;
                }
                int score;
                if (iv.isPoint()) {
                    score = isId ? 0 : indexes.get(path) ? 1 : 2;
                } else {
                    score = iv.isBounded() ? 3 : 4;
                }
                // ties: the sort path, then _id, then the first criterion
                score = score * 4 + (path.equals(sortPath) ? 0 : 2) + (isId ? 0 : 1);
                if (score < bestScore) {
                    best = path;
                    bestScore = score;
                }
            }
            if (best != null) {
                Interval iv = ranges.get(best);
                boolean onSortPath = best.equals(sortPath);
                boolean readDesc = onSortPath && desc;
                if (ID.equals(best)) {
                    if (iv.isPoint()) {
                        return new QueryPlan(Kind.ID_LOOKUP, ID, iv, false, true);
                    }
                    return new QueryPlan(Kind.ID_RANGE, ID, iv, readDesc, onSortPath);
                }
                // one index value: entries are in _id order, which is the result order without a sort
                boolean ordered = onSortPath || (iv.isPoint() && ID.equals(sortPath) && !desc);
                return new QueryPlan(Kind.INDEX_RANGE, best, iv, readDesc, ordered);
            }
        }
        if (ID.equals(sortPath)) {
            return new QueryPlan(Kind.FULL_SCAN, ID, null, desc, true);
        }
        if (indexes.containsKey(sortPath) && query.limit() > 0) {
            return new QueryPlan(Kind.INDEX_ORDER, sortPath, null, desc, true);
        }
        return new QueryPlan(Kind.FULL_SCAN, ID, null, false, false);
    }

    // ------------------------------------------------------------------ execution

    /**
     * The instances of {@code source} that match {@code query}, in the query's result order, after seek, skip
     * and limit.
     *
     * @throws NotFoundException if the query seeks to an instance that does not exist while sorting on a path
     *     other than {@code _id}
     * @throws CorruptDataException if the source breaks its contract in a way the engine notices (an instance
     *     without a string {@code _id}, an index entry that does not match its instance)
     */
    public static List<JsonNode> execute(Query query, DocumentSource source) {
        return execute(query, source, null);
    }

    /**
     * As {@link #execute(Query, DocumentSource)}, with a read filter applied the way go-threads applies
     * collection read filters: instances are matched and ordered by their stored form; then each match after
     * the seek position, in result order, is passed to {@code readFilter}, which returns the node to return
     * (possibly modified) or {@code null} to hide it. Hidden instances are not counted by skip or limit
     * (go-threads #478). The filter is called at most once per match, in result order, and only until the limit
     * is reached.
     *
     * @param readFilter the filter, or {@code null} for none
     */
    public static List<JsonNode> execute(Query query, DocumentSource source, UnaryOperator<JsonNode> readFilter) {
        QueryPlan plan = explain(query, source);
        String sortPath = query.sort().map(Sort::fieldPath).orElse(ID);
        boolean desc = query.sort().map(Sort::desc).orElse(false);
        // resolved first, so a missing seek instance fails the same way whatever the plan
        Position seek = query.seek().map(id -> seekPosition(id, sortPath, source)).orElse(null);
        if (plan.kind() == Kind.EMPTY) {
            return List.of();
        }
        Comparator<Candidate> order = resultOrder(desc);
        Paging paging = new Paging(query, readFilter);
        try (Candidates candidates = open(plan, source, seek, sortPath)) {
            if (plan.ordered()) {
                while (!paging.full() && candidates.hasNext()) {
                    Candidate c = candidates.next();
                    if (query.matches(c.doc)
                            && (seek == null || order.compare(c.withKey(sortPath), seek.candidate) > 0)) {
                        paging.offer(c.doc);
                    }
                }
                return paging.out;
            }
            for (Candidate c : collected(query, candidates, seek, sortPath, order, readFilter == null)) {
                if (paging.full()) {
                    break;
                }
                paging.offer(c.doc);
            }
            return paging.out;
        }
    }

    /** Read filter, skip and limit over matches that arrive in result order. */
    private static final class Paging {
        final List<JsonNode> out = new ArrayList<>();
        final UnaryOperator<JsonNode> filter;
        final int limit;
        long toSkip;

        Paging(Query query, UnaryOperator<JsonNode> filter) {
            this.filter = filter;
            this.limit = query.limit();
            this.toSkip = query.skip();
        }

        void offer(JsonNode doc) {
            JsonNode visible = filter == null ? doc : filter.apply(doc);
            if (visible == null) {
                return;
            }
            if (toSkip > 0) {
                toSkip--;
                return;
            }
            out.add(visible);
        }

        boolean full() {
            return limit > 0 && out.size() >= limit;
        }
    }

    /**
     * The matches after the seek position, sorted. When {@code bounded} (every match counts towards skip and
     * limit) only the best {@code skip + limit} are kept.
     */
    private static List<Candidate> collected(Query query, Candidates candidates, Position seek, String sortPath,
            Comparator<Candidate> order, boolean bounded) {
        long keep = bounded && query.limit() > 0 ? (long) query.skip() + query.limit() : Long.MAX_VALUE;
        // the worst kept candidate on top, so it is the one dropped
        PriorityQueue<Candidate> best = keep < Integer.MAX_VALUE
                ? new PriorityQueue<>((int) Math.min(keep, 1024) + 1, order.reversed()) : null;
        List<Candidate> all = best == null ? new ArrayList<>() : null;
        while (candidates.hasNext()) {
            Candidate c = candidates.next();
            if (!query.matches(c.doc)) {
                continue;
            }
            c.withKey(sortPath);
            if (seek != null && order.compare(c, seek.candidate) <= 0) {
                continue;
            }
            if (best != null) {
                best.add(c);
                if (best.size() > keep) {
                    best.poll();
                }
            } else {
                all.add(c);
            }
        }
        List<Candidate> sorted = new ArrayList<>(best != null ? best : all);
        sorted.sort(order);
        return sorted;
    }

    /** Sort key first (reversed when descending), then id ascending. */
    private static Comparator<Candidate> resultOrder(boolean desc) {
        return (a, b) -> {
            int c = Arrays.compareUnsigned(a.sortKey, b.sortKey);
            if (c != 0) {
                return desc ? -c : c;
            }
            return QueryValue.compareStrings(a.id, b.id);
        };
    }

    /** Where a seek starts: the seek instance's place in the result order (id and sort key). */
    private static final class Position {
        final Candidate candidate;
        final byte[] sortKey;

        Position(String id, byte[] sortKey) {
            this.candidate = new Candidate(null, id);
            this.candidate.sortKey = sortKey;
            this.sortKey = sortKey;
        }
    }

    private static Position seekPosition(String id, String sortPath, DocumentSource source) {
        if (ID.equals(sortPath)) {
            return new Position(id, IndexKeys.encode(id));
        }
        JsonNode doc = source.get(id);
        if (doc == null) {
            throw new NotFoundException("seek instance " + id + " not found (with a sort on " + sortPath
                    + ", the seek instance must exist)");
        }
        return new Position(id, IndexKeys.keyOf(doc, sortPath));
    }

    // ------------------------------------------------------------------ candidates

    private static final class Candidate {
        final JsonNode doc;
        final String id;
        byte[] sortKey;

        Candidate(JsonNode doc, String id) {
            this.doc = doc;
            this.id = id;
        }

        Candidate withKey(String sortPath) {
            if (sortKey == null) {
                sortKey = ID.equals(sortPath) ? IndexKeys.encode(id) : IndexKeys.keyOf(doc, sortPath);
            }
            return this;
        }
    }

    /** A closeable iterator of candidates. */
    private interface Candidates extends Iterator<Candidate>, AutoCloseable {
        @Override
        void close();
    }

    private static Candidates open(QueryPlan plan, DocumentSource source, Position seek, String sortPath) {
        switch (plan.kind()) {
            case ID_LOOKUP: {
                String id = plan.interval().low().stringValue();
                JsonNode doc = source.get(id);
                List<Candidate> one = new ArrayList<>();
                if (doc != null) {
                    if (!id.equals(idOf(doc))) {
                        throw new CorruptDataException("instance fetched as " + id + " has _id " + idOf(doc));
                    }
                    one.add(new Candidate(doc, id));
                }
                return fromList(one);
            }
            case ID_RANGE:
            case FULL_SCAN:
                return primary(plan, source, plan.ordered() ? seek : null);
            case INDEX_RANGE:
            case INDEX_ORDER:
                return index(plan, source, plan.ordered() && plan.path().equals(sortPath) ? seek : null, sortPath);
            default:
                throw new IllegalStateException(plan.kind().toString());
        }
    }

    private static Candidates fromList(List<Candidate> list) {
        Iterator<Candidate> it = list.iterator();
        return new Candidates() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Candidate next() {
                return it.next();
            }

            @Override
            public void close() {
            }
        };
    }

    private static String idOf(JsonNode doc) {
        JsonNode id = doc.get(ID);
        if (id == null || !id.isTextual()) {
            throw new CorruptDataException("instance without a string _id");
        }
        return id.textValue();
    }

    /** The primary order, within the plan's _id interval, starting after the seek position when given. */
    private static Candidates primary(QueryPlan plan, DocumentSource source, Position seek) {
        boolean desc = plan.descending();
        Interval iv = plan.interval();
        String from = null;
        boolean inclusive = false;
        if (iv != null) {
            QueryValue start = desc ? iv.high() : iv.low();
            if (start != null) {
                from = start.stringValue();
                inclusive = desc ? iv.highInclusive() : iv.lowInclusive();
            }
        }
        if (seek != null) {
            // start after the seek id when that is beyond the interval's start in the read direction
            int c = from == null ? 0 : QueryValue.compareStrings(seek.candidate.id, from);
            if (from == null || (desc ? c <= 0 : c >= 0)) {
                from = seek.candidate.id;
                inclusive = false;
            }
        }
        Stream<JsonNode> stream = source.scan(from, inclusive, desc);
        Iterator<JsonNode> it = stream.iterator();
        return new Candidates() {
            Candidate next;
            boolean done;

            @Override
            public boolean hasNext() {
                while (next == null && !done) {
                    if (!it.hasNext()) {
                        done = true;
                        break;
                    }
                    JsonNode doc = it.next();
                    String id = idOf(doc);
                    if (iv != null && !iv.contains(QueryValue.of(id))) {
                        QueryValue far = desc ? iv.low() : iv.high();
                        if (far != null && pastEnd(id, far, desc ? iv.lowInclusive() : iv.highInclusive(), desc)) {
                            done = true; // ids arrive in order: nothing further can be inside
                        }
                        continue;
                    }
                    next = new Candidate(doc, id);
                }
                return next != null;
            }

            @Override
            public Candidate next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Candidate c = next;
                next = null;
                return c;
            }

            @Override
            public void close() {
                stream.close();
            }
        };
    }

    private static boolean pastEnd(String id, QueryValue far, boolean farInclusive, boolean desc) {
        int c = QueryValue.compareStrings(id, far.stringValue());
        if (desc) {
            return c < 0 || (c == 0 && !farInclusive);
        }
        return c > 0 || (c == 0 && !farInclusive);
    }

    /**
     * An index read within the plan's interval (or whole), fetching each instance. Descending reads reverse each
     * run of equal value keys, so ties stay in ascending id order.
     */
    private static Candidates index(QueryPlan plan, DocumentSource source, Position seek, String sortPath) {
        String path = plan.path();
        boolean keyIsSortKey = path.equals(sortPath);
        boolean desc = plan.descending();
        Bound lower = plan.interval() == null ? null : plan.interval().lowerBound();
        Bound upper = plan.interval() == null ? null : plan.interval().upperBound();
        if (seek != null) {
            Bound at = Bound.inclusive(seek.sortKey);
            if (desc) {
                upper = tighterUpper(upper, at);
            } else {
                lower = tighterLower(lower, at);
            }
        }
        Stream<IndexEntry> stream = source.scanIndex(path, lower, upper, desc);
        Iterator<IndexEntry> entries = desc ? new GroupReversing(stream.iterator()) : stream.iterator();
        return new Candidates() {
            Candidate next;

            @Override
            public boolean hasNext() {
                while (next == null && entries.hasNext()) {
                    IndexEntry e = entries.next();
                    JsonNode doc = source.get(e.id());
                    if (doc == null) {
                        continue; // deleted or hidden from this reader
                    }
                    if (!e.id().equals(idOf(doc))) {
                        throw new CorruptDataException("index " + path + ": instance fetched as " + e.id()
                                + " has _id " + idOf(doc));
                    }
                    byte[] key = IndexKeys.keyOf(doc, path);
                    if (!Arrays.equals(key, e.key())) {
                        throw new CorruptDataException("index " + path + ": entry for instance " + e.id()
                                + " does not match the instance's value");
                    }
                    next = new Candidate(doc, e.id());
                    if (keyIsSortKey) {
                        next.sortKey = key;
                    }
                }
                return next != null;
            }

            @Override
            public Candidate next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Candidate c = next;
                next = null;
                return c;
            }

            @Override
            public void close() {
                stream.close();
            }
        };
    }

    private static Bound tighterLower(Bound a, Bound b) {
        if (a == null) {
            return b;
        }
        int c = Arrays.compareUnsigned(a.key(), b.key());
        if (c != 0) {
            return c > 0 ? a : b;
        }
        return a.inclusive() ? b : a;
    }

    private static Bound tighterUpper(Bound a, Bound b) {
        if (a == null) {
            return b;
        }
        int c = Arrays.compareUnsigned(a.key(), b.key());
        if (c != 0) {
            return c < 0 ? a : b;
        }
        return a.inclusive() ? b : a;
    }

    /** Reverses each run of entries with equal value keys. */
    private static final class GroupReversing implements Iterator<IndexEntry> {
        private final Iterator<IndexEntry> in;
        private final Deque<IndexEntry> group = new ArrayDeque<>();
        private IndexEntry pending;

        GroupReversing(Iterator<IndexEntry> in) {
            this.in = in;
        }

        @Override
        public boolean hasNext() {
            if (!group.isEmpty()) {
                return true;
            }
            IndexEntry first = pending != null ? pending : (in.hasNext() ? in.next() : null);
            pending = null;
            if (first == null) {
                return false;
            }
            group.push(first);
            while (in.hasNext()) {
                IndexEntry e = in.next();
                if (Arrays.equals(e.key(), first.key())) {
                    group.push(e);
                } else {
                    pending = e;
                    break;
                }
            }
            return true;
        }

        @Override
        public IndexEntry next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return group.pop();
        }
    }
}
