package io.weft.transport.libp2p.yamux;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.weft.api.format.Multiaddr;
import io.weft.api.net.Stream;
import io.weft.api.thread.PeerId;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Two yamux sessions over a real TCP loopback connection (no encryption). */
final class SessionPair implements AutoCloseable {
    static final PeerId PEER = PeerId.parse("12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN");
    static final Multiaddr ADDR = Multiaddr.parse("/ip4/127.0.0.1/tcp/4001");
    static final long TIMEOUT_S = 20;

    final YamuxSession client;
    final YamuxSession server;
    final Channel clientChannel;
    final Channel serverChannel;
    final LinkedBlockingQueue<YamuxStream> serverInbound;
    final LinkedBlockingQueue<YamuxStream> clientInbound;
    private final Channel listener;

    private SessionPair(YamuxSession client, YamuxSession server, Channel clientChannel, Channel serverChannel,
                        Channel listener, LinkedBlockingQueue<YamuxStream> serverInbound,
                        LinkedBlockingQueue<YamuxStream> clientInbound) {
        this.client = client;
        this.server = server;
        this.clientChannel = clientChannel;
        this.serverChannel = serverChannel;
        this.listener = listener;
        this.serverInbound = serverInbound;
        this.clientInbound = clientInbound;
    }

    static SessionPair open(EventLoopGroup group, YamuxConfig clientConfig, YamuxConfig serverConfig,
                            WriteBufferWaterMark waterMark) throws Exception {
        LinkedBlockingQueue<YamuxStream> serverInbound = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<YamuxStream> clientInbound = new LinkedBlockingQueue<>();
        CompletableFuture<YamuxSession> serverSession = new CompletableFuture<>();
        CompletableFuture<Channel> serverChannel = new CompletableFuture<>();
        Channel listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        YamuxSession session = new YamuxSession(false, serverConfig, PEER, ADDR, serverInbound::add);
                        ch.pipeline().addLast(session);
                        serverSession.complete(session);
                        serverChannel.complete(ch);
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        YamuxSession client = new YamuxSession(true, clientConfig, PEER, ADDR, clientInbound::add);
        Channel clientChannel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(client)
                .connect(listener.localAddress()).sync().channel();
        return new SessionPair(client, serverSession.get(TIMEOUT_S, TimeUnit.SECONDS), clientChannel,
                serverChannel.get(TIMEOUT_S, TimeUnit.SECONDS), listener, serverInbound, clientInbound);
    }

    static SessionPair open(EventLoopGroup group) throws Exception {
        return open(group, YamuxConfig.defaults(), YamuxConfig.defaults(), WriteBufferWaterMark.DEFAULT);
    }

    YamuxStream nextServerStream() throws InterruptedException {
        YamuxStream stream = serverInbound.poll(TIMEOUT_S, TimeUnit.SECONDS);
        if (stream == null) {
            throw new AssertionError("no inbound stream on the server");
        }
        return stream;
    }

    /** Echoes everything read back, then closes the write side at end of stream (runs asynchronously). */
    static void echo(Stream stream) {
        stream.read().whenComplete((bytes, error) -> {
            if (error != null) {
                return;
            }
            if (bytes == null) {
                stream.closeWrite();
                return;
            }
            stream.write(bytes).whenComplete((v, e) -> {
                if (e == null) {
                    echo(stream);
                }
            });
        });
    }

    /** Reads until end of stream, asynchronously. */
    static CompletableFuture<byte[]> readAll(Stream stream) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        readLoop(stream, out, result);
        return result;
    }

    private static void readLoop(Stream stream, ByteArrayOutputStream out, CompletableFuture<byte[]> result) {
        stream.read().whenComplete((bytes, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else if (bytes == null) {
                result.complete(out.toByteArray());
            } else {
                out.write(bytes, 0, bytes.length);
                readLoop(stream, out, result);
            }
        });
    }

    static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        clientChannel.close().sync();
        serverChannel.close().sync();
        listener.close().sync();
    }
}
