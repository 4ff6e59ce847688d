package io.weft.transport.libp2p.pubsub;

import io.weft.api.net.Stream;
import io.weft.api.thread.PeerId;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RPCs waiting to be written on our outbound pubsub stream to one peer. Writes are chained (one outstanding
 * at a time, in order); RPCs queued before the stream is open wait for it; beyond {@code maxQueued} waiting RPCs
 * new ones are dropped. {@link #offer} never does I/O, so it may be called under the router's lock; {@link #pump}
 * writes and must be called without it.
 */
final class OutboundQueue {
    private static final Logger LOG = LoggerFactory.getLogger(OutboundQueue.class);

    private final PeerId peer;
    private final int maxQueued;
    private final Consumer<Throwable> onFailure;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private Stream stream;
    private boolean busy;
    private boolean closed;
    private long dropped;

    OutboundQueue(PeerId peer, int maxQueued, Consumer<Throwable> onFailure) {
        this.peer = peer;
        this.maxQueued = maxQueued;
        this.onFailure = onFailure;
    }

    /**
     * Queues one encoded RPC. Returns true if the caller must call {@link #pump()} (outside any lock) to start
     * writing.
     */
    synchronized boolean offer(byte[] rpc) {
        if (closed) {
            return false;
        }
        if (queue.size() >= maxQueued) {
            dropped++;
            if (dropped == 1 || dropped % 100 == 0) {
                LOG.warn("pubsub: outbound queue to {} is full ({} RPCs); dropped {} RPCs so far", peer, maxQueued, dropped);
            }
            return false;
        }
        queue.add(rpc);
        if (busy || stream == null) {
            return false;
        }
        busy = true;
        return true;
    }

    /** Sets the opened stream and starts writing what is queued; closes it instead if this queue was closed. */
    void attach(Stream opened) {
        boolean start;
        boolean reject;
        synchronized (this) {
            reject = closed;
            start = false;
            if (!reject) {
                stream = opened;
                start = !busy && !queue.isEmpty();
                busy |= start;
            }
        }
        if (reject) {
            opened.close();
        } else if (start) {
            pump();
        }
    }

    /** True once the stream is attached and the queue not closed. */
    synchronized boolean isOpen() {
        return stream != null && !closed;
    }

    /** Writes queued RPCs one after the other until the queue is empty; call only when {@link #offer} said so. */
    void pump() {
        while (true) {
            byte[] next;
            Stream s;
            synchronized (this) {
                next = closed || stream == null ? null : queue.poll();
                if (next == null) {
                    busy = false;
                    return;
                }
                s = stream;
            }
            CompletableFuture<Void> written;
            try {
                written = s.writeMessage(next);
            } catch (RuntimeException e) {
                written = CompletableFuture.failedFuture(e);
            }
            if (written.isDone() && !written.isCompletedExceptionally()) {
                continue;
            }
            written.whenComplete((v, e) -> {
                if (e != null) {
                    fail(e);
                } else {
                    pump();
                }
            });
            return;
        }
    }

    /** Drops what is queued and closes the stream (a clean half-close; the remote reads end of stream). */
    void close() {
        Stream s;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
            s = stream;
        }
        if (s != null) {
            s.close();
        }
    }

    private void fail(Throwable e) {
        Stream s;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
            s = stream;
        }
        LOG.debug("pubsub: write to {} failed: {}", peer, e.toString());
        if (s != null) {
            s.reset();
        }
        onFailure.accept(e);
    }
}
