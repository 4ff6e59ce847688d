package io.weft.benchmarks.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A js-libp2p peer of {@code itests/libp2p-harness} ({@code node peer.mjs}) driven over stdin/stdout: the n-th command
 * line is answered by the JSON event with {@code "seq": n} (see the harness README).
 */
final class NodePeer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Writer stdin;
    private final List<JsonNode> events = new ArrayList<>();
    private final StringBuilder stderr = new StringBuilder();
    private boolean ended;
    private int seq;
    final String peerId;
    final String address;

    NodePeer(Path harness, String node, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(node, "peer.mjs"));
        cmd.addAll(List.of(args));
        process = new ProcessBuilder(cmd).directory(harness.toFile()).start();
        stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        daemon(this::pumpStdout, "node-stdout");
        daemon(this::pumpStderr, "node-stderr");
        JsonNode listening = await(0, "listening", Duration.ofSeconds(30));
        peerId = listening.get("peerId").asText();
        address = listening.get("addrs").get(0).asText();
    }

    private static void daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    /** Sends {@code line} and returns its answer; fails unless it says {@code "ok": true}. */
    JsonNode call(String line, Duration timeout) {
        int n;
        synchronized (this) {
            try {
                stdin.write(line + "\n");
                stdin.flush();
            } catch (IOException e) {
                throw new IllegalStateException("node peer gone: " + e + "\n" + stderr);
            }
            n = ++seq;
        }
        JsonNode r = await(n, null, timeout);
        if (!r.path("ok").asBoolean(false)) {
            throw new IllegalStateException("node command `" + line + "` failed: " + r);
        }
        return r;
    }

    private synchronized JsonNode await(int seqNo, String event, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (JsonNode e : events) {
                if (event != null ? e.path("event").asText().equals(event) : e.path("seq").asInt(-1) == seqNo) {
                    return e;
                }
            }
            long left = deadline - System.nanoTime();
            if (ended || left <= 0) {
                throw new IllegalStateException("node peer: no " + (event != null ? event : "answer " + seqNo)
                        + (ended ? " (exited)" : " within " + timeout) + "\nstderr:\n" + stderr);
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private void pumpStdout() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.startsWith("{")) {
                    continue;
                }
                JsonNode e = JSON.readTree(line);
                String type = e.path("event").asText();
                if (type.equals("message") || type.equals("subscription-change") || type.startsWith("connection:")
                        || type.equals("served") || type.equals("peer:identify")) {
                    continue; // not needed here; keeps the list short over long runs
                }
                synchronized (this) {
                    events.add(e);
                    notifyAll();
                }
            }
        } catch (IOException ignored) {
            // ended
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
            // ended
        }
    }

    @Override
    public void close() {
        try {
            stdin.close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (IOException | InterruptedException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
