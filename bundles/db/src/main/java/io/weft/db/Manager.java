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
import io.weft.api.record.RecordEnvelope;
import io.weft.api.store.Cursor;
import io.weft.api.store.Datastore;
import io.weft.api.store.KeyRange;
import io.weft.api.store.ReadTxn;
import io.weft.api.thread.LogId;
import io.weft.api.thread.PeerId;
import io.weft.api.thread.ThreadId;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The {@link DatabaseManager} over a {@link LogService} and the {@link Datastore} that log service writes to (they
 * must be the same store: a database's state commits in the log service's append transaction; every commit checks
 * this). Works with plain {@code new} via {@link #builder}; the DS component only adapts it.
 *
 * <p>The manager keeps its list of databases under {@code db 00 <tid>} (name and codec of each); the thread key and
 * logs live in the logstore.
 */
public final class Manager implements DatabaseManager, AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

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
    private final Schemas schemas;
    private final byte[] storeId;
    private final Map<ThreadId, Db> open = new ConcurrentHashMap<>();
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
        this.schemas = new Schemas(config.schemaCacheSize());
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "weft-db-listener-" + n.incrementAndGet());
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

    Schemas schemas() {
        return schemas;
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
            store.update(txn -> {
                if (txn.get(DbKeys.manager(tid)) != null) {
                    throw new ConflictException("database " + tid + " already exists");
                }
                txn.put(DbKeys.manager(tid), entry(name, codecName));
            });
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

    /**
     * Registers a database for a thread that exists elsewhere (its records, including its collection definitions,
     * arrive through {@link #addRecord}). The network layer's {@code NewDBFromAddr} builds on this.
     *
     * @throws ConflictException if the database is already registered, or the thread is stored with other keys
     */
    public Database joinDatabase(ThreadId id, ThreadKey key, String name) {
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
        store.update(txn -> {
            if (txn.get(DbKeys.manager(id)) != null) {
                throw new ConflictException("database " + id + " already exists");
            }
            txn.put(DbKeys.manager(id), entry(name, codecName));
        });
        return openDb(id);
    }

    /**
     * Applies a record of another peer's log to a database (the network path; see {@code Db#addRecord}).
     *
     * @throws NotFoundException if the database or the log is not known
     */
    public AppendResult addRecord(ThreadId id, LogId log, RecordEnvelope envelope) {
        return openDb(id).addRecord(log, envelope);
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

    @Override
    public List<DatabaseInfo> listDatabases() {
        ensureOpen();
        List<ThreadId> ids = store.read(txn -> {
            List<ThreadId> out = new ArrayList<>();
            byte[] root = DbKeys.managerRoot();
            try (Cursor c = txn.scan(KeyRange.prefix(root))) {
                while (c.hasNext()) {
                    out.add(DbKeys.managerThread(c.next().key()));
                }
            }
            return out;
        });
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
            db.close();
            store.update(txn -> {
                txn.delete(DbKeys.manager(id));
                txn.deleteRange(KeyRange.prefix(DbKeys.dataPrefix(id)));
            });
            open.remove(id);
        } finally {
            db.unlockWrite();
        }
        logService.deleteThread(id);
        return true;
    }

    /** Stops listener delivery; the store and log service are the caller's to close. */
    @Override
    public void close() {
        closed = true;
        for (Db db : open.values()) {
            db.close();
        }
        open.clear();
        executor.shutdownNow();
    }
}
