package io.weft.server.component;

import io.weft.api.crypto.PublicKey;
import io.weft.api.log.ThreadService;
import io.weft.api.thread.HostIdentity;
import io.weft.server.ApiServer;
import io.weft.server.auth.Caller;
import io.weft.server.auth.TokenService;
import io.weft.server.net.NetApiService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code threads.net.pb.API} (the thread API) on the client API server while the network's
 * {@link ThreadService} is there, behind the server's authentication: a caller with a token writes records as its own
 * identity, a caller allowed without one as this peer's.
 */
@Component(immediate = true)
public final class NetApiComponent {
    private static final Logger LOG = LoggerFactory.getLogger(NetApiComponent.class);

    private final AutoCloseable registration;

    @Activate
    public NetApiComponent(@Reference(name = "apiServer") ApiServer server,
            @Reference(name = "threadService") ThreadService threads,
            @Reference(name = "hostIdentity") HostIdentity host) {
        NetApiService service = new NetApiService(threads, () -> author(host),
                replies -> server.tokens().getToken(replies, TokenService.NET_API));
        this.registration = server.addService(service);
        LOG.info("threads.net.pb.API served on the client API");
    }

    private static PublicKey author(HostIdentity host) {
        Caller caller = Caller.current();
        return caller.isHost() ? host.publicKey() : caller.identity();
    }

    @Deactivate
    void deactivate() throws Exception {
        registration.close();
    }
}
