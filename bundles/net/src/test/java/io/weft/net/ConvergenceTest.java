package io.weft.net;

import static io.weft.net.NetPeer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.weft.api.log.Head;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadInvite;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Several peers over loopback TCP: concurrent writers converge; a partitioned peer heals without help. */
class ConvergenceTest {
    private static final Duration WITHIN = Duration.ofSeconds(30);

    static Map<LogId, Head> heads(NetPeer p, ThreadId t) {
        return p.logService.logstore().headBook().heads(t);
    }

    static boolean converged(ThreadId t, int logs, NetPeer... peers) {
        Map<LogId, Head> first = heads(peers[0], t);
        if (first.size() != logs) {
            return false;
        }
        for (NetPeer p : peers) {
            if (!heads(p, t).equals(first)) {
                return false;
            }
        }
        return true;
    }

    @Test
    void threeConcurrentWritersConverge() {
        try (NetPeer a = new NetPeer(); NetPeer b = new NetPeer(); NetPeer c = new NetPeer()) {
            ThreadId t = a.net.createThread(ThreadId.newRandom(), null).id();
            a.write(t, "hello");
            ThreadInvite invite = a.net.invite(t, false);
            b.net.addThread(invite);
            c.net.addThread(invite);
            List<CompletableFuture<Void>> writers = new ArrayList<>();
            for (NetPeer p : List.of(a, b, c)) {
                writers.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 100; i++) {
                        p.write(t, p + "-" + i);
                    }
                }));
            }
            writers.forEach(CompletableFuture::join);
            await("three peers have the same three logs and heads", WITHIN, () -> converged(t, 3, a, b, c));
            for (NetPeer p : List.of(a, b, c)) {
                assertEquals(301, heads(p, t).values().stream().mapToLong(Head::counter).sum());
                assertEquals(0, p.net.stats().recordsRejected());
            }
        }
    }

    @Test
    void partitionedPeerHealsWithoutManualAction() {
        try (NetPeer a = new NetPeer(); NetPeer b = new NetPeer(); NetPeer c = new NetPeer()) {
            ThreadId t = a.net.createThread(ThreadId.newRandom(), null).id();
            a.write(t, "start");
            ThreadInvite invite = a.net.invite(t, false);
            b.net.addThread(invite);
            c.net.addThread(invite);
            b.write(t, "b");
            c.write(t, "c");
            await("all three see three logs", WITHIN, () -> converged(t, 3, a, b, c));

            c.disconnect();
            for (int i = 0; i < 20; i++) {
                a.write(t, "a during partition " + i);
                c.write(t, "c during partition " + i);
            }
            await("a and b converge without c", WITHIN, () -> converged(t, 3, a, b));
            assertEquals(1, heads(a, t).get(c.logService.ownLog(t, c.identity.publicKey()).orElseThrow().id()).counter());

            c.reconnect();
            await("all converge after the partition heals", WITHIN, () -> converged(t, 3, a, b, c));
            assertEquals(21 + 1 + 21, heads(a, t).values().stream().mapToLong(Head::counter).sum());
        }
    }
}
