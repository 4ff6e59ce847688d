package io.weft.transport.libp2p.pubsub;

import io.weft.api.crypto.PrivateKey;
import io.weft.api.net.Stream;
import io.weft.api.thread.PeerId;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the pubsub router needs from the host. The host, in turn, passes inbound pubsub streams to the router and
 * tells it when peers that speak a pubsub protocol connect and disconnect.
 */
public interface PubSubNetwork {

    /** This peer's id. */
    PeerId localPeer();

    /** The key that signs published messages (StrictSign). */
    PrivateKey identity();

    /** Opens a stream to a connected peer, negotiating the first of {@code protocols} it supports. */
    CompletableFuture<Stream> newStream(PeerId peer, String... protocols);

    /** Timer for heartbeats and cache expiry. */
    ScheduledExecutorService scheduler();

    /** Largest RPC accepted from a peer, in bytes. */
    int maxMessageSize();
}
