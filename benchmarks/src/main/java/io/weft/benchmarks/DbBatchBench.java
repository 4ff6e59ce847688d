package io.weft.benchmarks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.db.Collection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Batch transactions: {@value #BATCH} new documents in one write transaction ({@code createMany}, one record).
 * The score is documents per second ({@link OperationsPerInvocation}). Documents are built as Jackson trees inside
 * the measured call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(DbBatchBench.BATCH)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "-Xmx2g"})
public class DbBatchBench {
    static final int BATCH = 1000;

    /** {@code xodus}: fsync off; {@code xodus-fsync}: fsync on every commit (durable). */
    @Param({"xodus", "xodus-fsync"})
    public String store;

    /** Secondary indexes of the collection: {@code none} or {@code name,n}. */
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

    /** {@value #BATCH} documents created in one write transaction. */
    @Benchmark
    public List<String> createBatch() {
        List<ObjectNode> batch = new ArrayList<>(BATCH);
        for (int k = 0; k < BATCH; k++) {
            batch.add(BenchDb.doc("doc-", next++, 1000));
        }
        return docs.createMany(batch);
    }
}
