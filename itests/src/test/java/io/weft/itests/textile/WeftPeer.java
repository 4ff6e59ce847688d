package io.weft.itests.textile;

import io.weft.client.WeftClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A Weft peer run from the built distribution ({@code ../distribution/bin/weft}) as a real process, on a fresh
 * repository and configuration directory under {@code target/it-work}, with free ports for its libp2p transport
 * (127.0.0.1 only), its native gRPC API and its grpc-web/websockets gateway. {@link #start} returns once both API
 * ports answer: the gateway accepts connections and a {@link WeftClient} call over native gRPC succeeds.
 */
final class WeftPeer implements AutoCloseable {

    /** Start deadline: a cold JVM with the whole bundle set on a loaded 2-core machine. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final String name;
    private final Process process;
    private final int grpcPort;
    private final int webPort;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());
    private WeftClient client;

    private WeftPeer(String name, Process process, int grpcPort, int webPort) {
        this.name = name;
        this.process = process;
        this.grpcPort = grpcPort;
        this.webPort = webPort;
        Thread pump = new Thread(this::pump, "weft-peer-" + name + "-" + process.pid());
        pump.setDaemon(true);
        pump.start();
    }

    /** The distribution directory (system property {@code weft.distribution.dir}, else {@code ../distribution}). */
    static Path distribution() {
        String d = System.getProperty("weft.distribution.dir");
        Path dir = (d != null ? Path.of(d) : Path.of("..", "distribution")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve("target/weft.jar"))) {
            throw new IllegalStateException(dir.resolve("target/weft.jar") + " does not exist: build the distribution "
                    + "first (mvn verify from the repository root, or mvn verify -pl itests -am)");
        }
        return dir;
    }

    /** A scratch directory under target/it-work. */
    static Path workDir(String name) throws IOException {
        String w = System.getProperty("weft.itests.work");
        Path base = (w != null ? Path.of(w) : Path.of("target", "it-work")).toAbsolutePath();
        Files.createDirectories(base);
        return Files.createTempDirectory(base, name + "-");
    }

    /** Starts a peer named {@code name} (for logs and directories) and waits until its APIs answer. */
    static WeftPeer start(String name) throws IOException, InterruptedException {
        Path work = workDir("textile-" + name);
        Path conf = Files.createDirectories(work.resolve("conf"));
        int grpc = freePort();
        int web = freePort();
        Files.writeString(conf.resolve("io.weft.transport.cfg"), "listen = /ip4/127.0.0.1/tcp/0\n");
        Files.writeString(conf.resolve("io.weft.server.cfg"), "grpc.address = 127.0.0.1:" + grpc + "\n");
        Files.writeString(conf.resolve("io.weft.server.web.cfg"), "web.address = 127.0.0.1:" + web + "\n");
        List<String> cmd = List.of("bash", distribution().resolve("bin/weft").toString(),
                "--repo", work.resolve("repo").toString(), "--conf", conf.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("WEFT_REPO");
        pb.environment().remove("WEFT_CONF");
        pb.environment().remove("WEFT_JAVA_OPTS");
        WeftPeer peer = new WeftPeer(name, pb.start(), grpc, web);
        try {
            peer.awaitReady();
        } catch (RuntimeException | Error | InterruptedException e) {
            peer.close();
            throw e;
        }
        return peer;
    }

    private void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        await("the web gateway accepting connections on port " + webPort, deadline, () -> accepts(webPort));
        await("the native gRPC API answering on port " + grpcPort, deadline, () -> {
            try {
                client().withTimeout(Duration.ofSeconds(10)).listDBs();
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        });
    }

    /**
     * Waits until {@code condition} holds, checking it again after short pauses; fails if the deadline (a
     * {@link System#nanoTime()} value) passes or the peer exits first.
     */
    void await(String what, long deadline, Supplier<Boolean> condition) throws InterruptedException {
        while (!condition.get()) {
            if (!process.isAlive()) {
                throw new AssertionError("peer " + name + " exited (" + process.exitValue() + ") before " + what
                        + "; output:\n" + output());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("peer " + name + ": no " + what + " in time; output:\n" + output());
            }
            Thread.sleep(100);
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The gateway's URL for the JS client ({@code new Context(url)}). */
    String webUrl() {
        return "http://127.0.0.1:" + webPort;
    }

    /** The native gRPC address, {@code host:port}. */
    String apiAddress() {
        return "127.0.0.1:" + grpcPort;
    }

    /** A Java client of this peer over native gRPC, without a token (a loopback caller). */
    synchronized WeftClient client() {
        if (client == null) {
            client = WeftClient.builder().address(apiAddress()).timeout(Duration.ofSeconds(30)).build();
        }
        return client;
    }

    String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                System.out.println("[peer " + name + "] " + line);
                output.add(line);
            }
        } catch (IOException e) {
            output.add("(output read failed: " + e + ")");
        }
    }

    /** Closes the client and stops the peer (SIGTERM, then SIGKILL if it has not exited after 30 s). */
    @Override
    public void close() throws InterruptedException {
        synchronized (this) {
            if (client != null) {
                client.close();
            }
        }
        if (process.isAlive()) {
            process.toHandle().destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
