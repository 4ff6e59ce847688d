package io.weft.transport.libp2p;

import io.netty.channel.Channel;
import io.weft.api.format.Multiaddr;
import io.weft.api.net.Connection;
import io.weft.api.net.PeerInfo;
import io.weft.api.net.Stream;
import io.weft.api.net.StreamHandler;
import io.weft.api.net.TransportException;
import io.weft.api.net.TransportException.Kind;
import io.weft.api.thread.PeerId;
import io.weft.transport.libp2p.mss.MultistreamSelect;
import io.weft.transport.libp2p.yamux.YamuxSession;
import io.weft.transport.libp2p.yamux.YamuxStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A libp2p connection: a TCP channel secured by Noise and multiplexed by yamux. */
final class Libp2pConnection implements Connection {

    /** Deadline for negotiating a stream's protocol (js uses 10 s too). */
    static final Duration NEGOTIATION_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(Libp2pConnection.class);

    private final Libp2pHost host;
    private final Channel channel;
    private final YamuxSession session;
    private final PeerId remotePeer;
    private final Multiaddr remoteAddress;
    private final Multiaddr localAddress;
    private final boolean initiator;
    private final CompletableFuture<PeerInfo> identify = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    Libp2pConnection(Libp2pHost host, Channel channel, YamuxSession session, PeerId remotePeer,
            Multiaddr remoteAddress, Multiaddr localAddress, boolean initiator) {
        this.host = host;
        this.channel = channel;
        this.session = session;
        this.remotePeer = remotePeer;
        this.remoteAddress = remoteAddress;
        this.localAddress = localAddress;
        this.initiator = initiator;
        channel.closeFuture().addListener(f -> {
            identify.completeExceptionally(new TransportException(Kind.CLOSED, "connection with " + remotePeer + " closed"));
            closed.complete(null);
        });
    }

    @Override
    public PeerId remotePeer() {
        return remotePeer;
    }

    @Override
    public Multiaddr remoteAddress() {
        return remoteAddress;
    }

    @Override
    public Multiaddr localAddress() {
        return localAddress;
    }

    @Override
    public boolean isInitiator() {
        return initiator;
    }

    @Override
    public String security() {
        return ConnectionUpgrader.NOISE;
    }

    @Override
    public String muxer() {
        return ConnectionUpgrader.YAMUX;
    }

    @Override
    public CompletableFuture<Stream> newStream(String... protocols) {
        if (protocols.length == 0) {
            throw new IllegalArgumentException("newStream needs at least one protocol");
        }
        if (!isOpen()) {
            return CompletableFuture.failedFuture(new TransportException(Kind.CLOSED, "connection with " + remotePeer + " is closed"));
        }
        List<String> wanted = List.of(protocols);
        CompletableFuture<Stream> out = session.openStream().thenCompose(stream -> {
            CompletableFuture<String> selected = Futures.withTimeout(MultistreamSelect.select(stream, wanted),
                    NEGOTIATION_TIMEOUT, "negotiating " + wanted + " with " + remotePeer);
            return selected.handle((protocol, e) -> {
                if (e != null) {
                    stream.reset();
                    throw Futures.asTransport(e, Kind.PROTOCOL_ERROR, "negotiating " + wanted + " with " + remotePeer);
                }
                stream.protocol(protocol);
                return (Stream) stream;
            });
        });
        return out;
    }

    /** An inbound stream: negotiate its protocol, then hand it to the protocol's handler. */
    void onInboundStream(YamuxStream stream) {
        Futures.withTimeout(MultistreamSelect.respond(stream, host::serves, host::protocols), NEGOTIATION_TIMEOUT,
                "negotiating an inbound stream from " + remotePeer).whenComplete((protocol, e) -> {
                    if (e != null) {
                        LOG.debug("inbound stream from {} not negotiated: {}", remotePeer, Futures.unwrap(e).getMessage());
                        stream.reset();
                        return;
                    }
                    stream.protocol(protocol);
                    StreamHandler handler = host.handler(protocol);
                    if (handler == null) {
                        stream.reset();
                        return;
                    }
                    try {
                        handler.handle(stream);
                    } catch (RuntimeException ex) {
                        LOG.warn("handler of {} failed on a stream from {}", protocol, remotePeer, ex);
                        stream.reset();
                    }
                });
    }

    @Override
    public CompletableFuture<PeerInfo> identify() {
        return identify;
    }

    CompletableFuture<PeerInfo> identifyFuture() {
        return identify;
    }

    @Override
    public CompletableFuture<Duration> ping() {
        return newStream(Ping.PROTOCOL).thenCompose(Ping::request);
    }

    @Override
    public boolean isOpen() {
        return channel.isActive() && !session.isClosed();
    }

    @Override
    public CompletableFuture<Void> closeFuture() {
        return closed;
    }

    int streamCount() {
        return session.openStreamCount();
    }

    @Override
    public void close() {
        if (channel.isActive()) {
            session.goAway();
        }
        channel.close();
    }

    @Override
    public String toString() {
        return (initiator ? "outbound" : "inbound") + " connection with " + remotePeer + " at " + remoteAddress;
    }
}
