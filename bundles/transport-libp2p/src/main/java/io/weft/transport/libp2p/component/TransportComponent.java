package io.weft.transport.libp2p.component;

import io.weft.api.format.Multiaddr;
import io.weft.api.net.Connection;
import io.weft.api.net.ConnectionListener;
import io.weft.api.net.PeerStore;
import io.weft.api.net.PubSub;
import io.weft.api.net.Registration;
import io.weft.api.net.Stream;
import io.weft.api.net.StreamHandler;
import io.weft.api.net.Transport;
import io.weft.api.net.TransportConfig;
import io.weft.api.thread.HostIdentity;
import io.weft.api.thread.PeerId;
import io.weft.transport.libp2p.Libp2pHost;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Registers the libp2p host of this peer (keyed by the {@link HostIdentity}) as the {@link Transport} service,
 * configured by {@link TransportSettings}. A thin adapter: all logic is in {@link Libp2pHost}.
 */
@Component(service = Transport.class, configurationPid = TransportSettings.PID, immediate = true,
        property = "weft.transport=libp2p")
@Designate(ocd = TransportSettings.class)
public final class TransportComponent implements Transport {

    private final Libp2pHost host;

    @Activate
    public TransportComponent(TransportSettings settings, @Reference(name = "hostIdentity") HostIdentity identity) {
        this.host = Libp2pHost.start(identity.privateKey(), toConfig(settings));
    }

    /** The {@link TransportConfig} that {@code settings} describe. */
    static TransportConfig toConfig(TransportSettings s) {
        return TransportConfig.defaults()
                .withListen(addresses(s.listen()))
                .withAnnounce(addresses(s.announce()))
                .withPubsubRouter(s.pubsub_router().trim())
                .withMaxConnections(s.max_connections())
                .withMaxStreamsPerConnection(s.max_streams_per_connection())
                .withMaxMessageSize(s.max_message_size())
                .withConnectTimeout(Duration.ofSeconds(s.connect_timeout_seconds()))
                .withDialBackoff(Duration.ofSeconds(s.dial_backoff_seconds()));
    }

    private static List<Multiaddr> addresses(String[] values) {
        return values == null ? List.of() : Arrays.stream(values).map(String::trim).filter(v -> !v.isEmpty())
                .map(Multiaddr::parse).toList();
    }

    @Deactivate
    void deactivate() {
        host.close();
    }

    @Override
    public PeerId localPeer() {
        return host.localPeer();
    }

    @Override
    public List<Multiaddr> listenAddresses() {
        return host.listenAddresses();
    }

    @Override
    public List<Multiaddr> announceAddresses() {
        return host.announceAddresses();
    }

    @Override
    public CompletableFuture<Connection> connect(Multiaddr address) {
        return host.connect(address);
    }

    @Override
    public CompletableFuture<Connection> connect(PeerId peer) {
        return host.connect(peer);
    }

    @Override
    public CompletableFuture<Stream> newStream(PeerId peer, String... protocols) {
        return host.newStream(peer, protocols);
    }

    @Override
    public Registration handle(String protocol, StreamHandler handler) {
        return host.handle(protocol, handler);
    }

    @Override
    public List<String> protocols() {
        return host.protocols();
    }

    @Override
    public List<Connection> connections() {
        return host.connections();
    }

    @Override
    public Registration addConnectionListener(ConnectionListener listener) {
        return host.addConnectionListener(listener);
    }

    @Override
    public PeerStore peerStore() {
        return host.peerStore();
    }

    @Override
    public PubSub pubsub() {
        return host.pubsub();
    }

    /** Closing the service is a no-op: the component's lifecycle belongs to the framework. */
    @Override
    public void close() {
    }
}
