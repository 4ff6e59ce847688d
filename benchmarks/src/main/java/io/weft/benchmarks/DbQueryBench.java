package io.weft.benchmarks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.db.Collection;
import io.weft.api.db.Query;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * Query latency over a collection of {@value #DOCS} documents {@code {_id, n, name: 'name-'+(i%1000), tags}}
 * (Xodus store), in {@link Mode#SampleTime} for percentiles: an equality on {@code name} returning 100 documents, and
 * the 20 documents with the highest {@code n} (sort + limit). {@code indexed=true}: the collection has indexes on
 * {@code name} and {@code n}; {@code false}: none (full scans). Each query is its own read transaction, and returns
 * the caller's copies of the documents.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "-Xmx2g"})
public class DbQueryBench {
    static final int DOCS = 100_000;
    static final int NAMES = 1000;

    @Param({"true", "false"})
    public boolean indexed;

    private BenchDb bench;
    private Collection docs;
    private int probe;

    static final Query SORT_LIMIT = Query.all().orderBy("n").desc().limit(20);

    @Setup(Level.Trial)
    public void setup() {
        bench = new BenchDb("xodus", List.of(indexed ? BenchDb.docs("Doc", "name", "n") : BenchDb.docs("Doc")));
        BenchDb.fill(bench.db, "Doc", DOCS, NAMES, 1000);
        docs = bench.db.collection("Doc");
        check(docs);
    }

    /** Fails unless the queries return what they should (100 matches; the 20 highest {@code n}). */
    static void check(Collection docs) {
        List<ObjectNode> eq = docs.find(eqQuery(7));
        if (eq.size() != DOCS / NAMES) {
            throw new IllegalStateException("equality returned " + eq.size());
        }
        List<ObjectNode> top = docs.find(SORT_LIMIT);
        if (top.size() != 20 || top.get(0).get("n").asLong() != DOCS - 1 || top.get(19).get("n").asLong() != DOCS - 20) {
            throw new IllegalStateException("sort+limit returned " + top);
        }
    }

    static Query eqQuery(int k) {
        return Query.where("name").eq("name-" + k);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bench.close();
    }

    /** {@code name = 'name-k'}: 100 of 100,000 documents (a different k each call). */
    @Benchmark
    public List<ObjectNode> equality() {
        int k = probe;
        probe = (k + 37) % NAMES;
        return docs.find(eqQuery(k));
    }

    /** {@code orderBy n desc, limit 20}. */
    @Benchmark
    public List<ObjectNode> sortLimit() {
        return docs.find(SORT_LIMIT);
    }
}
