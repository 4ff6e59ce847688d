package io.weft.client;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.weft.api.ConflictException;
import io.weft.api.CorruptDataException;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.UnauthorizedException;
import io.weft.api.WeftException;

/** Maps gRPC statuses (and stray throwables from a call) back to the {@code io.weft.api} exceptions. */
final class Errors {
    private Errors() {
    }

    /** The api exception for a failed call; {@code what} names the call for statuses that carry no message. */
    static WeftException map(Throwable t, String what) {
        if (t instanceof WeftException w) {
            return w;
        }
        Status status = null;
        if (t instanceof StatusRuntimeException s) {
            status = s.getStatus();
        } else if (t instanceof StatusException s) {
            status = s.getStatus();
        }
        if (status == null) {
            status = Status.fromThrowable(t);
        }
        return map(status, what, t);
    }

    static WeftException map(Status status, String what, Throwable cause) {
        String message = status.getDescription();
        if (message == null || message.isBlank()) {
            message = what + ": " + status.getCode();
            if (status.getCause() != null && status.getCause().getMessage() != null) {
                message += " (" + status.getCause().getMessage() + ")";
            }
        }
        switch (status.getCode()) {
            case INVALID_ARGUMENT:
            case OUT_OF_RANGE:
            case RESOURCE_EXHAUSTED:
                return new InvalidInputException(message, cause);
            case NOT_FOUND:
                return new NotFoundException(message, cause);
            case ALREADY_EXISTS:
            case FAILED_PRECONDITION:
            case ABORTED:
                return new ConflictException(message, cause);
            case PERMISSION_DENIED:
            case UNAUTHENTICATED:
                return new UnauthorizedException(message, cause);
            case UNAVAILABLE: {
                String d = status.getDescription();
                Throwable c = status.getCause();
                String detail = (d == null ? "" : d) + (c != null && c.getMessage() != null
                        ? (d == null ? "" : ": ") + c.getMessage() : "");
                return new PeerUnavailableException(what + ": the peer is unavailable"
                        + (detail.isEmpty() ? "" : " (" + detail + ")"), cause);
            }
            case DEADLINE_EXCEEDED:
                return new PeerUnavailableException(status.getDescription() == null
                        ? what + ": no answer before the deadline" : message, cause);
            case DATA_LOSS:
                return new CorruptDataException(message, cause);
            case UNIMPLEMENTED:
                return new WeftException(what + ": the peer does not implement this call"
                        + (status.getDescription() == null ? "" : " (" + status.getDescription() + ")"), cause);
            default:
                return new WeftException(message, cause);
        }
    }

    /**
     * The exception for a non-empty {@code transactionError} of a reply (go-threads reports failures inside a
     * transaction in that field rather than as a status). A leading gRPC code name ({@code "NOT_FOUND: …"}) or a
     * go-threads error text picks the type; otherwise it is a plain {@link WeftException}.
     */
    static WeftException transactionError(String text) {
        String t = text.strip();
        int colon = t.indexOf(':');
        if (colon > 0) {
            String head = t.substring(0, colon).strip();
            try {
                Status.Code code = Status.Code.valueOf(head);
                String rest = t.substring(colon + 1).strip();
                return map(Status.fromCode(code).withDescription(rest.isEmpty() ? t : rest), "transaction", null);
            } catch (IllegalArgumentException notACode) {
                // fall through to the text rules
            }
        }
        String lower = t.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("not found")) {
            return new NotFoundException(t);
        }
        if (lower.contains("already exists") || lower.contains("conflict")) {
            return new ConflictException(t);
        }
        if (lower.contains("invalid") || lower.contains("validation") || lower.contains("schema")) {
            return new InvalidInputException(t);
        }
        return new WeftException(t);
    }
}
