package io.weft.server.component;

import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.weft.api.WeftException;
import io.weft.api.db.DatabaseManager;
import io.weft.api.log.ThreadService;
import io.weft.api.thread.HostIdentity;
import io.weft.server.ApiServer;
import io.weft.server.ServerConfig;
import io.weft.server.WeftServer;
import io.weft.server.auth.TokenService;
import java.time.Duration;
import java.util.List;
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
 * Runs this peer's {@link WeftServer} (the client API over native gRPC, and its in-process twin for the web gateway)
 * over the {@link DatabaseManager} and {@link HostIdentity} services, configured by {@link ServerSettings}, and
 * registers it as the {@link ApiServer} service, through which the web gateway and further APIs (the net API) attach.
 * The network's {@link ThreadService} is optional and dynamic: without it {@code NewDBFromAddr} is refused. A thin
 * adapter: all logic is in WeftServer. A configuration change restarts the server.
 */
@Component(immediate = true, service = ApiServer.class, configurationPid = ServerSettings.PID)
@Designate(ocd = ServerSettings.class)
public final class ServerComponent implements ApiServer {
    private static final Logger LOG = LoggerFactory.getLogger(ServerComponent.class);

    private final AtomicReference<ThreadService> threads = new AtomicReference<>();
    private final WeftServer server;

    @Activate
    public ServerComponent(ServerSettings settings, @Reference(name = "databaseManager") DatabaseManager databases,
            @Reference(name = "hostIdentity") HostIdentity host) {
        ServerConfig config;
        try {
            config = toConfig(settings);
        } catch (WeftException e) {
            LOG.error("io.weft.server: invalid configuration, the client API is not started: {}", e.getMessage());
            throw e;
        }
        try {
            this.server = WeftServer.builder(config, databases, host).threadServiceLookup(threads::get).start();
        } catch (WeftException e) {
            LOG.error("the client API is not started: {}", e.getMessage());
            throw e;
        }
    }

    /** The {@link ServerConfig} that {@code s} describe. */
    static ServerConfig toConfig(ServerSettings s) {
        var a = ServerConfig.parseAddress(s.grpc_address());
        return ServerConfig.defaults()
                .withAddress(a.getHostString(), a.getPort())
                .withMaxMessageSize(s.grpc_max_message_size())
                .withTransactionIdleTimeout(Duration.ofSeconds(s.grpc_transaction_idle_timeout_seconds()))
                .withTokenLifetime(Duration.ofSeconds(s.auth_token_lifetime_seconds()))
                .withHostIdentity(ServerConfig.HostIdentityPolicy.parse(s.auth_host_identity()))
                .withChallengeTimeout(Duration.ofSeconds(s.auth_challenge_timeout_seconds()));
    }

    @Deactivate
    void deactivate() {
        server.close();
    }

    @Reference(name = "threadService", service = ThreadService.class, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "unsetThreadService")
    void setThreadService(ThreadService service) {
        threads.set(service);
    }

    void unsetThreadService(ThreadService service) {
        threads.compareAndSet(service, null);
    }

    @Override
    public String inProcessName() {
        return server.inProcessName();
    }

    @Override
    public int grpcPort() {
        return server.grpcPort();
    }

    @Override
    public MethodDescriptor.MethodType methodType(String fullMethodName) {
        return server.methodType(fullMethodName);
    }

    @Override
    public List<ServerServiceDefinition> services() {
        return server.services();
    }

    @Override
    public TokenService tokens() {
        return server.tokens();
    }

    @Override
    public AutoCloseable addService(BindableService service) {
        return server.addService(service);
    }
}
