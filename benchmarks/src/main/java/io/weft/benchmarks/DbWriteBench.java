package io.weft.benchmarks;

import io.weft.api.db.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-document write transactions, as OrbitDB's documents benchmark does them ({@code await db.put(doc)}):
 * each call creates one new instance of {@code {_id, n, name, tags}} from JSON text in its own write transaction
 * = one signed, encrypted record appended to the peer's log, with schema validation, history, state, change log
 * (and indexes, when {@code indexes=name,n}) in the same store transaction. Single thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED")
public class DbWriteBench {
    /** {@code xodus}: fsync off; {@code xodus-fsync}: fsync on every commit (durable). */
    @Param({"xodus", "xodus-fsync"})
    public String store;

    /** Secondary indexes of the collection: {@code none} (only {@code _id}, like OrbitDB's documents DB) or {@code name,n}. */
    @Param({"none", "name,n"})
    public String indexes;

    private BenchDb bench;
    private Collection docs;
    private long next;

    @Setup
    public void setup() {
        String[] paths = indexes.equals("none") ? new String[0] : indexes.split(",");
        bench = new BenchDb(store, List.of(BenchDb.docs("Doc", paths)));
        docs = bench.db.collection("Doc");
    }

    @TearDown
    public void tearDown() {
        bench.close();
    }

    /** One document created in one write transaction (one record). */
    @Benchmark
    public String put() {
        long i = next++;
        return docs.create(BenchDb.docJson("doc-", i, 100));
    }
}
