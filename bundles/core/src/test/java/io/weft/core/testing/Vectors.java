package io.weft.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Locates and reads the shared test vectors ({@code shared/vectors/} next to the repository). */
public final class Vectors {
    private Vectors() {
    }

    /** The {@code shared/vectors} directory, found by walking up from the working directory. */
    public static Path dir() {
        Path p = Path.of("").toAbsolutePath();
        for (Path d = p; d != null; d = d.getParent()) {
            Path candidate = d.resolve("shared").resolve("vectors");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("test vectors not found: no shared/vectors directory above " + p
                + " (expected e.g. /work/shared/vectors next to /work/main)");
    }

    /** A file in the vectors directory, which must exist. */
    public static Path file(String name) {
        Path f = dir().resolve(name);
        if (!Files.isRegularFile(f)) {
            throw new IllegalStateException("test vector file missing: " + f);
        }
        return f;
    }

    /**
     * records.txt as label → value: each non-comment line {@code label = value}, split at the first {@code " = "}.
     */
    public static Map<String, String> records() {
        try {
            List<String> lines = Files.readAllLines(file("records.txt"), StandardCharsets.UTF_8);
            Map<String, String> out = new LinkedHashMap<>();
            for (String line : lines) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                int i = line.indexOf(" = ");
                if (i < 0) {
                    continue;
                }
                out.put(line.substring(0, i).trim(), line.substring(i + 3).trim());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value of {@code label} in records.txt; fails clearly if absent. */
    public static String record(Map<String, String> records, String label) {
        String v = records.get(label);
        if (v == null) {
            throw new IllegalStateException("records.txt has no line \"" + label + " = …\"");
        }
        return v;
    }

    public static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    public static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** 32 bytes {@code from, from+1, …}. */
    public static byte[] range32(int from) {
        byte[] b = new byte[32];
        for (int i = 0; i < 32; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    /** 12 bytes of {@code v}. */
    public static byte[] nonce(int v) {
        byte[] b = new byte[12];
        java.util.Arrays.fill(b, (byte) v);
        return b;
    }
}
