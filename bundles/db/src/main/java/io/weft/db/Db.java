package io.weft.db;

import static io.weft.db.CollectionDocs.COLLECTIONS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import io.weft.api.ConflictException;
import io.weft.api.CorruptDataException;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.StorageException;
import io.weft.api.UnauthorizedException;
import io.weft.api.WeftException;
import io.weft.api.crypto.PublicKey;
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
import io.weft.api.format.Cid;
import io.weft.api.log.AppendResult;
import io.weft.api.log.LogInfo;
import io.weft.api.log.ThreadInfo;
import io.weft.api.record.Record;
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
import java.util.stream.IntStream;
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
 *
 * <p>Records of other logs (and of this peer's log, if they arrive without a local commit) are applied by
 * <em>catch-up</em>: each log has a durable {@link LogCursor} (the last record dispatched), and catch-up reads the
 * records after it from the log service, opens and decodes them, dispatches them and moves the cursor, several records
 * per store transaction. A record is dispatched exactly when the cursor moves past it, in the same transaction; local
 * commits move their log's cursor in their append transaction.
 */
final class Db implements Database {
    private static final Logger LOG = LoggerFactory.getLogger(Db.class);
    static final String META_HLC = "hlc";
    /** Set (to 1) once the database keeps dispatch cursors; databases from before cursors get them at the heads. */
    static final String META_CURSORS = "cursors";
    /** Bounds of the records kept between their append and their catch-up. */
    private static final int VERIFIED_RECORDS = 8192;
    private static final long VERIFIED_BYTES = 32L << 20;
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
    private volatile boolean cursorsReady;
    private final Object catchUpState = new Object();
    private boolean catchUpRunning;
    private boolean catchUpAgain;
    /** Appended records this database has not dispatched yet, as verified by the log service. */
    private final VerifiedRecords verified = new VerifiedRecords(VERIFIED_RECORDS, VERIFIED_BYTES);

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

    void close(boolean deleted) {
        closed = true;
        feed.closeAll(deleted);
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

    /** Whether the calling thread holds the write lock. */
    boolean heldByCurrentThread() {
        return writer == Thread.currentThread();
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
        return readTransaction(null);
    }

    @Override
    public ReadTransaction readTransaction(PublicKey reader) {
        ensureOpen();
        return new ReadTxnImpl(this, manager.store().beginRead(), reader);
    }

    @Override
    public WriteTransaction writeTransaction() {
        return writeTransaction(null);
    }

    @Override
    public WriteTransaction writeTransaction(PublicKey writer) {
        lockWrite();
        return new WriteTxnImpl(this, writer);
    }

    /** The identity that writes for {@code writer}: the writer, or this peer's identity for {@code null}. */
    PublicKey writerKey(PublicKey writer) {
        return writer != null ? writer : manager.identity().publicKey();
    }

    /**
     * Commits actions as one record (the caller holds the write lock). Actions get {@code _mod} = the commit time.
     */
    void commit(List<Action> unstamped) {
        commit(unstamped, Set.of(), null);
    }

    /**
     * Commits actions as one record in {@code writer}'s log ({@code null}: this peer's own identity) and purges the
     * local history of {@code purges} (instances that are absent after the commit) in the same transaction; without
     * actions, purges in a store transaction of their own.
     */
    void commit(List<Action> unstamped, Set<InstanceRef> purges, PublicKey writer) {
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
        ensureCursors();
        for (int attempt = 0; ; attempt++) {
            long time = hlc.tick();
            List<Action> actions = stamp(unstamped, time);
            byte[] body = codec.encode(actions, time);
            List<CodecEvent> events = codec.decode(body);
            long[] seq = new long[1];
            io.weft.api.log.AppendHook hook = (txn, appended) -> {
                manager.checkStore(txn);
                requireRegistered(txn);
                LogCursor at = LogCursor.read(txn, id, appended.log());
                if (at.counter() != appended.counter() - 1) {
                    throw new CursorBehind(appended.log());
                }
                for (Action a : actions) {
                    if (a.type() == ChangeType.CREATE
                            && txn.get(DbKeys.state(id, a.collection(), a.instanceId())) != null) {
                        throw new ConflictException((a.collection().equals(COLLECTIONS)
                                ? "collection " + a.instanceId()
                                : "instance " + a.collection() + "/" + a.instanceId()) + " already exists");
                    }
                }
                Dispatcher.Result r = dispatch(txn, codec, appended.log(), appended.counter(), events);
                dispatcher.checkUnique(txn, r);
                seq[0] = afterDispatch(txn, r.transitions());
                LogCursor.write(txn, id, appended.log(), at.next(appended.record().id()));
                purge(txn, purges);
            };
            try {
                if (writer == null || writer.equals(manager.identity().publicKey())) {
                    manager.logService().createRecord(id, manager.identity(), body, hook);
                } else {
                    manager.logService().createRecord(id, writer, body, hook);
                }
            } catch (CursorBehind behind) {
                // this peer's log has records not dispatched yet (appended without a commit): apply them first,
                // then build the record again on the new state and clock
                if (attempt >= 2) {
                    throw new ConflictException("database " + id + ": log " + behind.log
                            + " has records that could not be applied; the commit was not made");
                }
                catchUpLocked(behind.log);
                continue;
            }
            committed(seq[0]);
            return;
        }
    }

    /** Aborts a local append whose log has records the database has not dispatched. */
    private static final class CursorBehind extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient LogId log;

        CursorBehind(LogId log) {
            super(null, null, false, false);
            this.log = log;
        }
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
                seq[0] = afterDispatch(txn, r.transitions());
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
    private long afterDispatch(WriteTxn txn, List<Dispatcher.Transition> transitions) {
        long seq = ChangeLog.append(txn, id, transitions);
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

    // ================================================================== remote records and catch-up

    /**
     * Applies a record of another log of this database (the network path): verifies and appends it to its log, then
     * catches that log up, so its events are dispatched when this returns. The log must be known to the logstore. A
     * record whose body this database's codec cannot decode is stored (so the log can go on) but changes nothing;
     * that is logged.
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
            codec(); // must be available before anything is stored
            AppendResult result = manager.logService().addRecord(id, log, envelope);
            if (result.added()) {
                verified.offer(result);
            }
            catchUpLocked(log);
            return result;
        } finally {
            unlockWrite();
        }
    }

    /**
     * Dispatches the records of every log of the database after its cursor, and returns when done.
     *
     * @return how many records were dispatched (including records skipped because the codec rejects their body)
     */
    long catchUp() {
        lockWrite();
        try {
            return catchUpLocked(null);
        } finally {
            unlockWrite();
        }
    }

    /** As {@link #catchUp()} for one log. */
    long catchUp(LogId log) {
        Objects.requireNonNull(log, "log");
        lockWrite();
        try {
            return catchUpLocked(log);
        } finally {
            unlockWrite();
        }
    }

    /**
     * Told (by the manager's append listener) of a record appended without this database: keeps the verified record
     * for the catch-up it schedules.
     */
    void appended(AppendResult appended) {
        verified.offer(appended);
        requestCatchUp();
    }

    /** How many verified records are kept for catch-up (tests). */
    int keptVerifiedRecords() {
        return verified.size();
    }

    /**
     * Schedules a catch-up of every log on the manager's catch-up executor. Triggers while one is queued are
     * coalesced; a trigger while one runs makes it run once more; runs of one database never overlap.
     */
    void requestCatchUp() {
        synchronized (catchUpState) {
            if (catchUpRunning) {
                catchUpAgain = true;
                return;
            }
            catchUpRunning = true;
        }
        try {
            manager.catchUpExecutor().execute(this::catchUpLoop);
        } catch (RuntimeException e) { // rejected: the manager is closing
            synchronized (catchUpState) {
                catchUpRunning = false;
            }
        }
    }

    private void catchUpLoop() {
        while (true) {
            synchronized (catchUpState) {
                catchUpAgain = false;
            }
            if (!closed && !manager.hasCodec(codecName)) {
                // e.g. at start in OSGi, before the codec service is bound; the manager asks again when it is
                LOG.info("database {}: received records wait for the event codec {}", id, codecName);
            } else if (!closed) {
                try {
                    catchUp();
                } catch (RuntimeException e) {
                    if (closed) {
                        LOG.debug("database {}: catch-up stopped by close: {}", id, e.toString());
                    } else {
                        LOG.warn("database {}: catch-up failed; it is retried on the next record: {}", id, e.toString(), e);
                    }
                }
            }
            synchronized (catchUpState) {
                if (!catchUpAgain || closed) {
                    catchUpRunning = false;
                    return;
                }
            }
        }
    }

    /**
     * Gives a database from before cursors a cursor at each log's head (its records were dispatched on append). Runs
     * once per database, on its first write or catch-up after the upgrade; a record appended by someone else between
     * reading the heads and writing the cursors would count as dispatched (before cursors it was never applied).
     */
    private void ensureCursors() {
        if (cursorsReady) {
            return;
        }
        boolean marked = manager.store().read(txn -> txn.get(DbKeys.meta(id, META_CURSORS)) != null);
        if (!marked) {
            ThreadInfo thread = manager.logService().getThread(id);
            manager.store().update(txn -> {
                manager.checkStore(txn);
                requireRegistered(txn);
                for (LogInfo l : thread.logs()) {
                    if (!l.head().isEmpty() && txn.get(DbKeys.cursor(id, l.id())) == null) {
                        LogCursor.write(txn, id, l.id(), new LogCursor(l.head().counter(), l.head().cid()));
                    }
                }
                ChangeLog.putMeta(txn, id, META_CURSORS, 1);
            });
            LOG.info("database {}: dispatch cursors start at the current log heads", id);
        }
        cursorsReady = true;
    }

    /** Catch-up of one log, or of all ({@code null}); the caller holds the write lock. */
    private long catchUpLocked(LogId only) {
        ensureCursors();
        ThreadInfo thread;
        try {
            thread = manager.logService().getThread(id);
        } catch (NotFoundException e) {
            return 0; // the thread is being deleted
        }
        if (!thread.key().canRead()) {
            return 0; // a replica: nothing to decrypt
        }
        Map<LogId, LogCursor> cursors = manager.store().read(txn -> LogCursor.readAll(txn, id));
        EventCodec codec = null;
        long applied = 0;
        for (LogInfo log : thread.logs()) {
            if (only != null && !only.equals(log.id())) {
                continue;
            }
            LogCursor at = cursors.getOrDefault(log.id(), LogCursor.START);
            if (log.head().counter() <= at.counter()) {
                continue;
            }
            if (codec == null) {
                codec = codec();
            }
            applied += catchUpLog(thread.key(), codec, log, at);
        }
        return applied;
    }

    /** A record ready to dispatch: its position, id and events (none if its body was rejected). */
    private record Opened(long counter, Cid cid, List<CodecEvent> events) {
    }

    private long catchUpLog(ThreadKey key, EventCodec codec, LogInfo log, LogCursor start) {
        int batchRecords = manager.catchUpBatchRecords();
        long batchBytes = manager.catchUpBatchBytes();
        LogCursor at = start;
        long applied = 0;
        while (!closed) {
            List<RecordEnvelope> page = manager.logService().records(id, log.id(), at.cid(), batchRecords);
            if (page.isEmpty()) {
                break;
            }
            int n = 1;
            long bytes = page.get(0).size();
            while (n < page.size() && bytes + page.get(n).size() <= batchBytes) {
                bytes += page.get(n).size();
                n++;
            }
            List<Opened> batch = open(page.subList(0, n), log, key, codec, at);
            LogCursor from = at;
            LogCursor to = new LogCursor(from.counter() + batch.size(), batch.get(batch.size() - 1).cid());
            long[] seq = {lastSeq};
            manager.store().update(txn -> {
                manager.checkStore(txn);
                requireRegistered(txn);
                if (!LogCursor.read(txn, id, log.id()).equals(from)) {
                    throw new ConflictException("database " + id + ": the cursor of log " + log.id()
                            + " moved during catch-up");
                }
                List<Dispatcher.Transition> transitions = new ArrayList<>();
                for (Opened o : batch) {
                    transitions.addAll(dispatch(txn, codec, log.id(), o.counter(), o.events()).transitions());
                }
                seq[0] = afterDispatch(txn, transitions);
                LogCursor.write(txn, id, log.id(), to);
            });
            committed(seq[0]);
            at = to;
            applied += batch.size();
        }
        verified.forget(log.id(), at.counter());
        if (applied > 0) {
            LOG.debug("database {}: caught up {} records of log {} (now at {})", id, applied, log.id(), at.counter());
        }
        return applied;
    }

    /**
     * Verifies (unless the log service's verified record was kept), opens and decodes consecutive records of a log
     * (in parallel), the first one following {@code at}, and checks that they chain. A body the codec rejects yields no events (logged); a record that fails
     * verification fails the batch.
     */
    private List<Opened> open(List<RecordEnvelope> envelopes, LogInfo log, ThreadKey key, EventCodec codec,
            LogCursor at) {
        PublicKey logKey = log.pubKey();
        List<Opened> out = IntStream.range(0, envelopes.size()).parallel().mapToObj(i -> {
            RecordEnvelope env = envelopes.get(i);
            long counter = at.counter() + 1 + i;
            Record record = verified.take(log.id(), counter, env);
            if (record == null) {
                try {
                    record = Records.verify(env, logKey, key);
                } catch (InvalidInputException | UnauthorizedException | CorruptDataException e) {
                    throw new CorruptDataException("database " + id + ": stored record " + env.id() + " of log "
                            + log.id() + " fails verification: " + e.getMessage(), e);
                }
            }
            Cid expectedPrev = i == 0 ? at.cid() : envelopes.get(i - 1).id();
            if (!Objects.equals(record.prev().orElse(null), expectedPrev)) {
                throw new CorruptDataException("database " + id + ": record " + env.id() + " of log " + log.id()
                        + " does not follow record " + expectedPrev);
            }
            List<CodecEvent> events;
            try {
                events = codec.decode(Records.open(record, key).body());
            } catch (InvalidInputException e) {
                LOG.warn("database {}: record {} of log {} has a body the {} codec rejects ({}); skipped",
                        id, env.id(), log.id(), codecName, e.getMessage());
                events = List.of();
            }
            return new Opened(counter, env.id(), events);
        }).toList();
        return out;
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
