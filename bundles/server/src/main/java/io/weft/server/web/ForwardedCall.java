package io.weft.server.web;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.netty.channel.Channel;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call forwarded from a web transport to the gateway's gRPC {@link io.grpc.Channel}, as opaque bytes. Every method
 * runs on the connection's event loop (the {@link ClientCall}'s listener too), so no locking is needed. Flow control:
 * the next response message is requested only while the socket is writable; a request message is read from the socket
 * only while the call is ready (see {@link #isReady()}).
 */
abstract class ForwardedCall {
    private static final Logger LOG = LoggerFactory.getLogger(ForwardedCall.class);

    protected final WebGateway gateway;
    protected final Channel ch;
    protected final String method;
    private ClientCall<byte[], byte[]> call;
    private boolean callClosed;
    private boolean slotHeld;
    private boolean wantMore;
    private boolean headersSent;
    private boolean finished;

    ForwardedCall(WebGateway gateway, Channel ch, String method) {
        this.gateway = gateway;
        this.ch = ch;
        this.method = method;
    }

    /** Writes the response headers (once, before any message). */
    protected abstract void writeHeaders(Metadata headers);

    /** Writes one response message. */
    protected abstract void writeMessage(byte[] message);

    /**
     * Ends the response with {@code status} and closes or releases the connection.
     *
     * @param headersSent whether {@link #writeHeaders} was called (otherwise this is a trailers-only response)
     */
    protected abstract void writeEnd(Status status, Metadata trailers, boolean headersSent);

    /** Called when the call becomes ready for more request messages. */
    protected void onReady() {
    }

    final boolean finished() {
        return finished;
    }

    final boolean started() {
        return call != null;
    }

    /**
     * Starts the call; on refusal (too many calls) ends it with RESOURCE_EXHAUSTED.
     *
     * @param timeoutNanos the client's deadline, or {@code null}
     * @return whether the call started
     */
    final boolean start(MethodDescriptor<byte[], byte[]> descriptor, Metadata headers, Long timeoutNanos) {
        if (finished) {
            return false;
        }
        if (!gateway.tryAcquireCall()) {
            finish(Status.RESOURCE_EXHAUSTED.withDescription("too many concurrent calls on the web gateway ("
                    + gateway.config().maxConcurrentCalls() + ")"), null);
            return false;
        }
        slotHeld = true;
        CallOptions options = CallOptions.DEFAULT.withExecutor(ch.eventLoop());
        if (timeoutNanos != null) {
            options = options.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS);
        }
        call = gateway.channel().newCall(descriptor, options);
        call.start(new Listener(), headers);
        call.request(1);
        return true;
    }

    /** Forwards one request message. */
    final void send(byte[] message) {
        if (call != null && !callClosed && !finished) {
            call.sendMessage(message);
        }
    }

    /** Half-closes the request stream. */
    final void halfClose() {
        if (call != null && !callClosed && !finished) {
            call.halfClose();
        }
    }

    /** Whether the call can take another request message without buffering. */
    final boolean isReady() {
        return call == null || callClosed || finished || call.isReady();
    }

    /** The socket became writable again: ask for the next response message if one is owed. */
    final void onWritable() {
        if (wantMore && call != null && !callClosed && !finished && ch.isWritable()) {
            wantMore = false;
            call.request(1);
        }
    }

    /** The client went away: cancel the call, write nothing more. */
    final void cancel(String reason) {
        boolean wasFinished = finished;
        finished = true;
        if (call != null && !callClosed) {
            if (!wasFinished) {
                LOG.debug("{}: {}", method, reason);
            }
            call.cancel(reason, null);
        }
    }

    /**
     * Ends the call with {@code status} (an error found by the gateway, or the server's status): cancels the gRPC call
     * if it is still running and writes the trailers. Later calls do nothing.
     */
    final void finish(Status status, Metadata trailers) {
        if (finished) {
            return;
        }
        finished = true;
        if (call != null && !callClosed) {
            call.cancel("web gateway: " + status.getCode() + " " + status.getDescription(), null);
        }
        writeEnd(status, trailers == null ? new Metadata() : trailers, headersSent);
    }

    private void releaseSlot() {
        if (slotHeld) {
            slotHeld = false;
            gateway.releaseCall();
        }
    }

    private final class Listener extends ClientCall.Listener<byte[]> {
        @Override
        public void onHeaders(Metadata headers) {
            if (!finished && !headersSent) {
                headersSent = true;
                writeHeaders(headers);
            }
        }

        @Override
        public void onMessage(byte[] message) {
            if (finished) {
                return;
            }
            if (!headersSent) {
                headersSent = true;
                writeHeaders(new Metadata());
            }
            writeMessage(message);
            if (ch.isWritable()) {
                call.request(1);
            } else {
                wantMore = true;
            }
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            callClosed = true;
            releaseSlot();
            finish(status, trailers);
        }

        @Override
        public void onReady() {
            if (!finished) {
                ForwardedCall.this.onReady();
            }
        }
    }
}
