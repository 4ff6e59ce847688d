package io.weft.api.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.InvalidInputException;
import java.util.Map;
import java.util.Objects;

/**
 * A scalar a query compares: a string, a boolean or a number (a {@code double}, as in go-threads and
 * JavaScript). It is both the right-hand side of a {@link Criterion} and the value a document holds at a field
 * path ({@link #at(JsonNode, String)}).
 *
 * <p><b>Order.</b> Values are totally ordered ({@link #compareTo}): first by {@link Type} in declaration
 * order ({@code BOOL < FLOAT < STRING}), then within a type: {@code false < true}; numbers numerically
 * ({@code -0.0} equals {@code 0.0}; infinities at the ends; NaN cannot be a value); strings by Unicode code
 * point, which is also the order of their UTF-8 bytes and of Go's {@code strings.Compare} (not Java's UTF-16
 * {@link String#compareTo}). A criterion only compares values of the same type (see {@link Criterion}); the
 * cross-type order is used for sorting.
 *
 * <p><b>Wire form.</b> {@code {"string":"..."}}, {@code {"bool":true}} or {@code {"float":1.5}}: exactly one
 * member, as go-threads' {@code Value} and the JS client's {@code ValueJSON}.
 */
public final class QueryValue implements Comparable<QueryValue> {

    /** The type of a value; the declaration order is the cross-type sort order. */
    public enum Type {
        /** {@code true} or {@code false}; wire member {@code "bool"}. */
        BOOL,
        /** A number, held as a {@code double}; wire member {@code "float"}. */
        FLOAT,
        /** A string; wire member {@code "string"}. */
        STRING
    }

    private static final long MAX_SAFE_INTEGER = 1L << 53;

    private final Type type;
    private final String string;
    private final boolean bool;
    private final double number;

    private QueryValue(Type type, String string, boolean bool, double number) {
        this.type = type;
        this.string = string;
        this.bool = bool;
        this.number = number;
    }

    /** A string value. */
    public static QueryValue of(String value) {
        Objects.requireNonNull(value, "value");
        return new QueryValue(Type.STRING, value, false, 0);
    }

    /** A boolean value. */
    public static QueryValue of(boolean value) {
        return new QueryValue(Type.BOOL, null, value, 0);
    }

    /**
     * A number. {@code -0.0} is stored as {@code 0.0}. Infinities are allowed here (a document may hold one),
     * but a {@link Criterion} requires a finite number, since JSON cannot carry the others.
     *
     * @throws InvalidInputException if {@code value} is NaN
     */
    public static QueryValue of(double value) {
        if (Double.isNaN(value)) {
            throw new InvalidInputException("a query value cannot be NaN");
        }
        return new QueryValue(Type.FLOAT, null, false, value == 0.0 ? 0.0 : value);
    }

    /** This value's type. */
    public Type type() {
        return type;
    }

    /** The string; throws {@link IllegalStateException} unless this is a {@link Type#STRING}. */
    public String stringValue() {
        check(Type.STRING);
        return string;
    }

    /** The boolean; throws {@link IllegalStateException} unless this is a {@link Type#BOOL}. */
    public boolean boolValue() {
        check(Type.BOOL);
        return bool;
    }

    /** The number; throws {@link IllegalStateException} unless this is a {@link Type#FLOAT}. */
    public double doubleValue() {
        check(Type.FLOAT);
        return number;
    }

    private void check(Type expected) {
        if (type != expected) {
            throw new IllegalStateException("value is a " + type + ", not a " + expected);
        }
    }

    /**
     * The comparable value a document holds at a dot-separated field path, or {@code null} if it holds none
     * there. The path is followed through JSON objects only ({@code "a.b"} is member {@code b} of the object in
     * member {@code a}; arrays are not entered). The result is {@code null} ("missing") when a step is absent
     * or not an object, or when the value found is JSON {@code null}, an object, an array, or a NaN number.
     * Numbers of any JSON form become {@code double}s (integers beyond 2^53 lose precision; numbers beyond
     * the double range become infinities).
     */
    public static QueryValue at(JsonNode instance, String fieldPath) {
        JsonNode node = instance;
        int start = 0;
        while (true) {
            if (node == null || !node.isObject()) {
                return null;
            }
            int dot = fieldPath.indexOf('.', start);
            String name = dot < 0 ? fieldPath.substring(start) : fieldPath.substring(start, dot);
            node = node.get(name);
            if (dot < 0) {
                break;
            }
            start = dot + 1;
        }
        return ofNode(node);
    }

    /**
     * The comparable value of a JSON scalar node (textual, boolean or numeric), or {@code null} for anything
     * else (including {@code null}, NaN, objects and arrays).
     */
    public static QueryValue ofNode(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            return of(node.textValue());
        }
        if (node.isBoolean()) {
            return of(node.booleanValue());
        }
        if (node.isNumber()) {
            double d = node.doubleValue();
            return Double.isNaN(d) ? null : of(d);
        }
        return null;
    }

    /**
     * Reads the wire form: an object with exactly one non-null member among {@code string}, {@code bool} and
     * {@code float} (member names are matched ignoring ASCII case, as Go's JSON decoder does, so go-threads'
     * Go client form {@code {"String":"x","Bool":null,"Float":null}} is accepted). The number must be finite.
     *
     * @throws InvalidInputException if the node is not such an object
     */
    public static QueryValue fromJson(JsonNode node) {
        return fromJson(node, "value");
    }

    static QueryValue fromJson(JsonNode node, String where) {
        Map<String, JsonNode> members = QueryJson.members(node, where, "string", "bool", "float");
        QueryValue result = null;
        for (Map.Entry<String, JsonNode> e : members.entrySet()) {
            JsonNode v = e.getValue();
            if (v.isNull()) {
                continue;
            }
            if (result != null) {
                throw new InvalidInputException(where + " must hold exactly one of string, bool, float; found more");
            }
            switch (e.getKey()) {
                case "string":
                    if (!v.isTextual()) {
                        throw new InvalidInputException(where + ".string must be a JSON string, not " + QueryJson.kind(v));
                    }
                    result = of(v.textValue());
                    break;
                case "bool":
                    if (!v.isBoolean()) {
                        throw new InvalidInputException(where + ".bool must be true or false, not " + QueryJson.kind(v));
                    }
                    result = of(v.booleanValue());
                    break;
                default:
                    if (!v.isNumber()) {
                        throw new InvalidInputException(where + ".float must be a JSON number, not " + QueryJson.kind(v));
                    }
                    double d = v.doubleValue();
                    if (!Double.isFinite(d)) {
                        throw new InvalidInputException(where + ".float must be a finite number: " + v);
                    }
                    result = of(d);
                    break;
            }
        }
        if (result == null) {
            throw new InvalidInputException(where + " must hold exactly one of string, bool, float; found none");
        }
        return result;
    }

    /**
     * The wire form. A number that is an integer of magnitude at most 2^53 is written without a fraction
     * ({@code {"float":1}}, as JavaScript writes it); others as a JSON double. Throws
     * {@link IllegalStateException} for an infinite number, which JSON cannot carry.
     */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        switch (type) {
            case STRING:
                o.put("string", string);
                break;
            case BOOL:
                o.put("bool", bool);
                break;
            default:
                if (!Double.isFinite(number)) {
                    throw new IllegalStateException("an infinite number has no JSON form");
                }
                if (number == Math.rint(number) && Math.abs(number) <= MAX_SAFE_INTEGER) {
                    o.put("float", (long) number);
                } else {
                    o.put("float", number);
                }
                break;
        }
        return o;
    }

    /**
     * Compares two strings by Unicode code point (equivalently, by their UTF-8 bytes; an unpaired surrogate
     * counts as the code point of its own value).
     */
    public static int compareStrings(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; ) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(i);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
        }
        return Integer.compare(a.length(), b.length());
    }

    /** The total order described on this class. */
    @Override
    public int compareTo(QueryValue o) {
        if (type != o.type) {
            return type.compareTo(o.type);
        }
        switch (type) {
            case STRING:
                return compareStrings(string, o.string);
            case BOOL:
                return Boolean.compare(bool, o.bool);
            default:
                return Double.compare(number, o.number);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QueryValue v && compareTo(v) == 0;
    }

    @Override
    public int hashCode() {
        switch (type) {
            case STRING:
                return string.hashCode();
            case BOOL:
                return Boolean.hashCode(bool);
            default:
                return Double.hashCode(number);
        }
    }

    /** The wire form as text, e.g. {@code {"string":"x"}} (an infinity is shown as {@code {"float":Infinity}}). */
    @Override
    public String toString() {
        if (type == Type.FLOAT && !Double.isFinite(number)) {
            return "{\"float\":" + number + "}";
        }
        return toJson().toString();
    }
}
