package io.weft.api.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HexFormat;
import java.util.List;

/**
 * Locates and reads the shared interoperability vectors ({@code shared/vectors}) by walking up from the working
 * directory (the module directory under Maven), so tests run from any checkout layout that keeps {@code shared}
 * beside or above the repository.
 */
public final class TestVectors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path dir;

    private TestVectors() {
    }

    /** The {@code shared/vectors} directory; fails the test with a clear message if there is none. */
    public static synchronized Path dir() {
        if (dir == null) {
            Path start = Paths.get("").toAbsolutePath();
            for (Path p = start; p != null; p = p.getParent()) {
                Path candidate = p.resolve("shared").resolve("vectors");
                if (Files.isDirectory(candidate)) {
                    dir = candidate;
                    return dir;
                }
            }
            throw new IllegalStateException("test vectors not found: no directory 'shared/vectors' in " + start
                    + " or any parent directory");
        }
        return dir;
    }

    /** A JSON vector file. */
    public static JsonNode json(String name) {
        try {
            return JSON.readTree(file(name).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read vector file " + name, e);
        }
    }

    /** The lines of a text vector file. */
    public static List<String> lines(String name) {
        try {
            return Files.readAllLines(file(name));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read vector file " + name, e);
        }
    }

    /** The first line of {@code records.txt} that starts with {@code prefix}. */
    public static String recordsLine(String prefix) {
        return lines("records.txt").stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("records.txt has no line starting with '" + prefix + "'"));
    }

    /** The whitespace-delimited token after {@code key} (e.g. {@code "bytes ="}) in {@code line}. */
    public static String after(String line, String key) {
        int i = line.indexOf(key);
        if (i < 0) {
            throw new AssertionError("'" + key + "' not in line: " + line);
        }
        String rest = line.substring(i + key.length()).trim();
        int end = rest.indexOf(' ');
        return end < 0 ? rest : rest.substring(0, end);
    }

    public static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    public static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private static Path file(String name) {
        Path f = dir().resolve(name);
        if (!Files.isRegularFile(f)) {
            throw new IllegalStateException("test vector file missing: " + f);
        }
        return f;
    }
}
