package io.weft.server.component;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.weft.api.WeftException;
import io.weft.api.log.LogService;
import io.weft.server.ApiServer;
import io.weft.server.readers.ReadersConfig;
import io.weft.server.readers.ReadersRoute;
import io.weft.server.web.HttpRoute;
import io.weft.server.web.WebConfig;
import io.weft.server.web.WebGateway;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web side of the client API, configured under PID {@value #PID} ({@code conf/io.weft.server.web.cfg}): the
 * gateway serving grpc-websockets (what {@code @textile/threads-client} speaks) and grpc-web on
 * {@code 127.0.0.1:6007} by default, forwarding every call to the {@link ApiServer}'s in-process server (so the same
 * services and authentication apply), and the web readers ({@code web.*} and {@code readers.*} keys,
 * docs/web-transports.md and docs/web-readers.md). A configuration change restarts it.
 */
@Component(immediate = true, configurationPid = WebComponent.PID)
public final class WebComponent {
    /** The configuration PID. */
    public static final String PID = "io.weft.server.web";
    private static final Logger LOG = LoggerFactory.getLogger(WebComponent.class);

    private final ManagedChannel channel;
    private final ReadersRoute readers;
    private final WebGateway gateway;

    @Activate
    public WebComponent(Map<String, Object> properties, @Reference(name = "apiServer") ApiServer server,
            @Reference(name = "logService") LogService logs) {
        WebConfig config;
        ReadersConfig readersConfig;
        try {
            config = WebConfig.fromProperties(properties);
            readersConfig = ReadersConfig.fromProperties(properties);
        } catch (WeftException | IllegalArgumentException e) {
            LOG.error("{}: invalid configuration, the web gateway is not started: {}", PID, e.getMessage());
            throw e;
        }
        this.channel = InProcessChannelBuilder.forName(server.inProcessName()).build();
        this.readers = readersConfig.enabled() ? new ReadersRoute(logs, readersConfig) : null;
        List<HttpRoute> routes = new ArrayList<>();
        if (readers != null) {
            routes.add(readers);
        }
        WebGateway g = new WebGateway(config, channel, server::methodType, routes);
        try {
            g.start();
        } catch (RuntimeException e) {
            LOG.error("the web gateway is not started: {}", e.getMessage());
            close(g);
            throw e;
        }
        this.gateway = g;
    }

    @Deactivate
    void deactivate() {
        close(gateway);
    }

    private void close(WebGateway g) {
        g.close();
        if (readers != null) {
            readers.close();
        }
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
