package io.weft.api;

/** A thread, log, record, key or document that the caller named does not exist. */
public class NotFoundException extends WeftException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(message);
    }

    public NotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
