package io.weft.logstore;

import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Multiaddr;
import io.weft.api.log.AddrBook;
import io.weft.api.log.HeadBook;
import io.weft.api.log.KeyBook;
import io.weft.api.log.LogInfo;
import io.weft.api.log.Logstore;
import io.weft.api.log.ThreadInfo;
import io.weft.api.log.ThreadMetadata;
import io.weft.api.store.Datastore;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Registers a {@link DatastoreLogstore} over the configured {@link Datastore} as the {@link Logstore} service, and
 * purges expired addresses periodically ({@link LogstoreConfig}). A thin adapter: all logic is in
 * {@link DatastoreLogstore}.
 */
@Component(service = Logstore.class, configurationPid = LogstoreConfig.PID)
@Designate(ocd = LogstoreConfig.class)
public final class LogstoreComponent implements Logstore {
    private final DatastoreLogstore delegate;
    private final ScheduledExecutorService gc;

    @Activate
    public LogstoreComponent(LogstoreConfig config,
            @Reference(name = "datastore", target = LogstoreConfig.DEFAULT_DATASTORE_TARGET) Datastore store) {
        this.delegate = new DatastoreLogstore(store);
        long interval = config.addr_gc_interval_seconds();
        if (interval > 0) {
            gc = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "weft-logstore-addr-gc");
                t.setDaemon(true);
                return t;
            });
            gc.scheduleWithFixedDelay(this::purge, Math.max(0, config.addr_gc_initial_delay_seconds()), interval, TimeUnit.SECONDS);
        } else {
            gc = null;
        }
    }

    private void purge() {
        try {
            delegate.addrBook().purgeExpired();
        } catch (RuntimeException e) {
            // the store may be closing; the next run retries
        }
    }

    @Deactivate
    void deactivate() {
        if (gc != null) {
            gc.shutdownNow();
        }
    }

    @Override
    public KeyBook keyBook() {
        return delegate.keyBook();
    }

    @Override
    public AddrBook addrBook() {
        return delegate.addrBook();
    }

    @Override
    public HeadBook headBook() {
        return delegate.headBook();
    }

    @Override
    public ThreadMetadata metadata() {
        return delegate.metadata();
    }

    @Override
    public List<ThreadId> threads() {
        return delegate.threads();
    }

    @Override
    public boolean hasThread(ThreadId thread) {
        return delegate.hasThread(thread);
    }

    @Override
    public ThreadInfo threadInfo(ThreadId thread) {
        return delegate.threadInfo(thread);
    }

    @Override
    public List<LogId> logs(ThreadId thread) {
        return delegate.logs(thread);
    }

    @Override
    public LogInfo logInfo(ThreadId thread, LogId log) {
        return delegate.logInfo(thread, log);
    }

    @Override
    public LogInfo addLog(ThreadId thread, PublicKey pubKey, Collection<Multiaddr> addrs, Duration ttl) {
        return delegate.addLog(thread, pubKey, addrs, ttl);
    }

    @Override
    public boolean deleteLog(ThreadId thread, LogId log) {
        return delegate.deleteLog(thread, log);
    }

    @Override
    public boolean deleteThread(ThreadId thread) {
        return delegate.deleteThread(thread);
    }
}
