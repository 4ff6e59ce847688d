package io.weft.api.net;

import io.weft.api.WeftException;

/**
 * A transport failure: the connection could not be made or was lost, the remote refused a protocol, a stream was
 * reset, a limit was hit, or the remote broke the protocol. {@link #kind()} says which, so callers can decide to
 * retry (only {@link Kind#CONNECT_FAILED}, {@link Kind#TIMEOUT} and {@link Kind#CLOSED} are worth retrying).
 */
public class TransportException extends WeftException {
    private static final long serialVersionUID = 1L;

    /** Why the operation failed. */
    public enum Kind {
        /** No connection could be made (refused, unreachable, handshake failed, in dial backoff). */
        CONNECT_FAILED,
        /** The remote peer's identity is not the one that was dialled. */
        PEER_ID_MISMATCH,
        /** The remote does not speak any of the requested protocols. */
        PROTOCOL_NOT_SUPPORTED,
        /** The remote (or this side) reset the stream. */
        STREAM_RESET,
        /** The connection or stream is closed. */
        CLOSED,
        /** An operation did not finish within its deadline. */
        TIMEOUT,
        /** A configured limit (connections, streams, message size) was reached. */
        LIMIT_EXCEEDED,
        /** The remote sent bytes that violate the protocol. */
        PROTOCOL_ERROR
    }

    private final Kind kind;

    public TransportException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public TransportException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** Why the operation failed. */
    public Kind kind() {
        return kind;
    }
}
