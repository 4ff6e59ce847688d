package io.weft.itests;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The built distribution ({@code ../distribution}): its {@code bin/weft} launcher and the run bundles inside
 * {@code target/weft.jar}, read from the jar's {@code launcher.properties} so that the framework tests boot
 * exactly the bundle set that ships. Runs outside the framework only.
 */
final class Distribution {

    /** One run bundle of weft.jar: symbolic name, start level in the distribution, and where it was extracted. */
    record RunBundle(String symbolicName, int startLevel, Path file) {}

    private Distribution() {}

    /** {@code ../distribution}, from the system property Failsafe sets. */
    static Path dir() {
        String d = System.getProperty("weft.distribution.dir");
        Path dir = d != null ? Path.of(d) : Path.of("..", "distribution");
        return dir.toAbsolutePath().normalize();
    }

    static Path jar() {
        Path jar = dir().resolve("target/weft.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: build the distribution first "
                    + "(mvn verify from the repository root, or mvn verify -pl itests -am)");
        }
        return jar;
    }

    static Path launcher() {
        return dir().resolve("bin/weft");
    }

    /** A scratch directory under target/it-work. */
    static Path workDir(String name) throws IOException {
        String w = System.getProperty("weft.itests.work");
        Path base = w != null ? Path.of(w) : Path.of("target", "it-work");
        Files.createDirectories(base);
        return Files.createTempDirectory(base.toAbsolutePath(), name + "-");
    }

    /**
     * Extracts the run bundles of weft.jar (all but the OSGi framework) into {@code into}, in the
     * distribution's start order (by start level, then as listed).
     */
    static List<RunBundle> runBundles(Path into) {
        try (ZipFile zip = new ZipFile(jar().toFile())) {
            Properties launch = new Properties();
            ZipEntry props = zip.getEntry("launcher.properties");
            if (props == null) {
                throw new IllegalStateException(jar() + " has no launcher.properties");
            }
            try (InputStream in = zip.getInputStream(props)) {
                launch.load(in);
            }
            Map<String, Integer> levels = startLevels(launch.getProperty("launch.runbundles.attrs", ""));
            int defaultLevel = Integer.parseInt(launch.getProperty("launch.startlevel.default", "1"));
            Files.createDirectories(into);
            List<RunBundle> out = new ArrayList<>();
            for (String path : launch.getProperty("launch.bundles", "").split(",")) {
                path = path.strip();
                if (path.isEmpty()) {
                    continue;
                }
                ZipEntry e = zip.getEntry(path);
                if (e == null) {
                    throw new IllegalStateException(jar() + " lists " + path + " but does not contain it");
                }
                Path file = into.resolve(Path.of(path).getFileName().toString());
                try (InputStream in = zip.getInputStream(e)) {
                    Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                }
                String bsn = symbolicName(file);
                out.add(new RunBundle(bsn, levels.getOrDefault(bsn, defaultLevel), file));
            }
            out.sort(Comparator.comparingInt(RunBundle::startLevel)); // stable: keeps the listed order within a level
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final Pattern ATTR = Pattern.compile("([^,;=\\s]+);version=\"[^\"]*\";startlevel=(\\d+)");

    private static Map<String, Integer> startLevels(String attrs) {
        Map<String, Integer> levels = new HashMap<>();
        Matcher m = ATTR.matcher(attrs);
        while (m.find()) {
            levels.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        return levels;
    }

    private static String symbolicName(Path bundle) throws IOException {
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(bundle.toFile())) {
            String bsn = jar.getManifest().getMainAttributes().getValue("Bundle-SymbolicName");
            if (bsn == null) {
                throw new IllegalStateException(bundle + " is not a bundle (no Bundle-SymbolicName)");
            }
            int semi = bsn.indexOf(';');
            return (semi < 0 ? bsn : bsn.substring(0, semi)).strip();
        }
    }
}
