package io.weft.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemPackages;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.workingDirectory;

import io.weft.api.crypto.PrivateKey;
import io.weft.api.log.AppendResult;
import io.weft.api.log.LogService;
import io.weft.api.log.Logstore;
import io.weft.api.store.Datastore;
import io.weft.api.store.ReadTxn;
import io.weft.api.thread.ThreadId;
import io.weft.core.cbor.CborValue;
import io.weft.core.cbor.DagCbor;
import io.weft.core.crypto.Ed25519;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.SatisfiedReferenceDTO;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Boots the distribution's bundle set (the run bundles of weft.jar) in Felix and checks that the core
 * services are registered and work.
 *
 * <p>Extension point: as more services land (logstore books, key/record services, the thread service), add
 * a test here that obtains the service with {@link #service(Class, String)} and exercises one real operation.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class WeftFrameworkIT {

    /** System packages the distribution adds (weft.bndrun -runsystempackages). */
    static final String[] SYSTEM_PACKAGES = {"sun.misc", "sun.nio.ch", "com.sun.management", "com.sun.nio.file"};
    static final long TIMEOUT_MS = 20_000;

    @Inject
    BundleContext context;

    @Configuration
    public Option[] config() throws Exception {
        Path work = Distribution.workDir("framework");
        Path repo = Files.createDirectories(work.resolve("repo"));
        Path conf = Files.createDirectories(work.resolve("conf"));
        List<Option> options = new ArrayList<>();
        int defaultLevel = 0;
        List<Distribution.RunBundle> bundles = Distribution.runBundles(work.resolve("bundles"));
        for (Distribution.RunBundle b : bundles) {
            defaultLevel = Math.max(defaultLevel, b.startLevel());
        }
        for (Distribution.RunBundle b : bundles) {
            // keep the distribution's order (logging, then config admin and file install, then the rest) within
            // Pax Exam's levels: its own bundles start at 2, the test probe at 5
            int level = b.startLevel() <= 1 ? 1 : b.startLevel() < defaultLevel ? 2 : 3;
            options.add(bundle(b.file().toUri().toString()).startLevel(level));
        }
        options.add(junitBundles());
        options.add(systemPackages(SYSTEM_PACKAGES));
        options.add(systemProperty("weft.repo").value(repo.toString()));
        options.add(frameworkProperty("felix.fileinstall.dir").value(conf.toString()));
        options.add(frameworkProperty("felix.fileinstall.noInitialDelay").value("true"));
        options.add(frameworkProperty("felix.fileinstall.enableConfigSave").value("false"));
        options.add(frameworkProperty("felix.fileinstall.filter").value(".*\\.(cfg|config)"));
        options.add(frameworkProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("INFO"));
        options.add(cleanCaches());
        options.add(workingDirectory(work.resolve("felix").toString()));
        return options.toArray(new Option[0]);
    }

    @Test
    public void everyDistributionBundleIsActive() {
        List<String> notActive = Arrays.stream(context.getBundles())
                .filter(b -> b.getHeaders().get(Constants.FRAGMENT_HOST) == null)
                .filter(b -> b.getState() != Bundle.ACTIVE)
                .map(b -> b.getSymbolicName() + " state=" + b.getState())
                .collect(Collectors.toList());
        assertTrue("bundles not active: " + notActive, notActive.isEmpty());
        for (String bsn : List.of("io.weft.api", "io.weft.core", "io.weft.store-xodus", "io.weft.store-memory",
                "io.weft.logstore", "io.weft.peer", "org.apache.felix.scr", "org.apache.felix.configadmin",
                "org.apache.felix.fileinstall", "org.ops4j.pax.logging.pax-logging-api")) {
            assertNotNull("bundle " + bsn + " is installed", installedBundle(bsn));
        }
    }

    @Test
    public void xodusDatastoreWritesAndReadsBack() {
        writeThenRead(service(Datastore.class, "(weft.store=xodus)"), "xodus");
    }

    @Test
    public void memoryDatastoreWritesAndReadsBack() {
        writeThenRead(service(Datastore.class, "(weft.store=memory)"), "memory");
    }

    @Test
    public void peerHostIsActiveOnXodusWithAPersistedIdentity() throws Exception {
        ServiceComponentRuntime scr = service(ServiceComponentRuntime.class, null);
        ComponentConfigurationDTO peer = activeConfiguration(scr, "io.weft.peer", "io.weft.peer.PeerHost");
        SatisfiedReferenceDTO store = Arrays.stream(peer.satisfiedReferences)
                .filter(r -> r.name.equals("store")).findFirst().orElseThrow();
        assertEquals("(weft.store=xodus)", store.target);
        assertEquals(1, store.boundServices.length);
        assertEquals("xodus", store.boundServices[0].properties.get("weft.store"));

        Path identity = Path.of(System.getProperty("weft.repo"), "identity.key");
        assertTrue(identity + " exists", Files.isRegularFile(identity));
        byte[] bytes = Files.readAllBytes(identity);
        assertEquals(68, bytes.length);
        assertArrayEquals(new byte[] {0x08, 0x01, 0x12, 0x40}, Arrays.copyOf(bytes, 4));
    }

    @Test
    public void shutdownHookIsActive() {
        ServiceComponentRuntime scr = service(ServiceComponentRuntime.class, null);
        activeConfiguration(scr, "io.weft.peer", "io.weft.peer.ShutdownHook");
    }

    @Test
    public void logServiceAppendsAndOpensRecordsOnTheDefaultStore() {
        LogService logs = service(LogService.class, null);
        Logstore logstore = service(Logstore.class, null);
        ThreadId thread = ThreadId.newRandom();
        logs.createThread(thread, null);
        assertTrue(logstore.hasThread(thread));
        assertTrue(logstore.keyBook().threadKey(thread).isPresent());

        PrivateKey identity = Ed25519.generate();
        byte[] body1 = DagCbor.encode(CborValue.map("msg", CborValue.text("first, from the itests")));
        byte[] body2 = DagCbor.encode(CborValue.map("msg", CborValue.text("second")));
        AppendResult first = logs.createRecord(thread, identity, body1);
        AppendResult second = logs.createRecord(thread, identity, body2);
        assertTrue(first.added());
        assertEquals(first.log(), second.log());
        assertEquals(first.record().id(), second.record().prev().orElseThrow());
        assertEquals(List.of(first.log()), logstore.logs(thread));
        assertEquals(2, logs.records(thread, first.log(), null, 10).size());
        assertArrayEquals(body1, logs.openRecord(thread, first.record().id()).body());
        assertArrayEquals(body2, logs.openRecord(thread, second.record().id()).body());

        assertTrue(logs.deleteThread(thread));
        assertFalse(logstore.hasThread(thread));
    }

    // Extension point: add one test per new core service (thread service, database, ...) here, exercising a real
    // operation through the service registry, as the tests above do.

    // ---------------------------------------------------------------------------------------------------------

    private static void writeThenRead(Datastore store, String engine) {
        assertEquals(engine, store.engine());
        byte[] key = ("itest/" + engine + "/key").getBytes(StandardCharsets.UTF_8);
        byte[] value = ("value written through the " + engine + " service").getBytes(StandardCharsets.UTF_8);
        store.update(txn -> txn.put(key, value));
        byte[] read = store.read(txn -> txn.get(key));
        assertArrayEquals(value, read);
        try (ReadTxn txn = store.beginRead()) {
            assertTrue(txn.has(key));
        }
        store.update(txn -> assertTrue(txn.delete(key)));
        assertNull(store.read(txn -> txn.get(key)));
    }

    /** Waits for a service of {@code type} matching {@code filter} (may be null), failing after a deadline. */
    <T> T service(Class<T> type, String filter) {
        String f = "(" + Constants.OBJECTCLASS + "=" + type.getName() + ")";
        return type.cast(waitForFilter(filter == null ? f : "(&" + f + filter + ")"));
    }

    private Object waitForFilter(String filter) {
        ServiceTracker<Object, Object> tracker;
        try {
            tracker = new ServiceTracker<>(context, FrameworkUtil.createFilter(filter), null);
        } catch (InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
        tracker.open();
        try {
            Object s = tracker.waitForService(TIMEOUT_MS);
            if (s == null) {
                fail("no service " + filter + " within " + TIMEOUT_MS + " ms; services: " + services());
            }
            return s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The active configuration of component {@code name}. Waits (with a deadline) for the peer to be up first:
     * its service is registered once it has activated, and the bundle's other components activate before it.
     */
    private ComponentConfigurationDTO activeConfiguration(ServiceComponentRuntime scr, String bsn, String name) {
        waitForFilter("(" + Constants.OBJECTCLASS + "=io.weft.peer.PeerHost)");
        Bundle b = installedBundle(bsn);
        assertNotNull(bsn, b);
        ComponentDescriptionDTO desc = scr.getComponentDescriptionDTO(b, name);
        assertNotNull("component " + name, desc);
        for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(desc)) {
            if (c.state == ComponentConfigurationDTO.ACTIVE) {
                return c;
            }
        }
        throw new AssertionError("component " + name + " is not active: " + describe(scr.getComponentConfigurationDTOs(desc)));
    }

    private static String describe(java.util.Collection<ComponentConfigurationDTO> configs) {
        return configs.stream().map(c -> "state=" + c.state + " unsatisfied="
                + Arrays.stream(c.unsatisfiedReferences).map(r -> r.name + " " + r.target).collect(Collectors.toList())
                + (c.failure != null ? " failure=" + c.failure : "")).collect(Collectors.joining("; "));
    }

    private Bundle installedBundle(String bsn) {
        return Arrays.stream(context.getBundles()).filter(b -> bsn.equals(b.getSymbolicName())).findFirst().orElse(null);
    }

    private String services() {
        try {
            ServiceReference<?>[] refs = context.getAllServiceReferences(null, null);
            return refs == null ? "[]" : Arrays.stream(refs).map(r -> {
                Object oc = r.getProperty(Constants.OBJECTCLASS);
                Map<String, Object> m = Map.of("objectClass", Arrays.toString((String[]) oc));
                return m.toString() + (r.getProperty("weft.store") != null ? " weft.store=" + r.getProperty("weft.store") : "");
            }).collect(Collectors.joining(", "));
        } catch (Exception e) {
            return e.toString();
        }
    }
}
