package io.weft.server.web;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;

/**
 * Plain HTTP served by the web gateway beside grpc-web and grpc-websockets: web readers, feeds and their WebSocket
 * pushes. The gateway hands every request whose path starts with {@link #prefix()} to the route, which answers it
 * (or upgrades the connection) on the given channel.
 */
public interface HttpRoute {

    /** The path prefix this route serves, starting and ending with {@code /}, e.g. {@code /threads/}. */
    String prefix();

    /**
     * Answers one request. The route owns {@code request} (it must release it) and must write a response, or upgrade
     * the connection to a WebSocket, on {@code ctx}'s channel.
     */
    void handle(ChannelHandlerContext ctx, FullHttpRequest request);
}
