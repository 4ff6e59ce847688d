package io.weft.benchmarks;

import io.weft.api.crypto.PrivateKey;
import io.weft.api.log.AppendResult;
import io.weft.api.store.Datastore;
import io.weft.api.store.DatastoreProvider;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import io.weft.core.cbor.DagCbor;
import io.weft.core.crypto.Ed25519;
import io.weft.logstore.LocalLogService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * End-to-end record creation as a writer sees it: build + encrypt + sign + append to the embedded store in one
 * atomic transaction (head check, four nodes, index, new head), single thread, 256-byte body. The store is
 * opened the way an embedding app would, through {@link DatastoreProvider} and {@link ServiceLoader}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED")
public class LogAppendBench {
    /** {@code xodus} with fsync off, {@code xodus-fsync} with fsync on every commit, or {@code memory}. */
    @Param({"xodus", "xodus-fsync", "memory"})
    public String store;

    private Path dir;
    private Datastore datastore;
    private LocalLogService logs;
    private ThreadId thread;
    private PrivateKey identity;
    private byte[] body;

    @Setup
    public void setup() throws IOException {
        dir = Files.createTempDirectory("weft-bench");
        String engine = store.startsWith("xodus") ? "xodus" : store;
        Map<String, String> options = engine.equals("xodus") ? Map.of("fsync", String.valueOf(store.equals("xodus-fsync"))) : Map.of();
        DatastoreProvider provider = ServiceLoader.load(DatastoreProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.engine().equals(engine))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no DatastoreProvider for " + engine));
        datastore = provider.open(dir, options);
        logs = new LocalLogService(datastore);
        thread = ThreadId.newRandom();
        logs.createThread(thread, ThreadKey.generate(true));
        identity = Ed25519.generate();
        body = DagCbor.encode(RecordBench.body256());
    }

    @TearDown
    public void tearDown() throws IOException {
        datastore.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /** One record created and durably appended (per the store's fsync setting). */
    @Benchmark
    public AppendResult createAndAppend() {
        return logs.createRecord(thread, identity, body);
    }
}
