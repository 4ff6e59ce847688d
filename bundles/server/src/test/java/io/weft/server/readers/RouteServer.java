package io.weft.server.readers;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.weft.server.web.HttpRoute;
import java.net.InetSocketAddress;

/**
 * A minimal stand-in for the web gateway: HTTP/1.1 on loopback, every request under the route's prefix handed to
 * {@link HttpRoute#handle}, anything else 404.
 */
final class RouteServer implements AutoCloseable {
    private final EventLoopGroup group = new NioEventLoopGroup(2);
    private final Channel channel;

    /** @param sendBuffer the accepted sockets' SO_SNDBUF, or 0 for the default */
    RouteServer(HttpRoute route, int sendBuffer) {
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("http", new HttpServerCodec());
                        ch.pipeline().addLast("aggregate", new HttpObjectAggregator(1 << 20));
                        ch.pipeline().addLast("gateway", new SimpleChannelInboundHandler<FullHttpRequest>(false) {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                if (req.uri().startsWith(route.prefix())) {
                                    route.handle(ctx, req);
                                } else {
                                    req.release();
                                    ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                            HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER))
                                            .addListener(ChannelFutureListener.CLOSE);
                                }
                            }
                        });
                    }
                });
        if (sendBuffer > 0) {
            b.childOption(ChannelOption.SO_SNDBUF, sendBuffer);
        }
        channel = b.bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
