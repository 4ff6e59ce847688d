package io.weft.benchmarks;

import io.weft.api.db.Collection;
import io.weft.api.db.Query;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The Weft side of {@code benchmarks/compare-orbitdb.sh}: single-document write transactions timed the way OrbitDB's
 * {@code orbitdb-bench.mjs} times its puts — {@code N} new documents {@code {_id:'doc-'+i, n:i, name:'name-'+(i%100),
 * tags:['x','y']}} written one per transaction, one after the other, into a fresh database, single thread. The JVM is
 * first warmed up on a throw-away database (a long-running writer's steady state; OrbitDB's figure includes its own
 * JIT warm-up, see docs/BENCHMARKS.md). Then {@code reps} times, for each store in turn, {@code N} documents into a
 * fresh database; the rate is all documents over all the time (dips included).
 *
 * <p>The pseudo-store {@code raw-fsync} times {@code N} plain file appends of {@value #RECORD_BYTES} bytes, each followed
 * by an fsync ({@code FileChannel.force}): the disk's bound for any engine that makes each transaction durable before
 * it returns.
 *
 * <p>Prints one machine-readable line per store:
 * {@code weft put store=<s> N=<n> x <reps>: <sec> s -> <rate> ops/s (runs: <rate>, ...)}.
 *
 * <p>Run: {@code java --add-opens=java.base/sun.nio.ch=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar
 * io.weft.benchmarks.DbPutRate [N] [warmupMillis] [stores] [reps]} (defaults 5000, 15000,
 * {@code xodus,xodus-fsync}, 3; stores may include {@code raw-fsync}).
 */
public final class DbPutRate {
    /** Pseudo-store: the disk's bound, {@code N} appends of {@value #RECORD_BYTES} bytes, each followed by an fsync. */
    static final String RAW_FSYNC = "raw-fsync";

    /** About what one single-document write transaction puts into the store (keys and values). */
    static final int RECORD_BYTES = 1600;

    private DbPutRate() {
    }

    /** Seconds for {@code n} appends of {@value #RECORD_BYTES} bytes to a temp file, each forced to disk. */
    static double rawFsync(int n) {
        try {
            Path file = Files.createTempFile("weft-fsync", ".bin");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                ByteBuffer buf = ByteBuffer.allocate(RECORD_BYTES);
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    buf.clear();
                    ch.write(buf);
                    ch.force(false);
                }
                return (System.nanoTime() - t0) / 1e9;
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        long warmupMillis = args.length > 1 ? Long.parseLong(args[1]) : 15000;
        String[] stores = (args.length > 2 ? args[2] : "xodus,xodus-fsync").split(",");
        int reps = args.length > 3 ? Integer.parseInt(args[3]) : 3;

        // warm-up: the same code path (fsync off, so that the JIT sees many calls), throw-away database
        try (BenchDb warm = new BenchDb("xodus", List.of(BenchDb.docs("Doc")))) {
            Collection docs = warm.db.collection("Doc");
            long end = System.nanoTime() + warmupMillis * 1_000_000L;
            for (long i = 0; System.nanoTime() < end; i++) {
                docs.create(BenchDb.docJson("doc-", i, 100));
            }
        }
        double[] seconds = new double[stores.length];
        List<List<String>> each = new ArrayList<>();
        for (String ignored : stores) {
            each.add(new ArrayList<>());
        }
        for (int r = 0; r < reps; r++) { // stores interleaved, a fresh database for each run
            for (int s = 0; s < stores.length; s++) {
                if (stores[s].equals(RAW_FSYNC)) {
                    double sec = rawFsync(n);
                    seconds[s] += sec;
                    each.get(s).add(String.format("%.0f", n / sec));
                    continue;
                }
                try (BenchDb bench = new BenchDb(stores[s], List.of(BenchDb.docs("Doc")))) {
                    Collection docs = bench.db.collection("Doc");
                    long t0 = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        docs.create(BenchDb.docJson("doc-", i, 100));
                    }
                    double sec = (System.nanoTime() - t0) / 1e9;
                    if (docs.find(Query.all()).size() != n) {
                        throw new IllegalStateException("wrong document count");
                    }
                    seconds[s] += sec;
                    each.get(s).add(String.format("%.0f", n / sec));
                }
            }
        }
        for (int s = 0; s < stores.length; s++) {
            if (stores[s].equals(RAW_FSYNC)) {
                System.out.printf("raw fsync N=%d x %d: %.3f s -> %.0f ops/s (runs: %s)%n", n, reps, seconds[s],
                        n * reps / seconds[s], String.join(", ", each.get(s)));
                continue;
            }
            System.out.printf("weft put store=%s N=%d x %d: %.3f s -> %.0f ops/s (runs: %s)%n", stores[s], n, reps,
                    seconds[s], n * reps / seconds[s], String.join(", ", each.get(s)));
        }
    }
}
