package io.weft.db.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.weft.api.NotFoundException;
import io.weft.api.db.Criterion;
import io.weft.api.db.Query;
import io.weft.api.db.QueryValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A brute-force implementation of the documented query semantics, written independently of
 * {@link Query#matches}, {@link QueryValue#compareTo} and {@link IndexKeys}: filter every document, sort with
 * the documented total order, then seek, skip and limit.
 */
final class Reference {

    private Reference() {
    }

    /** The ids the query returns over {@code docs}; throws NotFoundException for a missing seek instance. */
    static List<String> run(List<JsonNode> docs, Query q) {
        return run(docs, q, id -> true);
    }

    /** As {@link #run(List, Query)}, where only instances whose id is {@code visible} count and are returned. */
    static List<String> run(List<JsonNode> docs, Query q, java.util.function.Predicate<String> visible) {
        List<JsonNode> hits = new ArrayList<>();
        for (JsonNode d : docs) {
            if (matches(q, d)) {
                hits.add(d);
            }
        }
        String path = q.sort().isPresent() ? q.sort().get().fieldPath() : null;
        boolean desc = q.sort().isPresent() && q.sort().get().desc();
        Comparator<JsonNode> order = (a, b) -> {
            if (path != null) {
                int c = compareSortValues(value(a, path), value(b, path));
                if (c != 0) {
                    return desc ? -c : c;
                }
            }
            return compareCodePoints(id(a), id(b));
        };
        hits.sort(order);
        List<JsonNode> afterSeek = new ArrayList<>(hits);
        if (q.seek().isPresent()) {
            String seek = q.seek().get();
            JsonNode seekDoc;
            if (path == null || path.equals("_id")) {
                seekDoc = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("_id", seek);
            } else {
                seekDoc = docs.stream().filter(d -> id(d).equals(seek)).findFirst()
                        .orElseThrow(() -> new NotFoundException("seek instance not found"));
            }
            afterSeek = new ArrayList<>();
            for (JsonNode d : hits) {
                if (order.compare(d, seekDoc) > 0) {
                    afterSeek.add(d);
                }
            }
        }
        afterSeek.removeIf(d -> !visible.test(id(d)));
        List<String> out = new ArrayList<>();
        for (int i = q.skip(); i < afterSeek.size(); i++) {
            if (q.limit() > 0 && out.size() == q.limit()) {
                break;
            }
            out.add(id(afterSeek.get(i)));
        }
        return out;
    }

    static String id(JsonNode d) {
        return d.get("_id").textValue();
    }

    static boolean matches(Query q, JsonNode d) {
        boolean all = true;
        for (Criterion c : q.ands()) {
            all &= matches(c, d);
        }
        if (q.ors().isEmpty()) {
            return all;
        }
        if (!q.ands().isEmpty() && all) {
            return true;
        }
        for (Query o : q.ors()) {
            if (matches(o, d)) {
                return true;
            }
        }
        return false;
    }

    static boolean matches(Criterion c, JsonNode d) {
        Object v = value(d, c.fieldPath());
        Object w;
        switch (c.value().type()) {
            case STRING:
                w = c.value().stringValue();
                break;
            case BOOL:
                w = c.value().boolValue();
                break;
            default:
                w = c.value().doubleValue();
                break;
        }
        if (v == null || v.getClass() != w.getClass()) {
            return c.operation() == io.weft.api.db.Operation.NE;
        }
        int cmp = compareSame(v, w);
        switch (c.operation()) {
            case EQ:
                return cmp == 0;
            case NE:
                return cmp != 0;
            case GT:
                return cmp > 0;
            case GE:
                return cmp >= 0;
            case LT:
                return cmp < 0;
            default:
                return cmp <= 0;
        }
    }

    /** String, Boolean, Double (never NaN or -0.0), or null for missing. */
    static Object value(JsonNode d, String path) {
        JsonNode n = d;
        for (String seg : path.split("\\.", -1)) {
            if (n == null || !n.isObject()) {
                return null;
            }
            n = n.get(seg);
        }
        if (n == null) {
            return null;
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isNumber()) {
            double x = n.doubleValue();
            if (Double.isNaN(x)) {
                return null;
            }
            return x == 0 ? 0.0 : x;
        }
        return null;
    }

    private static int rank(Object v) {
        return v == null ? 0 : v instanceof Boolean ? 1 : v instanceof Double ? 2 : 3;
    }

    static int compareSortValues(Object a, Object b) {
        int c = Integer.compare(rank(a), rank(b));
        if (c != 0 || a == null) {
            return c;
        }
        return compareSame(a, b);
    }

    private static int compareSame(Object a, Object b) {
        if (a instanceof String) {
            return compareCodePoints((String) a, (String) b);
        }
        if (a instanceof Boolean) {
            return Boolean.compare((Boolean) a, (Boolean) b);
        }
        double x = (Double) a;
        double y = (Double) b;
        return x < y ? -1 : x > y ? 1 : 0;
    }

    static int compareCodePoints(String a, String b) {
        return Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
    }
}
