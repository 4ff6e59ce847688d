package io.weft.client;

import io.weft.api.WeftException;

/**
 * The peer could not be reached, or did not answer before the call's deadline (gRPC {@code UNAVAILABLE} or
 * {@code DEADLINE_EXCEEDED}). Nothing is known about whether a write reached the peer; retrying a write may apply
 * it twice unless it names its instance ids.
 */
public class PeerUnavailableException extends WeftException {
    private static final long serialVersionUID = 1L;

    /** An exception with this message. */
    public PeerUnavailableException(String message) {
        super(message);
    }

    /** An exception with this message and cause. */
    public PeerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
