package io.weft.peer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.api.CorruptDataException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostIdentityTest {

    @TempDir
    Path tmp;

    @Test
    void createdOnFirstStartAndReusedOnTheNext() throws Exception {
        Path dir = tmp.resolve("repo");

        IdentityFile first = Repo.open(dir).identity();
        assertTrue(first.created());
        Path file = dir.resolve("identity.key");
        assertTrue(Files.isRegularFile(file));
        byte[] stored = Files.readAllBytes(file);
        assertEquals(68, stored.length);
        assertArrayEquals(new byte[] {0x08, 0x01, 0x12, 0x40}, java.util.Arrays.copyOf(stored, 4));
        assertArrayEquals(first.privateKey().marshal(), stored);
        assertTrue(first.peerId().toString().startsWith("12D3KooW"), first.peerId().toString());

        IdentityFile second = Repo.open(dir).identity();
        assertFalse(second.created());
        assertEquals(first.peerId(), second.peerId());
        assertEquals(first.peerId().toString(), second.peerId().toString());
        assertArrayEquals(stored, Files.readAllBytes(file), "the file is not rewritten");
        assertEquals(1, countFiles(dir), "no temp files left behind");
    }

    @Test
    void concurrentFirstStartsAgreeOnOneIdentity() throws Exception {
        Path file = tmp.resolve("identity.key");
        int n = 8;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            java.util.List<java.util.concurrent.Future<IdentityFile>> results = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return IdentityFile.loadOrCreate(file);
                }));
            }
            go.countDown();
            java.util.Set<String> ids = new java.util.HashSet<>();
            for (var f : results) {
                ids.add(f.get().peerId().toString());
            }
            assertEquals(1, ids.size(), "all callers see the same identity: " + ids);
            assertEquals(ids.iterator().next(), IdentityFile.load(file).peerId().toString());
            assertEquals(1, countFiles(tmp), "no temp files left behind");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void identityFileIsOwnerOnly() throws Exception {
        Path file = tmp.resolve("identity.key");
        IdentityFile.loadOrCreate(file);
        if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
            assertEquals(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                    Files.getPosixFilePermissions(file));
            assertFalse(IdentityFile.isReadableByOthers(file));
            Files.setPosixFilePermissions(file, Set.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE, PosixFilePermission.OTHERS_READ));
            assertTrue(IdentityFile.isReadableByOthers(file));
        }
    }

    @Test
    void distinctReposGetDistinctIdentities() {
        IdentityFile a = IdentityFile.loadOrCreate(tmp.resolve("a.key"));
        IdentityFile b = IdentityFile.loadOrCreate(tmp.resolve("b.key"));
        assertNotEquals(a.peerId(), b.peerId());
    }

    @Test
    void wrongLengthIsRejectedAndLeftUntouched() throws Exception {
        byte[] good = goodKeyBytes();
        for (int len : new int[] {0, 1, 4, 36, 67, 69, 100, 5000}) {
            byte[] content = java.util.Arrays.copyOf(good, len);
            Path file = tmp.resolve("len-" + len + ".key");
            Files.write(file, content);
            CorruptDataException e = assertThrows(CorruptDataException.class, () -> IdentityFile.loadOrCreate(file));
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("68"), e.getMessage());
            assertNoKeyBytes(e, good);
            assertArrayEquals(content, Files.readAllBytes(file), "file left untouched");
        }
    }

    @Test
    void badHeaderIsRejected() throws Exception {
        byte[] content = goodKeyBytes();
        content[3] = 0x20; // claims a 32-byte key
        Path file = tmp.resolve("identity.key");
        Files.write(file, content);
        CorruptDataException e = assertThrows(CorruptDataException.class, () -> IdentityFile.load(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertNoKeyBytes(e, content);
        assertArrayEquals(content, Files.readAllBytes(file));

        byte[] rsa = goodKeyBytes();
        rsa[1] = 0x00; // key type RSA
        Files.write(file, rsa);
        assertThrows(CorruptDataException.class, () -> IdentityFile.load(file));
    }

    @Test
    void publicHalfNotMatchingSeedIsRejected() throws Exception {
        byte[] content = goodKeyBytes();
        content[67] ^= 0x01; // flip a bit of the stored public key
        Path file = tmp.resolve("identity.key");
        Files.write(file, content);
        CorruptDataException e = assertThrows(CorruptDataException.class, () -> IdentityFile.loadOrCreate(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertNoKeyBytes(e, content);
        assertArrayEquals(content, Files.readAllBytes(file), "file left untouched");
    }

    @Test
    void directoryInPlaceOfTheFileIsRejected() throws Exception {
        Path file = Files.createDirectory(tmp.resolve("identity.key"));
        assertThrows(CorruptDataException.class, () -> IdentityFile.loadOrCreate(file));
        assertTrue(Files.isDirectory(file));
    }

    private byte[] goodKeyBytes() throws Exception {
        Path file = tmp.resolve("source-" + System.nanoTime() + ".key");
        IdentityFile.loadOrCreate(file);
        byte[] bytes = Files.readAllBytes(file);
        Files.delete(file);
        return bytes;
    }

    private static void assertNoKeyBytes(Throwable e, byte[] key) {
        HexFormat hex = HexFormat.of();
        String seedHex = hex.formatHex(key, 4, Math.min(key.length, 36));
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toLowerCase();
            if (seedHex.length() >= 16) {
                assertFalse(m.contains(seedHex.substring(0, 16)), "message leaks key bytes: " + m);
            }
        }
    }

    private static long countFiles(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.count();
        }
    }
}
