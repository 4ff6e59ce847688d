package io.weft.api.net;

import io.weft.api.format.Multiaddr;
import io.weft.api.thread.PeerId;
import java.util.concurrent.CompletableFuture;

/**
 * One bidirectional, flow-controlled byte stream to a peer, speaking one protocol. Reads are pulled: data the
 * application has not read stays within the stream's receive window, so a slow reader slows the sender down instead
 * of growing a buffer. Writes complete when the bytes are accepted by the connection (after the remote granted
 * window), so awaiting them gives backpressure.
 *
 * <p>At most one read may be outstanding at a time ({@link IllegalStateException} otherwise). Futures fail with
 * {@link TransportException} ({@code STREAM_RESET}, {@code CLOSED}, {@code LIMIT_EXCEEDED}, {@code PROTOCOL_ERROR}).
 * Futures may complete on a transport I/O thread: do not block in their callbacks.
 */
public interface Stream extends AutoCloseable {

    /** The protocol negotiated for this stream, e.g. {@code /ipfs/ping/1.0.0}. */
    String protocol();

    /** The peer at the other end (authenticated by the connection's handshake). */
    PeerId remotePeer();

    /** The remote address of the connection carrying this stream. */
    Multiaddr remoteAddress();

    /** True if this side opened the stream. */
    boolean isInitiator();

    /**
     * The next bytes available, at least one and at most what has arrived; completes with {@code null} once the
     * remote has closed its write side and everything before has been read.
     */
    CompletableFuture<byte[]> read();

    /** Exactly {@code length} bytes; fails with {@code CLOSED} if the stream ends first. */
    CompletableFuture<byte[]> readFully(int length);

    /**
     * One message framed by an unsigned-varint length prefix (the libp2p convention), at most {@code maxLength}
     * bytes; completes with {@code null} on a clean end of stream before the prefix. A longer message fails with
     * {@code LIMIT_EXCEEDED}, a bad prefix or an end inside the message with {@code PROTOCOL_ERROR}; both reset the
     * stream.
     */
    CompletableFuture<byte[]> readMessage(int maxLength);

    /** Writes {@code data} (copied); completes once the connection accepted all of it. */
    CompletableFuture<Void> write(byte[] data);

    /** Writes {@code data} preceded by its unsigned-varint length. */
    CompletableFuture<Void> writeMessage(byte[] data);

    /** Half-closes: no more writes from this side (the remote reads end of stream); reading goes on. */
    CompletableFuture<Void> closeWrite();

    /** Aborts the stream in both directions; pending and later operations fail with {@code STREAM_RESET}. */
    void reset();

    /** True until the stream is fully closed or reset. */
    boolean isOpen();

    /** Closes writing and discards unread data; the stream is released once the remote also closed. */
    @Override
    void close();
}
