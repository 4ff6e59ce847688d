package io.weft.codec.jsonpatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * RFC 7396 JSON merge patch: {@link #apply apply}, {@link #diff diff} and the {@link #stripNulls null rule}.
 *
 * <p><b>Why hand-written.</b> Jackson supports neither JSON Patch (RFC 6902) nor JSON merge patch (RFC 7396). The
 * candidate libraries (java-json-tools json-patch, zjsonpatch) are unmaintained or not OSGi bundles, and Jakarta
 * JSON-P's {@code createMergeDiff} brings a second JSON object model. The algorithm is short, and owning it lets
 * the diff emit exactly the patches that both RFC 7396 and go-threads' evanphx/json-patch v4.5.0 apply
 * identically (see {@link JsonPatchCodec}).
 *
 * <p>Every method is pure: it never modifies its arguments and never returns (a container inside) an argument, so
 * callers may mutate results freely.
 */
final class MergePatch {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private MergePatch() {
    }

    /**
     * RFC 7396 §2 {@code MergePatch(target, patch)}: a non-object patch replaces the target; an object patch is
     * merged member by member into the target (a non-object or absent target counts as {@code {}}), a {@code null}
     * member deleting, any other member merged recursively.
     *
     * @param target the document ({@code null} = absent, treated as {@code {}} by an object patch)
     * @param patch  the merge patch (not {@code null}; a JSON null is {@link NullNode})
     */
    static JsonNode apply(JsonNode target, JsonNode patch) {
        return mergeInto(target == null ? null : target.deepCopy(), patch);
    }

    /** {@link #apply} over a target this class owns (a fresh copy), so it may be modified in place. */
    private static JsonNode mergeInto(JsonNode owned, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = owned != null && owned.isObject() ? (ObjectNode) owned : NODES.objectNode();
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), mergeInto(result.get(e.getKey()), e.getValue()));
            }
        }
        return result;
    }

    /**
     * The smallest merge patch that turns {@code before} into {@link #stripNulls stripNulls(after)}, so that
     * {@code apply(before, diff(before, after))} is {@link #jsonEquals equal} to {@code stripNulls(after)}:
     * <ul>
     *   <li>a member of {@code after} that is absent, {@code null} or of another kind in {@code before} is set to
     *       its stripped value;</li>
     *   <li>a member that is an object on both sides is diffed recursively, and left out if nothing changed;</li>
     *   <li>any other member (string, number, boolean, array) is set to its stripped value unless that already
     *       equals the member in {@code before} — arrays are always replaced whole, as RFC 7396 requires;</li>
     *   <li>a member of {@code before} that is absent or {@code null} in {@code after} is deleted with
     *       {@code null}.</li>
     * </ul>
     * Because every value the patch sets is stripped, the only nulls in the patch are deletion markers (object
     * members) and {@code null} array elements.
     */
    static ObjectNode diff(ObjectNode before, ObjectNode after) {
        ObjectNode patch = NODES.objectNode();
        for (Map.Entry<String, JsonNode> e : after.properties()) {
            JsonNode a = e.getValue();
            if (a.isNull()) {
                continue; // absent after the save; deleted below if before has it
            }
            JsonNode b = before.get(e.getKey());
            if (b != null && b.isObject() && a.isObject()) {
                ObjectNode sub = diff((ObjectNode) b, (ObjectNode) a);
                if (!sub.isEmpty()) {
                    patch.set(e.getKey(), sub);
                }
                continue;
            }
            JsonNode stripped = stripNulls(a);
            if (b == null || !jsonEquals(b, stripped)) {
                patch.set(e.getKey(), stripped);
            }
        }
        for (Iterator<String> it = before.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            JsonNode a = after.get(name);
            if (a == null || a.isNull()) {
                patch.set(name, NullNode.getInstance());
            }
        }
        return patch;
    }

    /**
     * A copy of {@code node} without {@code null}-valued object members, at any depth (also inside objects that are
     * array elements). {@code null} array elements are kept: a merge patch replaces arrays whole, so they are data,
     * not deletions. This is the state a SAVE stores (the codec's null rule).
     */
    static JsonNode stripNulls(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = NODES.objectNode();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (!e.getValue().isNull()) {
                    out.set(e.getKey(), stripNulls(e.getValue()));
                }
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = NODES.arrayNode(node.size());
            for (JsonNode item : node) {
                out.add(stripNulls(item));
            }
            return out;
        }
        return node.deepCopy();
    }

    /** Whether {@code node} has a {@code null}-valued object member at any depth. */
    static boolean hasNullMember(JsonNode node) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (e.getValue().isNull() || hasNullMember(e.getValue())) {
                    return true;
                }
            }
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                if (hasNullMember(item)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * JSON value equality, as the serialized text sees it: objects compare as unordered member sets, arrays element
     * by element, and numbers by value within their kind — any two integers ({@code int}, {@code long},
     * {@code BigInteger} nodes) by integer value, any two non-integers by decimal value — while an integer never
     * equals a non-integer ({@code 1} and {@code 1.0} are written differently, so a change between them is kept).
     */
    static boolean jsonEquals(JsonNode x, JsonNode y) {
        if (x.isNumber() && y.isNumber()) {
            if (x.isIntegralNumber() != y.isIntegralNumber()) {
                return false;
            }
            return x.isIntegralNumber() ? x.bigIntegerValue().equals(y.bigIntegerValue())
                    : x.decimalValue().compareTo(y.decimalValue()) == 0;
        }
        if (x.getNodeType() != y.getNodeType()) {
            return false;
        }
        if (x.isObject()) {
            if (x.size() != y.size()) {
                return false;
            }
            for (Map.Entry<String, JsonNode> e : x.properties()) {
                JsonNode other = y.get(e.getKey());
                if (other == null || !jsonEquals(e.getValue(), other)) {
                    return false;
                }
            }
            return true;
        }
        if (x.isArray()) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!jsonEquals(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return x.equals(y);
    }
}
