package io.weft.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
