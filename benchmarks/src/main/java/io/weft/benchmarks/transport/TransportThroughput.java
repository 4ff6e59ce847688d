package io.weft.benchmarks.transport;

import io.weft.api.format.Multiaddr;
import io.weft.api.net.Connection;
import io.weft.api.net.Stream;
import io.weft.api.net.Transport;
import io.weft.api.net.TransportConfig;
import io.weft.api.net.TransportProvider;
import io.weft.api.thread.PeerId;
import io.weft.core.crypto.Ed25519;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * libp2p transport throughput and connection setup on loopback, Weft's Java transport against js-libp2p 3.3.11,
 * all in one run. Bulk: one yamux stream of {@code /bulk/1.0.0} (the sender writes {@code mib} MiB, half-closes and
 * waits for the receiver's 8-byte count), MB/s = 10^6 bytes/s from stream open to the count, for Java→Java (two
 * transports in this JVM), Java→JS, JS→Java and JS→JS (two node processes); setup: a fresh TCP + Noise + yamux
 * connection, p50/p99 over all rounds, Java→Java, Java→JS, JS→Java, JS→JS. The paths are interleaved, their order
 * rotating each round, after one warm-up round; ratios are per round against JS→JS, their median printed.
 * Without a {@link TransportProvider} on the class path only the JS→JS figures are measured.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.weft.benchmarks.transport.TransportThroughput
 * [--harness itests/libp2p-harness] [--rounds 5] [--mib 256] [--setups 30] [--node node]} (see compare-libp2p.sh).
 */
public final class TransportThroughput {
    static final String BULK = "/bulk/1.0.0";
    static final Duration T = Duration.ofMinutes(5);
    static final int CHUNK = 1 << 20;
    static final int IN_FLIGHT = 4;

    private TransportThroughput() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>(Map.of("harness", "itests/libp2p-harness", "rounds", "5", "mib", "256",
                "setups", "30", "node", "node", "warmup", "3"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--") || !opt.containsKey(args[i].substring(2))) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; options: " + opt.keySet());
            }
            opt.put(args[i].substring(2), args[i + 1]);
        }
        Path harness = Path.of(opt.get("harness")).toAbsolutePath();
        if (!Files.isDirectory(harness.resolve("node_modules"))) {
            throw new IllegalStateException("harness not installed: run " + harness.resolve("install.sh"));
        }
        int rounds = Integer.parseInt(opt.get("rounds"));
        int mib = Integer.parseInt(opt.get("mib"));
        int setups = Integer.parseInt(opt.get("setups"));
        String node = opt.get("node");

        Optional<TransportProvider> provider = ServiceLoader.load(TransportProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.name().equals("libp2p")).findFirst();
        if (provider.isEmpty()) {
            System.out.println("NOTE: no libp2p TransportProvider on the class path: measuring JS<->JS only");
        }
        TransportConfig config = TransportConfig.defaults().withListen(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
        Transport javaA = provider.map(p -> p.start(Ed25519.generate(), config)).orElse(null);
        Transport javaB = provider.map(p -> p.start(Ed25519.generate(), config)).orElse(null);
        Process sink = null;
        String sinkAddress = null;
        if (provider.isPresent()) {
            sink = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                    BulkSink.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(sink.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8)).readLine();
            if (line == null || !line.startsWith("address ")) {
                throw new IllegalStateException("bulk sink JVM did not start: " + line);
            }
            sinkAddress = line.substring("address ".length());
        }
        final String sinkAddr = sinkAddress;
        try (NodePeer jsA = new NodePeer(harness, node); NodePeer jsB = new NodePeer(harness, node)) {
            jsA.call("dial " + jsB.address, T);
            if (javaB != null) {
                javaA.handle(BULK, TransportThroughput::serveBulk);
                javaB.handle(BULK, TransportThroughput::serveBulk);
                jsA.call("dial " + address(javaB), T);
            }
            Map<String, Supplier<Double>> bulk = new LinkedHashMap<>();
            bulk.put("JS->JS", () -> jsBulk(jsA, jsB.peerId, mib));
            if (javaB != null) {
                bulk.put("Java->Java", () -> javaBulk(javaA, javaB.localPeer(), address(javaB), mib));
                bulk.put("Java->Java2", () -> javaBulk(javaA, Multiaddr.parse(sinkAddr).peerId().orElseThrow(), sinkAddr, mib));
                bulk.put("Java->JS", () -> javaBulk(javaA, PeerId.parse(jsB.peerId), jsB.address, mib));
                bulk.put("JS->Java", () -> jsBulk(jsA, javaB.localPeer().toString(), mib));
            }
            Map<String, Supplier<List<Double>>> setup = new LinkedHashMap<>();
            setup.put("JS->JS", () -> jsSetup(jsA, jsB.address, setups));
            if (javaB != null) {
                setup.put("Java->Java", () -> javaSetup(javaA, Multiaddr.parse(address(javaB)), setups));
                setup.put("Java->JS", () -> javaSetup(javaA, Multiaddr.parse(jsB.address), setups));
                setup.put("JS->Java", () -> jsSetup(jsA, address(javaB), setups));
            }

            int warmup = Integer.parseInt(opt.get("warmup"));
            System.out.printf("loopback 127.0.0.1, %d MiB per bulk stream, %d rounds (+%d warm-up), %d connection setups per path"
                    + " and round; Java->Java = two transports in one JVM; MB/s = 10^6 bytes/s%n", mib, rounds, warmup, setups);
            for (int w = 0; w < warmup; w++) { // warm-up: JIT and the yamux windows reach steady state
                for (Supplier<Double> s : bulk.values()) {
                    s.get();
                }
            }
            for (Supplier<List<Double>> s : setup.values()) {
                s.get();
            }
            List<String> names = new ArrayList<>(bulk.keySet());
            Map<String, List<Double>> rates = new LinkedHashMap<>();
            Map<String, List<Double>> ratios = new LinkedHashMap<>();
            Map<String, List<Double>> setupMs = new LinkedHashMap<>();
            names.forEach(n -> rates.put(n, new ArrayList<>()));
            setup.keySet().forEach(n -> setupMs.put(n, new ArrayList<>()));
            System.out.printf("%-6s %s%n", "round", String.join("", names.stream().map(n -> String.format("%14s", n + " MB/s")).toList()));
            for (int r = 0; r < rounds; r++) {
                Map<String, Double> round = new LinkedHashMap<>();
                for (int k = 0; k < names.size(); k++) {
                    String n = names.get((k + r) % names.size());
                    round.put(n, bulk.get(n).get());
                }
                List<String> setupNames = new ArrayList<>(setup.keySet());
                for (int k = 0; k < setupNames.size(); k++) {
                    String n = setupNames.get((k + r) % setupNames.size());
                    setupMs.get(n).addAll(setup.get(n).get());
                }
                StringBuilder line = new StringBuilder(String.format("%-6d", r + 1));
                for (String n : names) {
                    rates.get(n).add(round.get(n));
                    line.append(String.format("%14.1f", round.get(n)));
                    if (!n.equals("JS->JS")) {
                        ratios.computeIfAbsent(n, x -> new ArrayList<>()).add(round.get(n) / round.get("JS->JS"));
                    }
                }
                System.out.println(line);
            }
            System.out.println();
            System.out.printf("%-12s %12s %10s %10s %16s%n", "bulk", "median MB/s", "min", "max", "vs JS->JS (median)");
            for (String n : names) {
                List<Double> v = rates.get(n);
                System.out.printf("%-12s %12.1f %10.1f %10.1f %16s%n", n, median(v), min(v), max(v),
                        n.equals("JS->JS") ? "1.00x" : String.format("%.2fx", median(ratios.get(n))));
            }
            System.out.println();
            System.out.printf("%-12s %10s %10s %8s %16s%n", "setup", "p50 ms", "p99 ms", "n", "p50 vs JS->JS");
            double jsP50 = percentile(setupMs.get("JS->JS"), 50);
            for (Map.Entry<String, List<Double>> e : setupMs.entrySet()) {
                double p50 = percentile(e.getValue(), 50);
                System.out.printf("%-12s %10.2f %10.2f %8d %15.2fx%n", e.getKey(), p50, percentile(e.getValue(), 99),
                        e.getValue().size(), p50 / jsP50);
            }
            if (ratios.containsKey("Java->Java")) {
                double one = median(ratios.get("Java->Java"));
                double two = median(ratios.get("Java->Java2"));
                System.out.printf("%nJava->Java = both peers in one JVM; Java->Java2 = each peer in its own JVM (as each JS peer"
                        + " is its own node process)%n");
                System.out.printf("goal: Java<->Java >= 3x JS<->JS bulk throughput: one JVM %.2fx, two JVMs %.2fx -> %s%n",
                        one, two, two >= 3 ? "MET" : "NOT MET");
            }
        } finally {
            if (sink != null) {
                sink.getOutputStream().close();
                if (!sink.waitFor(10, TimeUnit.SECONDS)) {
                    sink.destroyForcibly();
                }
            }
            if (javaA != null) {
                javaA.close();
            }
            if (javaB != null) {
                javaB.close();
            }
        }
    }

    static String address(Transport t) {
        return t.listenAddresses().get(0).encapsulate(Multiaddr.parse("/p2p/" + t.localPeer())).toString();
    }

    static double jsBulk(NodePeer from, String toPeer, int mib) {
        return from.call("bulk " + toPeer + " " + BULK + " " + mib, T).path("mbps").asDouble();
    }

    static List<Double> jsSetup(NodePeer from, String address, int count) {
        List<Double> times = new ArrayList<>();
        from.call("connect-time " + address + " " + count, T).path("times").forEach(t -> times.add(t.asDouble()));
        from.call("dial " + address, T); // leave a connection for the bulk runs
        return times;
    }

    /** Sends {@code mib} MiB on one new stream (up to 4 MiB of writes in flight) and waits for the 8-byte count. */
    static double javaBulk(Transport from, PeerId to, String address, int mib) {
        try {
            Connection conn = from.connect(Multiaddr.parse(address)).get(T.toSeconds(), TimeUnit.SECONDS);
            Stream s = conn.newStream(BULK).get(T.toSeconds(), TimeUnit.SECONDS);
            byte[] chunk = new byte[CHUNK];
            ThreadLocalRandom.current().nextBytes(chunk);
            long total = (long) mib * CHUNK;
            long start = System.nanoTime();
            ArrayDeque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
            for (int i = 0; i < mib; i++) {
                if (inFlight.size() >= IN_FLIGHT) {
                    inFlight.poll().get(T.toSeconds(), TimeUnit.SECONDS);
                }
                inFlight.add(s.write(chunk));
            }
            for (CompletableFuture<Void> f : inFlight) {
                f.get(T.toSeconds(), TimeUnit.SECONDS);
            }
            s.closeWrite().get(T.toSeconds(), TimeUnit.SECONDS);
            long acked = ByteBuffer.wrap(s.readFully(8).get(T.toSeconds(), TimeUnit.SECONDS)).getLong();
            long nanos = System.nanoTime() - start;
            s.close();
            if (acked != total || !conn.remotePeer().equals(to)) {
                throw new IllegalStateException("bulk to " + to + ": receiver counted " + acked + " of " + total + " bytes");
            }
            return total / 1e6 / (nanos / 1e9);
        } catch (Exception e) {
            throw new IllegalStateException("Java bulk to " + address + " failed", e);
        }
    }

    /** {@code count} fresh connections in a row, each closed (and gone) before the next: connect times in ms. */
    static List<Double> javaSetup(Transport from, Multiaddr address, int count) {
        PeerId peer = address.peerId().orElseThrow();
        List<Double> times = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                for (Connection c : from.connections()) {
                    if (c.remotePeer().equals(peer)) {
                        c.close();
                        c.closeFuture().get(T.toSeconds(), TimeUnit.SECONDS);
                    }
                }
                long start = System.nanoTime();
                from.connect(address).get(T.toSeconds(), TimeUnit.SECONDS);
                times.add((System.nanoTime() - start) / 1e6);
            }
        } catch (Exception e) {
            throw new IllegalStateException("Java connect to " + address + " failed", e);
        }
        return times;
    }

    /** The {@code /bulk/1.0.0} receiver: counts bytes to the end, answers the count (8 bytes, big-endian), closes. */
    static void serveBulk(Stream s) {
        long[] count = {0};
        loop(() -> s.read().thenApply(b -> {
            if (b == null) {
                return false;
            }
            count[0] += b.length;
            return true;
        })).thenCompose(v -> s.write(ByteBuffer.allocate(8).putLong(count[0]).array()))
                .thenCompose(v -> s.closeWrite())
                .whenComplete((v, err) -> {
                    if (err != null) {
                        s.reset();
                    } else {
                        s.close();
                    }
                });
    }

    /** Runs {@code step} until it yields false, synchronously while its futures are already done (no stack growth). */
    static CompletableFuture<Void> loop(Supplier<CompletableFuture<Boolean>> step) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        new Runnable() {
            @Override
            public void run() {
                while (true) {
                    CompletableFuture<Boolean> f = step.get();
                    if (f.isDone() && !f.isCompletedExceptionally()) {
                        if (!f.join()) {
                            done.complete(null);
                            return;
                        }
                        continue;
                    }
                    f.whenComplete((more, err) -> {
                        if (err != null) {
                            done.completeExceptionally(err);
                        } else if (more) {
                            run();
                        } else {
                            done.complete(null);
                        }
                    });
                    return;
                }
            }
        }.run();
        return done;
    }

    static double median(List<Double> v) {
        return percentile(v, 50);
    }

    /** Nearest-rank percentile. */
    static double percentile(List<Double> v, double p) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (a.length == 0) {
            return Double.NaN;
        }
        if (p == 50 && a.length % 2 == 0) {
            return (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
        }
        int rank = (int) Math.ceil(p / 100 * a.length);
        return a[Math.max(0, Math.min(a.length - 1, rank - 1))];
    }

    static double min(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    static double max(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
