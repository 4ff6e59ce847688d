package io.weft.api;

/** The operation conflicts with current state: a record whose prev is not the log head, a duplicate id, a unique index violation. */
public class ConflictException extends WeftException {
    private static final long serialVersionUID = 1L;

    public ConflictException(String message) {
        super(message);
    }

    public ConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
