package io.weft.api.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.InvalidInputException;
import java.util.Map;

/**
 * One condition of a {@link Query}: the value at {@code fieldPath} compared with {@code value} by
 * {@code operation}.
 *
 * <p><b>Matching.</b> Let {@code v} be {@link QueryValue#at(JsonNode, String) the value the instance holds at
 * the path}. If {@code v} is missing (absent, JSON null, object, array) or of another {@link QueryValue.Type
 * type} than {@code value}, the criterion matches only when the operation is {@link Operation#NE}: {@code NE}
 * is always the exact complement of {@code EQ}, and the ordering operations never match across types.
 * Otherwise {@code v} is compared with {@code value} in {@link QueryValue}'s order (strings by code point,
 * numbers numerically, {@code false < true}).
 *
 * <p>go-threads instead fails the whole query with an error when a field is missing or of another type, and
 * orders booleans inconsistently; these are deliberate departures (see {@code docs/queries.md}).
 *
 * <p><b>Wire form.</b> {@code {"fieldPath":"age","operation":4,"value":{"float":18}}}.
 *
 * @param fieldPath dot-separated path into the instance: non-empty, without empty segments
 * @param operation the comparison
 * @param value the value compared with; a number must be finite
 */
public record Criterion(String fieldPath, Operation operation, QueryValue value) {

    /**
     * @throws InvalidInputException if the path is null, empty or has an empty segment, an argument is null,
     *     or the value is an infinite number
     */
    public Criterion {
        QueryJson.fieldPath(fieldPath, "criterion fieldPath");
        if (operation == null) {
            throw new InvalidInputException("criterion operation is required");
        }
        if (value == null) {
            throw new InvalidInputException("criterion value is required");
        }
        if (value.type() == QueryValue.Type.FLOAT && !Double.isFinite(value.doubleValue())) {
            throw new InvalidInputException("criterion value must be a finite number");
        }
    }

    /** Whether {@code instance} satisfies this criterion (see the class description). */
    public boolean matches(JsonNode instance) {
        QueryValue v = QueryValue.at(instance, fieldPath);
        if (v == null || v.type() != value.type()) {
            return operation == Operation.NE;
        }
        return operation.test(v.compareTo(value));
    }

    /**
     * Reads the wire form. Member names are matched ignoring ASCII case; {@code fieldPath} (a string),
     * {@code operation} (an integer code 0..5) and {@code value} are all required; other members are rejected.
     *
     * @throws InvalidInputException if the node is not a valid criterion
     */
    public static Criterion fromJson(JsonNode node) {
        return fromJson(node, "criterion");
    }

    static Criterion fromJson(JsonNode node, String where) {
        Map<String, JsonNode> m = QueryJson.members(node, where, "fieldPath", "operation", "value");
        JsonNode path = m.get("fieldPath");
        if (path == null || path.isNull()) {
            throw new InvalidInputException(where + ".fieldPath is required");
        }
        if (!path.isTextual()) {
            throw new InvalidInputException(where + ".fieldPath must be a JSON string, not " + QueryJson.kind(path));
        }
        JsonNode op = m.get("operation");
        if (op == null || op.isNull()) {
            throw new InvalidInputException(where + ".operation is required");
        }
        if (!op.isIntegralNumber()) {
            throw new InvalidInputException(where + ".operation must be an integer code 0..5, not "
                    + QueryJson.kind(op) + " " + op);
        }
        Operation operation;
        try {
            operation = Operation.ofCode(op.canConvertToLong() ? op.longValue() : Long.MAX_VALUE);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(where + ".operation: unknown code " + op + " (expected 0..5: "
                    + "0 eq, 1 ne, 2 gt, 3 lt, 4 ge, 5 le)");
        }
        JsonNode value = m.get("value");
        if (value == null || value.isNull()) {
            throw new InvalidInputException(where + ".value is required");
        }
        QueryJson.fieldPath(path.textValue(), where + ".fieldPath");
        return new Criterion(path.textValue(), operation, QueryValue.fromJson(value, where + ".value"));
    }

    /** The wire form. */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("fieldPath", fieldPath);
        o.put("operation", operation.code());
        o.set("value", value.toJson());
        return o;
    }

    /** The wire form as compact JSON text. */
    @Override
    public String toString() {
        return toJson().toString();
    }
}
