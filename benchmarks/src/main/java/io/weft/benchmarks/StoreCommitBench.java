package io.weft.benchmarks;

import io.weft.api.store.Datastore;
import io.weft.api.store.DatastoreProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
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
 * The store's share of an append: one write transaction with the keys a record append writes (a 1.1 KB value
 * under a random content-id key, a small value under a sequential counter key, and the head), through the
 * Datastore SPI, fsync off. The floor under {@link LogAppendBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED")
public class StoreCommitBench {
    /** Engine and Xodus tree page size: {@code xodus-16} (the default), {@code xodus-128} (Xodus' own default), {@code memory}. */
    @Param({"xodus-16", "xodus-128", "memory"})
    public String store;

    private Datastore datastore;
    private final byte[] value = new byte[1100];
    private final Random random = new Random(1);
    private long counter;

    @Setup
    public void setup() throws IOException {
        String engine = store.startsWith("xodus") ? "xodus" : store;
        Map<String, String> options = engine.equals("xodus")
                ? Map.of("fsync", "false", "treePageSize", store.substring("xodus-".length())) : Map.of();
        DatastoreProvider provider = ServiceLoader.load(DatastoreProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.engine().equals(engine)).findFirst().orElseThrow();
        Path dir = Files.createTempDirectory("weft-store-bench");
        datastore = provider.open(dir, options);
        random.nextBytes(value);
    }

    @TearDown
    public void tearDown() {
        datastore.close();
    }

    /** Three puts (record, counter index, head) in one committed transaction. */
    @Benchmark
    public void appendShapedCommit() {
        byte[] cidKey = new byte[44];
        random.nextBytes(cidKey);
        long n = ++counter;
        byte[] counterKey = new byte[44];
        for (int i = 0; i < 8; i++) {
            counterKey[36 + i] = (byte) (n >>> (56 - 8 * i));
        }
        datastore.update(txn -> {
            txn.put(cidKey, value);
            txn.put(counterKey, new byte[36]);
            txn.put(new byte[] {3, 4, 5}, new byte[44]);
        });
    }
}
