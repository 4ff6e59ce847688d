package io.weft.api;

/** Stored or received data fails an integrity check: a signature, hash, chain link or decryption does not verify. */
public class CorruptDataException extends WeftException {
    private static final long serialVersionUID = 1L;

    public CorruptDataException(String message) {
        super(message);
    }

    public CorruptDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
