package io.weft.store.xodus;

import io.weft.api.store.Datastore;
import io.weft.api.store.SharedDatastore;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The OSGi service: an {@link XodusDatastore} registered as {@link Datastore} with {@code weft.store=xodus},
 * configured by PID {@value XodusConfig#PID} (defaults apply without a configuration). A thin adapter: the
 * configuration becomes plain {@link XodusOptions} and a directory.
 *
 * <p>The framework owns the store's lifecycle, because the service is shared: {@link #close()} called by a
 * consumer does nothing ({@link SharedDatastore}); the store is closed when the component is deactivated (or reconfigured). The
 * component is delayed: the store is opened (and its directory locked) only while some consumer uses it, so a
 * peer configured for another engine leaves the directory alone.
 */
@Component(service = Datastore.class, property = "weft.store=" + XodusDatastore.ENGINE,
        configurationPid = XodusConfig.PID)
@Designate(ocd = XodusConfig.class)
public final class XodusDatastoreComponent extends SharedDatastore {

    /** System property naming the peer's repository directory; the store then lives in its {@code store}. */
    public static final String REPO_PROPERTY = "weft.repo";

    private final XodusDatastore store;

    /** Opens the store as configured (called by the framework). */
    @Activate
    public XodusDatastoreComponent(XodusConfig config) {
        XodusOptions options = new XodusOptions(config.fsync(), config.gcEnabled(), config.cacheMemoryPercent(),
                config.treePageSize());
        this.store = new XodusDatastore(resolveDirectory(config.directory()), options);
    }

    /**
     * The store directory for a configured value: the value itself if not blank, else
     * {@code <weft.repo>/store} when the {@value #REPO_PROPERTY} system property is set, else
     * {@code ~/.weft/store}.
     */
    public static Path resolveDirectory(String configured) {
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured.trim());
        }
        String repo = System.getProperty(REPO_PROPERTY);
        if (repo != null && !repo.isBlank()) {
            return Paths.get(repo.trim(), "store");
        }
        return Paths.get(System.getProperty("user.home"), ".weft", "store");
    }

    @Deactivate
    void deactivate() {
        closeEngine();
    }

    @Override
    protected Datastore engineStore() {
        return store;
    }
}
