package io.weft.db.query;

import io.weft.api.db.Criterion;
import io.weft.api.db.Operation;
import io.weft.api.db.QueryValue;
import java.util.Objects;

/**
 * How {@link QueryEngine} runs a query: where candidates come from, in which order, and whether that order is
 * already the result order (so paging can stop early). Made by {@link QueryEngine#explain}; {@link #toString}
 * is a one-line description such as {@code INDEX_RANGE age [18, 65) asc; in result order}.
 *
 * @param kind where candidates come from
 * @param path the index path ({@code "_id"} for the primary order); {@code null} for {@link Kind#EMPTY}
 * @param interval the value range read, or {@code null} when the whole order is read
 * @param descending whether the order is read from high to low
 * @param ordered whether candidates arrive in the result order (otherwise they are sorted in memory)
 */
public record QueryPlan(Kind kind, String path, Interval interval, boolean descending, boolean ordered) {

    /** Where candidates come from. Every candidate is re-checked against the whole query. */
    public enum Kind {
        /** The criteria contradict each other: nothing is read. */
        EMPTY,
        /** {@code _id} equals a string: one {@link DocumentSource#get}. */
        ID_LOOKUP,
        /** A range of {@code _id}: part of the primary order. */
        ID_RANGE,
        /** A range (or single value) of an index, from a criterion on its path. */
        INDEX_RANGE,
        /** A whole index in order, for a sort on its path with a limit and no usable criterion. */
        INDEX_ORDER,
        /** Every instance in the primary ({@code _id}) order. */
        FULL_SCAN
    }

    /**
     * A range of values of one type. {@code low}/{@code high} {@code null} means the start/end of the type's
     * values.
     */
    public record Interval(QueryValue.Type type, QueryValue low, boolean lowInclusive, QueryValue high,
            boolean highInclusive) {

        public Interval {
            Objects.requireNonNull(type, "type");
        }

        /** The values a criterion with a range operation ({@code EQ, GT, GE, LT, LE}) can match. */
        static Interval of(Criterion c) {
            QueryValue v = c.value();
            switch (c.operation()) {
                case EQ:
                    return new Interval(v.type(), v, true, v, true);
                case GT:
                    return new Interval(v.type(), v, false, null, false);
                case GE:
                    return new Interval(v.type(), v, true, null, false);
                case LT:
                    return new Interval(v.type(), null, false, v, false);
                case LE:
                    return new Interval(v.type(), null, false, v, true);
                default:
                    throw new IllegalArgumentException("no interval for " + c.operation());
            }
        }

        static boolean isRange(Operation op) {
            return op != Operation.NE;
        }

        /** The intersection, or {@code null} if the types differ (no value satisfies both). */
        Interval intersect(Interval o) {
            if (o == null || type != o.type) {
                return null;
            }
            QueryValue lo = low;
            boolean loInc = lowInclusive;
            if (o.low != null) {
                int c = lo == null ? -1 : lo.compareTo(o.low);
                if (c < 0 || (c == 0 && !o.lowInclusive)) {
                    lo = o.low;
                    loInc = o.lowInclusive;
                }
            }
            QueryValue hi = high;
            boolean hiInc = highInclusive;
            if (o.high != null) {
                int c = hi == null ? 1 : hi.compareTo(o.high);
                if (c > 0 || (c == 0 && !o.highInclusive)) {
                    hi = o.high;
                    hiInc = o.highInclusive;
                }
            }
            return new Interval(type, lo, loInc, hi, hiInc);
        }

        /** Whether no value lies in this interval. */
        boolean isEmpty() {
            if (low == null || high == null) {
                return false;
            }
            int c = low.compareTo(high);
            return c > 0 || (c == 0 && !(lowInclusive && highInclusive));
        }

        /** Whether exactly one value lies in this interval. */
        public boolean isPoint() {
            return low != null && high != null && low.equals(high) && lowInclusive && highInclusive;
        }

        /** Whether both ends are given by criteria. */
        public boolean isBounded() {
            return low != null && high != null;
        }

        /** The lower bound as value keys (the type's start when {@code low} is null). */
        DocumentSource.Bound lowerBound() {
            return low == null ? DocumentSource.Bound.inclusive(IndexKeys.typeStart(type))
                    : new DocumentSource.Bound(IndexKeys.encode(low), lowInclusive);
        }

        /** The upper bound as value keys (the type's end when {@code high} is null). */
        DocumentSource.Bound upperBound() {
            return high == null ? DocumentSource.Bound.exclusive(IndexKeys.typeEnd(type))
                    : new DocumentSource.Bound(IndexKeys.encode(high), highInclusive);
        }

        /** Whether {@code v} lies in this interval. */
        boolean contains(QueryValue v) {
            if (v == null || v.type() != type) {
                return false;
            }
            if (low != null) {
                int c = v.compareTo(low);
                if (c < 0 || (c == 0 && !lowInclusive)) {
                    return false;
                }
            }
            if (high != null) {
                int c = v.compareTo(high);
                if (c > 0 || (c == 0 && !highInclusive)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            if (isPoint()) {
                return "= " + show(low);
            }
            return (low == null ? "(" + type + " start" : (lowInclusive ? "[" : "(") + show(low)) + ", "
                    + (high == null ? type + " end)" : show(high) + (highInclusive ? "]" : ")"));
        }

        private static String show(QueryValue v) {
            switch (v.type()) {
                case STRING:
                    return '"' + v.stringValue() + '"';
                case BOOL:
                    return Boolean.toString(v.boolValue());
                default:
                    double d = v.doubleValue();
                    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
            }
        }
    }

    static QueryPlan empty() {
        return new QueryPlan(Kind.EMPTY, null, null, false, true);
    }

    @Override
    public String toString() {
        if (kind == Kind.EMPTY) {
            return "EMPTY; criteria contradict, nothing read";
        }
        StringBuilder sb = new StringBuilder(kind.name()).append(' ').append(path);
        if (interval != null) {
            sb.append(' ').append(interval);
        }
        if (kind != Kind.ID_LOOKUP) {
            sb.append(descending ? " desc" : " asc");
        }
        sb.append(ordered ? "; in result order" : "; sorted in memory");
        return sb.toString();
    }
}
