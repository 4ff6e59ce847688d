package io.weft.api.db;

import io.weft.api.ConflictException;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.UnauthorizedException;
import io.weft.api.WeftException;

/**
 * One reason a write would be rejected, as reported by {@code verify} (which writes nothing). A write that runs
 * into the same problem throws {@link #toException()}.
 *
 * @param collection the collection name
 * @param instanceId the instance id, or {@code null} when the instance has none yet or is unreadable
 * @param kind       the kind of problem
 * @param message    a human-readable description
 */
public record WriteProblem(String collection, String instanceId, Kind kind, String message) {

    /** Kinds of write problems, each mapped to one exception type. */
    public enum Kind {
        /** Not JSON, not a JSON object, or a malformed {@code _id} ({@code InvalidInputException}). */
        INVALID_JSON,
        /** The instance does not satisfy the collection's schema ({@code InvalidInputException}). */
        SCHEMA,
        /** The serialized instance exceeds the configured size limit ({@code InvalidInputException}). */
        TOO_LARGE,
        /** The collection does not exist ({@code NotFoundException}). */
        UNKNOWN_COLLECTION,
        /** A create of an id that already exists ({@code ConflictException}). */
        DUPLICATE_ID,
        /** A value already taken in a unique index ({@code ConflictException}). */
        UNIQUE_INDEX,
        /** The collection's write validator rejected the write ({@code UnauthorizedException}). */
        REJECTED
    }

    public WriteProblem {
        if (collection == null || kind == null || message == null) {
            throw new InvalidInputException("write problem: collection, kind and message are required");
        }
    }

    /** The exception a write with this problem throws. */
    public WeftException toException() {
        String m = message;
        return switch (kind) {
            case INVALID_JSON, SCHEMA, TOO_LARGE -> new InvalidInputException(m);
            case UNKNOWN_COLLECTION -> new NotFoundException(m);
            case DUPLICATE_ID, UNIQUE_INDEX -> new ConflictException(m);
            case REJECTED -> new UnauthorizedException(m);
        };
    }
}
