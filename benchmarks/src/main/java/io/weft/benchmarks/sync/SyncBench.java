package io.weft.benchmarks.sync;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.db.ChangeType;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.Database;
import io.weft.api.db.ListenFilter;
import io.weft.api.db.Listener;
import io.weft.api.db.Query;
import io.weft.api.db.Subscription;
import io.weft.api.format.Multiaddr;
import io.weft.api.log.SyncStats;
import io.weft.api.net.Connection;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadInvite;
import io.weft.core.cbor.CborValue;
import io.weft.core.cbor.DagCbor;
import io.weft.core.crypto.Ed25519;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Thread sync between two Weft peers over the libp2p transport on loopback (issue #5's measurements). Both peers
 * run in this JVM, each with its own Xodus store (fsync off), transport, {@link io.weft.net.ThreadNet} with
 * {@code NetConfig.defaults()} and database manager (see {@link Peer}). Documents have the shape of OrbitDB's
 * replication harness ({@code orbitdb-replicate.mjs}): {@code {_id: 'doc-'+i, n: i, name: 'name-'+(i % 100)}}, one
 * write transaction (one record) each. Timings are printed, never checked.
 *
 * <ul>
 *   <li>{@code catchup N [warmupDocs]} (defaults 10000, 2000): peer A creates a database with one collection and
 *       writes N documents; then peer B (started and connected to A beforehand, as OrbitDB's harness does) joins
 *       from A's invite, and the time runs from {@code joinDatabase} until B's database listener has seen all N
 *       documents created. Before that, the same is done once with {@code warmupDocs} documents on a separate pair
 *       of fresh peers (JIT warm-up; 0 skips it). Then the single-core Ed25519 verify rate is measured in the same
 *       JVM (Weft's {@code Ed25519.verify}, one key, 72-byte messages) and the catch-up rate is given as a fraction
 *       of it.</li>
 *   <li>{@code live N [warmupWrites]} (defaults 1000, 200): A and B share a database; B listens
 *       ({@code Database.listen}); latency = the listener being called on B minus the start of A's
 *       {@code create} (same JVM, same clock). Two ways of writing, each measured twice: first with B a pure
 *       reader of the database (no log of its own), then after B has written one document (so that A knows B as a
 *       host of a log of the thread): <em>closed loop</em>, A writes the next document only after B saw the
 *       previous one (propagation latency without queueing), and <em>burst</em>, A writes N documents back to back
 *       (latency includes queueing behind the earlier ones).</li>
 *   <li>{@code idle THREADS SECONDS [docsPerThread]} (defaults 100, 60, 10): A creates THREADS databases with
 *       docsPerThread documents each, B joins all and writes one document to each, both wait until they have every
 *       document of every database; then nothing is written for SECONDS while the bytes between the peers and the
 *       process's CPU time are measured. Both peers announce the address of a byte-counting TCP relay
 *       ({@link CountingRelay}) in front of themselves instead of their own port, so every connection between them
 *       passes through one of the two relays.</li>
 * </ul>
 *
 * <p>Run: {@code java --add-opens=java.base/sun.nio.ch=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar
 * io.weft.benchmarks.sync.SyncBench catchup 10000}.
 */
public final class SyncBench {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String COLLECTION = "Doc";

    static final String SCHEMA = """
            {"$schema": "http://json-schema.org/draft-07/schema#",
             "type": "object",
             "properties": {
               "_id": {"type": "string"},
               "n": {"type": "number"},
               "name": {"type": "string"}
             },
             "required": ["n", "name"]}
            """;

    private static volatile int sink;
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    /** CPU time of the whole process so far, nanoseconds. */
    static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private SyncBench() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "catchup";
        switch (mode) {
            case "catchup" -> catchup(intArg(args, 1, 10000), intArg(args, 2, 2000));
            case "catchup-log" -> catchupLog(intArg(args, 1, 10000), intArg(args, 2, 2000));
            case "live" -> live(intArg(args, 1, 1000), intArg(args, 2, 200));
            case "live-log" -> liveLog(intArg(args, 1, 1000), intArg(args, 2, 200));
            case "idle" -> idle(intArg(args, 1, 100), intArg(args, 2, 60), intArg(args, 3, 10),
                    !(args.length > 4 && args[4].equals("threads")));
            default -> {
                System.err.println("usage: SyncBench catchup [N] [warmupDocs] | catchup-log [N] [warmupRecords]"
                        + " | live [N] [warmupWrites] | live-log [N] [warmupWrites]"
                        + " | idle [THREADS] [SECONDS] [docsPerThread] [databases|threads]");
                System.exit(2);
            }
        }
        System.exit(0); // do not wait for non-daemon threads a closed component may have left behind
    }

    private static int intArg(String[] args, int i, int def) {
        return args.length > i ? Integer.parseInt(args[i]) : def;
    }

    // ================================================================== documents

    static CollectionConfig collection() {
        try {
            return new CollectionConfig(COLLECTION, MAPPER.readTree(SCHEMA), List.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code {_id: prefix+i, n: i, name: 'name-'+(i % 100)}} as JSON text. */
    static String doc(String prefix, long i) {
        return "{\"_id\":\"" + prefix + i + "\",\"n\":" + i + ",\"name\":\"name-" + (i % 100) + "\"}";
    }

    /**
     * Counts the distinct instances created in {@link #COLLECTION} of a database whose id starts with
     * {@code prefix}; {@link #done} completes with the {@link System#nanoTime()} at which the count reached
     * {@code target}. Listens from sequence 0, so changes made before it was registered count too.
     */
    static final class CreateCounter implements Listener {
        final String prefix;
        final int target;
        final Set<String> seen = ConcurrentHashMap.newKeySet();
        final CompletableFuture<Long> done = new CompletableFuture<>();
        Subscription subscription;

        CreateCounter(String prefix, int target) {
            this.prefix = prefix;
            this.target = target;
        }

        static CreateCounter on(Database db, String prefix, int target) {
            CreateCounter c = new CreateCounter(prefix, target);
            c.subscription = db.listen(0, List.of(new ListenFilter(COLLECTION, null, ChangeType.CREATE)), c);
            return c;
        }

        @Override
        public void onChange(io.weft.api.db.Change change) {
            long now = System.nanoTime();
            if (change.instanceId().startsWith(prefix) && seen.add(change.instanceId()) && seen.size() >= target) {
                done.complete(now);
            }
        }
    }

    static <T> T await(CompletableFuture<T> f, Duration deadline, String what) {
        try {
            return f.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out after " + deadline.toSeconds() + " s: " + what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + what, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " failed", e.getCause());
        }
    }

    // ================================================================== catch-up

    record CatchupResult(int docs, double seconds, double joinSeconds, long recordsAppended, SyncStats statsB) {
        double docsPerSecond() {
            return docs / seconds;
        }

        double recordsPerSecond() {
            return recordsAppended / seconds;
        }
    }

    static CatchupResult catchupOnce(int n, boolean print) {
        try (Peer a = new Peer("a")) {
            Database dbA = a.manager.createDatabase("bench", List.of(collection()));
            var docs = dbA.collection(COLLECTION);
            long w0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                docs.create(doc("doc-", i));
            }
            double writeSec = (System.nanoTime() - w0) / 1e9;
            if (print) {
                System.out.printf("A: wrote N=%d documents in %.2f s (%.0f/s), one transaction each%n", n, writeSec,
                        n / writeSec);
            }
            ThreadInvite invite = a.net.invite(dbA.id(), false);
            try (Peer b = new Peer("b")) {
                // as orbitdb-replicate.mjs: B's node is up and connected to A before the timed open
                b.transport.connect(a.dialAddress()).join();
                SyncStats before = b.net.stats();
                long cpu0 = CPU.getCurrentThreadCpuTime();
                long proc0 = processCpu();
                Map<Long, String> names = new HashMap<>();
                Map<Long, Long> threads0 = threadCpu(CPU, names);
                long t0 = System.nanoTime();
                Database dbB = b.manager.joinDatabase(invite, "bench");
                long tJoin = System.nanoTime();
                long cpuJoin = CPU.getCurrentThreadCpuTime() - cpu0;
                CreateCounter counter = CreateCounter.on(dbB, "doc-", n);
                long tDone = await(counter.done, Duration.ofSeconds(Math.max(120, n / 20)),
                        "B catching up " + n + " documents (B's stats: " + b.net.stats() + ")");
                long proc = processCpu() - proc0;
                Map<Long, Long> threads1 = threadCpu(CPU, names);
                counter.subscription.close();
                SyncStats after = b.net.stats();
                if (print) {
                    System.out.printf("CPU during the catch-up: the thread calling joinDatabase %.3f s of its %.3f s,"
                            + " whole process %.3f s; by thread group: %s%n", cpuJoin / 1e9, (tJoin - t0) / 1e9,
                            proc / 1e9, topGroups(threads0, threads1, names, 6));
                }
                int count = dbB.collection(COLLECTION).find(Query.all()).size();
                if (count != n) {
                    throw new IllegalStateException("B has " + count + " documents, expected " + n);
                }
                return new CatchupResult(n, (tDone - t0) / 1e9, (tJoin - t0) / 1e9,
                        after.recordsAppended() - before.recordsAppended(), minus(after, before));
            }
        }
    }

    static void catchup(int n, int warmupDocs) {
        System.out.printf("catch-up: N=%d documents (one record each, plus the collection definition), Xodus fsync off,"
                + " NetConfig.defaults(), loopback TCP, one JVM; warm-up N=%d%n", n, warmupDocs);
        if (warmupDocs > 0) {
            CatchupResult w = catchupOnce(warmupDocs, false);
            System.out.printf("warm-up catch-up N=%d: %.3f s -> %.0f docs/s%n", warmupDocs, w.seconds(),
                    w.docsPerSecond());
        }
        CatchupResult r = catchupOnce(n, true);
        System.out.printf("B: joinDatabase returned after %.3f s; all %d documents in B's database after %.3f s%n",
                r.joinSeconds(), r.docs(), r.seconds());
        System.out.println("B's sync stats during the catch-up: " + r.statsB());
        System.out.println("the same without a database (bare thread, B's LogService append listener):");
        CatchupResult l = catchupLogOnce(n, true);
        System.out.printf("B: addThread returned after %.3f s; all %d records appended after %.3f s%n",
                l.joinSeconds(), l.docs(), l.seconds());
        double verify = verifyRate(1000, 2000);
        System.out.printf("ed25519 verify (Weft Ed25519.verify, one key, 72-byte messages, single thread): %.0f/s%n",
                verify);
        System.out.printf("weft catchup-log N=%d: %.3f s -> %.0f records/s; verify bound %.0f/s;"
                + " records/verify = %.3f%n", n, l.seconds(), l.recordsPerSecond(), verify,
                l.recordsPerSecond() / verify);
        System.out.printf("weft catchup N=%d: %.3f s -> %.0f docs/s, %.0f records/s; verify bound %.0f/s;"
                        + " records/verify = %.3f%n", n, r.seconds(), r.docsPerSecond(), r.recordsPerSecond(), verify,
                r.recordsPerSecond() / verify);
    }

    /**
     * The network layer alone, no database: A creates a bare thread ({@code ThreadService.createThread}) and appends
     * N records through its {@code LogService}, each a dag-cbor map holding one benchmark document's JSON text; B
     * (started and connected to A beforehand) joins with {@code addThread(invite)}; the time runs from that call
     * until B's {@code LogService} append listener has seen N records (and {@code addThread} has returned).
     */
    static CatchupResult catchupLogOnce(int n, boolean print) {
        try (Peer a = new Peer("a", null, false)) {
            ThreadId thread = a.net.createThread(ThreadId.newRandom(), null).id();
            long w0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                a.logs.createRecord(thread, a.identity,
                        DagCbor.encode(CborValue.map("doc", CborValue.text(doc("doc-", i)))));
            }
            double writeSec = (System.nanoTime() - w0) / 1e9;
            if (print) {
                System.out.printf("A: appended N=%d records in %.2f s (%.0f/s)%n", n, writeSec, n / writeSec);
            }
            ThreadInvite invite = a.net.invite(thread, false);
            try (Peer b = new Peer("b", null, false)) {
                b.transport.connect(a.dialAddress()).join();
                java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
                CompletableFuture<Long> all = new CompletableFuture<>();
                var registration = b.logs.addAppendListener((t, result) -> {
                    if (t.equals(thread) && count.incrementAndGet() == n) {
                        all.complete(System.nanoTime());
                    }
                });
                SyncStats before = b.net.stats();
                long cpu0 = CPU.getCurrentThreadCpuTime();
                long proc0 = processCpu();
                Map<Long, String> names = new HashMap<>();
                Map<Long, Long> threads0 = threadCpu(CPU, names);
                long t0 = System.nanoTime();
                b.net.addThread(invite);
                long tJoin = System.nanoTime();
                long cpuJoin = CPU.getCurrentThreadCpuTime() - cpu0;
                long tAll = await(all, Duration.ofSeconds(Math.max(120, n / 20)),
                        "B receiving " + n + " records (B's stats: " + b.net.stats() + ")");
                long proc = processCpu() - proc0;
                Map<Long, Long> threads1 = threadCpu(CPU, names);
                registration.close();
                SyncStats after = b.net.stats();
                if (print) {
                    System.out.printf("CPU during the catch-up: the thread calling addThread %.3f s of its %.3f s,"
                            + " whole process %.3f s; by thread group: %s%n", cpuJoin / 1e9, (tJoin - t0) / 1e9,
                            proc / 1e9, topGroups(threads0, threads1, names, 6));
                }
                return new CatchupResult(n, (Math.max(tAll, tJoin) - t0) / 1e9, (tJoin - t0) / 1e9,
                        after.recordsAppended() - before.recordsAppended(), minus(after, before));
            }
        }
    }

    static void catchupLog(int n, int warmup) {
        System.out.printf("catch-up, network layer only (no database): N=%d records, Xodus fsync off,"
                + " NetConfig.defaults(), loopback TCP, one JVM; warm-up N=%d%n", n, warmup);
        if (warmup > 0) {
            CatchupResult w = catchupLogOnce(warmup, false);
            System.out.printf("warm-up catch-up N=%d: %.3f s -> %.0f records/s%n", warmup, w.seconds(),
                    w.recordsPerSecond());
        }
        CatchupResult r = catchupLogOnce(n, true);
        System.out.printf("B: addThread returned after %.3f s; all %d records appended after %.3f s%n",
                r.joinSeconds(), r.docs(), r.seconds());
        System.out.println("B's sync stats during the catch-up: " + r.statsB());
        double verify = verifyRate(1000, 2000);
        System.out.printf("ed25519 verify (Weft Ed25519.verify, one key, 72-byte messages, single thread): %.0f/s%n",
                verify);
        System.out.printf("weft catchup-log N=%d: %.3f s -> %.0f records/s; verify bound %.0f/s;"
                + " records/verify = %.3f%n", n, r.seconds(), r.recordsPerSecond(), verify,
                r.recordsPerSecond() / verify);
    }

    /**
     * Single-thread Ed25519 verifications per second with Weft's {@code Ed25519.verify} (which caches the decoded
     * public point per key, as the record path does): 1,024 distinct signed 72-byte messages of one key, verified
     * round robin; warm-up first.
     */
    static double verifyRate(long warmupMillis, long millis) {
        PrivateKey key = Ed25519.generate();
        SecureRandom random = new SecureRandom();
        int m = 1024;
        byte[][] messages = new byte[m][72];
        byte[][] signatures = new byte[m][];
        for (int i = 0; i < m; i++) {
            random.nextBytes(messages[i]);
            signatures[i] = Ed25519.sign(key, messages[i]);
        }
        var pub = key.publicKey();
        verifyLoop(pub, messages, signatures, warmupMillis);
        return verifyLoop(pub, messages, signatures, millis);
    }

    private static double verifyLoop(io.weft.api.crypto.PublicKey pub, byte[][] messages, byte[][] signatures,
            long millis) {
        long start = System.nanoTime();
        long end = start + millis * 1_000_000L;
        int ok = 0;
        long n = 0;
        long now;
        do {
            int i = (int) (n & (messages.length - 1));
            if (Ed25519.verify(pub, messages[i], signatures[i])) {
                ok++;
            }
            n++;
            now = System.nanoTime();
        } while (now < end);
        if (ok != n) {
            throw new IllegalStateException("a signature did not verify");
        }
        sink += ok;
        return n / ((now - start) / 1e9);
    }

    // ================================================================== live propagation

    /** Arrival times of documents on B (listener thread) and the order in which they arrived. */
    static final class Arrivals {
        final Map<String, Long> at = new ConcurrentHashMap<>();
        final BlockingQueue<String> order = new LinkedBlockingQueue<>();

        /** Called by B's listener. */
        void arrived(String id) {
            long now = System.nanoTime();
            at.putIfAbsent(id, now);
            order.add(id);
        }

        /** Waits for the next arrival, at most until {@code deadlineNanos}. */
        String next(long deadlineNanos, String what) {
            try {
                String id = order.poll(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (id == null) {
                    throw new IllegalStateException("timed out waiting for " + what);
                }
                return id;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** Write latency on A (create returns) and propagation latency to B's listener, in nanoseconds. */
    record Latencies(long[] write, long[] propagation, double seconds, double lastArrivalSeconds) {
    }

    /** One write on A: writes item {@code i} and returns the id under which B's listener will report it. */
    @FunctionalInterface
    interface Writer {
        String write(int i);
    }

    /** A writes the next item only after B's listener saw the previous one. */
    static Latencies closedLoop(Writer writer, Arrivals arrivals, int n, Peer b) {
        long[] write = new long[n];
        long[] prop = new long[n];
        long s0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            String id = writer.write(i);
            write[i] = System.nanoTime() - t0;
            String got;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            do {
                got = arrivals.next(deadline, id + " on B (B's stats: " + b.net.stats() + ")");
            } while (!got.equals(id));
            prop[i] = arrivals.at.get(id) - t0;
        }
        double sec = (System.nanoTime() - s0) / 1e9;
        return new Latencies(write, prop, sec, sec);
    }

    /** A writes N items back to back; then waits until B's listener saw all of them. */
    static Latencies burst(Writer writer, Arrivals arrivals, int n, Peer b) {
        long[] start = new long[n];
        long[] write = new long[n];
        String[] ids = new String[n];
        long s0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            start[i] = System.nanoTime();
            ids[i] = writer.write(i);
            write[i] = System.nanoTime() - start[i];
        }
        double writeSec = (System.nanoTime() - s0) / 1e9;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(60, n / 20));
        Set<String> missing = new java.util.HashSet<>(Arrays.asList(ids));
        missing.removeAll(arrivals.at.keySet());
        while (!missing.isEmpty()) {
            String got = arrivals.next(deadline, "burst on B: " + (n - missing.size()) + " of " + n
                    + " arrived (B's stats: " + b.net.stats() + ")");
            missing.remove(got);
        }
        long[] prop = new long[n];
        long last = 0;
        for (int i = 0; i < n; i++) {
            long at = arrivals.at.get(ids[i]);
            prop[i] = at - start[i];
            last = Math.max(last, at);
        }
        return new Latencies(write, prop, writeSec, (last - s0) / 1e9);
    }

    static void live(int n, int warmup) {
        System.out.printf("live propagation: N=%d writes on A, latency to B's Database.listen callback; Xodus fsync off,"
                + " NetConfig.defaults(), loopback TCP, one JVM; %d warm-up writes per phase%n", n, warmup);
        try (Peer a = new Peer("a"); Peer b = new Peer("b")) {
            Database dbA = a.manager.createDatabase("bench", List.of(collection()));
            long j0 = System.nanoTime();
            Database dbB = b.manager.joinDatabase(a.net.invite(dbA.id(), false), "bench");
            System.out.printf("B joined in %.1f ms%n", (System.nanoTime() - j0) / 1e6);
            Arrivals arrivals = new Arrivals();
            var docs = dbA.collection(COLLECTION);
            try (Subscription sub = dbB.listen(0,
                    List.of(new ListenFilter(COLLECTION, null, ChangeType.CREATE)),
                    c -> arrivals.arrived(c.instanceId()))) {
                for (String phase : List.of("reader", "writer")) {
                    if (phase.equals("writer")) {
                        // B writes once: from now on B hosts a log of the thread, and A knows B as its peer
                        CreateCounter onA = CreateCounter.on(dbA, "from-b-", 1);
                        long t0 = System.nanoTime();
                        dbB.collection(COLLECTION).create(doc("from-b-", 0));
                        long t = await(onA.done, Duration.ofSeconds(60), "B's first document on A");
                        onA.subscription.close();
                        System.out.printf("B wrote its first document; on A after %.1f ms%n", (t - t0) / 1e6);
                    }
                    String p = phase.charAt(0) + "";
                    livePhase(phase, n, warmup, arrivals, b,
                            prefix -> i -> {
                                docs.create(doc(p + prefix, i));
                                return p + prefix + i;
                            });
                }
            }
            System.out.println("A's sync stats: " + a.net.stats());
            System.out.println("B's sync stats: " + b.net.stats());
        }
    }

    /**
     * The network layer alone: A appends records to a bare thread through its {@code LogService}; B's
     * {@code LogService} append listener is the arrival.
     */
    static void liveLog(int n, int warmup) {
        System.out.printf("live propagation, network layer only (no database): N=%d records appended on A, latency to"
                + " B's LogService append listener; Xodus fsync off, NetConfig.defaults(), loopback TCP, one JVM;"
                + " %d warm-up writes per phase%n", n, warmup);
        try (Peer a = new Peer("a", null, false); Peer b = new Peer("b", null, false)) {
            ThreadId thread = a.net.createThread(ThreadId.newRandom(), null).id();
            var logA = a.logs.getOrCreateOwnLog(thread, a.identity).id();
            long j0 = System.nanoTime();
            b.net.addThread(a.net.invite(thread, false));
            System.out.printf("B joined in %.1f ms%n", (System.nanoTime() - j0) / 1e6);
            Arrivals arrivals = new Arrivals();
            try (var reg = b.logs.addAppendListener((t, r) -> {
                if (t.equals(thread) && r.log().equals(logA)) {
                    arrivals.arrived(String.valueOf(r.counter()));
                }
            })) {
                for (String phase : List.of("reader", "writer")) {
                    if (phase.equals("writer")) {
                        CompletableFuture<Long> onA = new CompletableFuture<>();
                        var logB = b.logs.getOrCreateOwnLog(thread, b.identity).id();
                        try (var regA = a.logs.addAppendListener((t, r) -> {
                            if (t.equals(thread) && r.log().equals(logB)) {
                                onA.complete(System.nanoTime());
                            }
                        })) {
                            long t0 = System.nanoTime();
                            b.logs.createRecord(thread, b.identity, body("from-b-", 0));
                            long t1 = await(onA, Duration.ofSeconds(60), "B's first record on A");
                            System.out.printf("B wrote its first record; on A after %.1f ms%n", (t1 - t0) / 1e6);
                        }
                    }
                    livePhase(phase, n, warmup, arrivals, b, prefix -> i -> String.valueOf(
                            a.logs.createRecord(thread, a.identity, body(prefix, i)).counter()));
                }
            }
            System.out.println("A's sync stats: " + a.net.stats());
            System.out.println("B's sync stats: " + b.net.stats());
        }
    }

    static byte[] body(String prefix, int i) {
        return DagCbor.encode(CborValue.map("doc", CborValue.text(doc(prefix, i))));
    }

    private static void livePhase(String phase, int n, int warmup, Arrivals arrivals, Peer b,
            java.util.function.Function<String, Writer> writers) {
        Latencies w = closedLoop(writers.apply("w-"), arrivals, warmup, b);
        System.out.printf("[B %s] warm-up (closed loop, %d writes): first write reached B after %.1f ms,"
                + " p50 %.2f ms%n", phase, warmup, w.propagation()[0] / 1e6, pct(w.propagation(), 0.5));
        Latencies c = closedLoop(writers.apply("c-"), arrivals, n, b);
        report("[B " + phase + "] closed loop", n, c);
        Latencies bu = burst(writers.apply("b-"), arrivals, n, b);
        report("[B " + phase + "] burst", n, bu);
        System.out.printf("[B %s] burst: A wrote %d in %.2f s (%.0f/s); B had all after %.2f s (lag after"
                + " the last write %.3f s)%n", phase, n, bu.seconds(), n / bu.seconds(),
                bu.lastArrivalSeconds(), bu.lastArrivalSeconds() - bu.seconds());
    }

    static void report(String what, int n, Latencies l) {
        System.out.printf("weft live %s N=%d: B's listener after p50 %.2f ms, p99 %.2f ms, max %.2f ms"
                        + " (A's create alone: p50 %.2f ms, p99 %.2f ms)%n", what, n, pct(l.propagation(), 0.5),
                pct(l.propagation(), 0.99), pct(l.propagation(), 1.0), pct(l.write(), 0.5), pct(l.write(), 0.99));
    }

    /** The q-quantile (nearest rank) of nanosecond values, in milliseconds. */
    static double pct(long[] nanos, double q) {
        long[] a = nanos.clone();
        Arrays.sort(a);
        int rank = (int) Math.ceil(q * a.length);
        return a[Math.max(0, Math.min(a.length - 1, rank - 1))] / 1e6;
    }

    // ================================================================== idle cost

    static void idle(int threads, int seconds, int docsPerThread, boolean databases) throws Exception {
        System.out.printf("idle: 2 peers sharing %d %s (%d %s from A + 1 from B each), NetConfig.defaults(),"
                        + " loopback TCP through byte-counting relays, one JVM; window %d s%n", threads,
                databases ? "databases" : "bare threads", docsPerThread, databases ? "documents" : "records",
                seconds);
        try (CountingRelay relayA = new CountingRelay("a"); CountingRelay relayB = new CountingRelay("b");
             Peer a = new Peer("a", Multiaddr.parse("/ip4/127.0.0.1/tcp/" + relayA.port()), databases);
             Peer b = new Peer("b", Multiaddr.parse("/ip4/127.0.0.1/tcp/" + relayB.port()), databases)) {
            relayA.start(a.listenPort());
            relayB.start(b.listenPort());
            if (databases) {
                shareDatabases(a, b, threads, docsPerThread);
            } else {
                shareThreads(a, b, threads, docsPerThread);
            }
            drainPushes(b, threads);

            // ---- the idle window: nothing is written; measure
            ThreadMXBean tmx = ManagementFactory.getThreadMXBean();
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            Map<Long, String> names = new HashMap<>();
            Map<Long, Long> cpu0 = threadCpu(tmx, names);
            long gcCount0 = gcCount();
            long gcMillis0 = gcMillis();
            SyncStats sa0 = a.net.stats();
            SyncStats sb0 = b.net.stats();
            long[] bytes0 = {relayA.toTarget.get() + relayB.fromTarget.get(),   // B -> A
                    relayA.fromTarget.get() + relayB.toTarget.get()};            // A -> B
            long proc0 = os.getProcessCpuTime();
            long w0 = System.nanoTime();
            long[] lastBytes = bytes0.clone();
            long lastProc = proc0;
            long lastWall = w0;
            int slice = Math.min(10, seconds);
            System.out.printf("%-8s %12s %12s %14s%n", "slice", "B->A B/s", "A->B B/s", "CPU s/s (proc)");
            for (int elapsed = 0; elapsed < seconds; ) {
                int step = Math.min(slice, seconds - elapsed);
                Thread.sleep(step * 1000L); // the deliberate idle window: nothing is written meanwhile
                elapsed += step;
                long now = System.nanoTime();
                long proc = os.getProcessCpuTime();
                long[] bytes = {relayA.toTarget.get() + relayB.fromTarget.get(),
                        relayA.fromTarget.get() + relayB.toTarget.get()};
                double dt = (now - lastWall) / 1e9;
                System.out.printf("%3d-%-4d %12.1f %12.1f %14.4f%n", elapsed - step, elapsed,
                        (bytes[0] - lastBytes[0]) / dt, (bytes[1] - lastBytes[1]) / dt, (proc - lastProc) / 1e9 / dt);
                lastBytes = bytes;
                lastProc = proc;
                lastWall = now;
            }
            double wall = (lastWall - w0) / 1e9;
            Map<Long, Long> cpu1 = threadCpu(tmx, names);
            double procCpu = (lastProc - proc0) / 1e9;
            Set<Long> relayThreads = new java.util.HashSet<>();
            for (Thread t : relayA.threads()) {
                relayThreads.add(t.getId());
            }
            for (Thread t : relayB.threads()) {
                relayThreads.add(t.getId());
            }
            double relayCpu = 0;
            Map<String, Double> groups = new HashMap<>();
            for (Map.Entry<Long, Long> e : cpu1.entrySet()) {
                double d = (e.getValue() - cpu0.getOrDefault(e.getKey(), 0L)) / 1e9;
                if (relayThreads.contains(e.getKey())) {
                    relayCpu += d;
                }
                groups.merge(names.get(e.getKey()).replaceAll("\\d+", "#"), d, Double::sum);
            }
            SyncStats sa = minus(a.net.stats(), sa0);
            SyncStats sb = minus(b.net.stats(), sb0);
            System.out.printf("weft idle threads=%d window=%.1f s: B->A %.1f B/s, A->B %.1f B/s (total %.1f B/s,"
                            + " %.2f B/s per thread); process CPU %.4f s/s (%.2f %% of one core), relay threads %.4f s/s,"
                            + " peers (process minus relay) %.4f s/s%n", threads, wall,
                    (lastBytes[0] - bytes0[0]) / wall, (lastBytes[1] - bytes0[1]) / wall,
                    (lastBytes[0] - bytes0[0] + lastBytes[1] - bytes0[1]) / wall,
                    (lastBytes[0] - bytes0[0] + lastBytes[1] - bytes0[1]) / wall / threads,
                    procCpu / wall, 100 * procCpu / wall, relayCpu / wall, (procCpu - relayCpu) / wall);
            System.out.printf("GC during the window: %d collections, %d ms%n", gcCount() - gcCount0,
                    gcMillis() - gcMillis0);
            double javaThreads = groups.values().stream().mapToDouble(Double::doubleValue).sum();
            System.out.printf("Java threads (ThreadMXBean) %.3f s of the process's %.3f s CPU; the rest is the JVM's own"
                    + " threads (JIT compilers, GC)%n", javaThreads, procCpu);
            System.out.println("busiest thread groups during the window (CPU s over the window):");
            groups.entrySet().stream()
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .limit(10)
                    .forEach(e -> System.out.printf("  %8.3f  %s%n", e.getValue(), e.getKey()));
            System.out.println("A's sync stats during the window: " + sa);
            System.out.println("B's sync stats during the window: " + sb);
            System.out.printf("connections: A %s; B %s; accepted by relay a %d, by relay b %d%n",
                    describe(a.transport.connections(), relayB.port()), describe(b.transport.connections(),
                            relayA.port()), relayA.accepted.get(), relayB.accepted.get());
        }
    }

    /**
     * Waits (polling B's counters, with a deadline) until B has pushed its one record per thread to A: A usually has
     * them already (pubsub, pulls), but B's push queue may still be sending them, and that is not idle traffic.
     */
    private static void drainPushes(Peer b, int threads) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(120);
        SyncStats s;
        while ((s = b.net.stats()).pushesSent() + s.pushesFailed() < threads) {
            if (System.nanoTime() - deadline > 0) {
                System.out.printf("B's pushes not drained after 120 s (%d sent, %d failed of %d); measuring anyway%n",
                        s.pushesSent(), s.pushesFailed(), threads);
                return;
            }
            Thread.sleep(50); // polling a counter that has no listener
        }
        System.out.printf("B's push queue drained %.1f s after the setup (%d pushes sent, %d failed)%n",
                (System.nanoTime() - t0) / 1e9, s.pushesSent(), s.pushesFailed());
    }

    /** A creates the databases and writes; B joins each and writes one document; both wait for everything. */
    private static void shareDatabases(Peer a, Peer b, int threads, int docsPerThread) {
        long s0 = System.nanoTime();
        List<Database> onA = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Database db = a.manager.createDatabase("idle" + t, List.of(collection()));
            var col = db.collection(COLLECTION);
            for (int i = 0; i < docsPerThread; i++) {
                col.create(doc("a-", i));
            }
            onA.add(db);
        }
        double created = (System.nanoTime() - s0) / 1e9;
        long j0 = System.nanoTime();
        List<Database> onB = new ArrayList<>();
        for (Database db : onA) {
            onB.add(b.manager.joinDatabase(a.net.invite(db.id(), false), db.name()));
        }
        double joined = (System.nanoTime() - j0) / 1e9;
        long w0 = System.nanoTime();
        for (Database db : onB) {
            db.collection(COLLECTION).create(doc("b-", 0));
        }
        List<CreateCounter> counters = new ArrayList<>();
        for (Database db : onA) {
            counters.add(CreateCounter.on(db, "", docsPerThread + 1));
        }
        for (Database db : onB) {
            counters.add(CreateCounter.on(db, "", docsPerThread + 1));
        }
        await(CompletableFuture.allOf(counters.stream().map(c -> c.done).toArray(CompletableFuture[]::new)),
                Duration.ofSeconds(300), "both peers having every document (A's stats: " + a.net.stats()
                        + ", B's stats: " + b.net.stats() + ")");
        long tSynced = System.nanoTime();
        double synced = (tSynced - j0) / 1e9;
        counters.forEach(c -> c.subscription.close());
        System.out.printf("setup: A created %d databases in %.1f s; B joined them in %.1f s; both had every"
                + " document %.1f s after the first join, %.1f s after B's first own document%n", threads, created,
                joined, synced, (tSynced - w0) / 1e9);
        System.out.println("A's sync stats after the setup: " + a.net.stats());
        System.out.println("B's sync stats after the setup: " + b.net.stats());
    }

    /**
     * Bare threads, no database: A creates the threads ({@code ThreadService.createThread}) and appends records; B
     * joins each ({@code addThread}) and appends one record to each; both wait (append listeners) until they have
     * every record.
     */
    private static void shareThreads(Peer a, Peer b, int threads, int recordsPerThread) {
        int total = threads * (recordsPerThread + 1);
        java.util.concurrent.atomic.AtomicInteger onA = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger onB = new java.util.concurrent.atomic.AtomicInteger();
        CompletableFuture<Long> allA = new CompletableFuture<>();
        CompletableFuture<Long> allB = new CompletableFuture<>();
        var regA = a.logs.addAppendListener((t, r) -> {
            if (onA.incrementAndGet() == total) {
                allA.complete(System.nanoTime());
            }
        });
        var regB = b.logs.addAppendListener((t, r) -> {
            if (onB.incrementAndGet() == total) {
                allB.complete(System.nanoTime());
            }
        });
        long s0 = System.nanoTime();
        List<ThreadId> ids = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            ThreadId id = a.net.createThread(ThreadId.newRandom(), null).id();
            for (int i = 0; i < recordsPerThread; i++) {
                a.logs.createRecord(id, a.identity, DagCbor.encode(CborValue.map("doc", CborValue.text(doc("a-", i)))));
            }
            ids.add(id);
        }
        double created = (System.nanoTime() - s0) / 1e9;
        long j0 = System.nanoTime();
        for (ThreadId id : ids) {
            b.net.addThread(a.net.invite(id, false));
        }
        double joined = (System.nanoTime() - j0) / 1e9;
        long w0 = System.nanoTime();
        for (ThreadId id : ids) {
            b.logs.createRecord(id, b.identity, DagCbor.encode(CborValue.map("doc", CborValue.text(doc("b-", 0)))));
        }
        await(CompletableFuture.allOf(allA, allB), Duration.ofSeconds(300), "both peers having every record"
                + " (A has " + onA + ", B has " + onB + " of " + total + "; A's stats: " + a.net.stats()
                + ", B's stats: " + b.net.stats() + ")");
        long tSynced = System.nanoTime();
        double synced = (tSynced - j0) / 1e9;
        regA.close();
        regB.close();
        System.out.printf("setup: A created %d threads in %.1f s; B joined them in %.1f s; both had every record"
                + " %.1f s after the first join, %.1f s after B's first own record%n", threads, created, joined, synced,
                (tSynced - w0) / 1e9);
        System.out.println("A's sync stats after the setup: " + a.net.stats());
        System.out.println("B's sync stats after the setup: " + b.net.stats());
    }

    /** Connection count, and how many this side dialled not through the other side's relay (should be 0). */
    private static String describe(List<Connection> connections, int otherRelayPort) {
        int dialled = 0;
        int direct = 0;
        for (Connection c : connections) {
            if (c.isInitiator()) {
                dialled++;
                String port = c.remoteAddress().value(Multiaddr.Protocol.TCP).orElse("");
                if (!port.equals(String.valueOf(otherRelayPort))) {
                    direct++;
                }
            }
        }
        return connections.size() + " open (" + dialled + " dialled, " + direct + " of them not through the relay)";
    }

    /** The {@code limit} thread groups (names with digits as #) that used most CPU between two snapshots. */
    static String topGroups(Map<Long, Long> before, Map<Long, Long> after, Map<Long, String> names, int limit) {
        Map<String, Double> groups = new HashMap<>();
        double total = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            double d = (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / 1e9;
            total += d;
            groups.merge(names.get(e.getKey()).replaceAll("\\d+", "#"), d, Double::sum);
        }
        StringBuilder out = new StringBuilder(String.format("Java threads %.3f s", total));
        groups.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(limit)
                .forEach(e -> out.append(String.format(", %s %.3f", e.getKey(), e.getValue())));
        return out.toString();
    }

    private static Map<Long, Long> threadCpu(ThreadMXBean tmx, Map<Long, String> names) {
        Map<Long, Long> out = new HashMap<>();
        long[] ids = tmx.getAllThreadIds();
        ThreadInfo[] infos = tmx.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            long t = tmx.getThreadCpuTime(ids[i]);
            if (t >= 0 && infos[i] != null) {
                out.put(ids[i], t);
                names.put(ids[i], infos[i].getThreadName());
            }
        }
        return out;
    }

    private static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    private static long gcMillis() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionTime());
        }
        return n;
    }

    static SyncStats minus(SyncStats a, SyncStats b) {
        return new SyncStats(a.recordsReceived() - b.recordsReceived(), a.recordsAppended() - b.recordsAppended(),
                a.duplicates() - b.duplicates(), a.recordsRejected() - b.recordsRejected(),
                a.gapsFetched() - b.gapsFetched(), a.pushesSent() - b.pushesSent(),
                a.pushesFailed() - b.pushesFailed(), a.pulls() - b.pulls(), a.edgeExchanges() - b.edgeExchanges());
    }
}
