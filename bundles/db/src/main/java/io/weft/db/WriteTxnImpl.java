package io.weft.db;

import static io.weft.db.CollectionDocs.COLLECTIONS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import io.weft.api.ConflictException;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.UnauthorizedException;
import io.weft.api.WeftException;
import io.weft.api.db.ChangeType;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.Query;
import io.weft.api.db.WriteProblem;
import io.weft.api.db.WriteProblem.Kind;
import io.weft.api.db.WriteTransaction;
import io.weft.api.db.spi.Action;
import io.weft.api.db.spi.WriteValidator;
import io.weft.api.store.ReadTxn;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A write transaction: pending changes in memory, checked as they are made (shape, size, schema, duplicate ids,
 * write validator), committed as one record by {@link Db#commit}. Holds the database's write lock from creation to
 * commit or close, unless it is a detached verifier ({@link #detached}). Any failing write discards the whole
 * transaction.
 */
final class WriteTxnImpl implements WriteTransaction {
    /** The longest accepted instance id, in UTF-8 bytes. */
    static final int MAX_ID_BYTES = 1024;

    private final Db db;
    private final boolean locked;
    /** The client this transaction writes for, or {@code null} for this peer's own identity. */
    private final io.weft.api.crypto.PublicKey writer;
    private final LinkedHashMap<InstanceRef, Pending> pending = new LinkedHashMap<>();
    private final java.util.Set<InstanceRef> purges = new java.util.LinkedHashSet<>();
    private volatile boolean done;
    private String endedBecause;

    /** A pending change: the committed (raw) state, the state after this transaction, how it began. */
    private static final class Pending {
        final ObjectNode committed;
        ObjectNode after;
        boolean savedMissing;

        Pending(ObjectNode committed) {
            this.committed = committed;
            this.after = committed;
        }
    }

    /** A problem found while checking a write: thrown inside, reported by verify, converted for writers. */
    private static final class Problem extends RuntimeException {
        final WriteProblem problem;

        Problem(WriteProblem problem) {
            super(problem.message(), null, false, false);
            this.problem = problem;
        }
    }

    WriteTxnImpl(Db db) {
        this(db, null);
    }

    /** A transaction (its caller holds the write lock) that writes for {@code writer} ({@code null}: this peer). */
    WriteTxnImpl(Db db, io.weft.api.crypto.PublicKey writer) {
        this(db, true, writer);
    }

    private WriteTxnImpl(Db db, boolean locked, io.weft.api.crypto.PublicKey writer) {
        this.db = db;
        this.locked = locked;
        this.writer = writer;
    }

    /** A transaction that holds no lock and can only verify (for {@code Collection.verify}). */
    static WriteTxnImpl detached(Db db) {
        return new WriteTxnImpl(db, false, null);
    }

    // ================================================================== lifecycle

    private void usable() {
        if (done) {
            throw new InvalidInputException("write transaction is " + (endedBecause == null ? "closed" : endedBecause));
        }
        db.ensureOpen();
    }

    private <T> T guard(Function<Void, T> op) {
        usable();
        try {
            return op.apply(null);
        } catch (Problem p) {
            abort("rolled back: " + p.getMessage());
            throw p.problem.toException();
        } catch (RuntimeException e) {
            abort("rolled back: " + e.getMessage());
            throw e;
        }
    }

    private void abort(String why) {
        if (!done) {
            done = true;
            endedBecause = why;
            pending.clear();
            purges.clear();
            release();
        }
    }

    private void release() {
        if (locked) {
            db.unlockWrite();
        }
    }

    @Override
    public void commit() {
        usable();
        if (!locked) {
            throw new InvalidInputException("this transaction can only verify");
        }
        done = true;
        endedBecause = "committed";
        try {
            db.commit(actions(pending), purges, writer);
        } finally {
            pending.clear();
            purges.clear();
            release();
        }
    }

    @Override
    public void close() {
        if (!done) {
            done = true;
            endedBecause = "closed";
            pending.clear();
            purges.clear();
            release();
        }
    }

    /** The actions of the pending changes, in the order instances were first touched. */
    private static List<Action> actions(Map<InstanceRef, Pending> pending) {
        List<Action> out = new ArrayList<>();
        for (Map.Entry<InstanceRef, Pending> en : pending.entrySet()) {
            InstanceRef ref = en.getKey();
            Pending p = en.getValue();
            if (p.committed == null && p.after == null) {
                continue;
            }
            if (p.committed == null) {
                out.add(p.savedMissing
                        ? new Action(ChangeType.SAVE, ref.collection(), ref.id(), Json.object(), p.after)
                        : new Action(ChangeType.CREATE, ref.collection(), ref.id(), null, p.after));
            } else if (p.after == null) {
                out.add(new Action(ChangeType.DELETE, ref.collection(), ref.id(), p.committed, null));
            } else {
                out.add(new Action(ChangeType.SAVE, ref.collection(), ref.id(), p.committed, p.after));
            }
        }
        return out;
    }

    // ================================================================== checks

    private CollectionConfig collection(String collection) {
        try {
            if (collection != null && collection.equals(COLLECTIONS)) {
                throw new NotFoundException("collection " + collection + " is reserved");
            }
            return db.requireCollection(collection);
        } catch (NotFoundException e) {
            throw new Problem(new WriteProblem(String.valueOf(collection), null, Kind.UNKNOWN_COLLECTION, e.getMessage()));
        }
    }

    private static Problem problem(String collection, String id, Kind kind, String message) {
        return new Problem(new WriteProblem(collection, id, kind, message));
    }

    /**
     * The instance a write would store (a copy of {@code instance} with its id, and a provisional {@code _mod}),
     * checked for shape, id, size and schema.
     */
    private ObjectNode prepare(CollectionConfig cfg, JsonNode instance, boolean create) {
        String c = cfg.name();
        if (instance == null || !instance.isObject()) {
            throw problem(c, null, Kind.INVALID_JSON, "an instance must be a JSON object");
        }
        ObjectNode doc = ((ObjectNode) instance).deepCopy();
        JsonNode idNode = doc.get("_id");
        String id;
        if (idNode == null || idNode.isNull() || idNode.isTextual() && idNode.textValue().isEmpty()) {
            if (!create) {
                throw problem(c, null, Kind.INVALID_JSON, "an instance to save needs its _id");
            }
            id = db.newId();
        } else if (!idNode.isTextual()) {
            throw problem(c, null, Kind.INVALID_JSON, "_id must be a string");
        } else {
            id = idNode.textValue();
            if (id.getBytes(StandardCharsets.UTF_8).length > MAX_ID_BYTES) {
                throw problem(c, null, Kind.INVALID_JSON, "_id is longer than " + MAX_ID_BYTES + " bytes");
            }
        }
        // _id first, as go-threads writes it; then a provisional _mod (the commit sets the real one)
        ObjectNode out = Json.object();
        out.put("_id", id);
        doc.remove("_id");
        out.setAll(doc);
        out.put("_mod", db.hlc.last());
        int size = Json.bytes(out).length;
        if (size > db.config().maxDocumentBytes()) {
            throw problem(c, id, Kind.TOO_LARGE, "instance " + c + "/" + id + " is " + size
                    + " bytes; the limit is " + db.config().maxDocumentBytes());
        }
        Schema schema;
        try {
            schema = db.schemas().compile(cfg.schema());
        } catch (InvalidInputException e) {
            throw problem(c, id, Kind.SCHEMA, "collection " + c + " has a schema that does not compile: " + e.getMessage());
        }
        List<String> errors = Schemas.validate(schema, out);
        if (!errors.isEmpty()) {
            throw problem(c, id, Kind.SCHEMA, "instance " + c + "/" + id + " does not match the schema: "
                    + String.join("; ", errors));
        }
        return out;
    }

    private void validate(CollectionConfig cfg, ChangeType type, String id, ObjectNode before, ObjectNode after) {
        WriteValidator v;
        try {
            v = db.validator(cfg);
        } catch (UnauthorizedException e) {
            throw problem(cfg.name(), id, Kind.REJECTED, e.getMessage());
        }
        if (v == null) {
            return;
        }
        String reason = v.validate(db.writerKey(writer), cfg.name(), type,
                before == null ? null : before.deepCopy(), after == null ? null : after.deepCopy());
        if (reason != null) {
            throw problem(cfg.name(), id, Kind.REJECTED, "write validator " + cfg.writeValidator() + " rejected "
                    + type.name().toLowerCase() + " of " + cfg.name() + "/" + id + ": " + reason);
        }
    }

    /** The state of an instance as this transaction sees it (raw, unfiltered). */
    private ObjectNode current(Map<InstanceRef, Pending> pend, InstanceRef ref) {
        Pending p = pend.get(ref);
        if (p != null) {
            return p.after;
        }
        return db.manager.store().read(txn -> db.dispatcher.state(txn, ref));
    }

    private Pending entry(Map<InstanceRef, Pending> pend, InstanceRef ref) {
        Pending p = pend.get(ref);
        if (p == null) {
            p = new Pending(db.manager.store().read(txn -> db.dispatcher.state(txn, ref)));
            pend.put(ref, p);
        }
        return p;
    }

    private String doCreate(Map<InstanceRef, Pending> pend, CollectionConfig cfg, JsonNode instance) {
        ObjectNode doc = prepare(cfg, instance, true);
        String id = doc.get("_id").textValue();
        InstanceRef ref = new InstanceRef(cfg.name(), id);
        if (current(pend, ref) != null) {
            throw problem(cfg.name(), id, Kind.DUPLICATE_ID, "instance " + cfg.name() + "/" + id + " already exists");
        }
        validate(cfg, ChangeType.CREATE, id, null, doc);
        entry(pend, ref).after = doc;
        return id;
    }

    private void doSave(Map<InstanceRef, Pending> pend, CollectionConfig cfg, JsonNode instance) {
        ObjectNode doc = prepare(cfg, instance, false);
        String id = doc.get("_id").textValue();
        InstanceRef ref = new InstanceRef(cfg.name(), id);
        ObjectNode before = current(pend, ref);
        validate(cfg, before == null ? ChangeType.CREATE : ChangeType.SAVE, id, before, doc);
        Pending p = entry(pend, ref);
        if (before == null && p.committed == null) {
            p.savedMissing = true;
        }
        p.after = doc;
    }

    private void doDelete(Map<InstanceRef, Pending> pend, CollectionConfig cfg, String id) {
        if (id == null || id.isEmpty()) {
            throw problem(cfg.name(), null, Kind.INVALID_JSON, "instance id is required");
        }
        InstanceRef ref = new InstanceRef(cfg.name(), id);
        ObjectNode before = current(pend, ref);
        if (before == null) {
            return; // as go-threads: deleting a missing instance does nothing
        }
        validate(cfg, ChangeType.DELETE, id, before, null);
        entry(pend, ref).after = null;
    }

    private static <T> List<T> list(List<T> l, String what) {
        if (l == null) {
            throw new InvalidInputException(what + " are required");
        }
        return l;
    }

    // ================================================================== writes

    @Override
    public String create(String collection, JsonNode instance) {
        return guard(x -> doCreate(pending, collection(collection), instance));
    }

    @Override
    public String create(String collection, String json) {
        return guard(x -> {
            CollectionConfig cfg = collection(collection);
            return doCreate(pending, cfg, parse(cfg, json));
        });
    }

    @Override
    public List<String> createMany(String collection, List<? extends JsonNode> instances) {
        return guard(x -> {
            CollectionConfig cfg = collection(collection);
            List<String> ids = new ArrayList<>();
            for (JsonNode n : list(instances, "instances")) {
                ids.add(doCreate(pending, cfg, n));
            }
            return ids;
        });
    }

    @Override
    public void save(String collection, JsonNode instance) {
        guard(x -> {
            doSave(pending, collection(collection), instance);
            return null;
        });
    }

    @Override
    public void save(String collection, String json) {
        guard(x -> {
            CollectionConfig cfg = collection(collection);
            doSave(pending, cfg, parse(cfg, json));
            return null;
        });
    }

    @Override
    public void saveMany(String collection, List<? extends JsonNode> instances) {
        guard(x -> {
            CollectionConfig cfg = collection(collection);
            for (JsonNode n : list(instances, "instances")) {
                doSave(pending, cfg, n);
            }
            return null;
        });
    }

    @Override
    public void delete(String collection, String id) {
        guard(x -> {
            doDelete(pending, collection(collection), id);
            return null;
        });
    }

    @Override
    public void deleteMany(String collection, List<String> ids) {
        guard(x -> {
            CollectionConfig cfg = collection(collection);
            for (String id : list(ids, "ids")) {
                doDelete(pending, cfg, id);
            }
            return null;
        });
    }

    @Override
    public void purge(String collection, String id) {
        guard(x -> {
            CollectionConfig cfg = collection(collection);
            doDelete(pending, cfg, id);
            purges.add(new InstanceRef(cfg.name(), id));
            return null;
        });
    }

    private static ObjectNode parse(CollectionConfig cfg, String json) {
        try {
            return Json.parseObject(json);
        } catch (InvalidInputException e) {
            throw problem(cfg.name(), null, Kind.INVALID_JSON, e.getMessage());
        }
    }

    // ================================================================== verify

    @Override
    public List<WriteProblem> verify(String collection, List<? extends JsonNode> instances) {
        usable();
        list(instances, "instances");
        CollectionConfig cfg;
        try {
            cfg = collection(collection);
        } catch (Problem p) {
            return List.of(p.problem);
        }
        // a scratch copy of the pending changes: verify never changes the transaction
        LinkedHashMap<InstanceRef, Pending> scratch = new LinkedHashMap<>();
        for (Map.Entry<InstanceRef, Pending> en : pending.entrySet()) {
            Pending p = new Pending(en.getValue().committed);
            p.after = en.getValue().after;
            p.savedMissing = en.getValue().savedMissing;
            scratch.put(en.getKey(), p);
        }
        List<WriteProblem> problems = new ArrayList<>();
        for (JsonNode n : instances) {
            try {
                doSave(scratch, cfg, n);
            } catch (Problem p) {
                problems.add(p.problem);
            } catch (WeftException e) {
                problems.add(new WriteProblem(cfg.name(), idOf(n), Kind.INVALID_JSON, e.getMessage()));
            }
        }
        if (problems.isEmpty()) {
            try {
                db.dryRun(actions(scratch));
            } catch (ConflictException e) {
                problems.add(new WriteProblem(cfg.name(), null, Kind.UNIQUE_INDEX, e.getMessage()));
            } catch (InvalidInputException e) {
                problems.add(new WriteProblem(cfg.name(), null, Kind.INVALID_JSON, e.getMessage()));
            }
        }
        return problems;
    }

    private static String idOf(JsonNode n) {
        JsonNode id = n == null ? null : n.get("_id");
        return id != null && id.isTextual() ? id.textValue() : null;
    }

    // ================================================================== reads

    private Map<String, ObjectNode> pendingOf(String collection) {
        Map<String, ObjectNode> out = new HashMap<>();
        for (Map.Entry<InstanceRef, Pending> en : pending.entrySet()) {
            if (en.getKey().collection().equals(collection)) {
                out.put(en.getKey().id(), en.getValue().after);
            }
        }
        return out;
    }

    private <T> T read(String collection, java.util.function.BiFunction<CollectionConfig, OverlaySource, T> work) {
        usable();
        try (ReadTxn txn = db.manager.store().beginRead()) {
            CollectionConfig cfg = db.requireCollection(txn, collection);
            OverlaySource src = new OverlaySource(new SnapshotSource(txn, db.id, cfg), pendingOf(collection));
            return work.apply(cfg, src);
        }
    }

    @Override
    public boolean has(String collection, String id) {
        return read(collection, (cfg, s) -> Reads.get(db, writer, cfg, s, id) != null);
    }

    @Override
    public boolean hasAll(String collection, List<String> ids) {
        return read(collection, (cfg, s) -> Reads.hasAll(db, writer, cfg, s, ids));
    }

    @Override
    public ObjectNode findById(String collection, String id) {
        return read(collection, (cfg, s) -> Reads.require(db, writer, cfg, s, id));
    }

    @Override
    public List<ObjectNode> findByIds(String collection, List<String> ids) {
        return read(collection, (cfg, s) -> Reads.requireAll(db, writer, cfg, s, ids));
    }

    @Override
    public List<ObjectNode> find(String collection, Query query) {
        return read(collection, (cfg, s) -> Reads.find(db, writer, cfg, s, query));
    }
}
