package io.weft.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemPackages;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.workingDirectory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.ConflictException;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.db.Change;
import io.weft.api.db.ChangeType;
import io.weft.api.db.Collection;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.Database;
import io.weft.api.db.DatabaseInfo;
import io.weft.api.db.DatabaseManager;
import io.weft.api.db.IndexConfig;
import io.weft.api.db.ListenFilter;
import io.weft.api.db.Query;
import io.weft.api.db.Subscription;
import io.weft.api.db.spi.EventCodec;
import io.weft.api.format.Varint;
import io.weft.api.format.Multiaddr;
import io.weft.api.log.Head;
import io.weft.api.net.Transport;
import io.weft.api.log.AppendResult;
import io.weft.api.log.LogService;
import io.weft.api.log.Logstore;
import io.weft.api.log.ThreadService;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.store.Cursor;
import io.weft.api.store.Datastore;
import io.weft.api.store.Entry;
import io.weft.api.store.KeyRange;
import io.weft.api.store.ReadTxn;
import io.weft.api.thread.HostIdentity;
import io.weft.api.thread.LogId;
import io.weft.api.thread.PeerId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadInvite;
import io.weft.core.cbor.CborValue;
import io.weft.core.cbor.DagCbor;
import io.weft.core.crypto.Ed25519;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
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
    static final String[] SYSTEM_PACKAGES = {"sun.misc", "sun.nio.ch", "com.sun.management", "com.sun.nio.file", "sun.security.x509"};
    static final long TIMEOUT_MS = 20_000;

    @Inject
    BundleContext context;

    @Configuration
    public Option[] config() throws Exception {
        Path work = Distribution.workDir("framework");
        Path repo = Files.createDirectories(work.resolve("repo"));
        Path conf = Files.createDirectories(work.resolve("conf"));
        // the transport listens on loopback with a free port, so that the test never collides with a running peer
        Files.writeString(conf.resolve("io.weft.transport.cfg"), "listen = /ip4/127.0.0.1/tcp/0\n");
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
                "io.weft.logstore", "io.weft.codec-jsonpatch", "io.weft.db", "io.weft.peer",
                "io.weft.transport-libp2p", "io.weft.net", "com.google.protobuf",
                "com.networknt.json-schema-validator", "com.fasterxml.jackson.dataformat.jackson-dataformat-yaml",
                "org.yaml.snakeyaml", "com.ethlo.time.itu",
                "org.apache.felix.scr", "org.apache.felix.configadmin",
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
    public void transportListensAsConfiguredAndNegotiatesNoise() throws Exception {
        Transport transport = service(Transport.class, "(listen=/ip4/127.0.0.1/tcp/0)");
        assertEquals(service(HostIdentity.class, null).peerId(), transport.localPeer());
        List<Multiaddr> listen = transport.listenAddresses();
        assertEquals(listen.toString(), 1, listen.size());
        assertEquals("127.0.0.1", listen.get(0).value(Multiaddr.Protocol.IP4).orElseThrow());
        int port = Integer.parseInt(listen.get(0).value(Multiaddr.Protocol.TCP).orElseThrow());
        assertTrue(port > 0);
        assertTrue(transport.protocols().toString(), transport.protocols().containsAll(
                List.of("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0", "/meshsub/1.1.0", "/floodsub/1.0.0")));
        // a raw TCP client: the listener answers multistream-select and agrees to /noise
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) TIMEOUT_MS);
            byte[] header = "/multistream/1.0.0\n".getBytes(StandardCharsets.UTF_8);
            byte[] noise = "/noise\n".getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream hello = new ByteArrayOutputStream();
            hello.write(header.length);
            hello.writeBytes(header);
            hello.write(noise.length);
            hello.writeBytes(noise);
            socket.getOutputStream().write(hello.toByteArray());
            byte[] answer = socket.getInputStream().readNBytes(hello.size());
            assertArrayEquals(hello.toByteArray(), answer);
        }
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

    @Test
    public void databaseManagerIsActiveOnItsLogServicesStore() {
        ServiceComponentRuntime scr = service(ServiceComponentRuntime.class, null);
        service(DatabaseManager.class, null);
        ComponentConfigurationDTO db = activeConfiguration(scr, "io.weft.db", "io.weft.db.component.DatabaseManagerComponent");
        ComponentConfigurationDTO logService = activeConfiguration(scr, "io.weft.logstore", "io.weft.logstore.LogServiceComponent");
        SatisfiedReferenceDTO dbStore = reference(db, "datastore");
        assertEquals("(weft.store=xodus)", dbStore.target);
        assertEquals(1, dbStore.boundServices.length);
        SatisfiedReferenceDTO logStore = reference(logService, "datastore");
        assertEquals("the database and its log service share one store", logStore.boundServices[0].id, dbStore.boundServices[0].id);
        assertEquals(1, reference(db, "hostIdentity").boundServices.length);
        assertTrue("the jsonpatch codec is bound", Arrays.stream(reference(db, "codec").boundServices)
                .anyMatch(s -> "jsonpatch".equals(s.properties.get("weft.codec"))));
    }

    @Test
    public void databaseCreatesQueriesRejectsListensAndDeletes() throws Exception {
        DatabaseManager dbs = service(DatabaseManager.class, null);
        service(EventCodec.class, "(weft.codec=jsonpatch)"); // the default codec of new databases (a dynamic reference)
        Datastore store = service(Datastore.class, "(weft.store=xodus)");
        LogService logs = service(LogService.class, null);
        HostIdentity host = service(HostIdentity.class, null);

        JsonNode schema = JSON.readTree("{\"type\":\"object\",\"required\":[\"name\"],\"properties\":{"
                + "\"name\":{\"type\":\"string\",\"minLength\":1},"
                + "\"age\":{\"type\":\"integer\",\"minimum\":0},"
                + "\"email\":{\"type\":\"string\"}}}");
        CollectionConfig persons = new CollectionConfig("Person", schema,
                List.of(IndexConfig.of("age"), IndexConfig.unique("email")));
        Database db = dbs.createDatabase("itest-people", List.of(persons));
        ThreadId id = db.id();
        assertTrue(dbs.listDatabases().stream().anyMatch(i -> i.id().equals(id)));
        DatabaseInfo info = dbs.databaseInfo(id);
        assertEquals("itest-people", info.name());
        assertEquals(List.of("Person"), db.listCollections().stream().map(CollectionConfig::name).collect(Collectors.toList()));
        assertEquals(List.of(IndexConfig.of("age"), IndexConfig.unique("email")), db.collection("Person").config().indexes());

        BlockingQueue<Change> received = new LinkedBlockingQueue<>();
        try (Subscription sub = db.listen(db.lastSequence(), List.of(ListenFilter.collection("Person")), received::add)) {
            Collection people = db.collection("Person");
            String ada = people.create("{\"name\":\"Ada\",\"age\":36,\"email\":\"ada@example.org\"}");
            // two creates in one transaction: one record
            List<String> pair = db.write(txn -> List.of(
                    txn.create("Person", "{\"name\":\"Bob\",\"age\":17,\"email\":\"bob@example.org\"}"),
                    txn.create("Person", "{\"_id\":\"cy\",\"name\":\"Cy\",\"age\":52,\"email\":\"cy@example.org\"}")));
            String bob = pair.get(0);
            assertEquals("cy", pair.get(1));
            assertTrue("a fresh id is a lower-case ULID: " + ada, ada.matches("[0-9a-hjkmnp-tv-z]{26}"));
            LogId log = logs.ownLog(id, host.publicKey()).orElseThrow().id();
            assertEquals("one record per transaction (plus the collections record)", 3,
                    logs.records(id, log, null, 100).size());

            ObjectNode found = people.findById(ada);
            assertEquals("Ada", found.get("name").asText());
            assertEquals(ada, found.get("_id").asText());
            assertTrue("_mod is set", found.get("_mod").isNumber());
            found.put("age", 37);
            people.save(found);
            assertEquals(37, people.findById(ada).get("age").asInt());

            // queries on the indexed paths; both indexes hold one entry per instance in the store
            assertEquals(List.of(ada, "cy"), ids(people.find(Query.where("age").ge(18).orderBy("age"))));
            assertEquals(List.of(37, 52), people.find(Query.where("age").ge(18).orderBy("age")).stream()
                    .map(n -> n.get("age").asInt()).collect(Collectors.toList()));
            assertEquals(List.of(bob), ids(people.find(Query.where("email").eq("bob@example.org"))));
            assertEquals(List.of(), ids(people.find(Query.where("age").gt(100))));
            assertEquals(3, count(store, indexPrefix(id, "Person", "age")));
            assertEquals(3, count(store, indexPrefix(id, "Person", "email")));

            // a schema violation (alone, or after a good write in the same transaction) and a unique index
            // violation write nothing: the whole store, the log head and the change sequence stay as they were
            List<Entry> before = scan(store, KeyRange.all());
            Head head = logs.logstore().headBook().head(id, log);
            long sequence = db.lastSequence();
            assertThrows(InvalidInputException.class, () -> people.create("{\"name\":\"Eve\",\"age\":-1}"));
            assertThrows(InvalidInputException.class, () -> people.create("{\"age\":30}"));
            assertThrows(InvalidInputException.class, () -> db.update(txn -> {
                txn.create("Person", "{\"name\":\"Fay\",\"age\":30}");
                txn.save("Person", "{\"_id\":\"cy\",\"name\":\"Cy\",\"age\":\"old\"}");
            }));
            assertThrows(ConflictException.class, () -> people.create("{\"name\":\"Ann\",\"email\":\"ada@example.org\"}"));
            assertEquals("the store is unchanged", before, scan(store, KeyRange.all()));
            assertEquals(head, logs.logstore().headBook().head(id, log));
            assertEquals(sequence, db.lastSequence());
            assertEquals(3, people.findAll().size());
            assertEquals(52, people.findById("cy").get("age").asInt());

            people.delete(bob);
            assertFalse(people.has(bob));
            assertThrows(NotFoundException.class, () -> people.findById(bob));
            assertEquals(2, count(store, indexPrefix(id, "Person", "age")));

            // the listener got every change of Person, in commit order, and nothing from the failed writes
            List<Change> changes = new ArrayList<>();
            while (changes.size() < 5) {
                Change c = received.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                assertNotNull("changes received so far: " + changes, c);
                changes.add(c);
            }
            assertEquals(List.of("CREATE " + ada, "CREATE " + bob, "CREATE cy", "SAVE " + ada, "DELETE " + bob),
                    changes.stream().map(c -> c.type() + " " + c.instanceId()).collect(Collectors.toList()));
            for (int i = 0; i < changes.size(); i++) {
                Change c = changes.get(i);
                assertEquals(id, c.database());
                assertEquals("Person", c.collection());
                if (i > 0) {
                    assertTrue("sequence numbers increase", c.sequence() > changes.get(i - 1).sequence());
                }
            }
            assertEquals(37, changes.get(3).instance().get("age").asInt());
            assertNull(changes.get(4).instance());
            assertEquals(ChangeType.DELETE, changes.get(4).type());
            assertEquals(db.lastSequence(), changes.get(4).sequence());
            Thread.sleep(200);
            assertTrue("nothing more: " + received, received.isEmpty());
            assertEquals(changes.get(4).sequence(), sub.position());
        }

        assertTrue(dbs.deleteDatabase(id));
        assertFalse(dbs.deleteDatabase(id));
        assertThrows(NotFoundException.class, () -> dbs.database(id));
        assertThrows(NotFoundException.class, () -> db.collection("Person").findAll());
        assertFalse(dbs.listDatabases().stream().anyMatch(i -> i.id().equals(id)));
        assertFalse("the thread is deleted with its records", logs.logstore().hasThread(id));
        assertEquals("no database data is left", 0, count(store, dbDataPrefix(id)));
    }

    @Test
    public void threadServiceIsActiveOnTheTransportAndTheLogService() {
        ServiceComponentRuntime scr = service(ServiceComponentRuntime.class, null);
        ThreadService threads = service(ThreadService.class, null);
        Transport transport = service(Transport.class, "(listen=/ip4/127.0.0.1/tcp/0)");
        ComponentConfigurationDTO net = activeConfiguration(scr, "io.weft.net", "io.weft.net.component.NetComponent");
        assertEquals(1, reference(net, "transport").boundServices.length);
        assertEquals(1, reference(net, "logService").boundServices.length);
        assertEquals(transport.localPeer(), threads.hostId());
        assertEquals(service(HostIdentity.class, null).peerId(), threads.hostId());
        assertTrue(transport.protocols().toString(), transport.protocols().contains("/weft/thread/1.0.0"));
        assertEquals(service(LogService.class, null).logstore().threads(), threads.logService().logstore().threads());
    }

    /**
     * The framework's thread service against a peer in plain Java (a {@code PlainPeer} loaded outside OSGi, see
     * {@link OutsidePeer}): the plain peer joins a thread created inside the framework from its invite, receives
     * the records written there through the framework's {@link LogService}, and its own records come back.
     */
    @Test
    public void threadServiceSyncsAThreadWithAPlainJavaPeer() throws Exception {
        ThreadService threads = service(ThreadService.class, null);
        LogService logs = service(LogService.class, null);
        Transport transport = service(Transport.class, "(listen=/ip4/127.0.0.1/tcp/0)");
        ThreadId id = ThreadId.newRandom();
        threads.createThread(id, null);
        assertTrue(logs.logstore().hasThread(id));
        PrivateKey identity = Ed25519.generate();
        List<String> written = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            written.add("inside " + i);
            logs.createRecord(id, identity, textBody("inside " + i));
        }
        LogId insideLog = logs.ownLog(id, identity.publicKey()).orElseThrow().id();

        ThreadInvite invite = threads.invite(id, false);
        String text = invite.text();
        ThreadInvite parsed = ThreadInvite.parse(text);
        assertEquals(id, parsed.threadId());
        assertEquals(List.of(threads.hostId()), parsed.peers());
        assertTrue(parsed.canRead());
        assertEquals(invite.addrs(), parsed.addrs());
        assertTrue("the invite names the listen address: " + parsed, parsed.addrs().stream().anyMatch(a -> a.toString()
                .startsWith(transport.listenAddresses().get(0) + "/p2p/" + threads.hostId() + "/thread/" + id)));
        String key = text.substring(text.lastIndexOf('#') + 1);
        assertFalse("toString() redacts the key", invite.toString().contains(key));
        assertFalse("a replica invite has the service key only", threads.invite(id, true).canRead());

        String thread = id.toString();
        try (OutsidePeer peer = new OutsidePeer()) {
            assertEquals(thread, peer.call("join", text));
            // addThread returns after the first pull from the invite's peer: everything is there already
            assertEquals(3L, peer.call("records", thread));
            assertEquals(List.of(insideLog.toString()), peer.call("logs", thread));

            // a record written in the framework afterwards reaches the joined peer (pushed, or pulled in a round)
            written.add("inside 4");
            logs.createRecord(id, identity, textBody("inside 4"));
            await("the plain peer has the 4th record", () -> (long) peer.call("records", thread) == 4);
            assertEquals("verified and opened, in log order", written, peer.call("texts", thread, insideLog.toString()));

            // and the plain peer's own records reach the framework's log service
            peer.call("write", thread, "outside 1");
            LogId outsideLog = LogId.parse((String) peer.call("ownLog", thread));
            await("the framework has the plain peer's record", () -> logs.logstore().logs(id).contains(outsideLog)
                    && logs.logstore().headBook().head(id, outsideLog).counter() == 1);
            RecordEnvelope outside = logs.records(id, outsideLog, null, 10).get(0);
            assertArrayEquals(textBody("outside 1"), logs.openRecord(id, outside.id()).body());
            assertTrue("the plain peer is a peer of the thread: " + threads.peers(id),
                    threads.peers(id).contains(PeerId.parse((String) peer.call("hostId"))));
        }
        assertTrue(threads.deleteThread(id));
        assertFalse(logs.logstore().hasThread(id));
    }

    private static byte[] textBody(String text) {
        return DagCbor.encode(CborValue.map("text", CborValue.text(text)));
    }

    /**
     * {@code io.weft.itests.PlainPeer} loaded by a plain class loader over this JVM's class path, so outside OSGi
     * (the net, logstore and transport bundles export no implementation packages), driven through reflection with
     * {@code java.*} arguments and results only.
     */
    static final class OutsidePeer implements AutoCloseable {
        private final URLClassLoader loader;
        private final Object peer;

        OutsidePeer() throws Exception {
            List<URL> urls = new ArrayList<>();
            for (String property : List.of("java.class.path", "surefire.test.class.path")) {
                for (String entry : System.getProperty(property, "").split(File.pathSeparator)) {
                    if (!entry.isBlank()) {
                        urls.add(Path.of(entry).toUri().toURL()); // a manifest-only jar brings its Class-Path along
                    }
                }
            }
            loader = new URLClassLoader("plain-peer", urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
            peer = inLoader(() -> loader.loadClass("io.weft.itests.PlainPeer").getConstructor().newInstance());
        }

        Object call(String name, Object... args) {
            for (Method m : peer.getClass().getMethods()) {
                if (m.getName().equals(name) && m.getParameterCount() == args.length) {
                    try {
                        return inLoader(() -> m.invoke(peer, args));
                    } catch (InvocationTargetException e) {
                        throw new AssertionError("PlainPeer." + name + " failed: " + e.getCause(), e.getCause());
                    } catch (Exception e) {
                        throw new AssertionError("PlainPeer." + name + " failed: " + e, e);
                    }
                }
            }
            throw new AssertionError("PlainPeer has no method " + name + " with " + args.length + " parameters");
        }

        private <T> T inLoader(java.util.concurrent.Callable<T> action) throws Exception {
            Thread t = Thread.currentThread();
            ClassLoader previous = t.getContextClassLoader();
            t.setContextClassLoader(loader);
            try {
                return action.call();
            } finally {
                t.setContextClassLoader(previous);
            }
        }

        /**
         * Closes the peer, not the class loader: with {@link URLClassLoader#close} here, the tests that ran after
         * this class in the same Failsafe JVM failed with NoClassDefFoundError for io.weft.api classes.
         */
        @Override
        public void close() {
            call("close");
        }
    }

    /** Polls {@code condition} until it holds, failing with {@code what} after {@link #TIMEOUT_MS}. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + TIMEOUT_MS + " ms waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    // Extension point: add one test per new core service (thread service, database, ...) here, exercising a real
    // operation through the service registry, as the tests above do.

    // ---------------------------------------------------------------------------------------------------------

    static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> ids(List<ObjectNode> instances) {
        return instances.stream().map(n -> n.get("_id").asText()).collect(Collectors.toList());
    }

    private static List<Entry> scan(Datastore store, KeyRange range) {
        return store.read(txn -> {
            List<Entry> out = new ArrayList<>();
            try (Cursor c = txn.scan(range)) {
                c.forEachRemaining(out::add);
            }
            return out;
        });
    }

    private static int count(Datastore store, byte[] prefix) {
        return scan(store, KeyRange.prefix(prefix)).size();
    }

    /** {@code 02 'd' 'b' 01 <tid>}: a database's data (the storage layout of docs/database.md). */
    private static byte[] dbDataPrefix(ThreadId db) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x02, 'd', 'b', 0x01});
        component(out, db.bytes());
        return out.toByteArray();
    }

    /** {@code 02 'd' 'b' 01 <tid> 02 <collection> <path>}: the entries of one index. */
    private static byte[] indexPrefix(ThreadId db, String collection, String path) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(dbDataPrefix(db));
        out.write(0x02);
        component(out, collection.getBytes(StandardCharsets.UTF_8));
        component(out, path.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static void component(ByteArrayOutputStream out, byte[] bytes) {
        Varint.write(out, bytes.length);
        out.writeBytes(bytes);
    }

    private static SatisfiedReferenceDTO reference(ComponentConfigurationDTO c, String name) {
        return Arrays.stream(c.satisfiedReferences).filter(r -> r.name.equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no satisfied reference " + name));
    }

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
