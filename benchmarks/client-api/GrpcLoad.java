import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.IndexConfig;
import io.weft.api.db.Query;
import io.weft.api.thread.ThreadId;
import io.weft.client.WeftClient;
import io.weft.core.crypto.Ed25519;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Client API load over native gRPC (benchmarks/client-api/run.sh): {@code --clients} threads, each with its own
 * {@link WeftClient} (own connection, own identity and token), each sending one unary call at a time for
 * {@code --seconds} after {@code --warmup} seconds that are not counted. The same workload as the JS
 * {@code bench.js}: {@code create} = one Person per call into a fresh database; {@code find} =
 * {@code age = k} (k cycling through 0..99) over {@code --preload} Persons with age {@code i % 100} and an index on
 * age. Run as a single-file program:
 *
 * <pre>
 * java -cp "$(weft-client class path)" benchmarks/client-api/GrpcLoad.java --address 127.0.0.1:6006 --op create
 * </pre>
 *
 * Prints one JSON line: transport, op, clients, seconds, requests, rps, p50Ms, p90Ms, p99Ms, maxMs, errors,
 * firstError.
 */
public class GrpcLoad {

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        String address = args.getOrDefault("address", "127.0.0.1:6006");
        String op = args.getOrDefault("op", "create");
        int clients = Integer.parseInt(args.getOrDefault("clients", "16"));
        int seconds = Integer.parseInt(args.getOrDefault("seconds", "60"));
        int warmup = Integer.parseInt(args.getOrDefault("warmup", "10"));
        int preload = Integer.parseInt(args.getOrDefault("preload", "1000"));
        if (!op.equals("create") && !op.equals("find")) {
            throw new IllegalArgumentException("--op must be create or find, got " + op);
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode schema = (ObjectNode) json.readTree("""
                {"title": "Person", "type": "object", "required": ["_id"], "properties": {
                  "_id": {"type": "string"}, "firstName": {"type": "string"}, "lastName": {"type": "string"},
                  "age": {"type": "integer", "minimum": 0}}}""");

        List<WeftClient> loops = new ArrayList<>();
        ThreadId db;
        try (WeftClient admin = WeftClient.builder().address(address).identity(Ed25519.generate())
                .timeout(Duration.ofSeconds(120)).build()) {
            db = admin.newDB("bench-grpc-" + op, List.of(new CollectionConfig("Person", schema, List.of(IndexConfig.of("age")))));
            if (op.equals("find")) {
                for (int i = 0; i < preload; i += 100) {
                    List<ObjectNode> batch = new ArrayList<>();
                    for (int j = i; j < Math.min(preload, i + 100); j++) {
                        batch.add(person(json, "First" + j, "Last" + j, j % 100));
                    }
                    admin.create(db, "Person", batch);
                }
            }
        }
        for (int c = 0; c < clients; c++) {
            WeftClient client = WeftClient.builder().address(address).identity(Ed25519.generate())
                    .timeout(Duration.ofSeconds(30)).build();
            client.listDBs(); // connects and gets its token before the clock starts
            loops.add(client);
        }

        long start = System.nanoTime();
        long measureFrom = start + warmup * 1_000_000_000L;
        long end = measureFrom + seconds * 1_000_000_000L;
        AtomicInteger errors = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        AtomicInteger seq = new AtomicInteger();
        long[][] latencies = new long[clients][];
        int[] counts = new int[clients];
        int expectedFound = preload / 100;
        CountDownLatch finished = new CountDownLatch(clients);
        for (int c = 0; c < clients; c++) {
            int me = c;
            WeftClient client = loops.get(c);
            Thread t = new Thread(() -> {
                long[] mine = new long[1 << 16];
                int n = 0;
                try {
                    while (System.nanoTime() < end) {
                        int k = seq.getAndIncrement();
                        long t0 = System.nanoTime();
                        boolean ok = true;
                        try {
                            if (op.equals("create")) {
                                client.create(db, "Person", List.of(person(json, "Bench", "Loop" + k, k % 100)));
                            } else {
                                int found = client.find(db, "Person", Query.where("age").eq(k % 100)).size();
                                if (preload >= 100 && found != expectedFound) {
                                    throw new IllegalStateException("find returned " + found + " instances, expected "
                                            + expectedFound);
                                }
                            }
                        } catch (RuntimeException e) {
                            ok = false;
                            // also a call of the window that failed (e.g. timed out) after it
                            if (System.nanoTime() >= measureFrom) {
                                errors.incrementAndGet();
                                firstError.compareAndSet(null, e.toString());
                            }
                        }
                        long done = System.nanoTime();
                        if (ok && done >= measureFrom && done < end) {
                            if (n == mine.length) {
                                mine = Arrays.copyOf(mine, n * 2);
                            }
                            mine[n++] = done - t0;
                        }
                    }
                } finally {
                    latencies[me] = mine;
                    counts[me] = n;
                    finished.countDown();
                }
            }, "load-" + c);
            t.start();
        }
        finished.await();
        for (WeftClient client : loops) {
            client.close();
        }
        int total = 0;
        for (int n : counts) {
            total += n;
        }
        long[] all = new long[total];
        int at = 0;
        for (int c = 0; c < clients; c++) {
            System.arraycopy(latencies[c], 0, all, at, counts[c]);
            at += counts[c];
        }
        Arrays.sort(all);
        ObjectNode out = json.createObjectNode();
        out.put("transport", "native gRPC (Java weft-client)");
        out.put("op", op);
        out.put("clients", clients);
        out.put("seconds", seconds);
        out.put("requests", total);
        out.put("rps", round(total / (double) seconds));
        out.put("p50Ms", round(percentile(all, 0.50) / 1e6));
        out.put("p90Ms", round(percentile(all, 0.90) / 1e6));
        out.put("p99Ms", round(percentile(all, 0.99) / 1e6));
        out.put("maxMs", round(total == 0 ? Double.NaN : all[total - 1] / 1e6));
        out.put("errors", errors.get());
        if (firstError.get() != null) {
            out.put("firstError", firstError.get());
        }
        System.out.println(json.writeValueAsString(out));
    }

    private static ObjectNode person(ObjectMapper json, String first, String last, int age) {
        ObjectNode n = json.createObjectNode();
        n.put("_id", "").put("firstName", first).put("lastName", last).put("age", age);
        return n;
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
        return sorted[i];
    }

    private static double round(double x) {
        return Math.round(x * 100) / 100.0;
    }
}
