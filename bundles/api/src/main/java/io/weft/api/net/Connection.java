package io.weft.api.net;

import io.weft.api.format.Multiaddr;
import io.weft.api.thread.PeerId;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** An authenticated, encrypted, multiplexed connection to one peer. */
public interface Connection extends AutoCloseable {

    /** The authenticated remote peer. */
    PeerId remotePeer();

    /** The remote address (ip/tcp, without {@code /p2p}). */
    Multiaddr remoteAddress();

    /** The local address of this connection. */
    Multiaddr localAddress();

    /** True if this side dialled. */
    boolean isInitiator();

    /** The negotiated security protocol, e.g. {@code /noise}. */
    String security();

    /** The negotiated stream multiplexer, e.g. {@code /yamux/1.0.0}. */
    String muxer();

    /** Opens a stream and negotiates the first of {@code protocols} that the remote supports. */
    CompletableFuture<Stream> newStream(String... protocols);

    /** The identify result for this connection; completes once the remote answered (or fails). */
    CompletableFuture<PeerInfo> identify();

    /** One round trip of the ping protocol. */
    CompletableFuture<Duration> ping();

    /** True until closed by either side. */
    boolean isOpen();

    /** Completes when the connection is closed, by either side. */
    CompletableFuture<Void> closeFuture();

    /** Closes the connection and all its streams. */
    @Override
    void close();
}
