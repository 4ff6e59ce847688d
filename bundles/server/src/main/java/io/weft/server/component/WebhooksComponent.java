package io.weft.server.component;

import io.weft.api.log.LogService;
import io.weft.server.readers.WebhookConfig;
import io.weft.server.readers.Webhooks;
import java.nio.file.Path;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts every new record of this peer's threads to the webhook endpoints configured under PID
 * {@value #PID} ({@code conf/io.weft.server.webhooks.cfg}; keys in docs/web-readers.md). Without a configuration,
 * or with no endpoint, it does nothing.
 */
@Component(immediate = true, configurationPid = WebhooksComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class WebhooksComponent {
    /** The configuration PID. */
    public static final String PID = "io.weft.server.webhooks";
    private static final Logger LOG = LoggerFactory.getLogger(WebhooksComponent.class);

    private final Webhooks webhooks;

    @Activate
    public WebhooksComponent(Map<String, Object> properties, @Reference(name = "logService") LogService logs) {
        WebhookConfig config = WebhookConfig.fromProperties(properties, repo());
        this.webhooks = config.endpoints().isEmpty() ? null : new Webhooks(logs, config);
        LOG.info("webhooks: {} endpoint(s)", config.endpoints().size());
    }

    /** The repository directory ({@code weft.repo}, set by bin/weft), where the dead-letter log goes by default. */
    static Path repo() {
        String repo = System.getProperty("weft.repo");
        return repo != null ? Path.of(repo) : Path.of(System.getProperty("user.home"), ".weft");
    }

    @Deactivate
    void deactivate() {
        if (webhooks != null) {
            webhooks.close();
        }
    }
}
