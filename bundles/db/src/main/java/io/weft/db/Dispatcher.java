package io.weft.db;

import static io.weft.db.CollectionDocs.COLLECTIONS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.ConflictException;
import io.weft.api.CorruptDataException;
import io.weft.api.db.ChangeType;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.IndexConfig;
import io.weft.api.db.spi.CodecEvent;
import io.weft.api.db.spi.EventCodec;
import io.weft.api.store.Cursor;
import io.weft.api.store.Entry;
import io.weft.api.store.KeyRange;
import io.weft.api.store.ReadTxn;
import io.weft.api.store.WriteTxn;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.db.query.IndexKeys;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single path by which events change a database (paper §4.1.3), for local and remote records alike: it gets a
 * record's decoded events plus where the record sits (log id, position in the log), stores every event in its
 * instance's history, and runs the reducers — instance state and indexes — in the caller's store transaction. It
 * never sees whether a record was written here or elsewhere.
 *
 * <h2>Convergence</h2>
 * Events are totally ordered by {@code (time, log id, position in log, index in record)}; {@code time} is the
 * writer's hybrid logical clock. An instance's state is the fold of {@link EventCodec#apply} over its history in that
 * order, starting from "absent", where deleting a collection at some point acts as a delete of each of its instances
 * at that point. An event that sorts after the instance's whole history is applied to the stored state directly; one
 * that sorts earlier (a late arrival from another log) triggers a re-fold of that instance's history. So the state is
 * a function of the set of events alone: every peer holding the same records holds the same state, whatever the
 * arrival order. {@code apply} throwing for an event (a malformed payload) makes that event a no-op, the same way
 * everywhere.
 *
 * <h2>Collections</h2>
 * Collection definitions are instances of {@value CollectionDocs#COLLECTIONS}. An instance is visible (readable,
 * indexed, reported to listeners) while its collection is defined; events for a collection that is not (yet) defined
 * are kept in the history and become visible when a definition arrives. When a definition changes its indexes, or
 * appears or disappears, the collection's indexes are rebuilt from the states (backfill).
 */
final class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final ThreadId db;
    private final CollectionDocs docs;

    Dispatcher(ThreadId db, CollectionDocs docs) {
        this.db = db;
        this.docs = docs;
    }

    /** An event with its place in the total order. */
    record Item(byte[] order, CodecEvent event) {
    }

    /** A visible change of one instance caused by one dispatch. */
    record Transition(InstanceRef ref, ObjectNode before, ObjectNode after) {
        ChangeType type() {
            return before == null ? ChangeType.CREATE : after == null ? ChangeType.DELETE : ChangeType.SAVE;
        }
    }

    /** The outcome of a dispatch. */
    record Result(List<Transition> transitions, Set<InstanceRef> touched, Set<String> redefined) {
    }

    private static final Comparator<byte[]> ORDER = Arrays::compareUnsigned;

    // ================================================================== dispatch

    /**
     * Applies one record's events.
     *
     * @param txn     the store transaction of the record's append
     * @param codec   the database's codec
     * @param log     the record's log
     * @param counter the record's position in its log
     * @param events  the record's events in body order
     */
    Result dispatch(WriteTxn txn, EventCodec codec, LogId log, long counter, List<CodecEvent> events) {
        Map<InstanceRef, List<Item>> byInstance = new LinkedHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            CodecEvent e = events.get(i);
            byInstance.computeIfAbsent(new InstanceRef(e.collection(), e.instanceId()), k -> new ArrayList<>())
                    .add(new Item(DbKeys.eventOrder(e.time(), log, counter, i), e));
        }
        Transitions tr = new Transitions();
        Set<String> redefined = new LinkedHashSet<>();
        // phase 1: collection definitions, so that phase 2 sees the final ones
        for (Map.Entry<InstanceRef, List<Item>> en : byInstance.entrySet()) {
            InstanceRef ref = en.getKey();
            if (!ref.collection().equals(COLLECTIONS)) {
                continue;
            }
            String name = ref.id();
            CollectionConfig before = config(txn, name);
            tr.touch(ref, state(txn, ref));
            boolean addedDelete = applyEvents(txn, codec, ref, en.getValue());
            CollectionConfig after = config(txn, name);
            if (collectionChanged(txn, codec, name, before, after, addedDelete, tr)) {
                redefined.add(name);
            }
        }
        // phase 2: instances
        for (Map.Entry<InstanceRef, List<Item>> en : byInstance.entrySet()) {
            InstanceRef ref = en.getKey();
            if (ref.collection().equals(COLLECTIONS)) {
                continue;
            }
            CollectionConfig cfg = config(txn, ref.collection());
            ObjectNode old = state(txn, ref);
            tr.touch(ref, cfg == null ? null : old);
            applyEvents(txn, codec, ref, en.getValue());
            ObjectNode now = state(txn, ref);
            if (cfg != null) {
                updateIndexes(txn, cfg, ref.id(), old, now);
            }
        }
        return new Result(tr.finish(txn), tr.touchedRefs(), redefined);
    }

    /**
     * Stores the new events of one instance and updates its state; returns whether a delete event was added. The
     * state is advanced incrementally when every new event sorts after the instance's history (and after the last
     * deletion of its collection), and re-folded from the whole history otherwise.
     */
    private boolean applyEvents(WriteTxn txn, EventCodec codec, InstanceRef ref, List<Item> items) {
        items = new ArrayList<>(items);
        items.sort(Comparator.comparing(Item::order, ORDER));
        byte[] prefix = DbKeys.historyPrefix(db, ref.collection(), ref.id());
        byte[] lastOrder = lastOrder(txn, prefix);
        byte[] lastDelete = ref.collection().equals(COLLECTIONS) ? null : lastCollectionDelete(txn, ref.collection());
        List<Item> fresh = new ArrayList<>(items.size());
        boolean addedDelete = false;
        for (Item it : items) {
            byte[] key = concat(prefix, it.order());
            if (txn.has(key)) {
                continue; // already dispatched: idempotent
            }
            txn.put(key, encodeEvent(it.event()));
            fresh.add(it);
            addedDelete |= it.event().type() == ChangeType.DELETE;
        }
        if (fresh.isEmpty()) {
            return false;
        }
        byte[] first = fresh.get(0).order();
        ObjectNode old = state(txn, ref);
        ObjectNode now;
        if ((lastOrder == null || ORDER.compare(first, lastOrder) > 0)
                && (lastDelete == null || ORDER.compare(first, lastDelete) > 0)) {
            now = old;
            for (Item it : fresh) {
                now = apply(codec, it.event(), now);
            }
        } else {
            now = fold(txn, codec, ref);
        }
        putState(txn, ref, old, now);
        return addedDelete;
    }

    /**
     * Reacts to a change of a collection's definition events: re-folds the collection's instances if a delete of
     * the collection was added (it acts on each of them), and rebuilds its indexes if they may differ.
     *
     * @return whether the collection's definition or visibility changed
     */
    private boolean collectionChanged(WriteTxn txn, EventCodec codec, String name, CollectionConfig before,
            CollectionConfig after, boolean addedDelete, Transitions tr) {
        boolean existenceChanged = (before == null) != (after == null);
        boolean indexesChanged = before != null && after != null && !before.indexes().equals(after.indexes());
        if (!existenceChanged && !indexesChanged && !addedDelete) {
            return !Objects.equals(before, after);
        }
        tr.captureCollection(txn, name, before != null);
        if (addedDelete) {
            for (String id : historyIds(txn, name)) {
                InstanceRef ref = new InstanceRef(name, id);
                putState(txn, ref, state(txn, ref), fold(txn, codec, ref));
            }
        }
        rebuildIndexes(txn, name, before, after);
        return true;
    }

    // ================================================================== folding

    private ObjectNode apply(EventCodec codec, CodecEvent e, ObjectNode before) {
        try {
            JsonNode after = codec.apply(e, before);
            if (after == null) {
                return null;
            }
            if (!after.isObject()) {
                LOG.debug("db {}: event {} gives a non-object; ignored", db, e);
                return before;
            }
            return (ObjectNode) after;
        } catch (RuntimeException ex) {
            // a malformed payload: the event is a no-op, identically on every peer
            LOG.debug("db {}: event {} does not apply ({}); ignored", db, e, ex.getMessage());
            return before;
        }
    }

    /**
     * The state of {@code ref} from its whole history (and its collection's deletions). A snapshot base entry (left
     * by compaction or purge) sets the state to what it holds, overriding everything before it.
     */
    ObjectNode fold(ReadTxn txn, EventCodec codec, InstanceRef ref) {
        return fold(txn, codec, ref, null);
    }

    /** The state after the history entries (and collection deletions) up to and including {@code upTo}. */
    private ObjectNode fold(ReadTxn txn, EventCodec codec, InstanceRef ref, byte[] upTo) {
        byte[] prefix = DbKeys.historyPrefix(db, ref.collection(), ref.id());
        KeyRange range = upTo == null ? KeyRange.prefix(prefix)
                : KeyRange.between(prefix, KeyRange.prefixEnd(concat(prefix, upTo)));
        TreeMap<byte[], Object> all = new TreeMap<>(ORDER); // CodecEvent, Base, or DELETED
        try (Cursor c = txn.scan(range)) {
            while (c.hasNext()) {
                Entry en = c.next();
                byte[] order = DbKeys.suffix(en.key(), prefix.length);
                all.put(order, isBase(en.value()) ? decodeBase(en.value())
                        : decodeEvent(ref, DbKeys.orderTime(order), en.value()));
            }
        }
        if (!ref.collection().equals(COLLECTIONS)) {
            for (byte[] del : collectionDeletes(txn, ref.collection())) {
                if (upTo == null || ORDER.compare(del, upTo) <= 0) {
                    all.putIfAbsent(del, DELETED); // the collection was deleted here
                }
            }
        }
        ObjectNode s = null;
        for (Object step : all.values()) {
            if (step == DELETED) {
                s = null;
            } else if (step instanceof Base b) {
                s = b.state() == null ? null : b.state().deepCopy();
            } else {
                s = apply(codec, (CodecEvent) step, s);
            }
        }
        return s;
    }

    private static final Object DELETED = new Object();

    /** A snapshot base: the instance's state at this point of its history ({@code null}: absent). */
    record Base(ObjectNode state) {
    }

    /** Type byte of a snapshot base entry (not a change type code). */
    static final byte BASE = 0x7F;

    static boolean isBase(byte[] v) {
        return v.length > 0 && v[0] == BASE;
    }

    static byte[] encodeBase(ObjectNode state) {
        byte[] json = state == null ? new byte[0] : Json.bytes(state);
        byte[] out = new byte[2 + json.length];
        out[0] = BASE;
        out[1] = (byte) (state == null ? 0 : 1);
        System.arraycopy(json, 0, out, 2, json.length);
        return out;
    }

    static Base decodeBase(byte[] v) {
        if (v.length < 2 || v[1] > 1) {
            throw new CorruptDataException("db: malformed snapshot base");
        }
        return new Base(v[1] == 0 ? null : Json.readStored(Arrays.copyOfRange(v, 2, v.length)));
    }

    // ================================================================== compaction and purge

    /**
     * Replaces the history entries of one instance whose time is before {@code horizon} by one snapshot base entry
     * holding the state at that point (at the position of the last of them). The instance's state is unchanged.
     *
     * @return how many history entries were removed (net)
     */
    long compact(WriteTxn txn, EventCodec codec, InstanceRef ref, long horizon) {
        byte[] prefix = DbKeys.historyPrefix(db, ref.collection(), ref.id());
        List<byte[]> keys = new ArrayList<>();
        byte[] last = null;
        boolean onlyBase = true;
        try (Cursor c = txn.scan(KeyRange.prefix(prefix))) {
            while (c.hasNext()) {
                Entry en = c.next();
                byte[] order = DbKeys.suffix(en.key(), prefix.length);
                if (DbKeys.orderTime(order) >= horizon) {
                    break;
                }
                keys.add(en.key());
                last = order;
                onlyBase &= isBase(en.value());
            }
        }
        if (keys.isEmpty() || keys.size() == 1 && onlyBase) {
            return 0; // nothing to gain
        }
        ObjectNode base = fold(txn, codec, ref, last);
        for (byte[] k : keys) {
            txn.delete(k);
        }
        txn.put(concat(prefix, last), encodeBase(base));
        return keys.size() - 1;
    }

    /**
     * Purges an instance's history: every entry is replaced by one snapshot base "absent" at the position of the last
     * one. Only for an instance that is absent now.
     */
    void purgeHistory(WriteTxn txn, InstanceRef ref) {
        byte[] prefix = DbKeys.historyPrefix(db, ref.collection(), ref.id());
        byte[] last = lastOrder(txn, prefix);
        if (last == null) {
            return;
        }
        txn.deleteRange(KeyRange.prefix(prefix));
        txn.put(concat(prefix, last), encodeBase(null));
    }

    /** The instances with a history, collection by collection (except collection definitions). */
    List<InstanceRef> historyRefs(ReadTxn txn) {
        byte[] prefix = DbKeys.data(db).tag(DbKeys.A_HISTORY).build();
        List<InstanceRef> out = new ArrayList<>();
        InstanceRef last = null;
        try (Cursor c = txn.scan(KeyRange.prefix(prefix))) {
            while (c.hasNext()) {
                byte[] key = c.next().key();
                DbKeys.Reader r = new DbKeys.Reader(key, prefix.length);
                InstanceRef ref = new InstanceRef(r.string(), r.string());
                if (!ref.equals(last)) {
                    if (!ref.collection().equals(COLLECTIONS)) {
                        out.add(ref);
                    }
                    last = ref;
                }
            }
        }
        return out;
    }

    /**
     * Recomputes every state and index from the histories (snapshot bases plus later events), as a new peer with the
     * same history would; returns the transitions (none if the stored states were consistent).
     */
    Result rebuild(WriteTxn txn, EventCodec codec) {
        Transitions tr = new Transitions();
        Set<String> collections = new LinkedHashSet<>();
        // definitions first
        for (String name : historyIds(txn, COLLECTIONS)) {
            InstanceRef ref = new InstanceRef(COLLECTIONS, name);
            tr.touch(ref, state(txn, ref));
            putState(txn, ref, state(txn, ref), fold(txn, codec, ref));
            collections.add(name);
        }
        for (InstanceRef ref : historyRefs(txn)) {
            collections.add(ref.collection());
            CollectionConfig cfg = config(txn, ref.collection());
            ObjectNode old = state(txn, ref);
            tr.touch(ref, cfg == null ? null : old);
            putState(txn, ref, old, fold(txn, codec, ref));
        }
        for (String name : collections) {
            rebuildIndexes(txn, name, null, config(txn, name));
        }
        return new Result(tr.finish(txn), tr.touchedRefs(), new LinkedHashSet<>(collections));
    }

    private List<byte[]> collectionDeletes(ReadTxn txn, String collection) {
        byte[] prefix = DbKeys.historyPrefix(db, COLLECTIONS, collection);
        List<byte[]> out = new ArrayList<>();
        try (Cursor c = txn.scan(KeyRange.prefix(prefix))) {
            while (c.hasNext()) {
                Entry en = c.next();
                if (en.value().length > 0 && en.value()[0] == ChangeType.DELETE.code()) {
                    out.add(DbKeys.suffix(en.key(), prefix.length));
                }
            }
        }
        return out;
    }

    private byte[] lastCollectionDelete(ReadTxn txn, String collection) {
        byte[] prefix = DbKeys.historyPrefix(db, COLLECTIONS, collection);
        try (Cursor c = txn.scan(KeyRange.prefix(prefix), true)) {
            while (c.hasNext()) {
                Entry en = c.next();
                if (en.value().length > 0 && en.value()[0] == ChangeType.DELETE.code()) {
                    return DbKeys.suffix(en.key(), prefix.length);
                }
            }
        }
        return null;
    }

    private static byte[] lastOrder(ReadTxn txn, byte[] prefix) {
        try (Cursor c = txn.scan(KeyRange.prefix(prefix), true)) {
            return c.hasNext() ? DbKeys.suffix(c.next().key(), prefix.length) : null;
        }
    }

    /** The ids of the instances of {@code collection} that have a history. */
    private List<String> historyIds(ReadTxn txn, String collection) {
        byte[] prefix = DbKeys.historyPrefix(db, collection);
        List<String> ids = new ArrayList<>();
        try (Cursor c = txn.scan(KeyRange.prefix(prefix))) {
            String last = null;
            while (c.hasNext()) {
                byte[] key = c.next().key();
                String id = new DbKeys.Reader(key, prefix.length).string();
                if (!id.equals(last)) {
                    ids.add(id);
                    last = id;
                }
            }
        }
        return ids;
    }

    static byte[] encodeEvent(CodecEvent e) {
        byte[] p = e.payload();
        byte[] out = new byte[2 + (p == null ? 0 : p.length)];
        out[0] = (byte) e.type().code();
        out[1] = (byte) (p == null ? 0 : 1);
        if (p != null) {
            System.arraycopy(p, 0, out, 2, p.length);
        }
        return out;
    }

    static CodecEvent decodeEvent(InstanceRef ref, long time, byte[] v) {
        ChangeType type = v.length >= 2 ? ChangeType.ofCode(v[0]) : null;
        if (type == null || v[1] > 1) {
            throw new CorruptDataException("db: malformed stored event of " + ref);
        }
        byte[] payload = v[1] == 0 ? null : Arrays.copyOfRange(v, 2, v.length);
        return new CodecEvent(type, ref.collection(), ref.id(), time, payload);
    }

    // ================================================================== state

    ObjectNode state(ReadTxn txn, InstanceRef ref) {
        byte[] v = txn.get(DbKeys.state(db, ref.collection(), ref.id()));
        return v == null ? null : Json.readStored(v);
    }

    /**
     * Stores the new state. Compares bytes, not {@code ObjectNode.equals} (which ignores member order): the stored
     * bytes, member order included, are part of what must converge.
     */
    private void putState(WriteTxn txn, InstanceRef ref, ObjectNode old, ObjectNode now) {
        byte[] key = DbKeys.state(db, ref.collection(), ref.id());
        if (now == null) {
            if (old != null) {
                txn.delete(key);
            }
            return;
        }
        byte[] bytes = Json.bytes(now);
        if (old == null || !Arrays.equals(bytes, Json.bytes(old))) {
            txn.put(key, bytes);
        }
    }

    /** The definition of a collection, or {@code null} if it is not defined (or its definition is malformed). */
    CollectionConfig config(ReadTxn txn, String name) {
        if (name.equals(COLLECTIONS)) {
            return null;
        }
        return docs.parse(name, txn.get(DbKeys.state(db, COLLECTIONS, name)));
    }

    /** Whether instances of {@code collection} are visible. */
    boolean visible(ReadTxn txn, String collection) {
        return collection.equals(COLLECTIONS) || config(txn, collection) != null;
    }

    // ================================================================== indexes

    private void updateIndexes(WriteTxn txn, CollectionConfig cfg, String id, ObjectNode old, ObjectNode now) {
        for (IndexConfig idx : cfg.indexes()) {
            byte[] prefix = DbKeys.indexPrefix(db, cfg.name(), idx.path());
            byte[] oldKey = old == null ? null : IndexKeys.entryKey(prefix, IndexKeys.keyOf(old, idx.path()), id);
            byte[] newKey = now == null ? null : IndexKeys.entryKey(prefix, IndexKeys.keyOf(now, idx.path()), id);
            if (oldKey != null && newKey != null && Arrays.equals(oldKey, newKey)) {
                continue;
            }
            if (oldKey != null) {
                txn.delete(oldKey);
            }
            if (newKey != null) {
                txn.put(newKey, new byte[0]);
            }
        }
    }

    private void rebuildIndexes(WriteTxn txn, String name, CollectionConfig before, CollectionConfig after) {
        txn.deleteRange(KeyRange.prefix(DbKeys.indexPrefix(db, name)));
        if (after == null || after.indexes().isEmpty()) {
            return;
        }
        byte[] prefix = DbKeys.statePrefix(db, name);
        try (Cursor c = txn.scan(KeyRange.prefix(prefix))) {
            while (c.hasNext()) {
                Entry en = c.next();
                String id = DbKeys.suffixString(en.key(), prefix.length);
                updateIndexes(txn, after, id, null, Json.readStored(en.value()));
            }
        }
    }

    /**
     * Throws {@code ConflictException} if a unique index of a touched instance's collection holds its value for
     * another instance too, or (for redefined collections) holds any value twice.
     */
    void checkUnique(ReadTxn txn, Result result) {
        for (String name : result.redefined()) {
            CollectionConfig cfg = config(txn, name);
            if (cfg == null) {
                continue;
            }
            for (IndexConfig idx : cfg.indexes()) {
                if (idx.unique()) {
                    checkNoDuplicates(txn, name, idx.path());
                }
            }
        }
        for (InstanceRef ref : result.touched()) {
            if (ref.collection().equals(COLLECTIONS) || result.redefined().contains(ref.collection())) {
                continue;
            }
            CollectionConfig cfg = config(txn, ref.collection());
            if (cfg == null) {
                continue;
            }
            ObjectNode s = null;
            boolean read = false;
            for (IndexConfig idx : cfg.indexes()) {
                if (!idx.unique()) {
                    continue;
                }
                if (!read) {
                    s = state(txn, ref);
                    read = true;
                }
                if (s == null) {
                    break;
                }
                byte[] vk = IndexKeys.keyOf(s, idx.path());
                if (IndexKeys.isMissing(vk)) {
                    continue;
                }
                byte[] prefix = DbKeys.indexPrefix(db, ref.collection(), idx.path());
                byte[] valuePrefix = concat(prefix, vk);
                try (Cursor c = txn.scan(KeyRange.prefix(valuePrefix))) {
                    while (c.hasNext()) {
                        String other = IndexKeys.instanceIdOfEntry(c.next().key(), prefix.length);
                        if (!other.equals(ref.id())) {
                            throw new ConflictException("unique index " + ref.collection() + "." + idx.path()
                                    + ": instance " + ref.id() + " has a value that instance " + other + " already has");
                        }
                    }
                }
            }
        }
    }

    private void checkNoDuplicates(ReadTxn txn, String collection, String path) {
        byte[] prefix = DbKeys.indexPrefix(db, collection, path);
        byte[] last = null;
        String lastId = null;
        try (Cursor c = txn.scan(KeyRange.prefix(prefix))) {
            while (c.hasNext()) {
                byte[] key = c.next().key();
                byte[] vk = IndexKeys.valueKeyOfEntry(key, prefix.length);
                String id = IndexKeys.instanceIdOfEntry(key, prefix.length);
                if (!IndexKeys.isMissing(vk) && last != null && Arrays.equals(vk, last)) {
                    throw new ConflictException("unique index " + collection + "." + path + ": instances " + lastId
                            + " and " + id + " have the same value");
                }
                last = vk;
                lastId = id;
            }
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    // ================================================================== transitions

    /** Collects the visible state of each instance before the dispatch, and computes the changes at the end. */
    private final class Transitions {
        private final LinkedHashMap<InstanceRef, ObjectNode> before = new LinkedHashMap<>();
        private final Set<String> affected = new LinkedHashSet<>();

        /** Notes the visible state of {@code ref} before this dispatch touched it (first call wins). */
        void touch(InstanceRef ref, ObjectNode visibleBefore) {
            if (!before.containsKey(ref)) {
                before.put(ref, visibleBefore);
            }
        }

        /** Notes the visible states of every instance of a collection whose visibility may change. */
        void captureCollection(ReadTxn txn, String name, boolean visibleBefore) {
            if (!affected.add(name)) {
                return;
            }
            byte[] prefix = DbKeys.statePrefix(db, name);
            try (Cursor c = txn.scan(KeyRange.prefix(prefix))) {
                while (c.hasNext()) {
                    Entry en = c.next();
                    InstanceRef ref = new InstanceRef(name, DbKeys.suffixString(en.key(), prefix.length));
                    touch(ref, visibleBefore ? Json.readStored(en.value()) : null);
                }
            }
        }

        Set<InstanceRef> touchedRefs() {
            return new HashSet<>(before.keySet());
        }

        List<Transition> finish(ReadTxn txn) {
            LinkedHashMap<InstanceRef, ObjectNode> after = new LinkedHashMap<>();
            for (String name : affected) {
                if (!visible(txn, name)) {
                    continue;
                }
                byte[] prefix = DbKeys.statePrefix(db, name);
                try (Cursor c = txn.scan(KeyRange.prefix(prefix))) {
                    while (c.hasNext()) {
                        Entry en = c.next();
                        after.put(new InstanceRef(name, DbKeys.suffixString(en.key(), prefix.length)),
                                Json.readStored(en.value()));
                    }
                }
            }
            List<Transition> out = new ArrayList<>();
            for (Map.Entry<InstanceRef, ObjectNode> en : before.entrySet()) {
                InstanceRef ref = en.getKey();
                ObjectNode a = after.containsKey(ref) ? after.remove(ref)
                        : affected.contains(ref.collection()) ? null
                        : visible(txn, ref.collection()) ? state(txn, ref) : null;
                if (!Objects.equals(en.getValue(), a)) {
                    out.add(new Transition(ref, en.getValue(), a));
                }
            }
            for (Map.Entry<InstanceRef, ObjectNode> en : after.entrySet()) {
                out.add(new Transition(en.getKey(), null, en.getValue()));
            }
            return out;
        }
    }
}
