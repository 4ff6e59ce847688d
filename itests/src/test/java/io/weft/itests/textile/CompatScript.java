package io.weft.itests.textile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One run of {@code node compat.js <command> ...} from {@code itests/textile-client-harness} (the real
 * {@code @textile/threads-client} 2.3.4 against a Weft peer), to its end: its JSON step lines, the final
 * {@code done} line, its exit status and stderr. {@link #assertPassed} fails with the steps that ran, the failing one
 * and the script's stderr.
 */
record CompatScript(int exit, List<JsonNode> steps, JsonNode done, String stderr, String rawStdout) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The harness folder: system property {@code weft.textile.harness}, else {@code textile-client-harness}. */
    static Path harnessDir() {
        String configured = System.getProperty("weft.textile.harness");
        Path dir = configured != null ? Path.of(configured) : Path.of("textile-client-harness").toAbsolutePath();
        if (!Files.isDirectory(dir.resolve("node_modules/@textile/threads-client"))) {
            throw new IllegalStateException("textile client harness not installed in " + dir + ": run "
                    + dir.resolve("install.sh") + " (the itests build does so in pre-integration-test)");
        }
        return dir;
    }

    /**
     * Runs the script with {@code args} and extra environment {@code env} (secrets go there, not on the command
     * line), waiting at most {@code timeout}; the process tree is killed if it runs longer.
     */
    static CompatScript run(Duration timeout, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("weft.node", "node"), "compat.js"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(harnessDir().toFile());
        pb.environment().remove("COMPAT_SKIP"); // a development switch: the ITs run every step
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        StringBuilder err = new StringBuilder();
        Thread errPump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (err) {
                        err.append(line).append('\n');
                    }
                }
            } catch (IOException ignored) {
                // the process is gone; what was read is kept
            }
        }, "compat-stderr-" + p.pid());
        errPump.setDaemon(true);
        errPump.start();
        List<JsonNode> steps = new ArrayList<>();
        StringBuilder raw = new StringBuilder();
        JsonNode[] done = new JsonNode[1];
        Thread outPump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    System.out.println("[compat.js] " + line);
                    JsonNode n = null;
                    if (line.startsWith("{")) {
                        try {
                            n = JSON.readTree(line);
                        } catch (IOException e) {
                            n = null;
                        }
                    }
                    synchronized (steps) {
                        if (n == null) {
                            raw.append(line).append('\n');
                        } else if (n.path("event").asText().equals("done")) {
                            done[0] = n;
                        } else {
                            steps.add(n);
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process is gone; what was read is kept
            }
        }, "compat-stdout-" + p.pid());
        outPump.setDaemon(true);
        outPump.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            outPump.join(5000);
            errPump.join(5000);
            synchronized (steps) {
                throw new AssertionError("compat.js " + String.join(" ", args) + " did not finish within " + timeout
                        + describe(steps, err.toString(), raw.toString()));
            }
        }
        outPump.join(10_000);
        errPump.join(10_000);
        synchronized (steps) {
            synchronized (err) {
                return new CompatScript(p.exitValue(), List.copyOf(steps), done[0], err.toString(), raw.toString());
            }
        }
    }

    /** Fails unless the script exited 0 with a {@code done} line and every step ok; returns the done line. */
    JsonNode assertPassed(String context) {
        boolean allOk = steps.stream().allMatch(s -> s.path("ok").asBoolean(false));
        if (exit != 0 || done == null || !allOk) {
            JsonNode failed = steps.stream().filter(s -> !s.path("ok").asBoolean(false)).findFirst().orElse(null);
            throw new AssertionError("the real @textile/threads-client failed" + (failed == null ? ""
                    : " at step " + failed.path("step").asText() + ": " + failed.path("error").asText())
                    + " (exit " + exit + ")" + describe(steps, stderr, rawStdout) + "\n--- " + context);
        }
        return done;
    }

    /** The output line of the step {@code name}; fails if it did not run. */
    JsonNode step(String name) {
        return steps.stream().filter(s -> s.path("step").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no step " + name + " in " + steps));
    }

    private static String describe(List<JsonNode> steps, String stderr, String raw) {
        StringBuilder b = new StringBuilder("\n--- steps:\n");
        for (JsonNode s : steps) {
            String line = s.toString();
            b.append(line.length() > 600 ? line.substring(0, 600) + "…" : line).append('\n');
        }
        String e = stderr.length() > 6000 ? stderr.substring(stderr.length() - 6000) : stderr;
        b.append("--- stderr:\n").append(e);
        if (!raw.isEmpty()) {
            b.append("--- other stdout:\n").append(raw.length() > 2000 ? raw.substring(raw.length() - 2000) : raw);
        }
        return b.toString();
    }
}
