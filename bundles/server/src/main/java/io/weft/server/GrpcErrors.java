package io.weft.server;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.weft.api.ConflictException;
import io.weft.api.CorruptDataException;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.StorageException;
import io.weft.api.UnauthorizedException;
import io.weft.api.WeftException;
import io.weft.api.net.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one mapping of Weft's exceptions to gRPC statuses (design §4):
 * <table>
 * <caption>exception → status</caption>
 * <tr><td>{@link InvalidInputException} (malformed ids, keys, JSON, queries, names)</td><td>INVALID_ARGUMENT</td></tr>
 * <tr><td>{@link NotFoundException}</td><td>NOT_FOUND</td></tr>
 * <tr><td>{@link ConflictException}</td><td>ALREADY_EXISTS (something with that id or value exists) or
 *     FAILED_PRECONDITION where the state forbids the change ({@link Conflict})</td></tr>
 * <tr><td>{@link UnauthorizedException} (a write validator said no, a replica cannot write)</td>
 *     <td>PERMISSION_DENIED</td></tr>
 * <tr><td>{@link CorruptDataException}</td><td>DATA_LOSS</td></tr>
 * <tr><td>{@link TransportException} (a peer could not be reached)</td><td>UNAVAILABLE</td></tr>
 * <tr><td>{@link StorageException}, other {@link WeftException}s, {@link IllegalStateException} (a service
 *     closing)</td><td>UNAVAILABLE</td></tr>
 * <tr><td>anything else</td><td>INTERNAL, with a generic message (the cause is logged)</td></tr>
 * </table>
 * Weft's exception messages never contain key material, so they are passed on as the status description.
 */
public final class GrpcErrors {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcErrors.class);

    private GrpcErrors() {
    }

    /** How a {@link ConflictException} reads for the call at hand. */
    public enum Conflict {
        /** Something with that id, name or unique value already exists. */
        ALREADY_EXISTS,
        /** The current state does not allow the change. */
        FAILED_PRECONDITION
    }

    /** The status for {@code e}, conflicts as {@link Conflict#ALREADY_EXISTS}. */
    public static StatusRuntimeException toStatus(String method, Throwable e) {
        return toStatus(method, e, Conflict.ALREADY_EXISTS);
    }

    /** The status for {@code e} in {@code method} (named in logs only). */
    public static StatusRuntimeException toStatus(String method, Throwable e, Conflict conflict) {
        if (e instanceof StatusRuntimeException s) {
            return s;
        }
        if (e instanceof io.grpc.StatusException s) {
            return s.getStatus().asRuntimeException(s.getTrailers());
        }
        Status status;
        if (e instanceof InvalidInputException) {
            status = Status.INVALID_ARGUMENT;
        } else if (e instanceof NotFoundException) {
            status = Status.NOT_FOUND;
        } else if (e instanceof ConflictException) {
            status = conflict == Conflict.FAILED_PRECONDITION ? Status.FAILED_PRECONDITION : Status.ALREADY_EXISTS;
        } else if (e instanceof UnauthorizedException) {
            status = Status.PERMISSION_DENIED;
        } else if (e instanceof CorruptDataException) {
            LOG.warn("{}: corrupt data: {}", method, e.getMessage());
            status = Status.DATA_LOSS;
        } else if (e instanceof TransportException) {
            status = Status.UNAVAILABLE;
        } else if (e instanceof StorageException) {
            LOG.warn("{}: storage failure", method, e);
            status = Status.UNAVAILABLE;
        } else if (e instanceof WeftException) {
            status = Status.UNAVAILABLE;
        } else if (e instanceof IllegalStateException) {
            status = Status.UNAVAILABLE; // a service closing, or the network without a transport yet
        } else {
            LOG.error("{}: unexpected failure", method, e);
            return Status.INTERNAL.withDescription("internal error").asRuntimeException();
        }
        return status.withDescription(e.getMessage()).asRuntimeException();
    }

    /** The message a {@code transactionError} field carries for {@code e}. */
    public static String transactionError(String method, Throwable e) {
        StatusRuntimeException s = toStatus(method, e);
        String d = s.getStatus().getDescription();
        return d != null && !d.isEmpty() ? d : s.getStatus().getCode().name();
    }
}
