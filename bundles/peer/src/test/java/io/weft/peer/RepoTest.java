package io.weft.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.api.InvalidInputException;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepoTest {

    @TempDir
    Path tmp;

    @Test
    void defaultLocationIsDotWeftInHome() {
        assertEquals(tmp.resolve(".weft"), Repo.location(null, tmp.toString()));
        assertEquals(tmp.resolve(".weft"), Repo.location("  ", tmp.toString()));
    }

    @Test
    void configuredLocationWinsAndTildeMeansHome() {
        assertEquals(tmp.resolve("elsewhere"), Repo.location(tmp.resolve("elsewhere").toString(), "/nowhere"));
        assertEquals(tmp.resolve("r/x"), Repo.location("~/r/x", tmp.toString()));
        assertEquals(tmp.resolve("b"), Repo.location(tmp + "/a/../b", "/nowhere"));
        assertTrue(Repo.location("relative/dir", tmp.toString()).isAbsolute());
    }

    @Test
    void openCreatesMissingDirectories() {
        Path dir = tmp.resolve("a/b/repo");
        Repo repo = Repo.open(dir);
        assertTrue(Files.isDirectory(dir));
        assertEquals(dir, repo.dir());
        assertEquals(dir.resolve("identity.key"), repo.identityFile());
        assertEquals(dir.resolve("store"), repo.storeDir());
        // opening again is fine
        assertEquals(dir, Repo.open(dir).dir());
    }

    @Test
    void openRejectsAFile() throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Repo.open(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }
}
