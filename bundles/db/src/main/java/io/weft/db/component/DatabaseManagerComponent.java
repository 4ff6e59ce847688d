package io.weft.db.component;

import io.weft.api.db.CollectionConfig;
import io.weft.api.db.Database;
import io.weft.api.db.DatabaseInfo;
import io.weft.api.db.DatabaseManager;
import io.weft.api.db.spi.EventCodec;
import io.weft.api.db.spi.ReadFilter;
import io.weft.api.db.spi.WriteValidator;
import io.weft.api.NotFoundException;
import io.weft.api.WeftException;
import io.weft.api.log.LogService;
import io.weft.api.log.ThreadService;
import io.weft.api.store.Datastore;
import io.weft.api.thread.HostIdentity;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadInvite;
import io.weft.api.thread.ThreadKey;
import io.weft.db.DbConfig;
import io.weft.db.Manager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a {@link Manager} as the {@link DatabaseManager} service. A thin adapter: it binds the log service, the
 * store (which must be the one the log service writes to), the host identity, and — dynamically, so they may come and
 * go while the peer runs — event codecs ({@code weft.codec}), write validators ({@code weft.validator}) and read
 * filters ({@code weft.filter}); a service without the property is keyed by its {@code name()}. The network's
 * {@link ThreadService} is optional and dynamic too: without it the databases work locally and
 * {@link #joinDatabase(ThreadInvite, String)} is refused. The {@code join} property lists databases to join
 * ({@code <name>=<invite>}); each one not here yet is joined in the background on activation and whenever a thread
 * service arrives.
 *
 * <p>Immediate: the manager is created when its references are satisfied and lives until they go away, not
 * only while some bundle holds the service (a delayed component would be disposed, with its open databases and
 * listener subscriptions, whenever the last user released it).
 */
@Component(immediate = true, service = DatabaseManager.class, configurationPid = DbComponentConfig.PID)
@Designate(ocd = DbComponentConfig.class)
public final class DatabaseManagerComponent implements DatabaseManager {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseManagerComponent.class);

    private final Map<String, EventCodec> codecs = new ConcurrentHashMap<>();
    private final Map<String, WriteValidator> validators = new ConcurrentHashMap<>();
    private final Map<String, ReadFilter> filters = new ConcurrentHashMap<>();
    private final AtomicReference<ThreadService> threadService = new AtomicReference<>();
    private final List<JoinEntry> joins;
    private final ExecutorService joiner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "weft-db-join");
        t.setDaemon(true);
        return t;
    });
    private final Manager manager;

    /** A configured database to join. */
    record JoinEntry(String name, ThreadInvite invite) {
    }

    @Activate
    public DatabaseManagerComponent(DbComponentConfig config,
            @Reference(name = "logService") LogService logService,
            @Reference(name = "datastore", target = DbComponentConfig.DEFAULT_DATASTORE_TARGET) Datastore store,
            @Reference(name = "hostIdentity") HostIdentity identity) {
        DbConfig cfg = new DbConfig(config.max_document_bytes(), config.codec(), config.change_log_retention(),
                config.max_clock_skew_millis(), config.listener_batch_size(), config.schema_cache_size());
        this.manager = Manager.builder(logService, store, identity.privateKey())
                .config(cfg)
                .codecs(codecs::get)
                .writeValidators(validators::get)
                .readFilters(filters::get)
                .threadServiceLookup(threadService::get)
                .build();
        this.joins = parseJoins(config.join());
        LOG.info("Weft database manager ready, {} databases, store {}", manager.listDatabases().size(), store.engine());
        scheduleJoins();
    }

    @Deactivate
    void deactivate() {
        joiner.shutdownNow();
        manager.close();
    }

    /**
     * Parses the {@code join} entries ({@code <name>=<invite>}; one string may hold several separated by {@code ;}).
     * A malformed entry is logged by position, never with its text (which holds a key), and skipped.
     */
    static List<JoinEntry> parseJoins(String[] values) {
        List<JoinEntry> out = new ArrayList<>();
        if (values == null) {
            return out;
        }
        int n = 0;
        for (String value : values) {
            for (String e : value == null ? new String[0] : value.split(";")) {
                if (e.isBlank()) {
                    continue;
                }
                n++;
                int eq = e.indexOf('=');
                if (eq <= 0) {
                    LOG.error("join entry {} is not <name>=<invite>; ignored", n);
                    continue;
                }
                String name = e.substring(0, eq).strip();
                try {
                    out.add(new JoinEntry(name, ThreadInvite.parse(e.substring(eq + 1))));
                } catch (WeftException ex) {
                    LOG.error("join entry {} ({}) is not an invite ({}); ignored", n, name, ex.getMessage());
                }
            }
        }
        return out;
    }

    /** Joins, in the background, each configured database that is not here yet, if a thread service is bound. */
    private void scheduleJoins() {
        if (joins.isEmpty() || threadService.get() == null) {
            return;
        }
        try {
            joiner.execute(this::joinMissing);
        } catch (RejectedExecutionException e) {
            LOG.debug("database joins not scheduled: the component is deactivating");
        }
    }

    private void joinMissing() {
        for (JoinEntry j : joins) {
            if (Thread.currentThread().isInterrupted() || threadService.get() == null) {
                return;
            }
            ThreadId id = j.invite().threadId();
            try {
                manager.databaseInfo(id);
                continue; // already here
            } catch (NotFoundException e) {
                // not yet: join it
            }
            try {
                manager.joinDatabase(j.invite(), j.name());
                LOG.info("joined database {} ({}) from {}", id, j.name(), j.invite());
            } catch (RuntimeException e) {
                LOG.error("could not join database {} ({}) from {}: {}", id, j.name(), j.invite(), e.toString());
            }
        }
    }

    @Reference(name = "threadService", service = ThreadService.class, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "unsetThreadService")
    void setThreadService(ThreadService service) {
        threadService.set(service);
        scheduleJoins();
    }

    void unsetThreadService(ThreadService service) {
        threadService.compareAndSet(service, null);
    }

    private static String key(Map<String, Object> props, String property, String fallback) {
        Object v = props.get(property);
        return v instanceof String s && !s.isBlank() ? s : fallback;
    }

    @Reference(name = "codec", service = EventCodec.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    void addCodec(EventCodec codec, Map<String, Object> props) {
        codecs.put(key(props, "weft.codec", codec.name()), codec);
        Manager m = manager;
        if (m != null) {
            m.requestCatchUpAll(); // databases that could not be caught up without this codec are now
        }
    }

    void removeCodec(EventCodec codec, Map<String, Object> props) {
        codecs.remove(key(props, "weft.codec", codec.name()), codec);
    }

    @Reference(name = "writeValidator", service = WriteValidator.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    void addWriteValidator(WriteValidator v, Map<String, Object> props) {
        validators.put(key(props, "weft.validator", v.name()), v);
    }

    void removeWriteValidator(WriteValidator v, Map<String, Object> props) {
        validators.remove(key(props, "weft.validator", v.name()), v);
    }

    @Reference(name = "readFilter", service = ReadFilter.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    void addReadFilter(ReadFilter f, Map<String, Object> props) {
        filters.put(key(props, "weft.filter", f.name()), f);
    }

    void removeReadFilter(ReadFilter f, Map<String, Object> props) {
        filters.remove(key(props, "weft.filter", f.name()), f);
    }

    @Override
    public Database createDatabase(ThreadId id, ThreadKey key, String name, List<CollectionConfig> collections) {
        return manager.createDatabase(id, key, name, collections);
    }

    @Override
    public Database joinDatabase(ThreadInvite invite, String name) {
        return manager.joinDatabase(invite, name);
    }

    @Override
    public Database database(ThreadId id) {
        return manager.database(id);
    }

    @Override
    public List<DatabaseInfo> listDatabases() {
        return manager.listDatabases();
    }

    @Override
    public DatabaseInfo databaseInfo(ThreadId id) {
        return manager.databaseInfo(id);
    }

    @Override
    public boolean deleteDatabase(ThreadId id) {
        return manager.deleteDatabase(id);
    }
}
