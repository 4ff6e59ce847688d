package io.weft.api;

/** The caller lacks the key or permission the operation needs (wrong key, bad signature from an unknown writer). */
public class UnauthorizedException extends WeftException {
    private static final long serialVersionUID = 1L;

    public UnauthorizedException(String message) {
        super(message);
    }

    public UnauthorizedException(String message, Throwable cause) {
        super(message, cause);
    }
}
