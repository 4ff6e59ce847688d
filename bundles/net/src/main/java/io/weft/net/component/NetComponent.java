package io.weft.net.component;

import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Multiaddr;
import io.weft.api.log.AppendResult;
import io.weft.api.log.LogInfo;
import io.weft.api.log.LogService;
import io.weft.api.log.SyncStats;
import io.weft.api.log.ThreadInfo;
import io.weft.api.log.ThreadService;
import io.weft.api.net.Transport;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.LogId;
import io.weft.api.thread.PeerId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadInvite;
import io.weft.api.thread.ThreadKey;
import io.weft.api.WeftException;
import io.weft.net.NetConfig;
import io.weft.net.ThreadNet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers this peer's {@link ThreadService}: a {@link ThreadNet} over the {@link Transport} and
 * {@link LogService} services, configured by {@link NetSettings}. A thin adapter: all logic is in ThreadNet. A new
 * transport (its configuration changed) restarts this component, which pulls every thread again.
 */
@Component(service = ThreadService.class, configurationPid = NetSettings.PID, immediate = true)
@Designate(ocd = NetSettings.class)
public final class NetComponent implements ThreadService {
    private static final Logger LOG = LoggerFactory.getLogger(NetComponent.class);

    private final ThreadNet net;

    @Activate
    public NetComponent(NetSettings settings, @Reference(name = "transport") Transport transport,
            @Reference(name = "logService") LogService logService) {
        this.net = ThreadNet.start(transport, logService, toConfig(settings));
        List<ThreadInvite> invites = invites(settings.threads());
        if (!invites.isEmpty()) {
            Thread joiner = new Thread(() -> join(invites), "weft-net-join");
            joiner.setDaemon(true);
            joiner.start();
        }
        LOG.info("Weft thread sync ready on {}, {} threads", net.hostId(), logService.listThreads().size());
    }

    /** The {@link NetConfig} that {@code s} describe. */
    static NetConfig toConfig(NetSettings s) {
        return NetConfig.defaults()
                .withPubsub(s.pubsub())
                .withPullInterval(Duration.ofSeconds(s.pull_interval_seconds()))
                .withCallTimeout(Duration.ofSeconds(s.call_timeout_seconds()))
                .withPageRecords(s.page_records())
                .withPageBytes(s.page_bytes())
                .withMaxMessageSize(s.max_message_size())
                .withEdgesBatch(s.edges_batch())
                .withBackoffMax(Duration.ofSeconds(s.backoff_max_seconds()))
                .withAdoptThreads(s.adopt_threads());
    }

    private static List<ThreadInvite> invites(String value) {
        List<ThreadInvite> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        for (String part : value.split("[;|]")) {
            if (!part.isBlank()) {
                try {
                    out.add(ThreadInvite.parse(part));
                } catch (WeftException e) {
                    LOG.error("io.weft.net: ignoring an entry of 'threads' that is not an invite: {}", e.getMessage());
                }
            }
        }
        return out;
    }

    private void join(List<ThreadInvite> invites) {
        for (ThreadInvite invite : invites) {
            try {
                if (net.logService().logstore().hasThread(invite.threadId())) {
                    continue;
                }
                net.addThread(invite);
                LOG.info("joined thread {} from the configuration ({})", invite.threadId(),
                        invite.canRead() ? "reader" : "replica");
            } catch (WeftException e) {
                LOG.error("could not join thread {} ({}): {}", invite.threadId(), invite, e.getMessage());
            }
        }
    }

    @Deactivate
    void deactivate() {
        net.close();
    }

    @Override
    public PeerId hostId() {
        return net.hostId();
    }

    @Override
    public LogService logService() {
        return net.logService();
    }

    @Override
    public ThreadInfo createThread(ThreadId id, ThreadKey key) {
        return net.createThread(id, key);
    }

    @Override
    public ThreadInfo addThread(ThreadInvite invite) {
        return net.addThread(invite);
    }

    @Override
    public ThreadInvite invite(ThreadId thread, boolean replicaOnly) {
        return net.invite(thread, replicaOnly);
    }

    @Override
    public void pullThread(ThreadId thread) {
        net.pullThread(thread);
    }

    @Override
    public boolean deleteThread(ThreadId thread) {
        return net.deleteThread(thread);
    }

    @Override
    public PeerId addReplicator(ThreadId thread, Multiaddr address) {
        return net.addReplicator(thread, address);
    }

    @Override
    public LogInfo addLog(ThreadId thread, PublicKey logKey) {
        return net.addLog(thread, logKey);
    }

    @Override
    public AppendResult addRecord(ThreadId thread, LogId log, RecordEnvelope envelope) {
        return net.addRecord(thread, log, envelope);
    }

    @Override
    public List<PeerId> peers(ThreadId thread) {
        return net.peers(thread);
    }

    @Override
    public SyncStats stats() {
        return net.stats();
    }
}
