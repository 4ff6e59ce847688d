package io.weft.api.db;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The result order of a {@link Query}: by the value at {@code fieldPath}, ascending or descending. The full
 * order, including missing values and ties, is described on {@link Query}.
 *
 * <p><b>Wire form.</b> {@code {"fieldPath":"missions","desc":true}}. On the wire an empty {@code fieldPath}
 * means "no sort" (go-threads' Go client always sends a sort object); such a sort is never a {@code Sort}
 * instance, so here the path is always a valid one.
 *
 * @param fieldPath dot-separated path: non-empty, without empty segments ({@code "_id"} sorts by instance id)
 * @param desc whether the order is descending
 */
public record Sort(String fieldPath, boolean desc) {

    /** @throws io.weft.api.InvalidInputException if the path is null, empty or has an empty segment */
    public Sort {
        QueryJson.fieldPath(fieldPath, "sort fieldPath");
    }

    /** Ascending order by {@code fieldPath}. */
    public static Sort asc(String fieldPath) {
        return new Sort(fieldPath, false);
    }

    /** Descending order by {@code fieldPath}. */
    public static Sort desc(String fieldPath) {
        return new Sort(fieldPath, true);
    }

    /** The wire form. */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("fieldPath", fieldPath);
        o.put("desc", desc);
        return o;
    }

    /** The wire form as compact JSON text. */
    @Override
    public String toString() {
        return toJson().toString();
    }
}
