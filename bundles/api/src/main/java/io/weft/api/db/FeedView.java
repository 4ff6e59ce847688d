package io.weft.api.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * An append-only feed view of one collection (paper §5.2): entries are appended, never changed, and read in order
 * with a cursor. Each entry is an instance {@code {"_id": id, "entry": value}} whose id is a monotonic lower-case
 * ULID made by the appender: 48 bits of milliseconds then 80 bits that are random for a new millisecond and
 * incremented within one, so one appender's entries are strictly ordered and entries of different peers interleave
 * by their (wall-clock) time. The feed order is id order, the same on every peer.
 *
 * <pre>{@code
 * FeedView chat = FeedView.open(db, "Chat");
 * String id = chat.append(message);
 * List<FeedView.Entry> page = chat.read(null, 50);        // the first 50
 * List<FeedView.Entry> next = chat.read(page.get(49).id(), 50);
 * db.listen(db.lastSequence(), List.of(ListenFilter.collection("Chat")), change -> …); // push
 * }</pre>
 */
public final class FeedView {
    /** The schema of a feed collection. */
    public static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"_id\":{\"type\":\"string\"},"
            + "\"entry\":{}},\"required\":[\"entry\"]}";

    private static final char[] DIGITS = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One feed entry. */
    public record Entry(String id, JsonNode value) {
    }

    private final Database db;
    private final String collection;
    private long lastMillis = -1;
    private final byte[] lastRandom = new byte[10];

    private FeedView(Database db, String collection) {
        this.db = db;
        this.collection = collection;
    }

    /** The view over {@code collection}, which is created (with {@link #SCHEMA}) if it does not exist. */
    public static FeedView open(Database db, String collection) {
        try {
            db.collection(collection);
        } catch (NotFoundException e) {
            try {
                db.newCollection(new CollectionConfig(collection, new ObjectMapper().readTree(SCHEMA)));
            } catch (com.fasterxml.jackson.core.JsonProcessingException x) {
                throw new IllegalStateException(x);
            } catch (io.weft.api.ConflictException raced) {
                // created meanwhile
            }
        }
        return new FeedView(db, collection);
    }

    /** Appends an entry; returns its id. */
    public String append(JsonNode value) {
        if (value == null) {
            throw new InvalidInputException("feed view: the entry is required");
        }
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("_id", nextId());
        n.set("entry", value);
        return db.write(t -> t.create(collection, n));
    }

    /** Appends several entries in one transaction; returns their ids in order. */
    public List<String> appendAll(List<? extends JsonNode> values) {
        List<ObjectNode> nodes = new ArrayList<>();
        for (JsonNode v : values) {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.put("_id", nextId());
            n.set("entry", v);
            nodes.add(n);
        }
        return db.write(t -> t.createMany(collection, nodes));
    }

    /** Up to {@code limit} entries after the entry {@code afterId} ({@code null}: from the start), in feed order. */
    public List<Entry> read(String afterId, int limit) {
        if (limit < 1) {
            throw new InvalidInputException("feed view: limit must be at least 1");
        }
        Query q = afterId == null ? Query.all().limit(limit) : Query.all().limit(limit).seek(afterId);
        List<Entry> out = new ArrayList<>();
        for (ObjectNode n : db.read(t -> t.find(collection, q))) {
            out.add(new Entry(n.get("_id").textValue(), n.get("entry")));
        }
        return out;
    }

    /** A monotonic ULID. */
    synchronized String nextId() {
        long ms = System.currentTimeMillis();
        if (ms > lastMillis) {
            lastMillis = ms;
            RANDOM.nextBytes(lastRandom);
            lastRandom[0] &= 0x7F; // room to increment
        } else {
            for (int i = lastRandom.length - 1; i >= 0 && ++lastRandom[i] == 0; i--) {
                // carry
            }
        }
        long hi = (lastMillis & 0xFFFF_FFFF_FFFFL) << 16 | (lastRandom[0] & 0xFFL) << 8 | lastRandom[1] & 0xFFL;
        long lo = 0;
        for (int i = 2; i < 10; i++) {
            lo = lo << 8 | lastRandom[i] & 0xFFL;
        }
        char[] out = new char[26];
        for (int i = 25; i >= 0; i--) {
            out[i] = DIGITS[(int) (lo & 31)];
            lo = lo >>> 5 | (hi & 31) << 59;
            hi >>>= 5;
        }
        return new String(out);
    }
}
