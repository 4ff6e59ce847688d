package io.weft.api.net;

import io.weft.api.thread.PeerId;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Topic-based publish/subscribe over the transport's connections. Every message is signed by its author and
 * verified on receipt; unsigned, badly signed and duplicate messages are dropped. Handlers are called on I/O threads
 * and must not block.
 */
public interface PubSub {

    /** Subscribes to {@code topic}; every verified message not seen before is passed to {@code handler}. */
    Registration subscribe(String topic, Consumer<PubSubMessage> handler);

    /**
     * Signs and sends {@code data} to the peers subscribed to {@code topic}. Completes once handed to the
     * connections (delivery is best effort). Does not deliver to this peer's own subscribers.
     */
    CompletableFuture<Void> publish(String topic, byte[] data);

    /** The connected peers known to be subscribed to {@code topic}. */
    Set<PeerId> peers(String topic);

    /** The topics this peer is subscribed to. */
    Set<String> topics();
}
