package io.weft.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The bundles are also JPMS modules: the distribution's Weft bundles plus their library bundles, on the module
 * path of a plain JVM (no OSGi), serve an app on the class path through {@link java.util.ServiceLoader}.
 */
class ModulePathIT {

    @Test
    void bundlesWorkAsModulesOnTheModulePath() throws Exception {
        Path work = Distribution.workDir("module-path");
        List<String> modules = new ArrayList<>();
        for (Distribution.RunBundle b : Distribution.runBundles(work.resolve("bundles"))) {
            String bsn = b.symbolicName();
            if (bsn.equals("io.weft.api") || bsn.equals("io.weft.core") || bsn.startsWith("io.weft.store")
                    || bsn.startsWith("com.fasterxml.jackson.core") || bsn.equals("bcprov")
                    || bsn.equals("io.weft.transport-libp2p") || bsn.startsWith("io.netty.")
                    || bsn.equals("com.google.protobuf")) {
                modules.add(b.file().toString());
            }
        }
        // the distribution logs through pax-logging; a plain JVM uses the real slf4j-api module
        Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(p -> p.matches(".*/slf4j-api-[0-9.]+\\.jar"))
                .forEach(modules::add);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java,
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "--module-path", String.join(File.pathSeparator, modules),
                "--add-modules", "ALL-MODULE-PATH",
                "-cp", Path.of(ModulePathProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString(),
                ModulePathProbe.class.getName(), work.toString())
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe did not exit");
        assertEquals(0, p.exitValue(), () -> "probe failed with module path " + modules + ":\n" + out);
        List<String> lines = out.lines().filter(l -> l.matches("^(store|engines|record|transport) .*")).collect(Collectors.toList());
        assertTrue(lines.contains("store memory module=io.weft.store.memory value=42"), out);
        assertTrue(lines.contains("store xodus module=io.weft.store.xodus value=42"), out);
        assertTrue(lines.contains("engines [memory, xodus]"), out);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("record bafy") && l.endsWith("module=io.weft.core")), out);
        assertTrue(lines.contains("transport libp2p module=io.weft.transport.libp2p remote=true agent=weft/0.1.0"), out);
    }
}
