package io.weft.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * End-to-end: runs the real {@code weft.jar} through {@code bin/weft} as a subprocess on a fresh repository,
 * stops it with SIGTERM, starts it again and checks that it comes back with the same peer id.
 */
class DistributionSmokeIT {

    static final Pattern STARTED = Pattern.compile("Weft peer (12D3KooW[1-9A-HJ-NP-Za-km-z]+) started, repo (\\S+), store (\\w+)");
    static final Pattern DB_READY = Pattern.compile("^io\\.weft\\.db .* Weft database manager ready, (\\d+) databases, store (\\w+)");
    static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    /** Exit status of a JVM stopped by SIGTERM (128 + 15) after its shutdown hooks ran. */
    static final int SIGTERM_EXIT = 143;
    /** The bnd launcher's exit status after the framework was stopped from inside (weft.exitAfterStart). */
    static final int BND_LAUNCHER_STOPPED = 117;

    @Test
    void startsStopsCleanlyOnSigtermAndKeepsItsIdentity() throws Exception {
        Path repo = Distribution.workDir("smoke").resolve("repo"); // not created: the launcher creates it

        String first;
        try (PeerProcess peer = PeerProcess.start(repo)) {
            Matcher started = peer.await(STARTED, START_TIMEOUT);
            first = started.group(1);
            assertEquals(repo.toAbsolutePath().normalize().toString(), started.group(2));
            assertEquals("xodus", started.group(3));
            assertTrue(peer.output().contains("(new identity created)"), "first start creates the identity");
            Matcher db = peer.awaitInOutput(DB_READY, START_TIMEOUT);
            assertEquals("0", db.group(1));
            assertEquals("xodus", db.group(2));

            peer.terminate();
            peer.await(Pattern.compile("Weft peer " + first + " stopped"), STOP_TIMEOUT);
            assertEquals(SIGTERM_EXIT, peer.waitFor(STOP_TIMEOUT), peer.output());
            assertFalse(peer.output().lines().anyMatch(l -> (l.startsWith("io.weft.peer ") || l.startsWith("io.weft.db "))
                            && (l.contains(" ERROR ") || l.contains(" WARN "))),
                    "no error or warning from the peer or the database:\n" + peer.output());
        }
        Path identity = repo.resolve("identity.key");
        assertTrue(Files.isRegularFile(identity));
        assertEquals(68, Files.size(identity));

        try (PeerProcess peer = PeerProcess.start(repo)) {
            Matcher started = peer.await(STARTED, START_TIMEOUT);
            assertEquals(first, started.group(1), "the same peer id after a restart");
            assertFalse(peer.output().contains("(new identity created)"));
            peer.terminate();
            peer.await(Pattern.compile("Weft peer " + first + " stopped"), STOP_TIMEOUT);
            assertEquals(SIGTERM_EXIT, peer.waitFor(STOP_TIMEOUT), peer.output());
        }
    }

    @Test
    void exitAfterStartStopsByItself() throws Exception {
        Path repo = Distribution.workDir("exit-after-start").resolve("repo");
        try (PeerProcess peer = PeerProcess.start(repo, "-Dweft.exitAfterStart=true")) {
            String id = peer.await(STARTED, START_TIMEOUT).group(1);
            peer.await(Pattern.compile("Weft peer " + id + " stopped"), STOP_TIMEOUT);
            assertEquals(BND_LAUNCHER_STOPPED, peer.waitFor(STOP_TIMEOUT), peer.output());
        }
    }

    @Test
    void configurationDirectorySelectsTheStore() throws Exception {
        Path work = Distribution.workDir("conf");
        Path conf = Files.createDirectories(work.resolve("conf"));
        Files.writeString(conf.resolve("io.weft.peer.cfg"), "store.target = (weft.store=memory)\n");
        try (PeerProcess peer = PeerProcess.start(work.resolve("repo"), "--conf", conf.toString(),
                "-Dweft.exitAfterStart=true")) {
            assertEquals("memory", peer.await(STARTED, START_TIMEOUT).group(3));
            assertEquals(BND_LAUNCHER_STOPPED, peer.waitFor(STOP_TIMEOUT), peer.output());
        }
    }

    /** The transport's start line: its listen address with the peer id. */
    static final Pattern LISTENING = Pattern.compile("libp2p listening on (/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/(12D3KooW\\w+))");

    @Test
    void p2pDiagnosticsReachTheRunningPeer() throws Exception {
        Path work = Distribution.workDir("p2p");
        Path conf = Files.createDirectories(work.resolve("conf"));
        Files.writeString(conf.resolve("io.weft.transport.cfg"), "listen = /ip4/127.0.0.1/tcp/0\n");
        Path repo = work.resolve("repo");
        try (PeerProcess peer = PeerProcess.start(repo, "--conf", conf.toString())) {
            String id = peer.await(STARTED, START_TIMEOUT).group(1);
            Matcher listening = peer.awaitInOutput(LISTENING, START_TIMEOUT);
            assertEquals(id, listening.group(2), "the transport uses the host identity");

            Tool ping = Tool.run("p2p", "ping", listening.group(1), "--count", "2", "--json");
            assertEquals(0, ping.exit(), ping.output());
            JsonNode json = new ObjectMapper().readTree(ping.output());
            assertEquals(id, json.get("peerId").asText());
            assertEquals("/noise", json.get("security").asText());
            assertEquals("/yamux/1.0.0", json.get("muxer").asText());
            assertTrue(json.get("agentVersion").asText().startsWith("weft/"), ping.output());
            assertTrue(json.get("protocols").toString().contains("/ipfs/ping/1.0.0"), ping.output());
            assertEquals(2, json.get("rttMs").size());

            Tool self = Tool.run("--repo", repo.toString(), "--conf", conf.toString(), "p2p", "id", "--json");
            assertEquals(0, self.exit(), self.output());
            JsonNode idJson = new ObjectMapper().readTree(self.output());
            assertEquals(id, idJson.get("peerId").asText());
            assertEquals("/ip4/127.0.0.1/tcp/0", idJson.get("listen").get(0).asText());

            // a peer that is not there: a clear error and exit status 1, no stack trace
            Tool unreachable = Tool.run("p2p", "ping", "/ip4/127.0.0.1/tcp/1/p2p/" + id, "--timeout", "5");
            assertEquals(1, unreachable.exit(), unreachable.output());
            assertTrue(unreachable.output().startsWith("weft p2p: connecting to"), unreachable.output());
            Tool usage = Tool.run("p2p", "ping", "not-a-multiaddr");
            assertEquals(2, usage.exit(), usage.output());

            // the peer's Noise uses BoringSSL's ChaCha20-Poly1305 (Conscrypt) inside OSGi on this platform
            if (System.getProperty("os.name").toLowerCase().contains("linux") && System.getProperty("os.arch").equals("amd64")) {
                peer.awaitInOutput(Pattern.compile("ChaCha20-Poly1305 from BoringSSL"), START_TIMEOUT);
            }
            peer.terminate();
            assertEquals(SIGTERM_EXIT, peer.waitFor(STOP_TIMEOUT), peer.output());
        }
    }

    /** One run of {@code bin/weft} with {@code args}, to its end: exit status and everything it printed. */
    record Tool(int exit, String output) {
        static Tool run(String... args) throws Exception {
            List<String> cmd = new ArrayList<>(List.of("bash", Distribution.launcher().toString()));
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("bin/weft " + String.join(" ", args) + " did not end:\n" + out);
            }
            return new Tool(p.exitValue(), out);
        }
    }

    @Test
    void corruptIdentityFailsWithAClearErrorNamingTheFile() throws Exception {
        Path repo = Files.createDirectories(Distribution.workDir("corrupt").resolve("repo"));
        Path identity = Files.write(repo.resolve("identity.key"), new byte[] {0x08, 0x01, 0x12, 0x40, 1, 2, 3});
        try (PeerProcess peer = PeerProcess.start(repo, "-Dweft.exitAfterStart=true")) {
            peer.await(Pattern.compile("CorruptDataException: identity file " + Pattern.quote(identity.toString())
                    + " is corrupt"), START_TIMEOUT);
            assertFalse(STARTED.matcher(peer.output()).find(), "the peer must not start");
            peer.terminate();
            peer.waitFor(STOP_TIMEOUT);
        }
        assertEquals(7, Files.size(identity), "the file is left untouched");
    }
}
