package io.weft.server.net;

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
 * Maps Weft's exceptions to gRPC statuses for the net API. The API's exception messages never hold key material,
 * so they are passed on; anything unexpected becomes {@code INTERNAL} with a generic message (and is logged).
 */
final class NetStatus {
    private static final Logger LOG = LoggerFactory.getLogger(NetStatus.class);

    private NetStatus() {
    }

    /** How a {@link ConflictException} reads for the call at hand. */
    enum Conflict {
        /** Something with that name already exists (create calls). */
        ALREADY_EXISTS,
        /** The state does not allow it (a record that does not extend the head). */
        FAILED_PRECONDITION
    }

    static StatusRuntimeException of(String method, Throwable e, Conflict conflict) {
        if (e instanceof StatusRuntimeException s) {
            return s;
        }
        Status status;
        if (e instanceof InvalidInputException) {
            status = Status.INVALID_ARGUMENT;
        } else if (e instanceof NotFoundException) {
            status = Status.NOT_FOUND;
        } else if (e instanceof ConflictException) {
            status = conflict == Conflict.ALREADY_EXISTS ? Status.ALREADY_EXISTS : Status.FAILED_PRECONDITION;
        } else if (e instanceof UnauthorizedException) {
            status = Status.PERMISSION_DENIED;
        } else if (e instanceof CorruptDataException) {
            status = Status.DATA_LOSS;
        } else if (e instanceof TransportException) {
            status = Status.UNAVAILABLE;
        } else if (e instanceof StorageException) {
            LOG.warn("{}: storage failure", method, e);
            status = Status.UNAVAILABLE;
        } else if (e instanceof WeftException) {
            status = Status.UNAVAILABLE; // e.g. a peer call that failed
        } else if (e instanceof IllegalStateException) {
            status = Status.UNAVAILABLE; // the service is closed or has no transport yet
        } else {
            LOG.error("{}: unexpected failure", method, e);
            return Status.INTERNAL.withDescription(method + ": internal error").asRuntimeException();
        }
        return status.withDescription(e.getMessage()).asRuntimeException();
    }

    static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }
}
