package io.weft.itests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A peer started with the distribution's {@code bin/weft} as a subprocess. Its output (stdout and stderr
 * merged) is read line by line on a background thread; {@link #await} waits for a line with a deadline.
 */
final class PeerProcess implements AutoCloseable {

    private static final String EOF = "\u0000EOF";

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile boolean ended;

    private PeerProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(this::pump, "weft-peer-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Runs {@code bin/weft --repo repo extraArgs...} with the JDK that runs the tests. */
    static PeerProcess start(Path repo, String... extraArgs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("bash", Distribution.launcher().toString(), "--repo", repo.toString()));
        cmd.addAll(List.of(extraArgs));
        Distribution.jar(); // fail early with a clear message if it is missing
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("WEFT_REPO");
        pb.environment().remove("WEFT_CONF");
        pb.environment().remove("WEFT_JAVA_OPTS");
        return new PeerProcess(pb.start());
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                System.out.println("[peer " + process.pid() + "] " + line);
                all.add(line);
                lines.add(line);
            }
        } catch (IOException e) {
            all.add("(output read failed: " + e + ")");
        } finally {
            lines.add(EOF);
        }
    }

    /**
     * Waits until a line of output matches {@code pattern} (searched, not fully matched) and returns the match;
     * fails if the deadline passes or the output ends first.
     */
    Matcher await(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no output line matching /" + pattern + "/ within " + timeout + "; output:\n" + output());
            }
            String line = ended ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            if (line == null && ended) {
                throw new AssertionError("the peer's output ended without a line matching /" + pattern + "/ (exit "
                        + exitValueOrNone() + "); output:\n" + output());
            }
            if (line == null) {
                continue;
            }
            if (line.equals(EOF)) {
                ended = true;
                continue;
            }
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                return m;
            }
        }
    }

    /**
     * Waits until any line of output so far, or a later one, matches {@code pattern} (searched) and returns the
     * match, whatever {@link #await} has already consumed (for lines whose order relative to others is not fixed);
     * fails if the deadline passes.
     */
    Matcher awaitInOutput(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            synchronized (all) {
                for (String line : all) {
                    Matcher m = pattern.matcher(line);
                    if (m.find()) {
                        return m;
                    }
                }
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("no output line matching /" + pattern + "/ within " + timeout + " (exit "
                        + exitValueOrNone() + "); output:\n" + output());
            }
            Thread.sleep(50);
        }
    }

    /**
     * Sends SIGTERM. Through the process handle: {@code Process.destroy()} sends the same signal but also
     * closes our end of the output pipe, so the peer's shutdown log could not be read.
     */
    void terminate() {
        if (!process.toHandle().destroy()) {
            throw new AssertionError("could not send SIGTERM to " + process.pid());
        }
    }

    /**
     * Sends SIGKILL to the peer's JVM: {@code bin/weft} {@code exec}s Java, so the process started is the JVM itself
     * (checked here, so that the kill never hits a wrapper that would leave the JVM running). Through the process
     * handle, so that our end of the output pipe stays open. Nothing of the peer's shutdown runs.
     */
    void kill() {
        String command = process.toHandle().info().command().orElse("");
        if (!command.endsWith("/java")) {
            throw new AssertionError("process " + process.pid() + " is not a JVM but " + command);
        }
        if (!process.toHandle().destroyForcibly()) {
            throw new AssertionError("could not send SIGKILL to " + process.pid());
        }
    }

    /** Waits for the process to exit and returns its exit code; fails after the deadline. */
    int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the peer did not exit within " + timeout + "; output:\n" + output());
        }
        return process.exitValue();
    }

    String output() {
        synchronized (all) {
            return String.join("\n", all);
        }
    }

    private String exitValueOrNone() {
        try {
            return String.valueOf(process.exitValue());
        } catch (IllegalThreadStateException e) {
            return "none yet";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
