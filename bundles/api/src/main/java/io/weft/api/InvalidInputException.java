package io.weft.api;

/** Input that is malformed or violates a rule (bad bytes, wrong key length, bad text form, schema violation). */
public class InvalidInputException extends WeftException {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
