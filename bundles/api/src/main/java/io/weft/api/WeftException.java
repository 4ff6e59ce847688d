package io.weft.api;

/**
 * Root of every error Weft reports. Unchecked, so that API signatures stay readable; callers that need to
 * distinguish causes catch one of the subclasses. Messages never contain key material or record plaintext.
 */
public class WeftException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WeftException(String message) {
        super(message);
    }

    public WeftException(String message, Throwable cause) {
        super(message, cause);
    }
}
