package io.weft.transport.libp2p;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.weft.api.net.TransportException;
import io.weft.api.net.TransportException.Kind;
import io.weft.api.thread.PeerId;
import io.weft.transport.libp2p.conn.ProtocolNegotiated;
import io.weft.transport.libp2p.conn.SecureChannelEstablished;
import io.weft.transport.libp2p.mss.MultistreamHandler;
import io.weft.transport.libp2p.noise.NoiseHandler;
import io.weft.transport.libp2p.yamux.YamuxSession;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one TCP connection through the libp2p upgrade: multistream-select {@code /noise} → Noise XX →
 * multistream-select {@code /yamux/1.0.0} → yamux, installing each handler (before itself, at the tail of the
 * pipeline) when the previous step reports success, within the connect timeout. Afterwards it stays at the tail and
 * closes the connection on any error that reaches it.
 */
final class ConnectionUpgrader extends ChannelInboundHandlerAdapter {

    static final String NAME = "upgrader";
    static final String NOISE = "/noise";
    static final String YAMUX = "/yamux/1.0.0";
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionUpgrader.class);

    private enum Stage { SECURITY, HANDSHAKE, MUXER, DONE }

    private final Libp2pHost host;
    private final boolean initiator;
    private final PeerId expected;
    private final CompletableFuture<Libp2pConnection> result;
    private Stage stage = Stage.SECURITY;
    private PeerId remote;
    private ScheduledFuture<?> timeout;

    ConnectionUpgrader(Libp2pHost host, boolean initiator, PeerId expected, CompletableFuture<Libp2pConnection> result) {
        this.host = host;
        this.initiator = initiator;
        this.expected = expected;
        this.result = result;
    }

    /** The first handler of a new connection's pipeline. */
    static MultistreamHandler securityNegotiator(boolean initiator) {
        return initiator ? MultistreamHandler.initiator(List.of(NOISE)) : MultistreamHandler.responder(Set.of(NOISE));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        long ms = host.config().connectTimeout().toMillis();
        timeout = ctx.executor().schedule(() -> fail(ctx, new TransportException(Kind.TIMEOUT,
                "connection upgrade with " + ctx.channel().remoteAddress() + " timed out after " + ms + " ms")), ms,
                TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ProtocolNegotiated p && stage == Stage.SECURITY && NOISE.equals(p.protocol())) {
            stage = Stage.HANDSHAKE;
            ctx.pipeline().addBefore(NAME, "noise", new NoiseHandler(host.identity(), initiator, expected, List.of()));
        } else if (evt instanceof SecureChannelEstablished s && stage == Stage.HANDSHAKE) {
            stage = Stage.MUXER;
            remote = s.remotePeer();
            ctx.pipeline().addBefore(NAME, "mss-muxer", initiator ? MultistreamHandler.initiator(List.of(YAMUX))
                    : MultistreamHandler.responder(Set.of(YAMUX)));
        } else if (evt instanceof ProtocolNegotiated p && stage == Stage.MUXER && YAMUX.equals(p.protocol())) {
            stage = Stage.DONE;
            if (timeout != null) {
                timeout.cancel(false);
            }
            Libp2pConnection[] holder = new Libp2pConnection[1];
            InetSocketAddress remoteSocket = (InetSocketAddress) ctx.channel().remoteAddress();
            InetSocketAddress localSocket = (InetSocketAddress) ctx.channel().localAddress();
            YamuxSession session = new YamuxSession(initiator, host.yamuxConfig(), remote,
                    Addresses.toMultiaddr(remoteSocket), stream -> holder[0].onInboundStream(stream));
            Libp2pConnection connection = new Libp2pConnection(host, ctx.channel(), session, remote,
                    Addresses.toMultiaddr(remoteSocket), Addresses.toMultiaddr(localSocket), initiator);
            holder[0] = connection;
            ctx.pipeline().addBefore(NAME, "yamux", session);
            result.complete(connection);
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // Nothing should reach the tail: every byte belongs to a protocol handler before this one.
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (stage != Stage.DONE) {
            fail(ctx, cause);
        } else {
            LOG.debug("connection with {} closed: {}", remote, cause.getMessage());
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (stage != Stage.DONE) {
            fail(ctx, new TransportException(Kind.CONNECT_FAILED,
                    "connection with " + ctx.channel().remoteAddress() + " closed during the handshake"));
        }
        if (timeout != null) {
            timeout.cancel(false);
        }
        super.channelInactive(ctx);
    }

    private void fail(ChannelHandlerContext ctx, Throwable cause) {
        TransportException e = Futures.asTransport(cause, Kind.CONNECT_FAILED, "connection upgrade failed");
        if (stage != Stage.DONE) {
            stage = Stage.DONE;
            if (result.completeExceptionally(e)) {
                LOG.debug("{} connection with {} failed: {}", initiator ? "outbound" : "inbound",
                        ctx.channel().remoteAddress(), e.getMessage());
            }
        }
        ctx.close();
    }
}
