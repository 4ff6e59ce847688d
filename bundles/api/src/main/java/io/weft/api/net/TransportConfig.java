package io.weft.api.net;

import io.weft.api.format.Multiaddr;
import java.time.Duration;
import java.util.List;

/**
 * Settings of a {@link Transport}; {@link #defaults()} gives the documented defaults (docs/transport.md), and the
 * {@code with…} methods change one setting.
 *
 * @param listen addresses to listen on ({@code /ip4/0.0.0.0/tcp/4006}, port 0 for any)
 * @param announce addresses to announce instead of the listen addresses (empty: announce the listen addresses)
 * @param pubsubRouter {@code gossipsub} (also speaks floodsub) or {@code floodsub}
 * @param maxConnections open connections at most; more inbound ones are refused, more dials fail
 * @param maxStreamsPerConnection concurrently open streams per connection, each direction
 * @param maxMessageSize largest length-prefixed protocol message accepted (identify, pubsub)
 * @param connectTimeout deadline for TCP connect plus the security and muxer handshakes
 * @param dialBackoff after a failed dial, further dials to that peer fail at once for this long (doubling to 5 min)
 * @param agentVersion sent in identify
 */
public record TransportConfig(List<Multiaddr> listen, List<Multiaddr> announce, String pubsubRouter,
        int maxConnections, int maxStreamsPerConnection, int maxMessageSize, Duration connectTimeout,
        Duration dialBackoff, String agentVersion) {

    public TransportConfig {
        listen = List.copyOf(listen);
        announce = List.copyOf(announce);
        if (!pubsubRouter.equals("gossipsub") && !pubsubRouter.equals("floodsub")) {
            throw new IllegalArgumentException("pubsub router must be gossipsub or floodsub, not " + pubsubRouter);
        }
        if (maxConnections < 1 || maxStreamsPerConnection < 1 || maxMessageSize < 1024) {
            throw new IllegalArgumentException("limits must be positive (max message size at least 1024)");
        }
    }

    /** Listen on {@code /ip4/0.0.0.0/tcp/4006} and {@code /ip6/::/tcp/4006}; see the record components. */
    public static TransportConfig defaults() {
        return new TransportConfig(List.of(Multiaddr.parse("/ip4/0.0.0.0/tcp/4006"), Multiaddr.parse("/ip6/::/tcp/4006")),
                List.of(), "gossipsub", 512, 1024, 4 * 1024 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(5),
                "weft/0.1.0");
    }

    public TransportConfig withListen(List<Multiaddr> value) {
        return new TransportConfig(value, announce, pubsubRouter, maxConnections, maxStreamsPerConnection,
                maxMessageSize, connectTimeout, dialBackoff, agentVersion);
    }

    public TransportConfig withAnnounce(List<Multiaddr> value) {
        return new TransportConfig(listen, value, pubsubRouter, maxConnections, maxStreamsPerConnection,
                maxMessageSize, connectTimeout, dialBackoff, agentVersion);
    }

    public TransportConfig withPubsubRouter(String value) {
        return new TransportConfig(listen, announce, value, maxConnections, maxStreamsPerConnection, maxMessageSize,
                connectTimeout, dialBackoff, agentVersion);
    }

    public TransportConfig withMaxConnections(int value) {
        return new TransportConfig(listen, announce, pubsubRouter, value, maxStreamsPerConnection, maxMessageSize,
                connectTimeout, dialBackoff, agentVersion);
    }

    public TransportConfig withMaxStreamsPerConnection(int value) {
        return new TransportConfig(listen, announce, pubsubRouter, maxConnections, value, maxMessageSize,
                connectTimeout, dialBackoff, agentVersion);
    }

    public TransportConfig withMaxMessageSize(int value) {
        return new TransportConfig(listen, announce, pubsubRouter, maxConnections, maxStreamsPerConnection, value,
                connectTimeout, dialBackoff, agentVersion);
    }

    public TransportConfig withConnectTimeout(Duration value) {
        return new TransportConfig(listen, announce, pubsubRouter, maxConnections, maxStreamsPerConnection,
                maxMessageSize, value, dialBackoff, agentVersion);
    }

    public TransportConfig withDialBackoff(Duration value) {
        return new TransportConfig(listen, announce, pubsubRouter, maxConnections, maxStreamsPerConnection,
                maxMessageSize, connectTimeout, value, agentVersion);
    }
}
