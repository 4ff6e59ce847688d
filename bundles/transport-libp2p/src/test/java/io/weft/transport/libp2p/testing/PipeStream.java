package io.weft.transport.libp2p.testing;

import io.weft.api.format.Multiaddr;
import io.weft.api.format.Varint;
import io.weft.api.net.Stream;
import io.weft.api.net.TransportException;
import io.weft.api.net.TransportException.Kind;
import io.weft.api.thread.PeerId;
import io.weft.core.crypto.Ed25519;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One end of an in-memory {@link Stream} pair, for the tests of code that runs over streams (multistream-select,
 * pubsub). Writes are accepted at once (no flow control) and append to the other end's buffer; reads complete on
 * {@code executor}, never on the writer's thread, as a transport's I/O thread would. Every write call is recorded,
 * so tests can check how messages were batched.
 */
public final class PipeStream implements Stream {
    private static final PeerId PEER_A = PeerId.of(Ed25519.fromSeed(new byte[32]).publicKey());
    private static final PeerId PEER_B = PeerId.of(Ed25519.fromSeed(new byte[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}).publicKey());
    private final PeerId remote;
    private final String protocol;
    private final boolean initiator;
    private final Executor executor;
    private PipeStream other;

    // guarded by this
    private byte[] buffer = new byte[256];
    private int readPos;
    private int writePos;
    private boolean remoteClosedWrite;
    private boolean writeClosed;
    private boolean discardReads;
    private boolean reset;
    private PendingRead pending;
    private final List<byte[]> writes = new ArrayList<>();

    private PipeStream(PeerId remote, String protocol, boolean initiator, Executor executor) {
        this.remote = remote;
        this.protocol = protocol;
        this.initiator = initiator;
        this.executor = executor;
    }

    /** A connected pair between two fixed peers, without a protocol, whose reads complete on a new thread each. */
    public static PipeStream[] pair() {
        return pair(PEER_A, PEER_B, null, r -> new Thread(r, "pipe-stream").start());
    }

    /** A connected pair: {@code [0]} is the initiator's end (at {@code initiator}), {@code [1]} the responder's. */
    public static PipeStream[] pair(PeerId initiator, PeerId responder, String protocol, Executor executor) {
        PipeStream a = new PipeStream(responder, protocol, true, executor);
        PipeStream b = new PipeStream(initiator, protocol, false, executor);
        a.other = b;
        b.other = a;
        return new PipeStream[] {a, b};
    }

    private enum ReadKind { ANY, FULLY, MESSAGE }

    private static final class PendingRead {
        final ReadKind kind;
        final int length;
        final CompletableFuture<byte[]> future = new CompletableFuture<>();

        PendingRead(ReadKind kind, int length) {
            this.kind = kind;
            this.length = length;
        }
    }

    @Override
    public String protocol() {
        return protocol;
    }

    @Override
    public PeerId remotePeer() {
        return remote;
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
        return startRead(new PendingRead(ReadKind.ANY, 0));
    }

    @Override
    public CompletableFuture<byte[]> readFully(int length) {
        return startRead(new PendingRead(ReadKind.FULLY, length));
    }

    @Override
    public CompletableFuture<byte[]> readMessage(int maxLength) {
        return startRead(new PendingRead(ReadKind.MESSAGE, maxLength));
    }

    private CompletableFuture<byte[]> startRead(PendingRead read) {
        synchronized (this) {
            if (pending != null) {
                throw new IllegalStateException("a read is already outstanding");
            }
            if (reset) {
                return CompletableFuture.failedFuture(new TransportException(Kind.STREAM_RESET, "stream reset"));
            }
            pending = read;
        }
        tryComplete();
        return read.future;
    }

    /** Completes the pending read if the buffer allows, on the executor. */
    private void tryComplete() {
        PendingRead read;
        Object result; // byte[], null (end of stream) or TransportException
        boolean resetAfter = false;
        synchronized (this) {
            read = pending;
            if (read == null) {
                return;
            }
            int available = writePos - readPos;
            if (reset) {
                result = new TransportException(Kind.STREAM_RESET, "stream reset");
            } else if (read.kind == ReadKind.ANY) {
                if (available > 0) {
                    result = take(available);
                } else if (remoteClosedWrite) {
                    result = null;
                } else {
                    return;
                }
            } else if (read.kind == ReadKind.FULLY) {
                if (available >= read.length) {
                    result = take(read.length);
                } else if (remoteClosedWrite) {
                    result = new TransportException(Kind.CLOSED, "stream ended");
                } else {
                    return;
                }
            } else {
                long length = 0;
                int shift = 0;
                int i = 0;
                boolean complete = false;
                boolean bad = false;
                while (i < available) {
                    int b = buffer[readPos + i] & 0xff;
                    i++;
                    length |= (long) (b & 0x7f) << shift;
                    if ((b & 0x80) == 0) {
                        complete = true;
                        break;
                    }
                    shift += 7;
                    if (i >= 9) {
                        bad = true;
                        break;
                    }
                }
                if (bad) {
                    result = new TransportException(Kind.PROTOCOL_ERROR, "bad varint");
                    resetAfter = true;
                } else if (!complete) {
                    if (!remoteClosedWrite) {
                        return;
                    }
                    if (available == 0) {
                        result = null;
                    } else {
                        result = new TransportException(Kind.PROTOCOL_ERROR, "stream ended inside a prefix");
                        resetAfter = true;
                    }
                } else if (length > read.length) {
                    result = new TransportException(Kind.LIMIT_EXCEEDED, "message of " + length + " bytes");
                    resetAfter = true;
                } else if (available - i >= length) {
                    readPos += i;
                    result = take((int) length);
                } else if (remoteClosedWrite) {
                    result = new TransportException(Kind.PROTOCOL_ERROR, "stream ended inside a message");
                    resetAfter = true;
                } else {
                    return;
                }
            }
            pending = null;
        }
        if (resetAfter) {
            reset();
        }
        Object r = result;
        executor.execute(() -> {
            if (r instanceof TransportException e) {
                read.future.completeExceptionally(e);
            } else {
                read.future.complete((byte[]) r);
            }
        });
    }

    private byte[] take(int n) {
        byte[] out = Arrays.copyOfRange(buffer, readPos, readPos + n);
        readPos += n;
        return out;
    }

    private void receive(byte[] data) {
        synchronized (this) {
            if (reset || discardReads) {
                return;
            }
            if (buffer.length - writePos < data.length) {
                int live = writePos - readPos;
                byte[] bigger = new byte[Math.max(buffer.length * 2, live + data.length)];
                System.arraycopy(buffer, readPos, bigger, 0, live);
                buffer = bigger;
                readPos = 0;
                writePos = live;
            }
            System.arraycopy(data, 0, buffer, writePos, data.length);
            writePos += data.length;
        }
        tryComplete();
    }

    private void receiveEnd() {
        synchronized (this) {
            remoteClosedWrite = true;
        }
        tryComplete();
    }

    private void receiveReset() {
        synchronized (this) {
            if (reset) {
                return;
            }
            reset = true;
        }
        tryComplete();
    }

    @Override
    public CompletableFuture<Void> write(byte[] data) {
        synchronized (this) {
            if (reset) {
                return CompletableFuture.failedFuture(new TransportException(Kind.STREAM_RESET, "stream reset"));
            }
            if (writeClosed) {
                return CompletableFuture.failedFuture(new TransportException(Kind.CLOSED, "write side closed"));
            }
        }
        synchronized (this) {
            writes.add(data.clone());
        }
        other.receive(data.clone());
        return CompletableFuture.completedFuture(null);
    }

    /** Every write call's bytes so far, in order (a {@link #writeMessage} is one write). */
    public synchronized List<byte[]> writes() {
        return List.copyOf(writes);
    }

    @Override
    public CompletableFuture<Void> writeMessage(byte[] data) {
        byte[] prefix = Varint.encode(data.length);
        byte[] framed = new byte[prefix.length + data.length];
        System.arraycopy(prefix, 0, framed, 0, prefix.length);
        System.arraycopy(data, 0, framed, prefix.length, data.length);
        return write(framed);
    }

    @Override
    public CompletableFuture<Void> closeWrite() {
        synchronized (this) {
            if (reset) {
                return CompletableFuture.failedFuture(new TransportException(Kind.STREAM_RESET, "stream reset"));
            }
            if (writeClosed) {
                return CompletableFuture.completedFuture(null);
            }
            writeClosed = true;
        }
        other.receiveEnd();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void reset() {
        receiveReset();
        other.receiveReset();
    }

    /** Whether either side reset the stream. */
    public synchronized boolean wasReset() {
        return reset;
    }

    @Override
    public synchronized boolean isOpen() {
        return !reset && !(writeClosed && remoteClosedWrite);
    }

    @Override
    public void close() {
        closeWrite();
        synchronized (this) {
            discardReads = true;
            readPos = writePos;
        }
    }
}
