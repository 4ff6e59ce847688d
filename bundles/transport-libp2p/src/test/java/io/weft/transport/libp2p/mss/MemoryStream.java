package io.weft.transport.libp2p.mss;

import io.weft.api.format.Multiaddr;
import io.weft.api.net.Stream;
import io.weft.api.net.TransportException;
import io.weft.api.net.TransportException.Kind;
import io.weft.api.thread.PeerId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * An in-memory {@link Stream} pair for tests: bytes written on one end become readable on the other. Futures complete
 * outside the lock, on the writer's thread. Records every write call so tests can check how messages were batched.
 */
final class MemoryStream implements Stream {
    private final boolean initiator;
    private MemoryStream peer;
    private byte[] buf = new byte[256];
    private int start;
    private int end;
    private boolean remoteClosed;
    private boolean reset;
    private Supplier<Boolean> pending; // tries to complete the outstanding read; true when done
    final List<byte[]> writes = new ArrayList<>();

    private MemoryStream(boolean initiator) {
        this.initiator = initiator;
    }

    /** A connected pair: [initiator, responder]. */
    static MemoryStream[] pair() {
        MemoryStream a = new MemoryStream(true);
        MemoryStream b = new MemoryStream(false);
        a.peer = b;
        b.peer = a;
        return new MemoryStream[] {a, b};
    }

    @Override
    public String protocol() {
        return "";
    }

    @Override
    public PeerId remotePeer() {
        return null;
    }

    @Override
    public Multiaddr remoteAddress() {
        return null;
    }

    @Override
    public boolean isInitiator() {
        return initiator;
    }

    @Override
    public CompletableFuture<byte[]> read() {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        register(() -> {
            if (end > start) {
                byte[] out = take(end - start);
                return () -> f.complete(out);
            }
            return remoteClosed ? () -> f.complete(null) : null;
        });
        return f;
    }

    @Override
    public CompletableFuture<byte[]> readFully(int length) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        register(() -> {
            if (end - start >= length) {
                byte[] out = take(length);
                return () -> f.complete(out);
            }
            return remoteClosed ? () -> f.completeExceptionally(new TransportException(Kind.CLOSED, "closed")) : null;
        });
        return f;
    }

    @Override
    public CompletableFuture<byte[]> readMessage(int maxLength) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        register(() -> {
            long len = 0;
            int i = start;
            int shift = 0;
            while (true) {
                if (i == end) {
                    if (!remoteClosed) {
                        return null;
                    }
                    return i == start ? () -> f.complete(null)
                            : () -> f.completeExceptionally(new TransportException(Kind.PROTOCOL_ERROR, "truncated"));
                }
                int b = buf[i++] & 0xFF;
                len |= (long) (b & 0x7F) << shift;
                shift += 7;
                if ((b & 0x80) == 0) {
                    break;
                }
                if (shift > 63) {
                    return () -> f.completeExceptionally(new TransportException(Kind.PROTOCOL_ERROR, "bad varint"));
                }
            }
            if (len > maxLength) {
                return () -> f.completeExceptionally(new TransportException(Kind.LIMIT_EXCEEDED, "too long"));
            }
            if (end - i < len) {
                return remoteClosed ? () -> f.completeExceptionally(new TransportException(Kind.PROTOCOL_ERROR, "truncated")) : null;
            }
            start = i;
            byte[] out = take((int) len);
            return () -> f.complete(out);
        });
        return f;
    }

    /** Runs {@code attempt} now or whenever new bytes arrive; it returns the completion to run, or null to wait. */
    private void register(Supplier<Runnable> attempt) {
        Runnable done;
        synchronized (this) {
            if (pending != null) {
                throw new IllegalStateException("a read is already outstanding");
            }
            if (reset) {
                done = null;
            } else {
                done = attempt.get();
            }
            if (done == null && !reset) {
                Runnable[] holder = new Runnable[1];
                pending = () -> {
                    holder[0] = attempt.get();
                    return holder[0] != null;
                };
                pendingCompletion = holder;
            }
        }
        if (done != null) {
            done.run();
        }
    }

    private Runnable[] pendingCompletion;

    private void poke() {
        Runnable done = null;
        synchronized (this) {
            if (pending != null && pending.get()) {
                done = pendingCompletion[0];
                pending = null;
                pendingCompletion = null;
            }
        }
        if (done != null) {
            done.run();
        }
    }

    private byte[] take(int n) {
        byte[] out = Arrays.copyOfRange(buf, start, start + n);
        start += n;
        return out;
    }

    private void deliver(byte[] data) {
        synchronized (this) {
            if (buf.length - end < data.length) {
                byte[] nb = new byte[Math.max(buf.length * 2, end - start + data.length)];
                System.arraycopy(buf, start, nb, 0, end - start);
                end -= start;
                start = 0;
                buf = nb;
            }
            System.arraycopy(data, 0, buf, end, data.length);
            end += data.length;
        }
        poke();
    }

    @Override
    public CompletableFuture<Void> write(byte[] data) {
        synchronized (this) {
            writes.add(data.clone());
        }
        peer.deliver(data.clone());
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> writeMessage(byte[] data) {
        byte[] framed = MultistreamCodec.frame(data);
        return write(framed);
    }

    @Override
    public CompletableFuture<Void> closeWrite() {
        synchronized (peer) {
            peer.remoteClosed = true;
        }
        peer.poke();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void reset() {
        synchronized (this) {
            reset = true;
        }
    }

    @Override
    public boolean isOpen() {
        return !reset;
    }

    @Override
    public void close() {
        closeWrite();
    }
}
