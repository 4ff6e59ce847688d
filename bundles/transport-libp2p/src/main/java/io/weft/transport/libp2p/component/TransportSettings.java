package io.weft.transport.libp2p.component;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the libp2p transport, PID {@code io.weft.transport} (file {@code conf/io.weft.transport.cfg} in
 * the distribution). Defaults match {@code TransportConfig.defaults()}.
 */
@ObjectClassDefinition(name = "Weft libp2p transport", description = "TCP listen addresses, limits and pubsub router")
public @interface TransportSettings {
    /** The configuration PID. */
    String PID = "io.weft.transport";

    /** Property {@code listen}: multiaddrs to listen on (comma separated in a .cfg file). */
    @AttributeDefinition(name = "Listen addresses", description = "e.g. /ip4/0.0.0.0/tcp/4006; port 0 picks a free port")
    String[] listen() default {"/ip4/0.0.0.0/tcp/4006", "/ip6/::/tcp/4006"};

    /** Property {@code announce}: addresses announced instead of the listen addresses (empty: the listen ones). */
    @AttributeDefinition(name = "Announce addresses", required = false)
    String[] announce() default {};

    /** Property {@code pubsub.router}: {@code gossipsub} (also speaks floodsub) or {@code floodsub}. */
    @AttributeDefinition(name = "Pubsub router", description = "gossipsub or floodsub")
    String pubsub_router() default "gossipsub";

    /** Property {@code max.connections}. */
    @AttributeDefinition(name = "Maximum connections")
    int max_connections() default 512;

    /** Property {@code max.streams.per.connection}. */
    @AttributeDefinition(name = "Maximum streams per connection")
    int max_streams_per_connection() default 1024;

    /** Property {@code max.message.size}: bytes, for identify and pubsub messages. */
    @AttributeDefinition(name = "Maximum message size (bytes)")
    int max_message_size() default 4 * 1024 * 1024;

    /** Property {@code connect.timeout.seconds}. */
    @AttributeDefinition(name = "Connect timeout (s)")
    int connect_timeout_seconds() default 10;

    /** Property {@code dial.backoff.seconds}: first backoff after a failed dial (doubles up to 5 minutes). */
    @AttributeDefinition(name = "Dial backoff (s)")
    int dial_backoff_seconds() default 5;
}
