package io.weft.transport.libp2p.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.api.format.Multiaddr;
import io.weft.api.net.Stream;
import io.weft.api.net.TransportException;
import io.weft.api.thread.PeerId;
import io.weft.core.crypto.Ed25519;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class OutboundQueueTest {
    private static final PeerId PEER = PeerId.of(Ed25519.generate().publicKey());

    /** A stream whose writes complete only when the test says so. */
    private static final class SlowStream implements Stream {
        final List<byte[]> written = new ArrayList<>();
        final List<CompletableFuture<Void>> pending = new ArrayList<>();
        boolean closed;
        boolean reset;

        @Override
        public synchronized CompletableFuture<Void> writeMessage(byte[] data) {
            written.add(data);
            CompletableFuture<Void> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }

        void completeNext() {
            CompletableFuture<Void> f;
            synchronized (this) {
                f = pending.remove(0);
            }
            f.complete(null);
        }

        @Override public String protocol() { return PubSubRouter.MESHSUB_1_1; }
        @Override public PeerId remotePeer() { return PEER; }
        @Override public Multiaddr remoteAddress() { return null; }
        @Override public boolean isInitiator() { return true; }
        @Override public CompletableFuture<byte[]> read() { return new CompletableFuture<>(); }
        @Override public CompletableFuture<byte[]> readFully(int length) { return new CompletableFuture<>(); }
        @Override public CompletableFuture<byte[]> readMessage(int maxLength) { return new CompletableFuture<>(); }
        @Override public CompletableFuture<Void> write(byte[] data) { return writeMessage(data); }
        @Override public CompletableFuture<Void> closeWrite() { closed = true; return CompletableFuture.completedFuture(null); }
        @Override public void reset() { reset = true; }
        @Override public boolean isOpen() { return !closed && !reset; }
        @Override public void close() { closed = true; }
    }

    @Test
    void writesOneAtATimeInOrderAndDropsBeyondTheBound() {
        OutboundQueue q = new OutboundQueue(PEER, 3, e -> { });
        SlowStream s = new SlowStream();
        // queued before the stream is open: no pump needed yet
        assertFalse(q.offer(new byte[] {0}));
        q.attach(s);
        assertEquals(1, s.written.size(), "attaching starts writing");
        assertFalse(q.offer(new byte[] {1}), "a write is outstanding: no second writer");
        assertFalse(q.offer(new byte[] {2}));
        assertFalse(q.offer(new byte[] {3}));
        assertFalse(q.offer(new byte[] {4}), "beyond the bound: dropped");
        assertEquals(1, s.written.size());
        for (int i = 0; i < 3; i++) {
            s.completeNext();
        }
        s.completeNext();
        assertEquals(List.of(0, 1, 2, 3), s.written.stream().map(b -> (int) b[0]).toList());
        // idle again: the next offer asks the caller to pump
        assertTrue(q.offer(new byte[] {5}));
        q.pump();
        assertEquals(5, s.written.size());
    }

    @Test
    void aFailedWriteResetsTheStreamAndReportsOnce() {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        OutboundQueue q = new OutboundQueue(PEER, 10, failure::set);
        SlowStream s = new SlowStream();
        q.attach(s);
        assertTrue(q.offer(new byte[] {1}));
        q.pump();
        q.offer(new byte[] {2});
        CompletableFuture<Void> f = s.pending.remove(0);
        f.completeExceptionally(new TransportException(TransportException.Kind.STREAM_RESET, "gone"));
        assertTrue(s.reset);
        assertTrue(failure.get() instanceof TransportException);
        assertFalse(q.isOpen());
        assertFalse(q.offer(new byte[] {3}));
        assertEquals(1, s.written.size());
    }
}
