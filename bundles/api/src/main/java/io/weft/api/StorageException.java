package io.weft.api;

/** The underlying storage engine failed (I/O error, closed store); the operation changed nothing. */
public class StorageException extends WeftException {
    private static final long serialVersionUID = 1L;

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
