package io.weft.api.net;

import io.weft.api.format.Multiaddr;
import io.weft.api.thread.PeerId;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * This peer's network endpoint (a libp2p host in the shipped implementation): listens, dials, keeps connections
 * within limits, serves registered protocols, and offers pubsub. Registered as an OSGi service by the transport
 * bundle and available outside OSGi through {@link TransportProvider}.
 */
public interface Transport extends AutoCloseable {

    /** This peer's id (the host identity). */
    PeerId localPeer();

    /** The addresses being listened on, with the real ports (a configured port 0 is resolved). */
    List<Multiaddr> listenAddresses();

    /** The addresses announced to other peers (configured announce addresses, else the listen addresses). */
    List<Multiaddr> announceAddresses();

    /**
     * Connects to {@code address} ({@code /ip4/…/tcp/…}, {@code /ip6/…} or {@code /dns4/…}, optionally ending in {@code /p2p/<id>}); when the
     * id is given, the remote must prove it (else {@code PEER_ID_MISMATCH}). Reuses an open connection to that peer.
     */
    CompletableFuture<Connection> connect(Multiaddr address);

    /** Connects to {@code peer}, reusing an open connection or dialling the addresses known for it. */
    CompletableFuture<Connection> connect(PeerId peer);

    /** Opens a stream to {@code peer} (connecting if needed) speaking the first supported of {@code protocols}. */
    CompletableFuture<Stream> newStream(PeerId peer, String... protocols);

    /**
     * Serves {@code protocol} (e.g. {@code /thread/0.0.1}) with {@code handler}; identify advertises it. Replaces
     * nothing: registering a protocol twice is an error ({@link IllegalStateException}).
     */
    Registration handle(String protocol, StreamHandler handler);

    /** The protocols served, as identify advertises them. */
    List<String> protocols();

    /** The open connections. */
    List<Connection> connections();

    /** Adds {@code listener} for connections opened and closed from now on. */
    Registration addConnectionListener(ConnectionListener listener);

    /** Addresses known for peers (from configuration, dials and identify). */
    PeerStore peerStore();

    /** Publish/subscribe on this transport. */
    PubSub pubsub();

    /** Stops listening and closes every connection. */
    @Override
    void close();
}
