package io.weft.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.weft.api.format.Cid;
import io.weft.api.format.Multiaddr;
import io.weft.api.log.AppendResult;
import io.weft.api.log.LogService;
import io.weft.api.net.Transport;
import io.weft.api.net.TransportConfig;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.LogId;
import io.weft.api.thread.PeerId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import io.weft.core.crypto.Ed25519;
import io.weft.logstore.LocalLogService;
import io.weft.net.NetClient;
import io.weft.net.NetConfig;
import io.weft.net.PeerCallException;
import io.weft.net.pb.Call;
import io.weft.net.pb.GetLogsRequest;
import io.weft.net.pb.Log;
import io.weft.store.xodus.XodusDatastore;
import io.weft.store.xodus.XodusOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A peer killed (SIGKILL) in the middle of joining a long thread resumes after a restart and ends up with every
 * record exactly once, in order.
 *
 * <p>The writer is a plain-Java peer in this JVM ({@link PlainPeer}); the joining peer R is the real distribution
 * ({@code bin/weft}, an OS process on its own repository) told to join the thread by its configuration
 * ({@code io.weft.net.cfg}: {@code threads = <invite>}, small pages). The test watches R's progress over the peer
 * protocol (GetLogs: the head counter of the writer's log at R), kills R's JVM once some but not all records are
 * there, starts it again on the same repository and waits for the whole log. Then, with R stopped, it opens R's
 * Xodus store here and checks the log record by record against what the writer wrote.
 */
class RestartMidSyncIT {

    static final int TOTAL = 30_000;
    static final int PAGE_RECORDS = 500;
    static final Pattern STARTED = DistributionSmokeIT.STARTED;
    static final Pattern LISTENING = DistributionSmokeIT.LISTENING;
    static final Duration START_TIMEOUT = DistributionSmokeIT.START_TIMEOUT;
    static final Duration STOP_TIMEOUT = DistributionSmokeIT.STOP_TIMEOUT;
    static final Duration SYNC_TIMEOUT = Duration.ofMinutes(2);
    /** Exit status of a JVM killed by SIGKILL (128 + 9). */
    static final int SIGKILL_EXIT = 137;

    @Test
    void peerKilledMidSyncResumesAndHasEveryRecordExactlyOnce() throws Exception {
        Path work = Distribution.workDir("restart-mid-sync");
        Path repo = work.resolve("repo");
        Path conf = Files.createDirectories(work.resolve("conf"));

        List<Cid> ids = new ArrayList<>(TOTAL);
        ThreadId thread;
        LogId log;
        try (PlainPeer writer = new PlainPeer(NetConfig.defaults())) {
            thread = ThreadId.parse(writer.createThread());
            long t0 = System.nanoTime();
            for (int i = 1; i <= TOTAL; i++) {
                AppendResult r = writer.append(thread, "record " + i);
                assertEquals(i, r.counter());
                ids.add(r.record().id());
            }
            System.out.printf("writer: %d records in %d ms%n", TOTAL, (System.nanoTime() - t0) / 1_000_000);
            log = LogId.parse(writer.ownLog(thread.toString()));
            ThreadKey key = writer.logService.logstore().keyBook().threadKey(thread).orElseThrow();

            // the invite carries the thread's keys: it goes into R's configuration file, never into the output
            Files.writeString(conf.resolve("io.weft.transport.cfg"), "listen = /ip4/127.0.0.1/tcp/0\n");
            Files.writeString(conf.resolve("io.weft.net.cfg"), "page.records = " + PAGE_RECORDS + "\n"
                    + "threads = " + writer.invite(thread.toString()) + "\n");

            String rId;
            long killedAt;
            long syncStart = System.nanoTime();
            try (PeerProcess r = PeerProcess.start(repo, "--conf", conf.toString());
                    Observer observer = new Observer(thread, key, log)) {
                rId = r.await(STARTED, START_TIMEOUT).group(1);
                observer.learn(r.awaitInOutput(LISTENING, START_TIMEOUT));
                killedAt = observer.awaitCounter("R has some of the records", SYNC_TIMEOUT, c -> c > 0);
                if (killedAt >= TOTAL) {
                    fail("R synced all " + TOTAL + " records before it could be killed: raise TOTAL");
                }
                r.kill();
                assertEquals(SIGKILL_EXIT, r.waitFor(STOP_TIMEOUT), "killed by SIGKILL");
                System.out.printf("R killed with %d of %d records after %d ms%n", killedAt, TOTAL,
                        (System.nanoTime() - syncStart) / 1_000_000);
            }

            try (PeerProcess r = PeerProcess.start(repo, "--conf", conf.toString());
                    Observer observer = new Observer(thread, key, log)) {
                assertEquals(rId, r.await(STARTED, START_TIMEOUT).group(1), "R keeps its identity");
                observer.learn(r.awaitInOutput(LISTENING, START_TIMEOUT));
                long first = observer.awaitCounter("R serves the thread again", START_TIMEOUT, c -> c >= 0);
                assertTrue(first >= killedAt, "records committed before the kill survive it: " + first + " < " + killedAt);
                long t1 = System.nanoTime();
                observer.awaitCounter("R has all " + TOTAL + " records", SYNC_TIMEOUT, c -> c == TOTAL);
                System.out.printf("R resumed at %d and completed in %d ms; counters seen: %s%n", first,
                        (System.nanoTime() - t1) / 1_000_000, observer.seen);

                r.terminate();
                assertEquals(DistributionSmokeIT.SIGTERM_EXIT, r.waitFor(STOP_TIMEOUT), r.output());
                List<String> problems = r.output().lines()
                        .filter(l -> l.startsWith("io.weft.") && (l.contains(" ERROR ") || l.contains(" WARN ")))
                        .toList();
                assertEquals(List.of(), problems, "no Weft error or warning after the restart");
            }
        }

        // R's store, opened here with R stopped: the writer's log, exactly as written
        try (XodusDatastore store = new XodusDatastore(repo.resolve("store"), XodusOptions.DEFAULTS)) {
            LogService logs = new LocalLogService(store);
            assertTrue(logs.logstore().hasThread(thread));
            assertEquals(List.of(log), logs.logstore().logs(thread));
            assertEquals(TOTAL, logs.logstore().headBook().head(thread, log).counter());
            assertEquals(ids.get(TOTAL - 1), logs.logstore().headBook().head(thread, log).cid());
            List<Cid> stored = new ArrayList<>(TOTAL);
            Cid after = null;
            while (true) {
                List<RecordEnvelope> page = logs.records(thread, log, after, 1000);
                if (page.isEmpty()) {
                    break;
                }
                for (RecordEnvelope env : page) {
                    int n = stored.size() + 1;
                    assertTrue(n <= TOTAL, "more than " + TOTAL + " records in R's log");
                    assertEquals(ids.get(n - 1), env.id(), "record " + n + " of R's log");
                    // verified against the log's key and opened with the read key
                    String text = PlainPeer.text(logs.openRecord(thread, env.id()).body());
                    assertEquals("record " + n, text, "body of record " + n);
                    stored.add(env.id());
                    after = env.id();
                }
            }
            assertEquals(TOTAL, stored.size(), "records in R's log");
        }
    }

    /**
     * Asks R for the thread's logs over the peer protocol, from a transport of its own: the head counter of the
     * writer's log at R, or -1 while R cannot answer (not up yet, or does not have the thread yet).
     */
    static final class Observer implements AutoCloseable {
        private final Transport transport = io.weft.transport.libp2p.Libp2pHost.start(Ed25519.generate(),
                TransportConfig.defaults().withListen(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")))
                        .withDialBackoff(Duration.ofMillis(100)));
        private final NetClient client = new NetClient(transport, Duration.ofSeconds(10), 8 * 1024 * 1024);
        private final ThreadId thread;
        private final ThreadKey key;
        private final LogId log;
        private PeerId peer;
        /** Every distinct counter observed, in order. */
        final List<Long> seen = new ArrayList<>();

        Observer(ThreadId thread, ThreadKey key, LogId log) {
            this.thread = thread;
            this.key = key;
            this.log = log;
        }

        /** R's address, from its "libp2p listening on <addr>/p2p/<id>" line. */
        void learn(Matcher listening) {
            Multiaddr addr = Multiaddr.parse(listening.group(1));
            peer = addr.peerId().orElseThrow();
            transport.peerStore().addAddresses(peer, List.of(addr.decapsulate(Multiaddr.Protocol.P2P)),
                    Duration.ofHours(1));
        }

        long counter() {
            Call call = Call.newBuilder().setGetLogs(GetLogsRequest.newBuilder().setBody(GetLogsRequest.Body.newBuilder()
                    .setThreadID(ByteString.copyFrom(thread.bytes()))
                    .setServiceKey(ByteString.copyFrom(key.serviceKey())))).build();
            try {
                for (Log l : client.call(peer, call).getGetLogs().getLogsList()) {
                    if (Arrays.equals(l.getID().toByteArray(), log.bytes())) {
                        return l.getCounter();
                    }
                }
                return 0; // R has the thread but not the log yet
            } catch (PeerCallException e) {
                return -1;
            }
        }

        /** Polls {@link #counter} until it satisfies {@code condition}; returns that counter. */
        long awaitCounter(String what, Duration timeout, java.util.function.LongPredicate condition)
                throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            long last = -1;
            while (true) {
                last = counter();
                if (last >= 0 && (seen.isEmpty() || seen.get(seen.size() - 1) != last)) {
                    seen.add(last);
                }
                if (last >= 0 && condition.test(last)) {
                    return last;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("timed out after " + timeout + " waiting for: " + what
                            + " (last counter " + last + ")");
                }
                Thread.sleep(50);
            }
        }

        @Override
        public void close() {
            transport.close();
        }
    }
}
