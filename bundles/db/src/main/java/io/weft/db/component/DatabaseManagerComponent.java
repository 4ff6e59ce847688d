package io.weft.db.component;

import io.weft.api.db.CollectionConfig;
import io.weft.api.db.Database;
import io.weft.api.db.DatabaseInfo;
import io.weft.api.db.DatabaseManager;
import io.weft.api.db.spi.EventCodec;
import io.weft.api.db.spi.ReadFilter;
import io.weft.api.db.spi.WriteValidator;
import io.weft.api.log.LogService;
import io.weft.api.store.Datastore;
import io.weft.api.thread.HostIdentity;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import io.weft.db.DbConfig;
import io.weft.db.Manager;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a {@link Manager} as the {@link DatabaseManager} service. A thin adapter: it binds the log service, the
 * store (which must be the one the log service writes to), the host identity, and — dynamically, so they may come and
 * go while the peer runs — event codecs ({@code weft.codec}), write validators ({@code weft.validator}) and read
 * filters ({@code weft.filter}); a service without the property is keyed by its {@code name()}.
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
    private final Manager manager;

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
                .build();
        LOG.info("Weft database manager ready, {} databases, store {}", manager.listDatabases().size(), store.engine());
    }

    @Deactivate
    void deactivate() {
        manager.close();
    }

    private static String key(Map<String, Object> props, String property, String fallback) {
        Object v = props.get(property);
        return v instanceof String s && !s.isBlank() ? s : fallback;
    }

    @Reference(name = "codec", service = EventCodec.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    void addCodec(EventCodec codec, Map<String, Object> props) {
        codecs.put(key(props, "weft.codec", codec.name()), codec);
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
