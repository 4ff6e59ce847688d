package io.weft.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.ConflictException;
import io.weft.api.CorruptDataException;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.StorageException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.Database;
import io.weft.api.db.DatabaseInfo;
import io.weft.api.db.DatabaseManager;
import io.weft.api.db.Names;
import io.weft.api.db.spi.EventCodec;
import io.weft.api.db.spi.ReadFilter;
import io.weft.api.db.spi.WriteValidator;
import io.weft.api.format.Multiaddr;
import io.weft.api.log.AppendResult;
import io.weft.api.log.LogService;
import io.weft.api.log.ThreadInfo;
import io.weft.api.log.ThreadService;
import io.weft.api.net.Registration;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.store.Cursor;
import io.weft.api.store.Datastore;
import io.weft.api.store.KeyRange;
import io.weft.api.store.ReadTxn;
import io.weft.api.thread.LogId;
import io.weft.api.thread.PeerId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadInvite;
import io.weft.api.thread.ThreadKey;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link DatabaseManager} over a {@link LogService} and the {@link Datastore} that log service writes to (they
 * must be the same store: a database's state commits in the log service's append transaction; every commit checks
 * this). Works with plain {@code new} via {@link #builder}; the DS component only adapts it.
 *
 * <p>The manager keeps its list of databases under {@code db 00 <tid>} (name and codec of each); the thread key and
 * logs live in the logstore.
 *
 * <p>Records reach a database through the log service: the manager listens to every append
 * ({@link LogService#addAppendListener}) and, for a record of a database that the database has not dispatched yet
 * (anything but its own local commits), schedules that database's catch-up on a background executor; every database
 * is also caught up when the manager starts. So records the network layer appends with
 * {@link LogService#addRecord}/{@link LogService#addRecords} are applied without any call to the database.
 * {@link #catchUp(ThreadId)} waits for it.
 */
public final class Manager implements DatabaseManager, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Manager.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Default limits of one catch-up store transaction. */
    static final int CATCH_UP_BATCH_RECORDS = 256;
    static final long CATCH_UP_BATCH_BYTES = 1 << 20;
    /** How long {@link #close()} waits for a running catch-up batch to commit. */
    private static final long CLOSE_WAIT_SECONDS = 30;

    private final LogService logService;
    private final Datastore store;
    private final PrivateKey identity;
    private final DbConfig config;
    private final Function<String, EventCodec> codecs;
    private final Function<String, WriteValidator> validators;
    private final Function<String, ReadFilter> filters;
    private final Supplier<List<Multiaddr>> hostAddrs;
    private final Clock clock;
    private final ExecutorService executor;
    private final ExecutorService catchUpExecutor;
    private final Supplier<ThreadService> threadService;
    private final int catchUpBatchRecords;
    private final long catchUpBatchBytes;
    private final Schemas schemas;
    private final byte[] storeId;
    private final Map<ThreadId, Db> open = new ConcurrentHashMap<>();
    private final Registration appendListener;
    private volatile boolean closed;

    private Manager(Builder b) {
        this.logService = Objects.requireNonNull(b.logService, "logService");
        this.store = Objects.requireNonNull(b.store, "store");
        this.identity = Objects.requireNonNull(b.identity, "identity");
        this.config = b.config;
        this.codecs = b.codecs != null ? b.codecs : serviceLoaderCodecs();
        this.validators = b.validators;
        this.filters = b.filters;
        this.hostAddrs = b.hostAddrs;
        this.clock = b.clock;
        this.threadService = b.threadService;
        this.catchUpBatchRecords = b.catchUpBatchRecords;
        this.catchUpBatchBytes = b.catchUpBatchBytes;
        this.schemas = new Schemas(config.schemaCacheSize());
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "weft-db-listener-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        AtomicInteger m = new AtomicInteger();
        this.catchUpExecutor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "weft-db-catchup-" + m.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.storeId = store.write(txn -> {
            byte[] v = txn.get(DbKeys.storeId());
            if (v == null) {
                v = new byte[16];
                RANDOM.nextBytes(v);
                txn.put(DbKeys.storeId(), v);
            }
            return v;
        });
        this.appendListener = logService.addAppendListener(this::appended);
        requestCatchUpAll();
    }

    /**
     * Schedules a catch-up of every registered database (done at start, and by the OSGi component when an event
     * codec arrives: a catch-up that found its codec missing is retried then).
     */
    public void requestCatchUpAll() {
        if (closed) {
            return;
        }
        for (ThreadId id : registeredIds()) {
            try {
                openDb(id).requestCatchUp();
            } catch (RuntimeException e) {
                LOG.warn("database {} cannot be opened: {}", id, e.toString());
            }
        }
    }

    /** A builder; {@code logService} must write to {@code store}. */
    public static Builder builder(LogService logService, Datastore store, PrivateKey identity) {
        return new Builder(logService, store, identity);
    }

    /** Options of a {@link Manager}. */
    public static final class Builder {
        private final LogService logService;
        private final Datastore store;
        private final PrivateKey identity;
        private DbConfig config = DbConfig.defaults();
        private Function<String, EventCodec> codecs;
        private Function<String, WriteValidator> validators = n -> null;
        private Function<String, ReadFilter> filters = n -> null;
        private Supplier<List<Multiaddr>> hostAddrs = List::of;
        private Clock clock = Clock.systemUTC();
        private Supplier<ThreadService> threadService = () -> null;
        private int catchUpBatchRecords = CATCH_UP_BATCH_RECORDS;
        private long catchUpBatchBytes = CATCH_UP_BATCH_BYTES;

        private Builder(LogService logService, Datastore store, PrivateKey identity) {
            this.logService = logService;
            this.store = store;
            this.identity = identity;
        }

        public Builder config(DbConfig c) {
            this.config = Objects.requireNonNull(c);
            return this;
        }

        /** Looks codecs up by name (default: the {@link ServiceLoader} codecs on the class path). */
        public Builder codecs(Function<String, EventCodec> lookup) {
            this.codecs = Objects.requireNonNull(lookup);
            return this;
        }

        /** Uses exactly these codecs. */
        public Builder codecs(EventCodec... list) {
            Map<String, EventCodec> m = new HashMap<>();
            for (EventCodec c : list) {
                m.put(c.name(), c);
            }
            return codecs(m::get);
        }

        public Builder writeValidators(Function<String, WriteValidator> lookup) {
            this.validators = Objects.requireNonNull(lookup);
            return this;
        }

        public Builder readFilters(Function<String, ReadFilter> lookup) {
            this.filters = Objects.requireNonNull(lookup);
            return this;
        }

        /** This peer's network addresses, for {@link DatabaseInfo#addrs()} (default none). */
        public Builder hostAddresses(Supplier<List<Multiaddr>> addrs) {
            this.hostAddrs = Objects.requireNonNull(addrs);
            return this;
        }

        public Builder clock(Clock c) {
            this.clock = Objects.requireNonNull(c);
            return this;
        }

        /**
         * The networked thread service that {@link Manager#joinDatabase(ThreadInvite, String)} fetches threads with
         * (default none: joining from an invite is refused). It must store into this manager's log service.
         */
        public Builder threadService(ThreadService service) {
            return threadServiceLookup(() -> service);
        }

        /** As {@link #threadService(ThreadService)}, looked up at each use; the lookup may return {@code null}. */
        public Builder threadServiceLookup(Supplier<ThreadService> service) {
            this.threadService = Objects.requireNonNull(service);
            return this;
        }

        /** Limits of one catch-up store transaction: at most this many records and (but at least one) bytes. */
        Builder catchUpBatch(int records, long bytes) {
            if (records < 1 || bytes < 1) {
                throw new InvalidInputException("catch-up batch limits must be positive");
            }
            this.catchUpBatchRecords = records;
            this.catchUpBatchBytes = bytes;
            return this;
        }

        public Manager build() {
            return new Manager(this);
        }
    }

    private static Function<String, EventCodec> serviceLoaderCodecs() {
        Map<String, EventCodec> m = new HashMap<>();
        for (EventCodec c : ServiceLoader.load(EventCodec.class, Manager.class.getClassLoader())) {
            m.putIfAbsent(c.name(), c);
        }
        return m::get;
    }

    // ================================================================== services for Db

    LogService logService() {
        return logService;
    }

    Datastore store() {
        return store;
    }

    PrivateKey identity() {
        return identity;
    }

    DbConfig config() {
        return config;
    }

    Clock clock() {
        return clock;
    }

    ExecutorService executor() {
        return executor;
    }

    ExecutorService catchUpExecutor() {
        return catchUpExecutor;
    }

    int catchUpBatchRecords() {
        return catchUpBatchRecords;
    }

    long catchUpBatchBytes() {
        return catchUpBatchBytes;
    }

    Schemas schemas() {
        return schemas;
    }

    boolean hasCodec(String name) {
        return codecs.apply(name) != null;
    }

    EventCodec codec(String name) {
        EventCodec c = codecs.apply(name);
        if (c == null) {
            throw new NotFoundException("event codec " + name + " is not available");
        }
        return c;
    }

    WriteValidator writeValidator(String name) {
        return validators.apply(name);
    }

    ReadFilter readFilter(String name) {
        return filters.apply(name);
    }

    /** Fails the transaction unless it belongs to this manager's store. */
    void checkStore(ReadTxn txn) {
        if (!Arrays.equals(storeId, txn.get(DbKeys.storeId()))) {
            throw new StorageException("the log service writes to a different store than the database manager;"
                    + " configure both with the same Datastore");
        }
    }

    // ================================================================== databases

    private void ensureOpen() {
        if (closed) {
            throw new StorageException("database manager is closed");
        }
    }

    private static byte[] entry(String name, String codec) {
        ObjectNode n = Json.object();
        n.put("name", name);
        n.put("codec", codec);
        return Json.bytes(n);
    }

    private record Registered(String name, String codec) {
    }

    private static Registered parseEntry(ThreadId id, byte[] v) {
        try {
            JsonNode n = Json.MAPPER.readTree(v);
            return new Registered(n.get("name").textValue(), n.get("codec").textValue());
        } catch (IOException | RuntimeException e) {
            throw new CorruptDataException("db: malformed manager entry of database " + id, e);
        }
    }

    @Override
    public Database createDatabase(ThreadId id, ThreadKey key, String name, List<CollectionConfig> collections) {
        ensureOpen();
        Names.check("database", name);
        if (key != null && !key.canRead()) {
            throw new InvalidInputException("a database needs a thread key with a read key");
        }
        List<CollectionConfig> cols = collections == null ? List.of() : List.copyOf(collections);
        String codecName = config.defaultCodec();
        codec(codecName); // must be available
        for (CollectionConfig c : cols) {
            Schemas.checkIdDeclaration(c.name(), c.schema());
            schemas.compile(c.schema());
        }
        ThreadId tid = id != null ? id : ThreadId.newRandom();
        logService.createThread(tid, key);
        Db db;
        try {
            register(tid, name, codecName);
            db = openDb(tid);
            db.defineCollections(cols);
        } catch (RuntimeException e) {
            try {
                if (!deleteDatabase(tid)) {
                    logService.deleteThread(tid);
                }
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return db;
    }

    /** Writes the manager entry of a new database, which starts with dispatch cursors. */
    private void register(ThreadId id, String name, String codecName) {
        store.update(txn -> {
            if (txn.get(DbKeys.manager(id)) != null) {
                throw new ConflictException("database " + id + " already exists");
            }
            txn.put(DbKeys.manager(id), entry(name, codecName));
            ChangeLog.putMeta(txn, id, Db.META_CURSORS, 1);
        });
    }

    /**
     * Registers a database for a thread that exists elsewhere (its records, including its collection definitions,
     * arrive through the log service, e.g. from the network layer or {@link #addRecord}). Records the thread already
     * has here are applied in the background ({@link #catchUp(ThreadId)} waits for them).
     *
     * @throws ConflictException if the database is already registered, or the thread is stored with other keys
     */
    public Database joinDatabase(ThreadId id, ThreadKey key, String name) {
        Db db = join(id, key, name);
        db.requestCatchUp();
        return db;
    }

    private Db join(ThreadId id, ThreadKey key, String name) {
        ensureOpen();
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(key, "key");
        Names.check("database", name);
        if (!key.canRead()) {
            throw new InvalidInputException("a database needs a thread key with a read key");
        }
        String codecName = config.defaultCodec();
        codec(codecName);
        logService.addThread(id, key);
        register(id, name, codecName);
        return openDb(id);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Registers the database, has the {@linkplain Builder#threadService thread service} add the thread (which
     * fetches its logs and records), then applies every record before returning. If the thread service fails, the
     * database is unregistered again, and the thread is deleted (through the thread service, so that it stops
     * syncing it) unless it was here before.
     */
    @Override
    public Database joinDatabase(ThreadInvite invite, String name) {
        ensureOpen();
        Objects.requireNonNull(invite, "invite");
        Names.check("database", name);
        if (!invite.canRead()) {
            throw new InvalidInputException("a database needs the read key; a service-key-only invite makes a"
                    + " replica: use ThreadService.addThread");
        }
        ThreadService net = threadService.get();
        if (net == null) {
            throw new InvalidInputException("this peer has no network (no thread service): it cannot join a"
                    + " database from an invite");
        }
        ThreadId id = invite.threadId();
        boolean existed = logService.logstore().hasThread(id);
        Db db = join(id, invite.key(), name);
        try {
            net.addThread(invite);
        } catch (RuntimeException e) {
            try {
                unregister(id);
                if (!existed) {
                    forgetThread(net, id);
                }
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        db.catchUp();
        return db;
    }

    /** Deletes a thread through the thread service (which also stops syncing it), else through the log service. */
    private void forgetThread(ThreadService net, ThreadId id) {
        try {
            net.deleteThread(id);
        } catch (RuntimeException e) {
            LOG.debug("thread service could not delete thread {} ({}); deleting it from the log service", id, e.toString());
        }
        logService.deleteThread(id);
    }

    /**
     * Applies a record of another peer's log to a database: appends it through the log service and catches the
     * log up, so its events are applied when this returns (see {@code Db#addRecord}).
     *
     * @throws NotFoundException if the database or the log is not known
     */
    public AppendResult addRecord(ThreadId id, LogId log, RecordEnvelope envelope) {
        return openDb(id).addRecord(log, envelope);
    }

    /**
     * Applies every record of the database's logs that it has not applied yet, and returns when done (records are
     * otherwise applied in the background as the log service appends them).
     *
     * @return how many records were applied
     * @throws NotFoundException if the database is not known
     */
    public long catchUp(ThreadId id) {
        return openDb(id).catchUp();
    }

    /** The append listener: schedules the catch-up of a database that has not applied the record. */
    private void appended(ThreadId thread, AppendResult result) {
        if (closed) {
            return;
        }
        Db db = open.get(thread);
        // the write lock's holder appended it: a local commit dispatched it, or addRecord catches up right after
        if (db != null && !db.heldByCurrentThread()) {
            db.appended(result);
        }
    }

    @Override
    public Database database(ThreadId id) {
        return openDb(id);
    }

    Db openDb(ThreadId id) {
        ensureOpen();
        Objects.requireNonNull(id, "id");
        Db db = open.get(id);
        if (db != null) {
            return db;
        }
        byte[] v = store.read(txn -> txn.get(DbKeys.manager(id)));
        if (v == null) {
            throw new NotFoundException("database " + id + " not found");
        }
        Registered r = parseEntry(id, v);
        return open.computeIfAbsent(id, k -> new Db(this, k, r.name(), r.codec()));
    }

    private List<ThreadId> registeredIds() {
        return store.read(txn -> {
            List<ThreadId> out = new ArrayList<>();
            byte[] root = DbKeys.managerRoot();
            try (Cursor c = txn.scan(KeyRange.prefix(root))) {
                while (c.hasNext()) {
                    out.add(DbKeys.managerThread(c.next().key()));
                }
            }
            return out;
        });
    }

    @Override
    public List<DatabaseInfo> listDatabases() {
        ensureOpen();
        List<ThreadId> ids = registeredIds();
        List<DatabaseInfo> infos = new ArrayList<>(ids.size());
        for (ThreadId id : ids) {
            try {
                infos.add(databaseInfo(id));
            } catch (NotFoundException e) {
                // deleted meanwhile
            }
        }
        infos.sort((a, b) -> a.id().compareTo(b.id()));
        return infos;
    }

    @Override
    public DatabaseInfo databaseInfo(ThreadId id) {
        ensureOpen();
        Objects.requireNonNull(id, "id");
        byte[] v = store.read(txn -> txn.get(DbKeys.manager(id)));
        if (v == null) {
            throw new NotFoundException("database " + id + " not found");
        }
        Registered r = parseEntry(id, v);
        ThreadInfo t = logService.getThread(id);
        PeerId peer = PeerId.of(identity.publicKey());
        List<Multiaddr> addrs = new ArrayList<>();
        for (Multiaddr a : hostAddrs.get()) {
            Multiaddr m = a.has(Multiaddr.Protocol.P2P) ? a
                    : a.encapsulate(Multiaddr.Component.of(Multiaddr.Protocol.P2P, peer.bytes()));
            addrs.add(m.encapsulate(Multiaddr.Component.of(Multiaddr.Protocol.THREAD, id.bytes())));
        }
        return new DatabaseInfo(id, r.name(), t.key(), addrs);
    }

    @Override
    public boolean deleteDatabase(ThreadId id) {
        if (!unregister(id)) {
            return false;
        }
        logService.deleteThread(id);
        return true;
    }

    /** Removes a database's entry and data (not its thread); whether it was registered. */
    private boolean unregister(ThreadId id) {
        ensureOpen();
        Objects.requireNonNull(id, "id");
        Db db;
        try {
            db = openDb(id);
        } catch (NotFoundException e) {
            return false;
        }
        db.lockWrite();
        try {
            db.close(true);
            store.update(txn -> {
                txn.delete(DbKeys.manager(id));
                txn.deleteRange(KeyRange.prefix(DbKeys.dataPrefix(id)));
            });
            open.remove(id);
        } finally {
            db.unlockWrite();
        }
        return true;
    }

    /**
     * Stops listening to the log service, catch-up (between batches: what was applied stays applied, the rest is
     * applied when a manager opens the store again) and listener delivery; the store and log service are the
     * caller's to close.
     */
    @Override
    public void close() {
        closed = true;
        appendListener.close();
        for (Db db : open.values()) {
            db.close(false);
        }
        open.clear();
        catchUpExecutor.shutdown();
        try {
            if (!catchUpExecutor.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("database catch-up did not stop within {} s of close", CLOSE_WAIT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
    }
}
