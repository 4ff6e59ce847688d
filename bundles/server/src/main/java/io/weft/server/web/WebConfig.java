package io.weft.server.web;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of a {@link WebGateway}; {@link #defaults()} gives the documented defaults (docs/web-transports.md) and the
 * {@code with…} methods change one setting. {@link #fromProperties(Map)} reads the configuration keys listed there.
 *
 * @param host address to listen on (default {@code 127.0.0.1}: only local programs and browsers can connect)
 * @param port TCP port (default 6007, as go-threads; 0 picks a free port, for tests)
 * @param allowedOrigins browser origins ({@code scheme://host[:port]}) allowed to call: CORS for grpc-web and the
 *        {@code Origin} check of grpc-websockets upgrades; {@code *} allows every origin (default {@code [*]}, as
 *        go-threads, see the docs for why this is acceptable for a loopback-bound server)
 * @param maxMessageSize largest request message accepted, bytes (default 8 MiB)
 * @param maxMetadataSize largest request metadata (the grpc-websockets header block), bytes (default 16 KiB)
 * @param maxConcurrentCalls calls in progress at once over both web transports; more are refused with
 *        RESOURCE_EXHAUSTED (default 1000). Every grpc-websockets call has its own connection.
 * @param maxConnections open connections at once; more are closed on accept (default 2000)
 * @param idleTimeout an HTTP connection with no request in progress is closed after this long (default 2 min)
 * @param headerTimeout a grpc-websockets connection must send its header block within this (default 10 s)
 * @param keepaliveInterval a grpc-websockets connection silent for this long is pinged, and closed (its call
 *        cancelled) if still silent after another interval (default 30 s)
 */
public record WebConfig(String host, int port, List<String> allowedOrigins, int maxMessageSize, int maxMetadataSize,
        int maxConcurrentCalls, int maxConnections, Duration idleTimeout, Duration headerTimeout,
        Duration keepaliveInterval) {

    /** Configuration key of {@link #host()}:{@link #port()}, e.g. {@code 127.0.0.1:6007}. */
    public static final String KEY_ADDRESS = "web.address";
    /** Configuration key of {@link #allowedOrigins()}: comma-separated origins or {@code *}. */
    public static final String KEY_ALLOWED_ORIGINS = "web.allowed.origins";
    /** Configuration key of {@link #maxMessageSize()}. */
    public static final String KEY_MAX_MESSAGE_SIZE = "web.max.message.size";
    /** Configuration key of {@link #maxMetadataSize()}. */
    public static final String KEY_MAX_METADATA_SIZE = "web.max.metadata.size";
    /** Configuration key of {@link #maxConcurrentCalls()}. */
    public static final String KEY_MAX_CONCURRENT_CALLS = "web.max.concurrent.calls";
    /** Configuration key of {@link #maxConnections()}. */
    public static final String KEY_MAX_CONNECTIONS = "web.max.connections";
    /** Configuration key of {@link #idleTimeout()}, seconds. */
    public static final String KEY_IDLE_TIMEOUT_SECONDS = "web.idle.timeout.seconds";
    /** Configuration key of {@link #headerTimeout()}, seconds. */
    public static final String KEY_HEADER_TIMEOUT_SECONDS = "web.header.timeout.seconds";
    /** Configuration key of {@link #keepaliveInterval()}, seconds. */
    public static final String KEY_KEEPALIVE_SECONDS = "web.keepalive.seconds";

    public WebConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        allowedOrigins = List.copyOf(allowedOrigins);
        if (maxMessageSize < 1024 || maxMetadataSize < 1024) {
            throw new IllegalArgumentException("maxMessageSize and maxMetadataSize must be at least 1024");
        }
        if (maxMessageSize > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("maxMessageSize must be at most " + Integer.MAX_VALUE / 2);
        }
        if (maxConcurrentCalls < 1 || maxConnections < 1) {
            throw new IllegalArgumentException("maxConcurrentCalls and maxConnections must be positive");
        }
        requirePositive("idleTimeout", idleTimeout);
        requirePositive("headerTimeout", headerTimeout);
        requirePositive("keepaliveInterval", keepaliveInterval);
    }

    private static void requirePositive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }

    /** The defaults listed on the record components. */
    public static WebConfig defaults() {
        return new WebConfig("127.0.0.1", 6007, List.of("*"), 8 * 1024 * 1024, 16 * 1024, 1000, 2000,
                Duration.ofMinutes(2), Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    /**
     * The defaults changed by the keys present in {@code props} (values as strings or numbers; unknown keys are
     * ignored), e.g. the properties of an OSGi configuration.
     *
     * @throws IllegalArgumentException if a value is malformed or out of range
     */
    public static WebConfig fromProperties(Map<String, ?> props) {
        WebConfig c = defaults();
        Object v;
        if ((v = props.get(KEY_ADDRESS)) != null) {
            c = c.withAddress(v.toString());
        }
        if ((v = props.get(KEY_ALLOWED_ORIGINS)) != null) {
            c = c.withAllowedOrigins(parseOrigins(v.toString()));
        }
        if ((v = props.get(KEY_MAX_MESSAGE_SIZE)) != null) {
            c = c.withMaxMessageSize(intValue(KEY_MAX_MESSAGE_SIZE, v));
        }
        if ((v = props.get(KEY_MAX_METADATA_SIZE)) != null) {
            c = c.withMaxMetadataSize(intValue(KEY_MAX_METADATA_SIZE, v));
        }
        if ((v = props.get(KEY_MAX_CONCURRENT_CALLS)) != null) {
            c = c.withMaxConcurrentCalls(intValue(KEY_MAX_CONCURRENT_CALLS, v));
        }
        if ((v = props.get(KEY_MAX_CONNECTIONS)) != null) {
            c = c.withMaxConnections(intValue(KEY_MAX_CONNECTIONS, v));
        }
        if ((v = props.get(KEY_IDLE_TIMEOUT_SECONDS)) != null) {
            c = c.withIdleTimeout(Duration.ofSeconds(intValue(KEY_IDLE_TIMEOUT_SECONDS, v)));
        }
        if ((v = props.get(KEY_HEADER_TIMEOUT_SECONDS)) != null) {
            c = c.withHeaderTimeout(Duration.ofSeconds(intValue(KEY_HEADER_TIMEOUT_SECONDS, v)));
        }
        if ((v = props.get(KEY_KEEPALIVE_SECONDS)) != null) {
            c = c.withKeepaliveInterval(Duration.ofSeconds(intValue(KEY_KEEPALIVE_SECONDS, v)));
        }
        return c;
    }

    private static int intValue(String key, Object v) {
        if (v instanceof Number n) {
            return n.intValue();
        }
        try {
            return Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + v + "'");
        }
    }

    /** Parses a comma-separated origin list ({@code *} or {@code scheme://host[:port]} items); blank gives none. */
    public static List<String> parseOrigins(String text) {
        return java.util.Arrays.stream(text.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(s -> s.equals("*") ? s : stripSlash(s.toLowerCase(Locale.ROOT)))
                .toList();
    }

    private static String stripSlash(String origin) {
        return origin.endsWith("/") ? origin.substring(0, origin.length() - 1) : origin;
    }

    /** This config listening on {@code address}, {@code host:port} (IPv6 hosts in brackets: {@code [::1]:6007}). */
    public WebConfig withAddress(String address) {
        String a = address.trim();
        int colon = a.lastIndexOf(':');
        if (colon <= 0 || colon == a.length() - 1) {
            throw new IllegalArgumentException("address must be host:port, got '" + address + "'");
        }
        String h = a.substring(0, colon);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        } else if (h.contains(":")) {
            throw new IllegalArgumentException("an IPv6 host must be in brackets, e.g. [::1]:6007, got '"
                    + address + "'");
        }
        int p;
        try {
            p = Integer.parseInt(a.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address must be host:port, got '" + address + "'");
        }
        return new WebConfig(h, p, allowedOrigins, maxMessageSize, maxMetadataSize, maxConcurrentCalls,
                maxConnections, idleTimeout, headerTimeout, keepaliveInterval);
    }

    public WebConfig withHost(String value) {
        return new WebConfig(value, port, allowedOrigins, maxMessageSize, maxMetadataSize, maxConcurrentCalls,
                maxConnections, idleTimeout, headerTimeout, keepaliveInterval);
    }

    public WebConfig withPort(int value) {
        return new WebConfig(host, value, allowedOrigins, maxMessageSize, maxMetadataSize, maxConcurrentCalls,
                maxConnections, idleTimeout, headerTimeout, keepaliveInterval);
    }

    public WebConfig withAllowedOrigins(List<String> value) {
        return new WebConfig(host, port, value, maxMessageSize, maxMetadataSize, maxConcurrentCalls,
                maxConnections, idleTimeout, headerTimeout, keepaliveInterval);
    }

    public WebConfig withMaxMessageSize(int value) {
        return new WebConfig(host, port, allowedOrigins, value, maxMetadataSize, maxConcurrentCalls,
                maxConnections, idleTimeout, headerTimeout, keepaliveInterval);
    }

    public WebConfig withMaxMetadataSize(int value) {
        return new WebConfig(host, port, allowedOrigins, maxMessageSize, value, maxConcurrentCalls,
                maxConnections, idleTimeout, headerTimeout, keepaliveInterval);
    }

    public WebConfig withMaxConcurrentCalls(int value) {
        return new WebConfig(host, port, allowedOrigins, maxMessageSize, maxMetadataSize, value,
                maxConnections, idleTimeout, headerTimeout, keepaliveInterval);
    }

    public WebConfig withMaxConnections(int value) {
        return new WebConfig(host, port, allowedOrigins, maxMessageSize, maxMetadataSize, maxConcurrentCalls,
                value, idleTimeout, headerTimeout, keepaliveInterval);
    }

    public WebConfig withIdleTimeout(Duration value) {
        return new WebConfig(host, port, allowedOrigins, maxMessageSize, maxMetadataSize, maxConcurrentCalls,
                maxConnections, value, headerTimeout, keepaliveInterval);
    }

    public WebConfig withHeaderTimeout(Duration value) {
        return new WebConfig(host, port, allowedOrigins, maxMessageSize, maxMetadataSize, maxConcurrentCalls,
                maxConnections, idleTimeout, value, keepaliveInterval);
    }

    public WebConfig withKeepaliveInterval(Duration value) {
        return new WebConfig(host, port, allowedOrigins, maxMessageSize, maxMetadataSize, maxConcurrentCalls,
                maxConnections, idleTimeout, headerTimeout, value);
    }

    /** Whether a browser page from {@code origin} may call (see {@link #allowedOrigins()}). */
    public boolean allowsOrigin(String origin) {
        if (allowedOrigins.contains("*")) {
            return true;
        }
        return origin != null && allowedOrigins.contains(stripSlash(origin.trim().toLowerCase(Locale.ROOT)));
    }
}
