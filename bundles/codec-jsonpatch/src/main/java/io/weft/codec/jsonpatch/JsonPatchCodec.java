package io.weft.codec.jsonpatch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.InvalidInputException;
import io.weft.api.db.ChangeType;
import io.weft.api.db.spi.Action;
import io.weft.api.db.spi.CodecEvent;
import io.weft.api.db.spi.EventCodec;
import io.weft.core.cbor.CborValue;
import io.weft.core.cbor.CborValue.BytesValue;
import io.weft.core.cbor.CborValue.IntValue;
import io.weft.core.cbor.CborValue.ListValue;
import io.weft.core.cbor.CborValue.MapValue;
import io.weft.core.cbor.CborValue.NullValue;
import io.weft.core.cbor.CborValue.TextValue;
import io.weft.core.cbor.DagCbor;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * The go-threads {@code jsonpatcher} event codec: each event carries a whole instance (create), an RFC 7396 JSON
 * merge patch (save) or nothing (delete). Bodies are byte-compatible with go-threads peers.
 *
 * <h2>Body</h2>
 * One canonical dag-cbor node per transaction, field names exactly as go-threads' refmt writes them:
 * <pre>
 * {patches: [ {iD: instanceId, collectionName: name, timestamp: int64 time,
 *              patch: {type: 0|1|2, instanceID: instanceId, jSONPatch: bytes | null}}, … ]}
 * </pre>
 * {@code type} is {@link ChangeType#code()}; {@code jSONPatch} is UTF-8 JSON: for a create the whole instance
 * (compact, members in the instance's order), for a save the merge patch, for a delete {@code null}. Every event
 * of one {@link #encode} call gets the same {@code timestamp}.
 *
 * <h2>Merge patches and the null rule</h2>
 * {@link #apply} implements RFC 7396 exactly: a {@code null} member of a patch deletes, any other member replaces
 * or (object into object) merges recursively, and arrays are replaced whole. Merge patch therefore <em>cannot
 * set</em> an object member to JSON {@code null}: a patch can only leave an existing {@code null} alone. So the
 * codec defines what a SAVE stores:
 * <blockquote><b>Null rule.</b> After a SAVE the instance is {@code after} with every {@code null}-valued object
 * member removed, at any depth (also inside objects that are array elements); {@code null} array elements are
 * kept. In a SAVE, a member set to {@code null} means "absent".</blockquote>
 * {@link #encode} emits the smallest merge patch from {@code before} to that state (so
 * {@code apply(save, before)} equals it, whatever nulls {@code before} held), which means:
 * <ul>
 *   <li>The rule depends on {@code after} alone, so the db can compute the stored state without the codec; and
 *       every peer, applying the same patch to the same {@code before}, stores the same document.</li>
 *   <li>Setting a member to {@code null} deletes it, which is what clients that "clear" a field with
 *       {@code null} mean, and what go-threads itself stores in that case.</li>
 *   <li>A SAVE also removes {@code null} members that {@code before} already had (e.g. from a CREATE, which
 *       stores its instance verbatim, nulls included); go-threads would leave those untouched.</li>
 *   <li>Every value the patch sets is null-free (no null members inside), so the only nulls in an emitted patch
 *       are deletion markers and null array elements. go-threads (evanphx/json-patch v4.5.0) prunes nulls inside
 *       values it inserts, where RFC 7396 keeps them; null-free values make the two agree on every patch Weft
 *       emits. The one remaining difference: v4.5.0 also drops {@code null} array elements in most inserted
 *       arrays, which RFC 7396 (and Weft) keep.</li>
 * </ul>
 * Replacing an instance with a document that holds explicit nulls is thus not possible with a SAVE; a delete
 * followed by a create in a later transaction is.
 *
 * <h2>Validation</h2>
 * {@link #decode} rejects, with {@link InvalidInputException} and a message that names the patch index but never
 * document contents: bodies larger than {@link #maxBodyBytes()}; anything {@link DagCbor#decode} rejects; missing,
 * extra or wrong-typed fields at any level; an empty {@code patches} list; unknown {@code type}s; a
 * {@code timestamp} outside int64; empty {@code iD} or {@code collectionName}; {@code iD != instanceID}; a create
 * or save without {@code jSONPatch}, a delete with one; patches larger than {@link #maxPatchBytes()}; patch bytes
 * that are not exactly one JSON value in strict UTF-8 (no byte-order mark, comments, trailing data, duplicate
 * member names, NaN, strings or member names with unpaired surrogate escapes, or nesting deeper than
 * {@link #MAX_JSON_DEPTH}); a patch that is not a JSON object; a create
 * whose {@code _id} is not the instance id as a string; a save that sets {@code _id} to anything but the instance
 * id (or deletes it). {@link #encode} checks its input against the same rules (after serializing each payload it
 * validates it as {@code decode} would), so it never produces a body that Weft peers reject.
 *
 * <h2>Apply</h2>
 * CREATE gives the patch document (a fresh node; {@code before} is ignored: whether a create over an existing
 * instance is a conflict is the db's decision); SAVE gives the RFC 7396 merge of the patch over {@code before}, or
 * over {@code {}} if {@code before} is {@code null} as go-threads does (the result then has only the patch's members
 * and may lack {@code _id}; again the db decides whether to accept a save of a missing instance); DELETE gives
 * {@code null}. {@code apply} never modifies {@code before} or the event and never returns nodes shared with them.
 *
 * <h2>Numbers</h2>
 * Integers keep their exact value; other numbers are read as IEEE doubles. go-threads peers read every number as
 * a float64, so they round integers beyond 2^53 (such as {@code _mod} nanosecond times) when they apply a save.
 *
 * <p><b>Why the merge patch code is hand-written</b>: Jackson has no merge-patch support, and the candidate
 * libraries are not OSGi bundles, are unmaintained, or bring a second JSON model; see {@link MergePatch} (about 100
 * lines).
 *
 * <p>Registered as an OSGi service with {@code weft.codec=jsonpatch}, and for {@link java.util.ServiceLoader} in
 * {@code META-INF/services/io.weft.api.db.spi.EventCodec}. Stateless and thread-safe.
 */
@Component(service = EventCodec.class, property = "weft.codec=" + JsonPatchCodec.NAME)
public final class JsonPatchCodec implements EventCodec {

    /** The codec name, the value of the {@code weft.codec} service property. */
    public static final String NAME = "jsonpatch";
    /** Default largest body {@link #decode} accepts and {@link #encode} produces: 16 MiB. */
    public static final int DEFAULT_MAX_BODY_BYTES = 16 << 20;
    /** Default largest {@code jSONPatch} (one instance or one merge patch, UTF-8 bytes): 1 MiB. */
    public static final int DEFAULT_MAX_PATCH_BYTES = 1 << 20;
    /** Deepest nesting of JSON objects and arrays in an instance or patch (the top-level object is depth 1). */
    public static final int MAX_JSON_DEPTH = 1000;

    private static final String PATCHES = "patches";
    private static final String ID = "iD";
    private static final String COLLECTION = "collectionName";
    private static final String TIMESTAMP = "timestamp";
    private static final String PATCH = "patch";
    private static final String TYPE = "type";
    private static final String INSTANCE_ID = "instanceID";
    private static final String JSON_PATCH = "jSONPatch";
    private static final Set<String> EVENT_KEYS = Set.of(ID, COLLECTION, TIMESTAMP, PATCH);
    private static final Set<String> PATCH_KEYS = Set.of(TYPE, INSTANCE_ID, JSON_PATCH);
    private static final String INSTANCE_ID_FIELD = "_id";

    private static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_JSON_DEPTH).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final int maxBodyBytes;
    private final int maxPatchBytes;

    /** A codec with the default limits ({@link #DEFAULT_MAX_BODY_BYTES}, {@link #DEFAULT_MAX_PATCH_BYTES}). */
    public JsonPatchCodec() {
        this(DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_PATCH_BYTES);
    }

    /**
     * A codec with other limits. Peers of one thread should use the same limits: a body one peer writes and
     * another rejects leaves that peer unable to follow the log.
     *
     * @param maxBodyBytes  largest encoded body, in bytes
     * @param maxPatchBytes largest {@code jSONPatch}, in bytes; at most {@code maxBodyBytes}
     */
    public JsonPatchCodec(int maxBodyBytes, int maxPatchBytes) {
        if (maxBodyBytes <= 0 || maxPatchBytes <= 0 || maxPatchBytes > maxBodyBytes) {
            throw new IllegalArgumentException("jsonpatch: limits must be positive, patch limit <= body limit");
        }
        this.maxBodyBytes = maxBodyBytes;
        this.maxPatchBytes = maxPatchBytes;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The largest body accepted and produced, in bytes. */
    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    /** The largest {@code jSONPatch} accepted and produced, in bytes. */
    public int maxPatchBytes() {
        return maxPatchBytes;
    }

    // ================================================================== encode

    /**
     * {@inheritDoc}
     *
     * <p>CREATE and SAVE need {@code after} to be a JSON object (only JSON node types, finite numbers) whose
     * {@code _id} is the instance id; SAVE needs {@code before} to be an object. The SAVE patch follows the null
     * rule in the class description.
     *
     * @throws InvalidInputException if {@code actions} is empty or any action breaks these rules or the limits
     */
    @Override
    public byte[] encode(List<Action> actions, long time) {
        if (actions == null || actions.isEmpty()) {
            throw new InvalidInputException("jsonpatch: a body needs at least one action");
        }
        List<CborValue> patches = new ArrayList<>(actions.size());
        for (int i = 0; i < actions.size(); i++) {
            Action a = actions.get(i);
            String where = "jsonpatch: action " + i;
            if (a == null) {
                throw new InvalidInputException(where + " is null");
            }
            if (a.collection().isEmpty() || a.instanceId().isEmpty()) {
                throw new InvalidInputException(where + ": empty collection name or instance id");
            }
            byte[] payload = switch (a.type()) {
                case CREATE -> {
                    checkInstance(where, a.after(), a.instanceId());
                    yield write(where, a.after());
                }
                case SAVE -> {
                    checkInstance(where, a.after(), a.instanceId());
                    if (!a.before().isObject()) {
                        throw new InvalidInputException(where + ": the instance before a save is not a JSON object");
                    }
                    yield write(where, MergePatch.diff((ObjectNode) a.before(), (ObjectNode) a.after()));
                }
                case DELETE -> null;
            };
            if (payload != null) {
                parsePayload(where, a.type(), a.instanceId(), payload); // never emit what decode would reject
            }
            patches.add(CborValue.map(
                    ID, CborValue.text(a.instanceId()),
                    COLLECTION, CborValue.text(a.collection()),
                    TIMESTAMP, CborValue.integer(time),
                    PATCH, CborValue.map(
                            TYPE, CborValue.integer(a.type().code()),
                            INSTANCE_ID, CborValue.text(a.instanceId()),
                            JSON_PATCH, payload == null ? CborValue.NULL : CborValue.bytes(payload))));
        }
        byte[] body = DagCbor.encode(CborValue.map(PATCHES, CborValue.list(patches)));
        if (body.length > maxBodyBytes) {
            throw new InvalidInputException("jsonpatch: body of " + body.length + " bytes exceeds the limit of "
                    + maxBodyBytes + " bytes; split the transaction");
        }
        return body;
    }

    /** {@code after} must be a JSON object with the instance id, holding only JSON values. */
    private static void checkInstance(String where, JsonNode after, String instanceId) {
        if (!after.isObject()) {
            throw new InvalidInputException(where + ": the instance is not a JSON object");
        }
        JsonNode id = after.get(INSTANCE_ID_FIELD);
        if (id == null || !id.isTextual() || !id.textValue().equals(instanceId)) {
            throw new InvalidInputException(where + ": the instance's _id is not the action's instance id");
        }
        checkJson(where, after, 1);
    }

    /**
     * {@code node} holds only JSON values (no binary, POJO or missing nodes), finite numbers, strings and member
     * names without unpaired surrogates (JSON can carry those only as escapes, which Go peers replace with
     * U+FFFD), and nests at most {@link #MAX_JSON_DEPTH} deep.
     */
    private static void checkJson(String where, JsonNode node, int depth) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                checkDepth(where, depth);
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    checkText(where, e.getKey());
                    checkJson(where, e.getValue(), depth + 1);
                }
            }
            case ARRAY -> {
                checkDepth(where, depth);
                for (JsonNode child : node) {
                    checkJson(where, child, depth + 1);
                }
            }
            case NUMBER -> {
                if (node.isFloatingPointNumber() && !node.isBigDecimal() && !Double.isFinite(node.doubleValue())) {
                    throw new InvalidInputException(where + ": a document holds NaN or an infinity, which JSON cannot");
                }
            }
            case STRING -> checkText(where, node.textValue());
            case BOOLEAN, NULL -> {
            }
            default -> throw new InvalidInputException(where + ": a document holds a " + node.getNodeType()
                    + " node, which is not a JSON value");
        }
    }

    private static void checkDepth(String where, int depth) {
        if (depth > MAX_JSON_DEPTH) {
            throw new InvalidInputException(where + ": a document nests deeper than " + MAX_JSON_DEPTH);
        }
    }

    private static void checkText(String where, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    throw new InvalidInputException(where + ": a document holds a string with an unpaired surrogate");
                }
            }
        }
    }

    private byte[] write(String where, JsonNode node) {
        byte[] out;
        try {
            out = JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(where + ": the instance cannot be written as JSON");
        }
        if (out.length > maxPatchBytes) {
            throw new InvalidInputException(where + ": patch of " + out.length + " bytes exceeds the limit of "
                    + maxPatchBytes + " bytes");
        }
        return out;
    }

    // ================================================================== decode

    @Override
    public List<CodecEvent> decode(byte[] body) {
        if (body == null) {
            throw new InvalidInputException("jsonpatch: body is required");
        }
        if (body.length > maxBodyBytes) {
            throw new InvalidInputException("jsonpatch: body of " + body.length + " bytes exceeds the limit of "
                    + maxBodyBytes + " bytes");
        }
        CborValue root;
        try {
            root = DagCbor.decode(body);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("jsonpatch: body is not canonical dag-cbor: " + e.getMessage(), e);
        }
        MapValue top = fields("jsonpatch: body", root, Set.of(PATCHES));
        if (!(top.entries().get(PATCHES) instanceof ListValue list)) {
            throw new InvalidInputException("jsonpatch: body field patches is not a list");
        }
        if (list.size() == 0) {
            throw new InvalidInputException("jsonpatch: body has no patches");
        }
        List<CodecEvent> events = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            events.add(event("jsonpatch: patch " + i, list.items().get(i)));
        }
        return List.copyOf(events);
    }

    private CodecEvent event(String where, CborValue value) {
        Map<String, CborValue> e = fields(where, value, EVENT_KEYS).entries();
        String id = text(where, e, ID);
        String collection = text(where, e, COLLECTION);
        if (!(e.get(TIMESTAMP) instanceof IntValue timestamp)) {
            throw new InvalidInputException(where + ": field timestamp is not an int64");
        }
        Map<String, CborValue> p = fields(where + " patch", e.get(PATCH), PATCH_KEYS).entries();
        if (!(p.get(TYPE) instanceof IntValue typeCode)) {
            throw new InvalidInputException(where + ": field patch.type is not an integer");
        }
        ChangeType type = ChangeType.ofCode(typeCode.value());
        if (type == null) {
            throw new InvalidInputException(where + ": unknown patch type " + typeCode.value());
        }
        if (!text(where, p, INSTANCE_ID).equals(id)) {
            throw new InvalidInputException(where + ": iD and patch.instanceID differ");
        }
        byte[] payload;
        CborValue jp = p.get(JSON_PATCH);
        if (jp instanceof BytesValue bytes) {
            payload = bytes.value();
        } else if (jp instanceof NullValue) {
            payload = null;
        } else {
            throw new InvalidInputException(where + ": field patch.jSONPatch is neither bytes nor null");
        }
        parsePayload(where, type, id, payload);
        return new CodecEvent(type, collection, id, timestamp.value(), payload);
    }

    /** {@code value} as a map with exactly {@code keys}. */
    private static MapValue fields(String where, CborValue value, Set<String> keys) {
        if (!(value instanceof MapValue map)) {
            throw new InvalidInputException(where + " is not a map");
        }
        for (String k : keys) {
            if (!map.entries().containsKey(k)) {
                throw new InvalidInputException(where + ": field " + k + " is missing");
            }
        }
        if (map.size() != keys.size()) {
            throw new InvalidInputException(where + ": has " + (map.size() - keys.size()) + " unknown field(s)");
        }
        return map;
    }

    private static String text(String where, Map<String, CborValue> fields, String key) {
        if (!(fields.get(key) instanceof TextValue t)) {
            throw new InvalidInputException(where + ": field " + key + " is not a text string");
        }
        if (t.value().isEmpty()) {
            throw new InvalidInputException(where + ": field " + key + " is empty");
        }
        return t.value();
    }

    // ================================================================== apply

    /**
     * {@inheritDoc}
     *
     * <p>The event's payload is validated as {@link #decode} does, so events built by hand are held to the same
     * rules.
     *
     * @throws InvalidInputException if the event's payload breaks the rules in the class description
     */
    @Override
    public JsonNode apply(CodecEvent event, JsonNode before) {
        if (event == null) {
            throw new InvalidInputException("jsonpatch: event is required");
        }
        String where = "jsonpatch: event";
        JsonNode patch = parsePayload(where, event.type(), event.instanceId(), event.payload());
        return switch (event.type()) {
            case CREATE -> patch;
            case SAVE -> MergePatch.apply(before, patch);
            case DELETE -> null;
        };
    }

    // ================================================================== payloads

    /**
     * Checks an event's {@code jSONPatch} against its type and returns it parsed (a fresh node), or {@code null} for a
     * delete.
     */
    private JsonNode parsePayload(String where, ChangeType type, String instanceId, byte[] payload) {
        if (type == ChangeType.DELETE) {
            if (payload != null) {
                throw new InvalidInputException(where + ": a delete carries a patch (jSONPatch must be null)");
            }
            return null;
        }
        if (payload == null) {
            throw new InvalidInputException(where + ": a " + type + " has no patch");
        }
        if (payload.length > maxPatchBytes) {
            throw new InvalidInputException(where + ": patch of " + payload.length + " bytes exceeds the limit of "
                    + maxPatchBytes + " bytes");
        }
        JsonNode node = parseJson(where, payload);
        if (!node.isObject()) {
            throw new InvalidInputException(where + ": the " + type + " patch is not a JSON object");
        }
        JsonNode id = node.get(INSTANCE_ID_FIELD);
        boolean idOk = type == ChangeType.CREATE
                ? id != null && id.isTextual() && id.textValue().equals(instanceId)
                : id == null || id.isTextual() && id.textValue().equals(instanceId);
        if (!idOk) {
            throw new InvalidInputException(where + (type == ChangeType.CREATE
                    ? ": the created instance's _id is not the event's instance id"
                    : ": the save patch changes or deletes _id"));
        }
        return node;
    }

    /** Exactly one JSON value in strict UTF-8. The message gives the position only, never the content. */
    private static JsonNode parseJson(String where, byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidInputException(where + ": patch is not valid UTF-8");
        }
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            throw new InvalidInputException(where + ": patch starts with a byte-order mark");
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            throw new InvalidInputException(where + ": patch is not a single valid JSON value within the limits"
                    + (loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")"));
        }
        if (node == null || node.isMissingNode()) {
            throw new InvalidInputException(where + ": patch is empty");
        }
        checkJson(where, node, 1);
        return node;
    }
}
