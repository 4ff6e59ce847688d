package io.weft.itests.libp2p;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.api.format.Multiaddr;
import io.weft.api.thread.PeerId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A js-libp2p peer: {@code node peer.mjs ...} from {@code itests/libp2p-harness} (see its README) as a subprocess.
 * Its stdout JSON events are read on a background thread into a list; {@link #awaitEvent} waits, with a deadline,
 * for an event matching a predicate among all events seen so far and later ones (so callers use predicates that
 * pick one event, e.g. by {@code seq} or message text). {@link #call} sends a command line and waits for its
 * answer (the event whose {@code seq} is the command's 1-based number). Failures carry the peer's stderr.
 */
public final class JsPeer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Writer stdin;
    private final List<JsonNode> events = new ArrayList<>();
    private final StringBuilder stderr = new StringBuilder();
    private final StringBuilder rawOut = new StringBuilder();
    private boolean ended;
    private int seq;
    private final String peerId;
    private final List<Multiaddr> addrs;

    private JsPeer(Process process, Duration startTimeout) {
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread out = new Thread(this::pumpStdout, "js-peer-stdout-" + process.pid());
        out.setDaemon(true);
        out.start();
        Thread err = new Thread(this::pumpStderr, "js-peer-stderr-" + process.pid());
        err.setDaemon(true);
        err.start();
        JsonNode listening = awaitEvent(e -> e.path("event").asText().equals("listening"), startTimeout);
        this.peerId = listening.get("peerId").asText();
        List<Multiaddr> a = new ArrayList<>();
        listening.get("addrs").forEach(n -> a.add(Multiaddr.parse(n.asText())));
        this.addrs = List.copyOf(a);
    }

    /** The harness folder: system property {@code weft.libp2p.harness}, else {@code libp2p-harness} under the working directory. */
    public static Path harnessDir() {
        String configured = System.getProperty("weft.libp2p.harness");
        Path dir = configured != null ? Path.of(configured) : Path.of("libp2p-harness").toAbsolutePath();
        if (!Files.isDirectory(dir.resolve("node_modules"))) {
            throw new IllegalStateException("js-libp2p harness not installed in " + dir + ": run " + dir.resolve("install.sh")
                    + " (the itests build does so in pre-integration-test)");
        }
        return dir;
    }

    /** Starts {@code node peer.mjs args...} (node from system property {@code weft.node}, else {@code node} on the PATH). */
    public static JsPeer start(String... args) throws IOException {
        Path dir = harnessDir();
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("weft.node", "node"), "peer.mjs"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
        try {
            return new JsPeer(p, Duration.ofSeconds(30));
        } catch (RuntimeException | Error e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw e;
        }
    }

    /** The js peer's id (base58btc text). */
    public String peerIdText() {
        return peerId;
    }

    /** The js peer's id. */
    public PeerId peerId() {
        return PeerId.parse(peerId);
    }

    /** Its first listen address, ending in {@code /p2p/<id>}. */
    public Multiaddr address() {
        return addrs.get(0);
    }

    /** Its listen addresses, each ending in {@code /p2p/<id>}. */
    public List<Multiaddr> addresses() {
        return addrs;
    }

    /** The number of events received so far (a mark for {@link #awaitEvent(Predicate, Duration, int)}). */
    public synchronized int eventCount() {
        return events.size();
    }

    /** Waits for an event matching {@code match} (received at any time); fails after {@code timeout} or if the peer exits. */
    public JsonNode awaitEvent(Predicate<JsonNode> match, Duration timeout) {
        return awaitEvent(match, timeout, 0);
    }

    /** Waits for an event matching {@code match} among the events numbered {@code from} (0-based) and later. */
    public synchronized JsonNode awaitEvent(Predicate<JsonNode> match, Duration timeout, int from) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int i = from;
        while (true) {
            for (; i < events.size(); i++) {
                if (match.test(events.get(i))) {
                    return events.get(i);
                }
            }
            long left = deadline - System.nanoTime();
            if (ended || left <= 0) {
                throw new AssertionError((ended ? "js peer exited (" + exitText() + ")" : "timed out after " + timeout)
                        + " without the awaited event" + diagnostics());
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** Sends one command line; returns its sequence number (the {@code seq} of its answer). */
    public synchronized int command(String line) {
        if (line.contains("\n")) {
            throw new IllegalArgumentException("one line only");
        }
        try {
            stdin.write(line + "\n");
            stdin.flush();
        } catch (IOException e) {
            throw new AssertionError("cannot write to the js peer: " + e + diagnostics(), e);
        }
        return ++seq;
    }

    /** Sends a command and waits for its answer. */
    public JsonNode call(String line, Duration timeout) {
        int n = command(line);
        return awaitEvent(e -> e.path("seq").asInt(-1) == n, timeout);
    }

    /** Sends a command, waits for its answer and fails unless it says {@code "ok": true}. */
    public JsonNode callOk(String line, Duration timeout) {
        JsonNode r = call(line, timeout);
        if (!r.path("ok").asBoolean(false)) {
            throw new AssertionError("js command `" + line + "` failed: " + r + diagnostics());
        }
        return r;
    }

    /** The peer's stderr and last events, for failure messages. */
    public synchronized String diagnostics() {
        StringBuilder b = new StringBuilder("\n--- js peer ").append(peerId).append(" last events:\n");
        for (int i = Math.max(0, events.size() - 20); i < events.size(); i++) {
            b.append(events.get(i)).append('\n');
        }
        String err = stderr.length() > 4000 ? stderr.substring(stderr.length() - 4000) : stderr.toString();
        String out = rawOut.length() > 2000 ? rawOut.substring(rawOut.length() - 2000) : rawOut.toString();
        return b.append("--- stderr:\n").append(err).append(out.isEmpty() ? "" : "--- non-JSON stdout:\n" + out).toString();
    }

    private String exitText() {
        return process.isAlive() ? "still running" : "exit " + process.exitValue();
    }

    private void pumpStdout() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode ev = null;
                if (line.startsWith("{")) {
                    try {
                        ev = JSON.readTree(line);
                    } catch (IOException e) {
                        ev = null;
                    }
                }
                synchronized (this) {
                    if (ev != null) {
                        events.add(ev);
                    } else {
                        rawOut.append(line).append('\n');
                    }
                    notifyAll();
                }
            }
        } catch (IOException e) {
            synchronized (this) {
                rawOut.append("(stdout read failed: ").append(e).append(")\n");
            }
        } finally {
            synchronized (this) {
                ended = true;
                notifyAll();
            }
        }
    }

    private void pumpStderr() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (this) {
                    stderr.append(line).append('\n');
                }
            }
        } catch (IOException ignored) {
            // the process is gone; whatever was read is kept
        }
    }

    /** Ends the peer: closes its stdin (it stops and exits), then kills the process tree if it is still running after 5 s. */
    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
