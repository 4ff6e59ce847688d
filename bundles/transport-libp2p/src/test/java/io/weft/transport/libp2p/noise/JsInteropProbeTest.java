package io.weft.transport.libp2p.noise;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.thread.PeerId;
import io.weft.core.crypto.Ed25519;
import io.weft.transport.libp2p.conn.ProtocolNegotiated;
import io.weft.transport.libp2p.conn.SecureChannelEstablished;
import io.weft.transport.libp2p.mss.MultistreamHandler;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Interop probe against a real js-libp2p (3.3.11, @chainsafe/libp2p-noise 17.0.0, @chainsafe/libp2p-yamux 8.0.1):
 * TCP → multistream-select {@code /noise} → Noise XX → multistream-select {@code /yamux/1.0.0}, both as dialer and
 * as listener. Runs only with {@code -Dweft.interop.jsHarness=<dir>} naming a folder whose {@code node_modules} holds
 * those packages; the test writes its small js script there.
 */
@EnabledIfSystemProperty(named = "weft.interop.jsHarness", matches = ".+")
class JsInteropProbeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLYFILL = """
            if (typeof Promise.withResolvers !== 'function') {
              Promise.withResolvers = function () {
                let resolve, reject
                const promise = new Promise((res, rej) => { resolve = res; reject = rej })
                return { promise, resolve, reject }
              }
            }
            """;
    private static final String PROBE = """
            import './weft-polyfill.mjs'
            const { createLibp2p } = await import('libp2p')
            const { tcp } = await import('@libp2p/tcp')
            const { noise } = await import('@chainsafe/libp2p-noise')
            const { yamux } = await import('@chainsafe/libp2p-yamux')
            const { multiaddr } = await import('@multiformats/multiaddr')
            const mode = process.argv[2]
            const out = (o) => console.log(JSON.stringify(o))
            const node = await createLibp2p({
              addresses: { listen: mode === 'listen' ? ['/ip4/127.0.0.1/tcp/0'] : [] },
              transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()]
            })
            node.addEventListener('connection:open', (e) => {
              const c = e.detail
              out({ event: 'connection:open', remotePeer: c.remotePeer.toString(), encryption: c.encryption, muxer: c.multiplexer })
            })
            if (mode === 'listen') {
              out({ event: 'listening', peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map(String) })
              setTimeout(() => process.exit(0), 30000)
            } else {
              try {
                const c = await node.dial(multiaddr(process.argv[3]), { signal: AbortSignal.timeout(10000) })
                out({ event: 'dialed', remotePeer: c.remotePeer.toString(), encryption: c.encryption, muxer: c.multiplexer })
              } catch (e) {
                out({ event: 'error', message: String(e?.message ?? e) })
              }
              setTimeout(() => process.exit(0), 300)
            }
            """;

    private final PrivateKey identity = Ed25519.generate();

    /** Installs Noise after {@code /noise} and the muxer negotiation after the secure channel, like the upgrader. */
    private final class Upgrader extends ChannelInboundHandlerAdapter {
        final boolean initiator;
        final PeerId expected;
        final CompletableFuture<SecureChannelEstablished> secured = new CompletableFuture<>();
        final CompletableFuture<String> muxer = new CompletableFuture<>();

        Upgrader(boolean initiator, PeerId expected) {
            this.initiator = initiator;
            this.expected = expected;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ProtocolNegotiated p && p.protocol().equals("/noise") && !secured.isDone()) {
                ctx.pipeline().addBefore(ctx.name(), "noise", new NoiseHandler(identity, initiator, expected, List.of()));
            } else if (evt instanceof SecureChannelEstablished s) {
                secured.complete(s);
                ctx.pipeline().addBefore(ctx.name(), "mss-muxer", initiator
                        ? MultistreamHandler.initiator(List.of("/yamux/1.0.0"))
                        : MultistreamHandler.responder(Set.of("/yamux/1.0.0")));
            } else if (evt instanceof ProtocolNegotiated p) {
                muxer.complete(p.protocol());
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg); // yamux frames from js (no yamux here)
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            secured.completeExceptionally(cause);
            muxer.completeExceptionally(cause);
        }
    }

    private static Process node(Path dir, String... args) throws Exception {
        Files.writeString(dir.resolve("weft-polyfill.mjs"), POLYFILL);
        Files.writeString(dir.resolve("weft-noise-probe.mjs"), PROBE);
        String[] cmd = new String[args.length + 2];
        cmd[0] = "node";
        cmd[1] = "weft-noise-probe.mjs";
        System.arraycopy(args, 0, cmd, 2, args.length);
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(false).start();
    }

    /** Reads stdout lines until one has {@code event}; on a separate thread so the deadline holds. */
    private static CompletableFuture<JsonNode> awaitEvent(BufferedReader out, String event) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    JsonNode n = JSON.readTree(line);
                    System.out.println("js: " + line);
                    if (event.equals(n.path("event").asText()) || "error".equals(n.path("event").asText())) {
                        return n;
                    }
                }
                throw new IllegalStateException("js exited before " + event);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "js-reader");
            t.setDaemon(true);
            return t;
        }));
    }

    @Test
    void javaDialsJsListener() throws Exception {
        Path dir = Path.of(System.getProperty("weft.interop.jsHarness"));
        Process js = node(dir, "listen");
        EventLoopGroup group = new NioEventLoopGroup(1);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(js.getInputStream(), StandardCharsets.UTF_8));
            JsonNode listening = awaitEvent(out, "listening").get(30, TimeUnit.SECONDS);
            String ma = listening.get("addrs").get(0).asText(); // /ip4/127.0.0.1/tcp/P/p2p/ID
            String[] parts = ma.split("/");
            PeerId jsPeer = PeerId.parse(parts[6]);
            Upgrader upgrader = new Upgrader(true, jsPeer);
            Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(MultistreamHandler.initiator(List.of("/noise")), upgrader);
                        }
                    }).connect(new InetSocketAddress(parts[2], Integer.parseInt(parts[4]))).sync().channel();
            assertEquals(jsPeer, upgrader.secured.get(15, TimeUnit.SECONDS).remotePeer());
            assertEquals("/yamux/1.0.0", upgrader.muxer.get(15, TimeUnit.SECONDS));
            JsonNode open = awaitEvent(out, "connection:open").get(15, TimeUnit.SECONDS);
            assertEquals("connection:open", open.path("event").asText(), open.toString());
            assertEquals(PeerId.of(identity.publicKey()).toString(), open.get("remotePeer").asText());
            assertEquals("/noise", open.get("encryption").asText());
            assertEquals("/yamux/1.0.0", open.get("muxer").asText());
            ch.close().sync();
        } finally {
            js.destroy();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void jsDialsJavaListener() throws Exception {
        Path dir = Path.of(System.getProperty("weft.interop.jsHarness"));
        EventLoopGroup group = new NioEventLoopGroup(1);
        Upgrader upgrader = new Upgrader(false, null);
        Process js = null;
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(MultistreamHandler.responder(Set.of("/noise")), upgrader);
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            PeerId me = PeerId.of(identity.publicKey());
            js = node(dir, "dial", "/ip4/127.0.0.1/tcp/" + port + "/p2p/" + me);
            BufferedReader out = new BufferedReader(new InputStreamReader(js.getInputStream(), StandardCharsets.UTF_8));
            JsonNode dialed = awaitEvent(out, "dialed").get(30, TimeUnit.SECONDS);
            assertEquals("dialed", dialed.path("event").asText(), dialed.toString());
            assertEquals(me.toString(), dialed.get("remotePeer").asText());
            assertEquals("/noise", dialed.get("encryption").asText());
            assertEquals("/yamux/1.0.0", dialed.get("muxer").asText());
            SecureChannelEstablished s = upgrader.secured.get(15, TimeUnit.SECONDS);
            assertEquals("/yamux/1.0.0", upgrader.muxer.get(15, TimeUnit.SECONDS));
            System.out.println("java: js peer " + s.remotePeer() + " offered muxers " + s.remoteMuxers());
            server.close().sync();
        } finally {
            if (js != null) {
                js.destroy();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
