package io.weft.server;

import io.grpc.BindableService;
import io.grpc.HandlerRegistry;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.weft.api.WeftException;
import io.weft.api.db.DatabaseManager;
import io.weft.api.log.ThreadService;
import io.weft.api.thread.HostIdentity;
import io.weft.server.auth.AuthInterceptor;
import io.weft.server.auth.TokenService;
import io.weft.server.db.DbApiService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client API server of a peer: the go-threads {@code threads.pb.API} (and any {@linkplain #addService added}
 * service, such as {@code threads.net.pb.API}) over native gRPC (HTTP/2, Netty) on the configured address, and the
 * same services on an in-process gRPC server that the web gateway forwards grpc-web and grpc-websockets calls to.
 * Every call passes the {@link AuthInterceptor} (tokens from GetToken, or the host identity where the
 * {@link ServerConfig.HostIdentityPolicy} allows it). Plain Java; the OSGi component only adapts it.
 *
 * <pre>{@code
 * WeftServer server = WeftServer.builder(ServerConfig.defaults(), databaseManager, hostIdentity)
 *         .threadService(threadService)          // optional: NewDBFromAddr, thread addresses in GetDBInfo
 *         .start();
 * ...
 * server.close();
 * }</pre>
 */
public final class WeftServer implements ApiServer, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WeftServer.class);
    private static final long GRACE_MILLIS = 2000;

    private final ServerConfig config;
    private final ScheduledExecutorService timer;
    private final TokenService tokens;
    private final AuthInterceptor auth;
    private final Registry registry = new Registry();
    private final String inProcessName = "weft-grpc-" + UUID.randomUUID();
    private final Server inProcess;
    private final Server netty;
    private final String bound;
    private volatile boolean closed;

    /** Starts a server; see {@link Builder}. */
    public static Builder builder(ServerConfig config, DatabaseManager databases, HostIdentity host) {
        return new Builder(config, databases, host);
    }

    /** What a {@link WeftServer} serves and with what. */
    public static final class Builder {
        private final ServerConfig config;
        private final DatabaseManager databases;
        private final HostIdentity host;
        private Supplier<ThreadService> threads = () -> null;
        private Clock clock = Clock.systemUTC();
        private final List<BindableService> extra = new ArrayList<>();

        private Builder(ServerConfig config, DatabaseManager databases, HostIdentity host) {
            this.config = Objects.requireNonNull(config, "config");
            this.databases = Objects.requireNonNull(databases, "databases");
            this.host = Objects.requireNonNull(host, "host");
        }

        /** The network's thread service (default none: NewDBFromAddr fails with FAILED_PRECONDITION). */
        public Builder threadService(ThreadService service) {
            return threadServiceLookup(() -> service);
        }

        /** As {@link #threadService}, looked up at each use; the lookup may return {@code null}. */
        public Builder threadServiceLookup(Supplier<ThreadService> lookup) {
            this.threads = Objects.requireNonNull(lookup, "lookup");
            return this;
        }

        /** The clock of token issue and expiry (default the system clock). */
        public Builder clock(Clock c) {
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /** A further service to serve from the start (see {@link WeftServer#addService}). */
        public Builder service(BindableService service) {
            extra.add(Objects.requireNonNull(service, "service"));
            return this;
        }

        /**
         * Starts the servers.
         *
         * @throws WeftException if the address cannot be bound
         */
        public WeftServer start() {
            return new WeftServer(this);
        }
    }

    private WeftServer(Builder b) {
        this.config = b.config;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "weft-grpc-timer");
            t.setDaemon(true);
            return t;
        });
        this.tokens = new TokenService(b.host.privateKey(), config.tokenLifetime(), config.challengeTimeout(), b.clock,
                timer);
        this.auth = new AuthInterceptor(tokens, config.hostIdentity());
        addService(new DbApiService(b.databases, b.threads, tokens, timer, config.transactionIdleTimeout()));
        for (BindableService s : b.extra) {
            addService(s);
        }
        Server in = null;
        try {
            in = InProcessServerBuilder.forName(inProcessName)
                    .fallbackHandlerRegistry(registry)
                    .maxInboundMetadataSize(64 * 1024)
                    .build()
                    .start();
            InetSocketAddress bind = new InetSocketAddress(config.host(), config.port());
            if (bind.isUnresolved()) {
                throw new WeftException("gRPC server: cannot resolve host " + config.host() + " of "
                        + ServerConfig.KEY_ADDRESS);
            }
            this.netty = NettyServerBuilder.forAddress(bind)
                    .fallbackHandlerRegistry(registry)
                    .maxInboundMessageSize(config.maxMessageSize())
                    .maxInboundMetadataSize(64 * 1024)
                    .build()
                    .start();
        } catch (IOException | RuntimeException e) {
            if (in != null) {
                in.shutdownNow();
            }
            timer.shutdownNow();
            if (e instanceof WeftException w) {
                throw w;
            }
            throw new WeftException("gRPC server: cannot listen on " + config.address() + ": " + reason(e), e);
        }
        this.inProcess = in;
        String h = config.host();
        this.bound = (h.contains(":") ? "[" + h + "]" : h) + ":" + ((InetSocketAddress) netty.getListenSockets().get(0))
                .getPort();
        LOG.info("Weft gRPC API listening on {} ({}; calls without a token: {})", bound,
                String.join(", ", registry.names()), config.hostIdentity().text());
    }

    private static String reason(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() != null ? c.getMessage() : c.toString();
    }

    /** {@code host:port} the native server is bound to. */
    public String boundAddress() {
        return bound;
    }

    /** The configuration it runs with. */
    public ServerConfig config() {
        return config;
    }

    @Override
    public String inProcessName() {
        return inProcessName;
    }

    @Override
    public int grpcPort() {
        return Integer.parseInt(bound.substring(bound.lastIndexOf(':') + 1));
    }

    @Override
    public List<ServerServiceDefinition> services() {
        return registry.getServices();
    }

    @Override
    public MethodDescriptor.MethodType methodType(String fullMethodName) {
        ServerMethodDefinition<?, ?> m = registry.lookupMethod(fullMethodName, null);
        return m == null ? null : m.getMethodDescriptor().getType();
    }

    @Override
    public TokenService tokens() {
        return tokens;
    }

    @Override
    public AutoCloseable addService(BindableService service) {
        ServerServiceDefinition def = ServerInterceptors.intercept(service, auth);
        String name = def.getServiceDescriptor().getName();
        registry.add(def);
        return () -> registry.remove(name, def);
    }

    /** Stops both servers: running calls get a short grace period, then are cancelled. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        netty.shutdown();
        inProcess.shutdown();
        try {
            if (!netty.awaitTermination(GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
                netty.shutdownNow();
            }
            if (!inProcess.awaitTermination(GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
                inProcess.shutdownNow();
            }
            netty.awaitTermination(GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            netty.shutdownNow();
            inProcess.shutdownNow();
            Thread.currentThread().interrupt();
        }
        timer.shutdownNow();
        LOG.info("Weft gRPC API on {} stopped", bound);
    }

    /** The services of both servers, by service name; services can come and go while they run. */
    private static final class Registry extends HandlerRegistry {
        private final Map<String, ServerServiceDefinition> services = new ConcurrentHashMap<>();

        void add(ServerServiceDefinition def) {
            String name = def.getServiceDescriptor().getName();
            if (services.putIfAbsent(name, def) != null) {
                throw new IllegalArgumentException("a service named " + name + " is already served");
            }
        }

        void remove(String name, ServerServiceDefinition def) {
            services.remove(name, def);
        }

        List<String> names() {
            return services.keySet().stream().sorted().toList();
        }

        @Override
        public List<ServerServiceDefinition> getServices() {
            return List.copyOf(services.values());
        }

        @Override
        public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
            String service = MethodDescriptor.extractFullServiceName(methodName);
            if (service == null) {
                return null;
            }
            ServerServiceDefinition def = services.get(service);
            return def == null ? null : def.getMethod(methodName);
        }
    }
}
