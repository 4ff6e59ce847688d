package io.weft.server;

import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.weft.server.auth.TokenService;
import java.util.List;

/**
 * The running client API server of a peer, as other parts of the server bundle use it: the web gateway forwards
 * grpc-web and grpc-websockets calls to its {@linkplain #inProcessName() in-process server}, and further gRPC services
 * (the net API) are {@linkplain #addService added} to it, behind the same authentication. Registered as an OSGi
 * service by the server component.
 */
public interface ApiServer {

    /**
     * The name of the in-process gRPC server (for {@code InProcessChannelBuilder.forName}) that serves the same
     * services as the native port. Calls through it must carry the web client's IP address in the
     * {@code x-weft-remote-addr} metadata ({@link io.weft.server.auth.AuthInterceptor#REMOTE_ADDR}); without it a
     * call does not count as a loopback client.
     */
    String inProcessName();

    /** The port the native gRPC server is bound to. */
    int grpcPort();

    /**
     * The type (unary, server streaming, bidi…) of the method served under {@code fullMethodName}
     * ({@code service/method}), or {@code null} if none is: how the web gateway frames a call.
     */
    MethodDescriptor.MethodType methodType(String fullMethodName);

    /** The services served, each with the authentication interceptor. */
    List<ServerServiceDefinition> services();

    /** Issues and verifies tokens; also runs GetToken flows for other APIs. */
    TokenService tokens();

    /**
     * Adds a service to both servers, behind the authentication interceptor (its calls see
     * {@link io.weft.server.auth.Caller#current()}); it is served until the returned handle is closed.
     *
     * @throws IllegalArgumentException if a service of that name is already served
     */
    AutoCloseable addService(BindableService service);
}
