package io.weft.peer;

import io.weft.api.WeftException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.store.Datastore;
import io.weft.api.thread.HostIdentity;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer: opens the repository ({@code weft.repo}, default {@code ~/.weft}), loads or creates the host
 * identity and binds the {@link Datastore} selected by {@code store.target} (default
 * {@code (weft.store=xodus)}). Registered also as the {@link HostIdentity} service, with which the database
 * and the network write this peer's logs. A thin DS adapter: the work is done by {@link Repo} and
 * {@link IdentityFile}.
 */
@Component(immediate = true, service = {PeerHost.class, HostIdentity.class}, configurationPid = PeerHost.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = PeerHost.Config.class)
public final class PeerHost implements HostIdentity {

    /** Configuration PID. */
    public static final String PID = "io.weft.peer";

    private static final Logger LOG = LoggerFactory.getLogger(PeerHost.class);

    @ObjectClassDefinition(name = "Weft peer", description = "The peer host: repository, identity, store selection")
    public @interface Config {
        @AttributeDefinition(name = "Store target",
                description = "LDAP filter selecting the Datastore service, e.g. (weft.store=memory)")
        String store_target() default "(weft.store=xodus)";
    }

    private final Repo repo;
    private final IdentityFile identity;
    private final Datastore store;

    @Activate
    public PeerHost(@Reference(name = "store", target = "(weft.store=xodus)") Datastore store) {
        this.store = store;
        try {
            this.repo = Repo.open(Repo.locationFromSystem());
            this.identity = repo.identity();
        } catch (WeftException e) {
            LOG.error("Weft peer cannot start: {}", e.toString());
            throw e;
        }
        if (IdentityFile.isReadableByOthers(repo.identityFile())) {
            LOG.warn("identity file {} is readable by other users; run: chmod 600 {}", repo.identityFile(), repo.identityFile());
        }
        LOG.info("Weft peer {} started, repo {}, store {}{}", identity.peerId(), repo.dir(), store.engine(),
                identity.created() ? " (new identity created)" : "");
    }

    @Deactivate
    void deactivate() {
        LOG.info("Weft peer {} stopped", identity.peerId());
    }

    /** The repository this peer runs on. */
    public Repo repo() {
        return repo;
    }

    /** The host identity file. */
    public IdentityFile identity() {
        return identity;
    }

    /** The host's private key. Secret: never log it. */
    @Override
    public PrivateKey privateKey() {
        return identity.privateKey();
    }

    /** The bound store. */
    public Datastore store() {
        return store;
    }
}
