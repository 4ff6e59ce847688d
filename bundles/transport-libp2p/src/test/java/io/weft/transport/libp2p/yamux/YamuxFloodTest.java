package io.weft.transport.libp2p.yamux;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A peer that makes the session answer (pings) while never reading cannot grow its outbound buffer without bound. */
class YamuxFloodTest {

    @Test
    void pingFloodFromAPeerThatNeverReadsClosesTheSession() throws Exception {
        EventLoopGroup group = new NioEventLoopGroup(1);
        CompletableFuture<YamuxSession> session = new CompletableFuture<>();
        Channel listener = null;
        try {
            listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            YamuxSession s = new YamuxSession(false, YamuxConfig.defaults(), SessionPair.PEER,
                                    SessionPair.ADDR, stream -> { });
                            ch.pipeline().addLast(s);
                            session.complete(s);
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            // 1,000 ping requests per write, never reading the answers
            ByteBuffer pings = ByteBuffer.allocate(12 * 1000);
            for (int i = 0; i < 1000; i++) {
                pings.put((byte) 0).put((byte) 2).putShort((short) 1).putInt(0).putInt(i);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            try (Socket raw = new Socket()) {
                raw.setReceiveBufferSize(4096);
                raw.connect(listener.localAddress(), 5000);
                OutputStream out = raw.getOutputStream();
                YamuxSession s = session.get(10, TimeUnit.SECONDS);
                while (!s.isClosed() && System.nanoTime() < deadline) {
                    try {
                        out.write(pings.array());
                    } catch (IOException e) {
                        break; // the session closed the connection
                    }
                }
                long left = deadline - System.nanoTime();
                while (!s.isClosed() && System.nanoTime() < deadline) {
                    Thread.onSpinWait(); // the close is already underway on the event loop
                }
                assertTrue(s.isClosed(), "session still open after " + (60 - TimeUnit.NANOSECONDS.toSeconds(left)) + " s of pings");
            }
        } finally {
            if (listener != null) {
                listener.close().sync();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
