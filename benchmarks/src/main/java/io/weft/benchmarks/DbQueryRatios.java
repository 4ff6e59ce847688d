package io.weft.benchmarks;

import io.weft.api.db.Collection;
import io.weft.api.db.Query;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Query latencies, indexed against unindexed, measured in the same run. One database holds two collections of the
 * same {@value DbQueryBench#DOCS} documents {@code {_id, n, name: 'name-'+(i%1000), tags}}: {@code Indexed} (indexes on
 * {@code name} and {@code n}) and {@code Plain} (none). Each round runs every query for a slice of time in turn and
 * records each call's latency; the unindexed/indexed ratio of the round's medians is taken within the round. Prints
 * per query p50/p99 over all rounds and the median (min, max) of the per-round ratios.
 *
 * <p>Run: {@code java --add-opens=java.base/sun.nio.ch=ALL-UNNAMED -Xmx2g -cp benchmarks/target/benchmarks.jar
 * io.weft.benchmarks.DbQueryRatios [rounds] [sliceMillis]}.
 */
public final class DbQueryRatios {
    private static volatile int sink;

    private DbQueryRatios() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        long sliceNanos = (args.length > 1 ? Long.parseLong(args[1]) : 1500) * 1_000_000L;

        try (BenchDb bench = new BenchDb("xodus", List.of(BenchDb.docs("Indexed", "name", "n"), BenchDb.docs("Plain")))) {
            long t0 = System.nanoTime();
            BenchDb.fill(bench.db, "Indexed", DbQueryBench.DOCS, DbQueryBench.NAMES, 1000);
            long t1 = System.nanoTime();
            BenchDb.fill(bench.db, "Plain", DbQueryBench.DOCS, DbQueryBench.NAMES, 1000);
            long t2 = System.nanoTime();
            System.out.printf("filled %d docs: indexed (name, n) %.1f s = %.0f docs/s, unindexed %.1f s = %.0f docs/s"
                            + " (1,000-document transactions, fsync off)%n", DbQueryBench.DOCS,
                    (t1 - t0) / 1e9, DbQueryBench.DOCS / ((t1 - t0) / 1e9), (t2 - t1) / 1e9,
                    DbQueryBench.DOCS / ((t2 - t1) / 1e9));
            Collection indexed = bench.db.collection("Indexed");
            Collection plain = bench.db.collection("Plain");
            DbQueryBench.check(indexed);
            DbQueryBench.check(plain);

            Map<String, IntFunction<Integer>> ops = new LinkedHashMap<>();
            ops.put("equality, indexed", k -> indexed.find(DbQueryBench.eqQuery(k % DbQueryBench.NAMES)).size());
            ops.put("equality, unindexed", k -> plain.find(DbQueryBench.eqQuery(k % DbQueryBench.NAMES)).size());
            ops.put("sort+limit 20, indexed", k -> indexed.find(DbQueryBench.SORT_LIMIT).size());
            ops.put("sort+limit 20, unindexed", k -> plain.find(DbQueryBench.SORT_LIMIT).size());

            for (IntFunction<Integer> op : ops.values()) { // warm-up
                sample(op, 3_000_000_000L, new ArrayList<>());
            }
            Map<String, List<Long>> all = new LinkedHashMap<>();
            ops.keySet().forEach(k -> all.put(k, new ArrayList<>()));
            List<Double> eqRatio = new ArrayList<>();
            List<Double> sortRatio = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                Map<String, Double> p50 = new LinkedHashMap<>();
                for (Map.Entry<String, IntFunction<Integer>> e : ops.entrySet()) {
                    List<Long> lat = new ArrayList<>();
                    sample(e.getValue(), sliceNanos, lat);
                    all.get(e.getKey()).addAll(lat);
                    p50.put(e.getKey(), percentile(lat, 50));
                }
                eqRatio.add(p50.get("equality, unindexed") / p50.get("equality, indexed"));
                sortRatio.add(p50.get("sort+limit 20, unindexed") / p50.get("sort+limit 20, indexed"));
                System.out.printf("round %d: p50 µs %s%n", r + 1, p50.entrySet().stream()
                        .map(e -> e.getKey() + "=" + String.format("%.0f", e.getValue() / 1e3)).toList());
            }
            System.out.printf("rounds=%d slice=%dms docs=%d, single thread, Xodus%n", rounds, sliceNanos / 1_000_000,
                    DbQueryBench.DOCS);
            for (Map.Entry<String, List<Long>> e : all.entrySet()) {
                System.out.printf("%-26s samples %6d  p50 %9.1f µs  p99 %9.1f µs  max %9.1f µs%n", e.getKey(),
                        e.getValue().size(), percentile(e.getValue(), 50) / 1e3, percentile(e.getValue(), 99) / 1e3,
                        percentile(e.getValue(), 100) / 1e3);
            }
            report("equality: unindexed/indexed p50", eqRatio);
            report("sort+limit: unindexed/indexed p50", sortRatio);
        }
    }

    private static void sample(IntFunction<Integer> op, long nanos, List<Long> out) {
        long end = System.nanoTime() + nanos;
        int k = 0;
        int acc = 0;
        long now;
        do {
            long s = System.nanoTime();
            acc += op.apply(k);
            now = System.nanoTime();
            out.add(now - s);
            k += 37;
        } while (now < end);
        sink += acc;
    }

    private static double percentile(List<Long> v, double p) {
        long[] a = v.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        int i = (int) Math.ceil(p / 100.0 * a.length) - 1;
        return a[Math.max(0, Math.min(a.length - 1, i))];
    }

    private static void report(String name, List<Double> ratios) {
        double[] a = ratios.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        double median = a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
        System.out.printf("%-36s median %.1f×  (min %.1f, max %.1f)%n", name, median, a[0], a[a.length - 1]);
    }
}
