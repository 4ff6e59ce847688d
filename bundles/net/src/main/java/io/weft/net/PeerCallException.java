package io.weft.net;

import io.weft.api.WeftException;
import io.weft.api.thread.PeerId;

/**
 * A call to a peer that the peer refused (with a status code as in gRPC) or that could not be completed. The
 * message never contains key material.
 */
public final class PeerCallException extends WeftException {
    private static final long serialVersionUID = 1L;

    /** Status codes, numbered as gRPC's. */
    public static final int INVALID_ARGUMENT = 3;
    public static final int DEADLINE_EXCEEDED = 4;
    public static final int NOT_FOUND = 5;
    public static final int RESOURCE_EXHAUSTED = 8;
    public static final int FAILED_PRECONDITION = 9;
    public static final int INTERNAL = 13;
    public static final int UNAVAILABLE = 14;
    public static final int UNAUTHENTICATED = 16;

    private final transient PeerId peer;
    private final int code;

    public PeerCallException(PeerId peer, int code, String message) {
        super("peer " + peer + ": " + message + " (status " + code + ")");
        this.peer = peer;
        this.code = code;
    }

    public PeerCallException(PeerId peer, int code, String message, Throwable cause) {
        super("peer " + peer + ": " + message + " (status " + code + ")", cause);
        this.peer = peer;
        this.code = code;
    }

    public PeerId peer() {
        return peer;
    }

    public int code() {
        return code;
    }
}
