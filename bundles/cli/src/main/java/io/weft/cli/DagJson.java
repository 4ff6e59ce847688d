package io.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.InvalidInputException;
import io.weft.api.WeftException;
import io.weft.api.format.Cid;
import io.weft.core.cbor.CborValue;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Record bodies between JSON and dag-cbor, in the dag-json conventions: a link is {@code {"/": "<cid>"}}, bytes are
 * {@code {"/": {"bytes": "<base64, no padding>"}}}; integers stay integers, other numbers become floats.
 */
final class DagJson {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private DagJson() {
    }

    static CborValue toCbor(JsonNode n) {
        if (n == null || n.isNull()) {
            return CborValue.NULL;
        }
        if (n.isTextual()) {
            return CborValue.text(n.textValue());
        }
        if (n.isBoolean()) {
            return CborValue.bool(n.booleanValue());
        }
        if (n.isIntegralNumber()) {
            return n.canConvertToLong() ? CborValue.integer(n.longValue()) : CborValue.integer(n.bigIntegerValue());
        }
        if (n.isNumber()) {
            return CborValue.float64(n.doubleValue());
        }
        if (n.isArray()) {
            List<CborValue> items = new ArrayList<>();
            for (JsonNode e : n) {
                items.add(toCbor(e));
            }
            return CborValue.list(items);
        }
        if (n.isObject()) {
            JsonNode slash = n.get("/");
            if (slash != null && n.size() == 1) {
                if (slash.isTextual()) {
                    try {
                        return CborValue.link(Cid.parse(slash.textValue()));
                    } catch (WeftException e) {
                        throw new InvalidInputException("{\"/\": …} must hold a CID: " + e.getMessage());
                    }
                }
                JsonNode bytes = slash.get("bytes");
                if (slash.isObject() && slash.size() == 1 && bytes != null && bytes.isTextual()) {
                    try {
                        return CborValue.bytes(Base64.getDecoder().decode(pad(bytes.textValue())));
                    } catch (IllegalArgumentException e) {
                        throw new InvalidInputException("{\"/\": {\"bytes\": …}} must hold base64: " + e.getMessage());
                    }
                }
            }
            Map<String, CborValue> m = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                m.put(e.getKey(), toCbor(e.getValue()));
            }
            return CborValue.map(m);
        }
        throw new InvalidInputException("cannot encode JSON " + n.getNodeType() + " as dag-cbor");
    }

    static JsonNode toJson(CborValue v) {
        if (v instanceof CborValue.MapValue m) {
            ObjectNode o = F.objectNode();
            m.entries().forEach((k, x) -> o.set(k, toJson(x)));
            return o;
        }
        if (v instanceof CborValue.ListValue l) {
            ArrayNode a = F.arrayNode();
            l.items().forEach(x -> a.add(toJson(x)));
            return a;
        }
        if (v instanceof CborValue.BytesValue b) {
            ObjectNode o = F.objectNode();
            o.putObject("/").put("bytes", Base64.getEncoder().withoutPadding().encodeToString(b.value()));
            return o;
        }
        if (v instanceof CborValue.TextValue t) {
            return F.textNode(t.value());
        }
        if (v instanceof CborValue.IntValue i) {
            return F.numberNode(i.value());
        }
        if (v instanceof CborValue.BigIntValue i) {
            return F.numberNode(i.value());
        }
        if (v instanceof CborValue.FloatValue f) {
            return F.numberNode(f.value());
        }
        if (v instanceof CborValue.BoolValue b) {
            return F.booleanNode(b.value());
        }
        if (v instanceof CborValue.LinkValue l) {
            ObjectNode o = F.objectNode();
            o.put("/", l.cid().toString());
            return o;
        }
        return F.nullNode();
    }

    private static String pad(String s) {
        int r = s.length() % 4;
        return r == 0 ? s : s + "=".repeat(4 - r);
    }
}
