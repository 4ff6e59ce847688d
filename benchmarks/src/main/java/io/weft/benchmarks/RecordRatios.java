package io.weft.benchmarks;

import io.weft.api.crypto.PrivateKey;
import io.weft.api.format.Cid;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.store.Datastore;
import io.weft.api.store.DatastoreProvider;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import io.weft.core.cbor.CborValue;
import io.weft.core.cbor.DagCbor;
import io.weft.core.crypto.Ed25519;
import io.weft.core.record.Records;
import io.weft.logstore.LocalLogService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.IntSupplier;

/**
 * Record rates as fractions of the raw Ed25519 rates, measured in the same run. Shared, noisy machines drift
 * by a factor of two within seconds, so separate JMH runs give unstable ratios; this harness interleaves short
 * slices of every operation in rounds and reports the median of the per-round ratios (and their range).
 *
 * <p>Run: {@code java --add-opens=java.base/sun.nio.ch=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar
 * io.weft.benchmarks.RecordRatios [rounds] [sliceMillis]}.
 */
public final class RecordRatios {
    private static volatile int sink;

    private RecordRatios() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        long sliceNanos = (args.length > 1 ? Long.parseLong(args[1]) : 400) * 1_000_000L;

        byte[] seed = new byte[32];
        byte[] message = new byte[72];
        SecureRandom random = new SecureRandom();
        random.nextBytes(seed);
        random.nextBytes(message);
        byte[] pub = new byte[32];
        org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, pub, 0);
        byte[] signature = new byte[64];
        org.bouncycastle.math.ec.rfc8032.Ed25519.sign(seed, 0, pub, 0, message, 0, message.length, signature, 0);
        var point = org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyFullExport(pub, 0);

        ThreadKey key = ThreadKey.generate(true);
        PrivateKey logKey = Ed25519.generate();
        PrivateKey author = Ed25519.generate();
        CborValue body = RecordBench.body256();
        Cid prev = Records.create(body, logKey, author.publicKey(), null, key).id();
        RecordEnvelope envelope = Records.create(body, logKey, author.publicKey(), prev, key);

        Path dir = Files.createTempDirectory("weft-ratios");
        DatastoreProvider xodus = ServiceLoader.load(DatastoreProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.engine().equals("xodus")).findFirst().orElseThrow();
        try (Datastore store = xodus.open(dir, Map.of("fsync", "false"))) {
            LocalLogService logs = new LocalLogService(store);
            ThreadId thread = ThreadId.newRandom();
            logs.createThread(thread, ThreadKey.generate(true));
            PrivateKey identity = Ed25519.generate();
            byte[] bodyNode = DagCbor.encode(body);

            Map<String, IntSupplier> ops = new LinkedHashMap<>();
            ops.put("raw Ed25519 sign", () -> {
                byte[] sig = new byte[64];
                org.bouncycastle.math.ec.rfc8032.Ed25519.sign(seed, 0, pub, 0, message, 0, message.length, sig, 0);
                return sig[0];
            });
            ops.put("raw Ed25519 verify", () ->
                    org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, point, message, 0, message.length) ? 1 : 0);
            ops.put("record build", () -> Records.create(body, logKey, author.publicKey(), prev, key).size());
            ops.put("record build + append (Xodus, fsync off)", () -> (int) logs.createRecord(thread, identity, bodyNode).counter());
            ops.put("record verify + decrypt", () -> Records.open(Records.verify(envelope, logKey.publicKey(), key, prev), key).body().length);

            for (IntSupplier op : ops.values()) { // warm-up
                rate(op, 2_000_000_000L);
            }
            Map<String, List<Double>> rates = new LinkedHashMap<>();
            ops.keySet().forEach(k -> rates.put(k, new ArrayList<>()));
            List<Double> createRatio = new ArrayList<>();
            List<Double> appendRatio = new ArrayList<>();
            List<Double> verifyRatio = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                Map<String, Double> round = new LinkedHashMap<>();
                for (Map.Entry<String, IntSupplier> e : ops.entrySet()) {
                    double v = rate(e.getValue(), sliceNanos);
                    round.put(e.getKey(), v);
                    rates.get(e.getKey()).add(v);
                }
                createRatio.add(round.get("record build") / round.get("raw Ed25519 sign"));
                appendRatio.add(round.get("record build + append (Xodus, fsync off)") / round.get("raw Ed25519 sign"));
                verifyRatio.add(round.get("record verify + decrypt") / round.get("raw Ed25519 verify"));
            }
            System.out.printf("rounds=%d slice=%dms body=256 bytes, single thread%n", rounds, sliceNanos / 1_000_000);
            for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
                System.out.printf("%-42s median %8.0f ops/s  (min %.0f, max %.0f)%n", e.getKey(), median(e.getValue()),
                        min(e.getValue()), max(e.getValue()));
            }
            report("record build / raw sign", createRatio);
            report("record build + append / raw sign", appendRatio);
            report("record verify + decrypt / raw verify", verifyRatio);
        }
    }

    private static double rate(IntSupplier op, long nanos) {
        long start = System.nanoTime();
        long end = start + nanos;
        int n = 0;
        int acc = 0;
        long now;
        do {
            acc += op.getAsInt();
            n++;
            now = System.nanoTime();
        } while (now < end);
        sink += acc;
        return n / ((now - start) / 1e9);
    }

    private static void report(String name, List<Double> ratios) {
        System.out.printf("%-42s median %.2f  (min %.2f, max %.2f)%n", name, median(ratios), min(ratios), max(ratios));
    }

    private static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static double min(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    private static double max(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }
}
