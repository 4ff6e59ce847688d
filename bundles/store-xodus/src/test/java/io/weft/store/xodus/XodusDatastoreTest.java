package io.weft.store.xodus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.api.InvalidInputException;
import io.weft.api.StorageException;
import io.weft.api.store.Datastore;
import io.weft.api.store.DatastoreConformanceTest;
import io.weft.api.store.DatastoreProvider;
import io.weft.api.store.KeyRange;
import io.weft.api.store.ReadTxn;
import io.weft.api.store.WriteTxn;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import jetbrains.exodus.ArrayByteIterable;
import jetbrains.exodus.env.Environment;
import jetbrains.exodus.env.EnvironmentConfig;
import jetbrains.exodus.env.Environments;
import jetbrains.exodus.env.StoreConfig;
import org.junit.jupiter.api.Test;

/** The conformance suite against {@link XodusDatastore} with fsync on (the default), plus Xodus specifics. */
class XodusDatastoreTest extends DatastoreConformanceTest {

    protected XodusOptions options() {
        return XodusOptions.DEFAULTS;
    }

    @Override
    protected Datastore open(Path dir) {
        return new XodusDatastore(dir, options());
    }

    @Override
    protected boolean durable() {
        return true;
    }

    @Test
    void anExceptionMidwayLeavesTheStoreExactlyAsBeforeAfterReopen() {
        store.update(t -> {
            for (int i = 0; i < 500; i++) {
                t.put(s(String.format("doc/%04d", i)), s("v" + i));
            }
        });
        List<String> before = committed();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.update(t -> {
            for (int i = 0; i < 500; i += 2) {
                t.put(s(String.format("doc/%04d", i)), s("changed"));
            }
            t.deleteRange(KeyRange.between(s("doc/0100"), s("doc/0300")));
            for (int i = 0; i < 2_000; i++) {
                t.put(s(String.format("new/%05d", i)), new byte[64]);
            }
            throw new IllegalStateException("midway");
        }));
        assertEquals("midway", e.getMessage());
        assertEquals(before, committed());
        store.close();
        store = reopen(dir);
        assertEquals(before, committed());
        assertEquals(500, store.read(t -> keys(t, KeyRange.prefix(s("doc/")), false)).size());
        assertEquals(List.of(), store.read(t -> keys(t, KeyRange.prefix(s("new/")), false)));
    }

    @Test
    void xodusItselfOrdersKeysAsUnsignedBytes() {
        // the engine's scans rely on this: check it against a raw Xodus environment
        Path raw = dir.resolve("raw");
        Environment env = Environments.newInstance(raw.toFile(), new EnvironmentConfig().setGcEnabled(false));
        try {
            List<String> order = env.computeInExclusiveTransaction(t -> {
                var st = env.openStore("probe", StoreConfig.WITHOUT_DUPLICATES, t);
                for (byte[] k : List.of(b(0xff), b(0x80), b(0x7f), b(0x00), b(0x00, 0x00), b(0x01))) {
                    st.put(t, new ArrayByteIterable(k), new ArrayByteIterable(k));
                }
                List<String> keys = new java.util.ArrayList<>();
                try (var c = st.openCursor(t)) {
                    while (c.getNext()) {
                        keys.add(hex(XodusReadTxn.copyOut(c.getKey())));
                    }
                }
                return keys;
            });
            assertEquals(List.of("00", "0000", "01", "7f", "80", "ff"), order);
        } finally {
            env.close();
        }
    }

    @Test
    void aSecondOpenOfTheSameDirectoryFails() {
        StorageException e = assertThrows(StorageException.class, () -> new XodusDatastore(dir, options()));
        assertTrue(e.getMessage().contains("cannot open"), e.getMessage());
        store.update(t -> t.put(s("still"), s("works")));
        assertArrayEquals(s("works"), store.read(t -> t.get(s("still"))));
    }

    @Test
    void closingWithOpenTransactionsAbortsThem() {
        store.update(t -> t.put(s("a"), s("1")));
        ReadTxn reader = store.beginRead();
        WriteTxn writer = store.beginWrite();
        writer.put(s("a"), s("lost"));
        store.close();
        assertThrows(StorageException.class, () -> reader.get(s("a")));
        assertThrows(StorageException.class, writer::commit);
        writer.close();
        reader.close();
        store = reopen(dir);
        assertArrayEquals(s("1"), store.read(t -> t.get(s("a"))));
    }

    @Test
    void providerIsFoundByServiceLoaderAndValidatesOptions() throws Exception {
        DatastoreProvider provider = ServiceLoader.load(DatastoreProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.engine().equals("xodus"))
                .findFirst().orElseThrow();
        Path other = Files.createDirectories(dir.resolve("via-provider"));
        try (Datastore ds = provider.open(other, Map.of("fsync", "false", "gcEnabled", "false",
                "cacheMemoryPercent", "10"))) {
            assertInstanceOf(XodusDatastore.class, ds);
            assertEquals("xodus", ds.engine());
            ds.update(t -> t.put(s("k"), s("v")));
        }
        try (Datastore ds = provider.open(other, Map.of())) {
            assertArrayEquals(s("v"), ds.read(t -> t.get(s("k"))));
        }
        InvalidInputException unknown = assertThrows(InvalidInputException.class,
                () -> provider.open(other, Map.of("password", "hunter2-secret")));
        assertTrue(unknown.getMessage().contains("'password'"), unknown.getMessage());
        assertFalse(unknown.getMessage().contains("hunter2"), "values are never echoed");
        InvalidInputException badBool = assertThrows(InvalidInputException.class,
                () -> provider.open(other, Map.of("fsync", "yes-secret")));
        assertTrue(badBool.getMessage().contains("'fsync'"));
        assertFalse(badBool.getMessage().contains("yes-secret"));
        InvalidInputException badInt = assertThrows(InvalidInputException.class,
                () -> provider.open(other, Map.of("cacheMemoryPercent", "lots")));
        assertTrue(badInt.getMessage().contains("'cacheMemoryPercent'"));
        assertFalse(badInt.getMessage().contains("lots"));
        assertThrows(InvalidInputException.class, () -> provider.open(other, Map.of("cacheMemoryPercent", "95")));
        assertThrows(InvalidInputException.class, () -> provider.open(null, Map.of()));
    }

    @Test
    void optionsParseDefaultsAndRoundTrip() {
        assertEquals(XodusOptions.DEFAULTS, XodusOptions.parse(Map.of()));
        assertEquals(XodusOptions.DEFAULTS, XodusOptions.parse(null));
        XodusOptions custom = new XodusOptions(false, false, 40, 64);
        assertEquals(custom, XodusOptions.parse(custom.toMap()));
        assertEquals(new XodusOptions(false, true, 25, 16), XodusOptions.parse(Map.of("fsync", " FALSE ")));
        assertEquals(List.of("fsync", "gcEnabled", "cacheMemoryPercent", "treePageSize"), XodusOptions.KEYS);
        assertThrows(InvalidInputException.class, () -> XodusOptions.parse(Map.of("treePageSize", "8")));
        assertThrows(InvalidInputException.class, () -> XodusOptions.parse(Map.of("treePageSize", "2048")));
    }

    /** A configuration as the framework would pass it. */
    private record Config(String directory, boolean fsync, boolean gcEnabled, int cacheMemoryPercent, int treePageSize)
            implements XodusConfig {
        @Override
        public Class<? extends Annotation> annotationType() {
            return XodusConfig.class;
        }
    }

    @Test
    void componentOpensTheConfiguredDirectoryAndIgnoresConsumerClose() {
        Path configured = dir.resolve("component");
        XodusDatastoreComponent component = new XodusDatastoreComponent(
                new Config(configured.toString(), false, true, 25, 16));
        try {
            assertEquals("xodus", component.engine());
            component.update(t -> t.put(s("a"), s("1")));
            component.close(); // a consumer cannot close the shared service
            assertArrayEquals(s("1"), component.read(t -> t.get(s("a"))));
        } finally {
            component.deactivate();
        }
        assertThrows(StorageException.class, component::beginRead);
        try (Datastore reopened = new XodusDatastore(configured, XodusOptions.DEFAULTS)) {
            assertArrayEquals(s("1"), reopened.read(t -> t.get(s("a"))));
        }
    }

    @Test
    void componentDirectoryDefaultsToTheRepoOrTheHomeDirectory() {
        assertEquals(Path.of("/data/store"), XodusDatastoreComponent.resolveDirectory(" /data/store "));
        String saved = System.getProperty(XodusDatastoreComponent.REPO_PROPERTY);
        try {
            System.setProperty(XodusDatastoreComponent.REPO_PROPERTY, "/srv/weft");
            assertEquals(Path.of("/srv/weft", "store"), XodusDatastoreComponent.resolveDirectory(""));
            System.clearProperty(XodusDatastoreComponent.REPO_PROPERTY);
            assertEquals(Path.of(System.getProperty("user.home"), ".weft", "store"),
                    XodusDatastoreComponent.resolveDirectory(""));
        } finally {
            if (saved == null) {
                System.clearProperty(XodusDatastoreComponent.REPO_PROPERTY);
            } else {
                System.setProperty(XodusDatastoreComponent.REPO_PROPERTY, saved);
            }
        }
    }
}
