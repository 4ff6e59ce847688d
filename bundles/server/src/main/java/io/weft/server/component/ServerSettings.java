package io.weft.server.component;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the client API server, PID {@code io.weft.server} (file {@code conf/io.weft.server.cfg} in the
 * distribution). Defaults match {@code ServerConfig.defaults()}; see docs/api.md.
 */
@ObjectClassDefinition(name = "Weft client API", description = "Native gRPC threads API: address, tokens, limits")
public @interface ServerSettings {
    /** The configuration PID. */
    String PID = "io.weft.server";

    /** Property {@code grpc.address}: {@code host:port} of the native gRPC server ({@code [ipv6]:port}). */
    @AttributeDefinition(name = "gRPC address")
    String grpc_address() default "127.0.0.1:6006";

    /** Property {@code grpc.max.message.size}: largest request message accepted, bytes. */
    @AttributeDefinition(name = "Maximum message size (bytes)")
    int grpc_max_message_size() default 8 * 1024 * 1024;

    /**
     * Property {@code grpc.transaction.idle.timeout.seconds}: a Read/WriteTransaction call that sends nothing for
     * this long is ended and its transaction discarded.
     */
    @AttributeDefinition(name = "Transaction idle timeout (s)")
    int grpc_transaction_idle_timeout_seconds() default 60;

    /** Property {@code auth.token.lifetime.seconds}: how long a token from GetToken is valid. */
    @AttributeDefinition(name = "Token lifetime (s)")
    int auth_token_lifetime_seconds() default 24 * 3600;

    /**
     * Property {@code auth.host.identity}: who may call without a token, acting as this peer's host identity:
     * {@code loopback} (clients on this machine), {@code always} or {@code never}.
     */
    @AttributeDefinition(name = "Calls without a token")
    String auth_host_identity() default "loopback";

    /** Property {@code auth.challenge.timeout.seconds}: how long GetToken waits for the signed challenge. */
    @AttributeDefinition(name = "GetToken challenge timeout (s)")
    int auth_challenge_timeout_seconds() default 30;
}
