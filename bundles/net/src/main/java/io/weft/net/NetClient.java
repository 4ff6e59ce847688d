package io.weft.net;

import com.google.protobuf.InvalidProtocolBufferException;
import io.weft.api.net.Stream;
import io.weft.api.net.Transport;
import io.weft.api.net.TransportException;
import io.weft.api.thread.PeerId;
import io.weft.net.pb.Call;
import io.weft.net.pb.Result;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Makes calls of the peer protocol: opens a stream with {@link ThreadNet#PROTOCOL}, writes one length-prefixed
 * {@link Call}, reads one length-prefixed {@link Result}. Blocking, with a deadline; a refused call or any failure is
 * a {@link PeerCallException}.
 */
public final class NetClient {
    private final Transport transport;
    private final Duration timeout;
    private final int maxMessageSize;

    public NetClient(Transport transport, Duration timeout, int maxMessageSize) {
        this.transport = transport;
        this.timeout = timeout;
        this.maxMessageSize = maxMessageSize;
    }

    /**
     * Calls {@code peer} and returns its successful result.
     *
     * @throws PeerCallException if the peer refused the call, broke the protocol, or could not be reached in time
     */
    public Result call(PeerId peer, Call call) {
        byte[] request = call.toByteArray();
        if (request.length > maxMessageSize) {
            throw new PeerCallException(peer, PeerCallException.RESOURCE_EXHAUSTED,
                    "call of " + request.length + " bytes exceeds the maximum message size " + maxMessageSize);
        }
        CompletableFuture<Stream> opening = transport.newStream(peer, ThreadNet.PROTOCOL);
        Stream stream = null;
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            stream = opening.get(remaining(deadline), TimeUnit.NANOSECONDS);
            stream.writeMessage(request).get(remaining(deadline), TimeUnit.NANOSECONDS);
            stream.closeWrite();
            byte[] reply = stream.readMessage(maxMessageSize).get(remaining(deadline), TimeUnit.NANOSECONDS);
            Result result = Result.parseFrom(reply);
            if (result.hasError()) {
                throw new PeerCallException(peer, result.getError().getCode(), result.getError().getMessage());
            }
            if (result.getReplyCase() == Result.ReplyCase.REPLY_NOT_SET) {
                throw new PeerCallException(peer, PeerCallException.INTERNAL, "empty reply");
            }
            return result;
        } catch (TimeoutException e) {
            opening.cancel(false);
            throw new PeerCallException(peer, PeerCallException.DEADLINE_EXCEEDED, "no reply within " + timeout);
        } catch (InvalidProtocolBufferException e) {
            throw new PeerCallException(peer, PeerCallException.INTERNAL, "malformed reply: " + e.getMessage());
        } catch (ExecutionException | CompletionException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            if (c instanceof TransportException t) {
                int code = switch (t.kind()) {
                    case LIMIT_EXCEEDED -> PeerCallException.RESOURCE_EXHAUSTED;
                    case TIMEOUT -> PeerCallException.DEADLINE_EXCEEDED;
                    case PROTOCOL_NOT_SUPPORTED -> PeerCallException.FAILED_PRECONDITION;
                    default -> PeerCallException.UNAVAILABLE;
                };
                throw new PeerCallException(peer, code, t.getMessage(), t);
            }
            throw new PeerCallException(peer, PeerCallException.UNAVAILABLE, String.valueOf(c.getMessage()), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerCallException(peer, PeerCallException.UNAVAILABLE, "interrupted");
        } finally {
            if (stream != null) {
                stream.close();
            }
        }
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }
}
