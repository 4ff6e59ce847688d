package io.weft.server;

import io.weft.api.InvalidInputException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of a {@link WeftServer}; {@link #defaults()} gives the documented defaults (docs/api.md) and the
 * {@code with…} methods change one setting. {@link #fromProperties(Map)} reads the configuration keys of PID
 * {@code io.weft.server} listed as the {@code KEY_…} constants.
 *
 * @param host             address the native gRPC server listens on (default {@code 127.0.0.1}: local clients only)
 * @param port             its TCP port (default 6006, as go-threads; 0 picks a free port, for tests)
 * @param tokenLifetime    how long a token from GetToken is valid (default 24 h)
 * @param hostIdentity     who may call without a token, writing as this peer's host identity (default
 *                         {@link HostIdentityPolicy#LOOPBACK})
 * @param maxMessageSize   largest request message accepted, bytes (default 8 MiB)
 * @param challengeTimeout how long GetToken waits for the signature of its challenge (default 30 s)
 * @param transactionIdleTimeout a Read/WriteTransaction call that sends nothing for this long is ended with
 *                         {@code DEADLINE_EXCEEDED} and its transaction discarded (default 60 s): an open write
 *                         transaction holds its database's write lock
 */
public record ServerConfig(String host, int port, Duration tokenLifetime, HostIdentityPolicy hostIdentity,
        int maxMessageSize, Duration challengeTimeout, Duration transactionIdleTimeout) {

    /** Configuration key of {@link #host()}:{@link #port()}, e.g. {@code 127.0.0.1:6006}. */
    public static final String KEY_ADDRESS = "grpc.address";
    /** Configuration key of {@link #maxMessageSize()}, bytes. */
    public static final String KEY_MAX_MESSAGE_SIZE = "grpc.max.message.size";
    /** Configuration key of {@link #tokenLifetime()}, seconds. */
    public static final String KEY_TOKEN_LIFETIME_SECONDS = "auth.token.lifetime.seconds";
    /** Configuration key of {@link #hostIdentity()}: {@code loopback}, {@code always} or {@code never}. */
    public static final String KEY_HOST_IDENTITY = "auth.host.identity";
    /** Configuration key of {@link #challengeTimeout()}, seconds. */
    public static final String KEY_CHALLENGE_TIMEOUT_SECONDS = "auth.challenge.timeout.seconds";
    /** Configuration key of {@link #transactionIdleTimeout()}, seconds. */
    public static final String KEY_TRANSACTION_IDLE_TIMEOUT_SECONDS = "grpc.transaction.idle.timeout.seconds";

    /** The default address, as go-threads' {@code threadsd}. */
    public static final String DEFAULT_ADDRESS = "127.0.0.1:6006";

    /**
     * Who may call without a token; such calls act as this peer's host identity (they read as the local host and
     * write to the peer's own logs).
     */
    public enum HostIdentityPolicy {
        /** Only clients on a loopback address (the default): programs on this machine. */
        LOOPBACK,
        /** Every client that can reach the port. Use only behind another access control. */
        ALWAYS,
        /** Nobody: every call but GetToken needs a token. */
        NEVER;

        /** The policy named {@code loopback}, {@code always} or {@code never} (any case). */
        public static HostIdentityPolicy parse(String text) {
            if (text != null) {
                for (HostIdentityPolicy p : values()) {
                    if (p.name().equalsIgnoreCase(text.strip())) {
                        return p;
                    }
                }
            }
            throw new InvalidInputException(KEY_HOST_IDENTITY + " must be loopback, always or never, got '" + text + "'");
        }

        /** The configuration text of the policy. */
        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ServerConfig {
        if (host == null || host.isBlank()) {
            throw new InvalidInputException("server config: host must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new InvalidInputException("server config: port must be 0..65535, got " + port);
        }
        if (tokenLifetime == null || tokenLifetime.isNegative() || tokenLifetime.isZero()) {
            throw new InvalidInputException("server config: token lifetime must be positive");
        }
        if (hostIdentity == null) {
            throw new InvalidInputException("server config: host identity policy is required");
        }
        if (maxMessageSize < 1024) {
            throw new InvalidInputException("server config: max message size must be at least 1024 bytes, got "
                    + maxMessageSize);
        }
        if (challengeTimeout == null || challengeTimeout.isNegative() || challengeTimeout.isZero()) {
            throw new InvalidInputException("server config: challenge timeout must be positive");
        }
        if (transactionIdleTimeout == null || transactionIdleTimeout.isNegative() || transactionIdleTimeout.isZero()) {
            throw new InvalidInputException("server config: transaction idle timeout must be positive");
        }
    }

    /** The defaults listed on the record components. */
    public static ServerConfig defaults() {
        return new ServerConfig("127.0.0.1", 6006, Duration.ofHours(24), HostIdentityPolicy.LOOPBACK,
                8 * 1024 * 1024, Duration.ofSeconds(30), Duration.ofSeconds(60));
    }

    /**
     * The defaults, overridden by the {@code KEY_…} properties present in {@code props} (values may be strings or
     * numbers, as configuration admin delivers them).
     *
     * @throws InvalidInputException if a value is malformed
     */
    public static ServerConfig fromProperties(Map<String, ?> props) {
        ServerConfig c = defaults();
        Object v;
        if ((v = props.get(KEY_ADDRESS)) != null && !v.toString().isBlank()) {
            InetSocketAddress a = parseAddress(v.toString());
            c = c.withAddress(a.getHostString(), a.getPort());
        }
        if ((v = props.get(KEY_MAX_MESSAGE_SIZE)) != null) {
            c = c.withMaxMessageSize(toInt(KEY_MAX_MESSAGE_SIZE, v));
        }
        if ((v = props.get(KEY_TOKEN_LIFETIME_SECONDS)) != null) {
            c = c.withTokenLifetime(Duration.ofSeconds(toInt(KEY_TOKEN_LIFETIME_SECONDS, v)));
        }
        if ((v = props.get(KEY_HOST_IDENTITY)) != null) {
            c = c.withHostIdentity(HostIdentityPolicy.parse(v.toString()));
        }
        if ((v = props.get(KEY_CHALLENGE_TIMEOUT_SECONDS)) != null) {
            c = c.withChallengeTimeout(Duration.ofSeconds(toInt(KEY_CHALLENGE_TIMEOUT_SECONDS, v)));
        }
        if ((v = props.get(KEY_TRANSACTION_IDLE_TIMEOUT_SECONDS)) != null) {
            c = c.withTransactionIdleTimeout(Duration.ofSeconds(toInt(KEY_TRANSACTION_IDLE_TIMEOUT_SECONDS, v)));
        }
        return c;
    }

    private static int toInt(String key, Object v) {
        if (v instanceof Number n) {
            return n.intValue();
        }
        try {
            return Integer.parseInt(v.toString().strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(key + " must be a number, got '" + v + "'");
        }
    }

    /**
     * Parses {@code host:port}, {@code [ipv6]:port} or {@code :port} (all interfaces); the host is not resolved.
     *
     * @throws InvalidInputException if it is not such an address
     */
    public static InetSocketAddress parseAddress(String text) {
        String t = text == null ? "" : text.strip();
        int colon = t.lastIndexOf(':');
        if (colon < 0 || colon == t.length() - 1) {
            throw new InvalidInputException(KEY_ADDRESS + " must be host:port, got '" + text + "'");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new InvalidInputException(KEY_ADDRESS + ": write an IPv6 address in brackets, e.g. [::1]:6006");
        }
        if (host.isEmpty()) {
            host = "0.0.0.0";
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new InvalidInputException(KEY_ADDRESS + " must end with a port number, got '" + text + "'");
        }
        if (port < 0 || port > 65535) {
            throw new InvalidInputException(KEY_ADDRESS + ": port must be 0..65535, got " + port);
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** {@code host:port} as configured. */
    public String address() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    public ServerConfig withAddress(String host, int port) {
        return new ServerConfig(host, port, tokenLifetime, hostIdentity, maxMessageSize, challengeTimeout,
                transactionIdleTimeout);
    }

    public ServerConfig withTokenLifetime(Duration d) {
        return new ServerConfig(host, port, d, hostIdentity, maxMessageSize, challengeTimeout,
                transactionIdleTimeout);
    }

    public ServerConfig withHostIdentity(HostIdentityPolicy p) {
        return new ServerConfig(host, port, tokenLifetime, p, maxMessageSize, challengeTimeout,
                transactionIdleTimeout);
    }

    public ServerConfig withMaxMessageSize(int bytes) {
        return new ServerConfig(host, port, tokenLifetime, hostIdentity, bytes, challengeTimeout,
                transactionIdleTimeout);
    }

    public ServerConfig withChallengeTimeout(Duration d) {
        return new ServerConfig(host, port, tokenLifetime, hostIdentity, maxMessageSize, d, transactionIdleTimeout);
    }

    public ServerConfig withTransactionIdleTimeout(Duration d) {
        return new ServerConfig(host, port, tokenLifetime, hostIdentity, maxMessageSize, challengeTimeout, d);
    }
}
