package io.weft.db;

import static io.weft.db.CollectionDocs.COLLECTIONS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import io.weft.api.ConflictException;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.StorageException;
import io.weft.api.UnauthorizedException;
import io.weft.api.WeftException;
import io.weft.api.db.Change;
import io.weft.api.db.ChangeType;
import io.weft.api.db.Collection;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.Database;
import io.weft.api.db.DatabaseInfo;
import io.weft.api.db.IndexConfig;
import io.weft.api.db.ListenFilter;
import io.weft.api.db.Listener;
import io.weft.api.db.ReadTransaction;
import io.weft.api.db.SchemaUpdate;
import io.weft.api.db.Subscription;
import io.weft.api.db.WriteTransaction;
import io.weft.api.db.spi.Action;
import io.weft.api.db.spi.CodecEvent;
import io.weft.api.db.spi.EventCodec;
import io.weft.api.db.spi.ReadFilter;
import io.weft.api.db.spi.WriteValidator;
import io.weft.api.log.AppendResult;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.store.Cursor;
import io.weft.api.store.Entry;
import io.weft.api.store.KeyRange;
import io.weft.api.store.ReadTxn;
import io.weft.api.store.WriteTxn;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import io.weft.core.record.Records;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One database (see {@link Database}). All writers of the database — write transactions, collection changes and
 * remote records — hold its write lock, one at a time; readers use store snapshots and never wait.
 *
 * <p>A commit: the codec encodes the actions (stamped with a fresh hybrid-logical-clock time, also their
 * {@code _mod}) into one body, decodes it again into events, and asks the log service to append a record with that
 * body to this peer's log; inside the append's store transaction the hook checks constraints, dispatches the events
 * (history, state, indexes) and appends the change log. So the record and all its effects commit together.
 */
final class Db implements Database {
    private static final Logger LOG = LoggerFactory.getLogger(Db.class);
    static final String META_HLC = "hlc";
    /** Prune the change log in steps of this many entries. */
    private static final long PRUNE_STEP = 1024;

    final Manager manager;
    final ThreadId id;
    final String name;
    final String codecName;
    final CollectionDocs docs = new CollectionDocs();
    final Dispatcher dispatcher;
    final Hlc hlc;
    private final Semaphore writeLock = new Semaphore(1, true);
    private volatile Thread writer;
    private volatile long lastSeq;
    private final ChangeFeed feed;
    private volatile boolean closed;

    Db(Manager manager, ThreadId id, String name, String codecName) {
        this.manager = manager;
        this.id = id;
        this.name = name;
        this.codecName = codecName;
        this.dispatcher = new Dispatcher(id, docs);
        long[] meta = manager.store().read(txn -> new long[] {
                ChangeLog.meta(txn, id, ChangeLog.META_SEQ), ChangeLog.meta(txn, id, META_HLC)});
        this.lastSeq = meta[0];
        this.hlc = new Hlc(manager.clock(), manager.config().maxClockSkewMillis(), meta[1]);
        this.feed = new ChangeFeed(this::readChanges, () -> lastSeq, manager.executor(),
                manager.config().listenerBatchSize());
    }

    // ================================================================== basics

    @Override
    public ThreadId id() {
        return id;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DatabaseInfo info() {
        ensureOpen();
        return manager.databaseInfo(id);
    }

    void ensureOpen() {
        if (closed) {
            throw new NotFoundException("database " + id + " is deleted or closed");
        }
    }

    void close() {
        closed = true;
        feed.closeAll();
    }

    EventCodec codec() {
        return manager.codec(codecName);
    }

    Schemas schemas() {
        return manager.schemas();
    }

    DbConfig config() {
        return manager.config();
    }

    // ================================================================== write lock

    void lockWrite() {
        ensureOpen();
        if (writer == Thread.currentThread()) {
            throw new InvalidInputException("this thread already holds a write transaction of database " + id
                    + "; commit or close it first (nested writes would deadlock)");
        }
        try {
            writeLock.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting for the write lock of database " + id, e);
        }
        writer = Thread.currentThread();
        if (closed) {
            unlockWrite();
            throw new NotFoundException("database " + id + " is deleted or closed");
        }
    }

    /** Whether a writer is waiting for the write lock (tests). */
    boolean hasQueuedWriters() {
        return writeLock.hasQueuedThreads();
    }

    void unlockWrite() {
        writer = null;
        writeLock.release();
    }

    // ================================================================== collections

    @Override
    public Collection newCollection(CollectionConfig config) {
        Objects.requireNonNull(config, "config");
        checkDefinition(config);
        lockWrite();
        try {
            if (manager.store().read(txn -> txn.get(DbKeys.state(id, COLLECTIONS, config.name()))) != null) {
                throw new ConflictException("collection " + config.name() + " already exists");
            }
            commit(List.of(new Action(ChangeType.CREATE, COLLECTIONS, config.name(), null,
                    CollectionDocs.toDoc(config))));
        } finally {
            unlockWrite();
        }
        return new DbCollection(this, config.name());
    }

    /** Defines several collections in one record (database creation). */
    void defineCollections(List<CollectionConfig> configs) {
        Set<String> names = new HashSet<>();
        List<Action> actions = new ArrayList<>();
        for (CollectionConfig c : configs) {
            checkDefinition(c);
            if (!names.add(c.name())) {
                throw new InvalidInputException("collection " + c.name() + " is listed twice");
            }
            actions.add(new Action(ChangeType.CREATE, COLLECTIONS, c.name(), null, CollectionDocs.toDoc(c)));
        }
        if (actions.isEmpty()) {
            return;
        }
        lockWrite();
        try {
            commit(actions);
        } finally {
            unlockWrite();
        }
    }

    /** Checks that a definition's schema compiles and declares {@code _id} as a string. */
    void checkDefinition(CollectionConfig config) {
        Schemas.checkIdDeclaration(config.name(), config.schema());
        schemas().compile(config.schema());
    }

    @Override
    public SchemaUpdate updateCollection(CollectionConfig config) {
        Objects.requireNonNull(config, "config");
        checkDefinition(config);
        lockWrite();
        try {
            ObjectNode before = manager.store().read(txn -> dispatcher.state(txn, new InstanceRef(COLLECTIONS, config.name())));
            if (before == null) {
                throw new NotFoundException("collection " + config.name() + " not found");
            }
            SchemaUpdate report = schemaReport(config, true);
            ObjectNode after = CollectionDocs.toDoc(config);
            commit(List.of(new Action(ChangeType.SAVE, COLLECTIONS, config.name(), before, after)));
            return report;
        } finally {
            unlockWrite();
        }
    }

    @Override
    public SchemaUpdate checkCollectionUpdate(CollectionConfig config) {
        Objects.requireNonNull(config, "config");
        checkDefinition(config);
        SchemaUpdate report = schemaReport(config, false);
        // a new unique index over duplicate values would fail: report it as the update would
        manager.store().read(txn -> {
            checkUniqueInMemory(txn, config);
            return null;
        });
        return report;
    }

    private SchemaUpdate schemaReport(CollectionConfig config, boolean locked) {
        return manager.store().read(txn -> {
            CollectionConfig old = dispatcher.config(txn, config.name());
            if (old == null) {
                throw new NotFoundException("collection " + config.name() + " not found");
            }
            Schema schema = schemas().compile(config.schema());
            List<SchemaUpdate.InvalidInstance> invalid = new ArrayList<>();
            long count = 0;
            byte[] prefix = DbKeys.statePrefix(id, config.name());
            try (Cursor c = txn.scan(KeyRange.prefix(prefix))) {
                while (c.hasNext()) {
                    Entry en = c.next();
                    count++;
                    List<String> problems = Schemas.validate(schema, Json.readStored(en.value()));
                    if (!problems.isEmpty()) {
                        invalid.add(new SchemaUpdate.InvalidInstance(DbKeys.suffixString(en.key(), prefix.length),
                                String.join("; ", problems)));
                    }
                }
            }
            List<String> added = new ArrayList<>();
            List<String> removed = new ArrayList<>();
            for (IndexConfig i : config.indexes()) {
                if (!old.indexes().contains(i)) {
                    added.add(i.path());
                }
            }
            for (IndexConfig i : old.indexes()) {
                if (!config.indexes().contains(i)) {
                    removed.add(i.path());
                }
            }
            return new SchemaUpdate(config.name(), invalid, added, removed, count);
        });
    }

    private void checkUniqueInMemory(ReadTxn txn, CollectionConfig config) {
        for (IndexConfig idx : config.indexes()) {
            if (!idx.unique()) {
                continue;
            }
            Map<String, String> seen = new HashMap<>();
            byte[] prefix = DbKeys.statePrefix(id, config.name());
            try (Cursor c = txn.scan(KeyRange.prefix(prefix))) {
                while (c.hasNext()) {
                    Entry en = c.next();
                    var v = io.weft.api.db.QueryValue.at(Json.readStored(en.value()), idx.path());
                    if (v == null) {
                        continue;
                    }
                    String key = v.type() + ":" + v;
                    String iid = DbKeys.suffixString(en.key(), prefix.length);
                    String other = seen.putIfAbsent(key, iid);
                    if (other != null) {
                        throw new ConflictException("unique index " + config.name() + "." + idx.path() + ": instances "
                                + other + " and " + iid + " have the same value");
                    }
                }
            }
        }
    }

    @Override
    public void deleteCollection(String collection) {
        lockWrite();
        try {
            ObjectNode before = manager.store().read(txn -> dispatcher.state(txn, new InstanceRef(COLLECTIONS, collection)));
            if (before == null) {
                throw new NotFoundException("collection " + collection + " not found");
            }
            commit(List.of(new Action(ChangeType.DELETE, COLLECTIONS, collection, before, null)));
        } finally {
            unlockWrite();
        }
    }

    @Override
    public Collection collection(String collection) {
        ensureOpen();
        requireCollection(collection);
        return new DbCollection(this, collection);
    }

    /** The definition of a collection, from the latest committed state. */
    CollectionConfig requireCollection(String collection) {
        return manager.store().read(txn -> requireCollection(txn, collection));
    }

    CollectionConfig requireCollection(ReadTxn txn, String collection) {
        if (collection == null) {
            throw new InvalidInputException("collection name is required");
        }
        CollectionConfig c = dispatcher.config(txn, collection);
        if (c == null) {
            throw new NotFoundException("collection " + collection + " not found in database " + id);
        }
        return c;
    }

    @Override
    public List<CollectionConfig> listCollections() {
        ensureOpen();
        return manager.store().read(txn -> {
            List<CollectionConfig> out = new ArrayList<>();
            byte[] prefix = DbKeys.statePrefix(id, COLLECTIONS);
            try (Cursor c = txn.scan(KeyRange.prefix(prefix))) {
                while (c.hasNext()) {
                    Entry en = c.next();
                    String n = DbKeys.suffixString(en.key(), prefix.length);
                    CollectionConfig cfg = docs.parse(n, en.value());
                    if (cfg != null) {
                        out.add(cfg);
                    }
                }
            }
            return out;
        });
    }

    // ================================================================== transactions

    @Override
    public ReadTransaction readTransaction() {
        ensureOpen();
        return new ReadTxnImpl(this, manager.store().beginRead());
    }

    @Override
    public WriteTransaction writeTransaction() {
        lockWrite();
        return new WriteTxnImpl(this);
    }

    /**
     * Commits actions as one record (the caller holds the write lock). Actions get {@code _mod} = the commit time.
     */
    void commit(List<Action> unstamped) {
        commit(unstamped, Set.of());
    }

    /**
     * Commits actions as one record and purges the local history of {@code purges} (instances that are absent
     * after the commit) in the same transaction; without actions, purges in a store transaction of their own.
     */
    void commit(List<Action> unstamped, Set<InstanceRef> purges) {
        ensureOpen();
        if (unstamped.isEmpty()) {
            if (!purges.isEmpty()) {
                manager.store().update(txn -> {
                    manager.checkStore(txn);
                    purge(txn, purges);
                });
            }
            return;
        }
        EventCodec codec = codec();
        long time = hlc.tick();
        List<Action> actions = stamp(unstamped, time);
        byte[] body = codec.encode(actions, time);
        List<CodecEvent> events = codec.decode(body);
        long[] seq = new long[1];
        manager.logService().createRecord(id, manager.identity(), body, (txn, appended) -> {
            manager.checkStore(txn);
            requireRegistered(txn);
            for (Action a : actions) {
                if (a.type() == ChangeType.CREATE
                        && txn.get(DbKeys.state(id, a.collection(), a.instanceId())) != null) {
                    throw new ConflictException((a.collection().equals(COLLECTIONS) ? "collection " + a.instanceId()
                            : "instance " + a.collection() + "/" + a.instanceId()) + " already exists");
                }
            }
            Dispatcher.Result r = dispatch(txn, codec, appended.log(), appended.counter(), events);
            dispatcher.checkUnique(txn, r);
            seq[0] = afterDispatch(txn, r);
            purge(txn, purges);
        });
        committed(seq[0]);
    }

    private void purge(WriteTxn txn, Set<InstanceRef> purges) {
        for (InstanceRef ref : purges) {
            if (dispatcher.state(txn, ref) == null) {
                dispatcher.purgeHistory(txn, ref);
                ChangeLog.scrub(txn, id, ref);
            }
        }
    }

    @Override
    public long compact(java.time.Instant before) {
        Objects.requireNonNull(before, "before");
        long horizon = before.getEpochSecond() * 1_000_000_000L + before.getNano();
        lockWrite();
        try {
            EventCodec codec = codec();
            List<InstanceRef> refs = manager.store().read(dispatcher::historyRefs);
            long removed = 0;
            for (int i = 0; i < refs.size(); i += 512) {
                List<InstanceRef> batch = refs.subList(i, Math.min(refs.size(), i + 512));
                removed += manager.store().write(txn -> {
                    manager.checkStore(txn);
                    long n = 0;
                    for (InstanceRef ref : batch) {
                        n += dispatcher.compact(txn, codec, ref, horizon);
                    }
                    return n;
                });
            }
            return removed;
        } finally {
            unlockWrite();
        }
    }

    @Override
    public long rebuild() {
        lockWrite();
        try {
            EventCodec codec = codec();
            long[] seq = new long[1];
            long changed = manager.store().write(txn -> {
                manager.checkStore(txn);
                Dispatcher.Result r = dispatcher.rebuild(txn, codec);
                seq[0] = afterDispatch(txn, r);
                return (long) r.transitions().size();
            });
            committed(seq[0]);
            return changed;
        } finally {
            unlockWrite();
        }
    }

    /**
     * Runs a commit of {@code unstamped} against the latest committed state in a store transaction that is always
     * aborted: the constraint checks a real commit makes, without a record and without writing anything.
     *
     * @throws ConflictException     if a commit would fail a constraint
     * @throws InvalidInputException if the codec rejects the actions
     */
    void dryRun(List<Action> unstamped) {
        if (unstamped.isEmpty()) {
            return;
        }
        EventCodec codec = codec();
        long time = hlc.last() + 1;
        List<Action> actions = stamp(unstamped, time);
        List<CodecEvent> events = codec.decode(codec.encode(actions, time));
        LogId log = LogId.of(manager.identity().publicKey()); // a stand-in: nothing is kept
        try (WriteTxn txn = manager.store().beginWrite()) {
            for (Action a : actions) {
                if (a.type() == ChangeType.CREATE && txn.get(DbKeys.state(id, a.collection(), a.instanceId())) != null) {
                    throw new ConflictException("instance " + a.collection() + "/" + a.instanceId() + " already exists");
                }
            }
            dispatcher.checkUnique(txn, dispatcher.dispatch(txn, codec, log, Long.MAX_VALUE, events));
        } // never committed
    }

    private static List<Action> stamp(List<Action> actions, long time) {
        List<Action> out = new ArrayList<>(actions.size());
        for (Action a : actions) {
            JsonNode after = a.after();
            if (after != null) {
                ObjectNode copy = ((ObjectNode) after).deepCopy();
                copy.put("_mod", time);
                after = copy;
            }
            out.add(new Action(a.type(), a.collection(), a.instanceId(), a.before(), after));
        }
        return out;
    }

    private Dispatcher.Result dispatch(WriteTxn txn, EventCodec codec, LogId log, long counter, List<CodecEvent> events) {
        for (CodecEvent e : events) {
            hlc.observe(e.time());
        }
        return dispatcher.dispatch(txn, codec, log, counter, events);
    }

    /** Change log, clock and pruning, in the dispatching transaction; returns the last sequence number. */
    private long afterDispatch(WriteTxn txn, Dispatcher.Result r) {
        long seq = ChangeLog.append(txn, id, r.transitions());
        ChangeLog.putMeta(txn, id, META_HLC, hlc.last());
        long upTo = Math.min(seq - config().changeLogRetention(), feed.lowestPosition());
        if (upTo - ChangeLog.meta(txn, id, ChangeLog.META_PRUNED) >= PRUNE_STEP) {
            ChangeLog.prune(txn, id, upTo);
        }
        return seq;
    }

    private void committed(long seq) {
        if (seq > lastSeq) {
            lastSeq = seq;
            feed.signal();
        }
    }

    private void requireRegistered(ReadTxn txn) {
        if (txn.get(DbKeys.manager(id)) == null) {
            throw new NotFoundException("database " + id + " was deleted");
        }
    }

    /**
     * Applies a record of another log of this database (the network path): verifies and appends it to its log, and in
     * the same store transaction dispatches its events. The log must be known to the logstore. A record whose body
     * this database's codec cannot decode is stored (so the log can go on) but changes nothing; that is logged.
     *
     * @return the append result ({@code added() == false} for a record already stored)
     */
    AppendResult addRecord(LogId log, RecordEnvelope envelope) {
        ThreadKey key = manager.logService().getThread(id).key();
        if (!key.canRead()) {
            throw new UnauthorizedException("database " + id + " has no read key here");
        }
        lockWrite();
        try {
            EventCodec codec = codec();
            long[] seq = {lastSeq};
            AppendResult result = manager.logService().addRecord(id, log, envelope, (txn, appended) -> {
                manager.checkStore(txn);
                requireRegistered(txn);
                List<CodecEvent> events;
                try {
                    events = codec.decode(Records.open(appended.record(), key).body());
                } catch (InvalidInputException e) {
                    LOG.warn("database {}: record {} of log {} has a body the {} codec rejects ({}); stored, not applied",
                            id, appended.record().id(), log, codecName, e.getMessage());
                    events = List.of();
                }
                seq[0] = afterDispatch(txn, dispatch(txn, codec, appended.log(), appended.counter(), events));
            });
            committed(seq[0]);
            return result;
        } finally {
            unlockWrite();
        }
    }

    // ================================================================== local write checks

    /** The lower-case ULID for an instance without an id. */
    String newId() {
        return Ulid.next(manager.clock());
    }

    WriteValidator validator(CollectionConfig cfg) {
        if (cfg.writeValidator() == null) {
            return null;
        }
        WriteValidator v = manager.writeValidator(cfg.writeValidator());
        if (v == null) {
            throw new UnauthorizedException("collection " + cfg.name() + " names write validator "
                    + cfg.writeValidator() + ", which is not available: writes are refused");
        }
        return v;
    }

    ReadFilter readFilter(CollectionConfig cfg) {
        if (cfg.readFilter() == null) {
            return null;
        }
        ReadFilter f = manager.readFilter(cfg.readFilter());
        if (f == null) {
            throw new UnauthorizedException("collection " + cfg.name() + " names read filter " + cfg.readFilter()
                    + ", which is not available: reads are refused");
        }
        return f;
    }

    // ================================================================== changes

    @Override
    public long lastSequence() {
        ensureOpen();
        return lastSeq;
    }

    @Override
    public List<Change> changes(long afterSequence, int limit, List<ListenFilter> filters) {
        ensureOpen();
        List<ListenFilter> f = filters == null ? List.of() : filters;
        return manager.store().read(txn -> ChangeLog.read(txn, id, afterSequence, limit, f)).changes();
    }

    /** A page for a delivery task: bounded work per read, and the position reached even without matches. */
    ChangeLog.Page readChanges(long after, int limit, List<ListenFilter> filters) {
        return manager.store().read(txn -> ChangeLog.read(txn, id, after, limit, filters, limit * 16L));
    }

    @Override
    public Subscription listen(long afterSequence, List<ListenFilter> filters, Listener listener) {
        ensureOpen();
        Objects.requireNonNull(listener, "listener");
        if (afterSequence < 0) {
            throw new InvalidInputException("afterSequence must be >= 0");
        }
        return feed.subscribe(afterSequence, filters == null ? List.of() : filters, listener, () -> {
            long pruned = manager.store().read(txn -> ChangeLog.meta(txn, id, ChangeLog.META_PRUNED));
            if (afterSequence < pruned) {
                throw new NotFoundException("changes after " + afterSequence
                        + " were pruned (the change log starts after " + pruned + ")");
            }
        });
    }

    @Override
    public String toString() {
        return "Database[" + id + " " + name + "]";
    }

    static WeftException unchecked(RuntimeException e) {
        return e instanceof WeftException w ? w : new StorageException(e.toString(), e);
    }
}
