package io.weft.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.weft.api.db.Change;
import io.weft.api.db.ChangeType;
import io.weft.api.db.Collection;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.Database;
import io.weft.api.db.DatabaseInfo;
import io.weft.api.format.Cid;
import io.weft.api.format.Multiaddr;
import io.weft.api.log.LogService;
import io.weft.api.net.Transport;
import io.weft.api.net.TransportConfig;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.LogId;
import io.weft.api.thread.PeerId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import io.weft.codec.jsonpatch.JsonPatchCodec;
import io.weft.core.crypto.Ed25519;
import io.weft.db.Manager;
import io.weft.logstore.LocalLogService;
import io.weft.net.NetClient;
import io.weft.net.NetConfig;
import io.weft.net.PeerCallException;
import io.weft.net.pb.Call;
import io.weft.net.pb.GetLogsRequest;
import io.weft.net.pb.Log;
import io.weft.store.xodus.XodusDatastore;
import io.weft.store.xodus.XodusOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A peer killed (SIGKILL) in the middle of joining a long database resumes after a restart, ends up with every record
 * exactly once, in order, and its database applied each of them exactly once.
 *
 * <p>The writer is a plain-Java peer in this JVM ({@link PlainPeer}) with a database {@link Manager} on its store:
 * it creates a database with one collection (its first record holds the collection definition) and writes
 * {@value #DOCS} documents, one per transaction, so one record each. The joining peer R is the real distribution
 * ({@code bin/weft}, an OS process on its own repository) told to join the database by its configuration
 * ({@code io.weft.db.cfg}: {@code join = <name>=<invite>}; {@code io.weft.net.cfg}: small pages). The test watches R's
 * progress over the peer protocol (GetLogs: the head counter of the writer's log at R), kills R's JVM once some but
 * not all records are there, starts it again on the same repository, waits for the whole log and stops R with
 * SIGTERM. Then it opens R's Xodus store here and checks
 * <ul>
 * <li>the log, record by record, against what the writer wrote;
 * <li>R's database as R left it, through a manager that cannot apply anything yet (its codec is off): registered,
 * its collection, and a prefix of the writer's records applied exactly once — the change feed is the writer's first
 * changes (one per record: the collection, then each document's CREATE once, nothing else) and the collection holds
 * exactly those documents. A record applied twice would show up as an extra change, a lost one as a gap;
 * <li>that a catch-up from R's cursors applies exactly the records R had not applied yet (R's SIGTERM may come before
 * its database has applied the last ones it received: nothing outside R shows how far it got), after which the
 * database holds every document once and its change feed is exactly the writer's.
 * </ul>
 */
class RestartMidSyncIT {

    /** Documents the writer writes, one transaction (one record) each. */
    static final int DOCS = 10_000;
    /** Records of the writer's log: the collection definition, then one per document. */
    static final int TOTAL = DOCS + 1;
    static final int PAGE_RECORDS = 200;
    static final String DB_NAME = "restart";
    static final String COLLECTION = "docs";
    static final Pattern STARTED = DistributionSmokeIT.STARTED;
    static final Pattern LISTENING = DistributionSmokeIT.LISTENING;
    static final Duration START_TIMEOUT = DistributionSmokeIT.START_TIMEOUT;
    static final Duration STOP_TIMEOUT = DistributionSmokeIT.STOP_TIMEOUT;
    static final Duration SYNC_TIMEOUT = Duration.ofMinutes(2);
    /** Exit status of a JVM killed by SIGKILL (128 + 9). */
    static final int SIGKILL_EXIT = 137;
    static final ObjectMapper JSON = new ObjectMapper();
    /** The check of R's database before anything else applies records to it: it may lack the last ones. */
    static final String AS_R_LEFT_IT = "as R left it";

    @Test
    void peerKilledMidSyncResumesAndAppliesEveryRecordExactlyOnce() throws Exception {
        Path work = Distribution.workDir("restart-mid-sync");
        Path repo = work.resolve("repo");
        Path conf = Files.createDirectories(work.resolve("conf"));

        ThreadId thread;
        LogId log;
        List<Cid> ids;
        List<CollectionConfig> collections;
        List<String> feed;
        try (PlainPeer writer = new PlainPeer(NetConfig.defaults());
                Manager dbs = Manager.builder(writer.logService, writer.store, writer.identity)
                        .threadService(writer.net).build()) {
            Database db = dbs.createDatabase(DB_NAME, List.of(new CollectionConfig(COLLECTION,
                    JSON.readTree("{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"type\": \"object\"}"))));
            thread = db.id();
            Collection docs = db.collection(COLLECTION);
            long t0 = System.nanoTime();
            for (int i = 1; i <= DOCS; i++) {
                assertEquals(docId(i), docs.create("{\"_id\":\"" + docId(i) + "\",\"n\":" + i + "}"));
            }
            System.out.printf("writer: %d documents in %d ms%n", DOCS, (System.nanoTime() - t0) / 1_000_000);
            List<LogId> logs = writer.logService.logstore().logs(thread);
            assertEquals(1, logs.size(), "the writer's database has one log");
            log = logs.get(0);
            ids = recordIds(writer.logService, thread, log);
            assertEquals(TOTAL, ids.size(), "one record for the collection, then one per document");
            collections = db.listCollections();
            feed = feed(db, Long.MAX_VALUE);
            assertEquals(TOTAL, feed.size(), "the writer's change feed: the collection, then each document");
            assertTrue(feed.get(0).startsWith("1 _collections " + COLLECTION + " " + ChangeType.CREATE), feed.get(0));
            for (int i = 1; i <= DOCS; i++) {
                assertEquals(docChange(i + 1, i), feed.get(i), "the writer's change " + (i + 1));
            }
            ThreadKey key = writer.logService.logstore().keyBook().threadKey(thread).orElseThrow();

            // the invite carries the thread's keys: it goes into R's configuration file, never into the output
            Files.writeString(conf.resolve("io.weft.transport.cfg"), "listen = /ip4/127.0.0.1/tcp/0\n");
            Files.writeString(conf.resolve("io.weft.net.cfg"), "page.records = " + PAGE_RECORDS + "\n");
            Files.writeString(conf.resolve("io.weft.db.cfg"),
                    "join = " + DB_NAME + "=" + writer.net.invite(thread, false).text() + "\n");

            String rId;
            long killedAt;
            long syncStart = System.nanoTime();
            try (PeerProcess r = PeerProcess.start(repo, "--conf", conf.toString());
                    Observer observer = new Observer(thread, key, log)) {
                rId = r.await(STARTED, START_TIMEOUT).group(1);
                observer.learn(r.awaitInOutput(LISTENING, START_TIMEOUT));
                killedAt = observer.awaitCounter("R has some of the records", SYNC_TIMEOUT, c -> c > 0);
                if (killedAt >= TOTAL) {
                    fail("R synced all " + TOTAL + " records before it could be killed: raise DOCS");
                }
                r.kill();
                assertEquals(SIGKILL_EXIT, r.waitFor(STOP_TIMEOUT), "killed by SIGKILL");
                System.out.printf("R killed with %d of %d records after %d ms%n", killedAt, TOTAL,
                        (System.nanoTime() - syncStart) / 1_000_000);
            }

            try (PeerProcess r = PeerProcess.start(repo, "--conf", conf.toString());
                    Observer observer = new Observer(thread, key, log)) {
                assertEquals(rId, r.await(STARTED, START_TIMEOUT).group(1), "R keeps its identity");
                observer.learn(r.awaitInOutput(LISTENING, START_TIMEOUT));
                long first = observer.awaitCounter("R serves the thread again", START_TIMEOUT, c -> c >= 0);
                assertTrue(first >= killedAt, "records committed before the kill survive it: " + first + " < " + killedAt);
                long t1 = System.nanoTime();
                observer.awaitCounter("R has all " + TOTAL + " records", SYNC_TIMEOUT, c -> c == TOTAL);
                System.out.printf("R resumed at %d and completed in %d ms; counters seen: %s%n", first,
                        (System.nanoTime() - t1) / 1_000_000, observer.seen);

                r.terminate();
                assertEquals(DistributionSmokeIT.SIGTERM_EXIT, r.waitFor(STOP_TIMEOUT), r.output());
                List<String> problems = r.output().lines()
                        .filter(l -> l.startsWith("io.weft.") && (l.contains(" ERROR ") || l.contains(" WARN ")))
                        .toList();
                assertEquals(List.of(), problems, "no Weft error or warning after the restart");
            }
        }

        try (XodusDatastore store = new XodusDatastore(repo.resolve("store"), XodusOptions.DEFAULTS)) {
            LogService logs = new LocalLogService(store);

            // R's store, opened here with R stopped: the writer's log, exactly as written
            assertTrue(logs.logstore().hasThread(thread));
            assertEquals(List.of(log), logs.logstore().logs(thread));
            assertEquals(TOTAL, logs.logstore().headBook().head(thread, log).counter());
            assertEquals(ids.get(TOTAL - 1), logs.logstore().headBook().head(thread, log).cid());
            List<Cid> stored = new ArrayList<>(TOTAL);
            Cid after = null;
            while (true) {
                List<RecordEnvelope> page = logs.records(thread, log, after, 1000);
                if (page.isEmpty()) {
                    break;
                }
                for (RecordEnvelope env : page) {
                    int n = stored.size() + 1;
                    assertTrue(n <= TOTAL, "more than " + TOTAL + " records in R's log");
                    assertEquals(ids.get(n - 1), env.id(), "record " + n + " of R's log");
                    // verified against the log's key and opened with the read key
                    assertNotNull(logs.openRecord(thread, env.id()).body(), "body of record " + n);
                    stored.add(env.id());
                    after = env.id();
                }
            }
            assertEquals(TOTAL, stored.size(), "records in R's log");

            // R's database as R left it, through a manager whose codec is switched off at first: a catch-up (the
            // manager starts one on opening) then fails on the missing codec before it writes anything, so every
            // change this shows is one R applied. (That failure logs a warning here.) The identity only signs local
            // writes and names this host in addresses: any key reads.
            JsonPatchCodec jsonpatch = new JsonPatchCodec();
            AtomicBoolean codecOn = new AtomicBoolean();
            CountDownLatch refused = new CountDownLatch(1);
            try (Manager dbs = Manager.builder(logs, store, Ed25519.generate()).codecs(name -> {
                if (codecOn.get() && name.equals(jsonpatch.name())) {
                    return jsonpatch;
                }
                refused.countDown();
                return null;
            }).build()) {
                long applied = checkDatabase(dbs, thread, collections, feed, AS_R_LEFT_IT);
                System.out.printf("R's database as R left it: %d of %d records applied%n", applied, TOTAL);
                assertTrue(applied > 0, "R's database applied records");

                // R's stop (SIGTERM) may come before its database has applied the last records it received: nothing
                // outside R shows how far its database got, and closing stops a catch-up between batches. What it
                // had not applied is applied from its cursor, each record once. Once the opening catch-up is over
                // (it needs the codec only if there is something to apply), only this one runs.
                if (applied < TOTAL) {
                    assertTrue(refused.await(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS),
                            "the opening catch-up asked for the codec");
                }
                codecOn.set(true);
                assertEquals(TOTAL - applied, dbs.catchUp(thread),
                        "a catch-up applies exactly the records R's database had not applied");
                assertEquals(TOTAL, checkDatabase(dbs, thread, collections, feed, "after a catch-up"));
                assertEquals(0, dbs.catchUp(thread), "nothing left to apply");
            }
        }
    }

    /**
     * Checks the database {@code thread} under {@code dbs} against the writer's: registered under its name, with its
     * collections, having applied a prefix of the writer's records exactly once — its change feed equals the first
     * changes of the writer's (one change per record: each document's CREATE once, nothing else) and its collection
     * holds exactly the documents of those records; returns how many records that is. The prefix is all of them
     * unless {@code when} is {@link #AS_R_LEFT_IT}.
     */
    static long checkDatabase(Manager dbs, ThreadId thread, List<CollectionConfig> collections, List<String> feed,
            String when) {
        List<DatabaseInfo> infos = dbs.listDatabases();
        assertEquals(1, infos.size(), "R has one database " + when + ": " + infos);
        assertEquals(thread, infos.get(0).id(), when);
        assertEquals(DB_NAME, infos.get(0).name(), when);
        Database db = dbs.database(thread);
        assertEquals(collections, db.listCollections(), "R's collections " + when);

        List<String> changes = feed(db, TOTAL + 1L);
        int applied = changes.size();
        assertTrue(applied <= TOTAL, "more changes than the writer made " + when + ": " + applied);
        if (!when.equals(AS_R_LEFT_IT)) {
            assertEquals(TOTAL, applied, "changes in R's change feed " + when);
        }
        for (int i = 0; i < applied; i++) {
            // exactly the writer's changes in the writer's order (which also rules out any change twice)
            assertEquals(feed.get(i), changes.get(i), "change " + (i + 1) + " of R's change feed " + when);
        }
        assertEquals(applied, db.lastSequence(), "R's last change " + when);

        // the collection: doc-1 .. doc-(applied - 1), each once, with its n
        List<ObjectNode> all = db.collection(COLLECTION).findAll();
        Set<String> seen = new HashSet<>();
        for (ObjectNode d : all) {
            String id = d.get("_id").asText();
            assertTrue(seen.add(id), "document " + id + " twice " + when);
            int n = id.startsWith("doc-") ? Integer.parseInt(id.substring("doc-".length())) : -1;
            assertTrue(n >= 1 && n < applied, "unexpected document " + id + " " + when);
            JsonNode v = d.get("n");
            assertTrue(v != null && v.isIntegralNumber() && v.asInt() == n, "n of " + id + " " + when + ": " + v);
        }
        assertEquals(applied - 1, all.size(), "documents in R's collection " + when);
        return applied;
    }

    static String docId(int i) {
        return "doc-" + i;
    }

    /** One change of {@link #feed} for document {@code i}: its CREATE with its {@code n}. */
    static String docChange(long sequence, int i) {
        return sequence + " " + COLLECTION + " " + docId(i) + " " + ChangeType.CREATE + " n=" + i;
    }

    /**
     * The database's change feed, paged through, as {@code "<sequence> <collection> <id> <type>"} (plus
     * {@code " n=<n>"} for a document); at most {@code max} entries.
     */
    static List<String> feed(Database db, long max) {
        List<String> out = new ArrayList<>();
        long after = 0;
        while (out.size() < max) {
            List<Change> page = db.changes(after, 1000, List.of());
            if (page.isEmpty()) {
                return out;
            }
            for (Change c : page) {
                assertTrue(c.sequence() > after, "change sequence numbers increase");
                String s = c.sequence() + " " + c.collection() + " " + c.instanceId() + " " + c.type();
                if (c.collection().equals(COLLECTION) && c.instance() != null) {
                    s += " n=" + c.instance().get("n");
                }
                out.add(s);
                after = c.sequence();
            }
        }
        return out;
    }

    /** The ids of every record of a log, in log order. */
    static List<Cid> recordIds(LogService logService, ThreadId thread, LogId log) {
        List<Cid> out = new ArrayList<>();
        Cid after = null;
        while (true) {
            List<RecordEnvelope> page = logService.records(thread, log, after, 1000);
            if (page.isEmpty()) {
                return out;
            }
            for (RecordEnvelope env : page) {
                out.add(env.id());
                after = env.id();
            }
        }
    }

    /**
     * Asks R for the thread's logs over the peer protocol, from a transport of its own: the head counter of the
     * writer's log at R, or -1 while R cannot answer (not up yet, or does not have the thread yet).
     */
    static final class Observer implements AutoCloseable {
        private final Transport transport = io.weft.transport.libp2p.Libp2pHost.start(Ed25519.generate(),
                TransportConfig.defaults().withListen(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")))
                        .withDialBackoff(Duration.ofMillis(100)));
        private final NetClient client = new NetClient(transport, Duration.ofSeconds(10), 8 * 1024 * 1024);
        private final ThreadId thread;
        private final ThreadKey key;
        private final LogId log;
        private PeerId peer;
        /** Every distinct counter observed, in order. */
        final List<Long> seen = new ArrayList<>();

        Observer(ThreadId thread, ThreadKey key, LogId log) {
            this.thread = thread;
            this.key = key;
            this.log = log;
        }

        /** R's address, from its "libp2p listening on <addr>/p2p/<id>" line. */
        void learn(Matcher listening) {
            Multiaddr addr = Multiaddr.parse(listening.group(1));
            peer = addr.peerId().orElseThrow();
            transport.peerStore().addAddresses(peer, List.of(addr.decapsulate(Multiaddr.Protocol.P2P)),
                    Duration.ofHours(1));
        }

        long counter() {
            Call call = Call.newBuilder().setGetLogs(GetLogsRequest.newBuilder().setBody(GetLogsRequest.Body.newBuilder()
                    .setThreadID(ByteString.copyFrom(thread.bytes()))
                    .setServiceKey(ByteString.copyFrom(key.serviceKey())))).build();
            try {
                for (Log l : client.call(peer, call).getGetLogs().getLogsList()) {
                    if (Arrays.equals(l.getID().toByteArray(), log.bytes())) {
                        return l.getCounter();
                    }
                }
                return 0; // R has the thread but not the log yet
            } catch (PeerCallException e) {
                return -1;
            }
        }

        /** Polls {@link #counter} until it satisfies {@code condition}; returns that counter. */
        long awaitCounter(String what, Duration timeout, java.util.function.LongPredicate condition)
                throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            long last = -1;
            while (true) {
                last = counter();
                if (last >= 0 && (seen.isEmpty() || seen.get(seen.size() - 1) != last)) {
                    seen.add(last);
                }
                if (last >= 0 && condition.test(last)) {
                    return last;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("timed out after " + timeout + " waiting for: " + what
                            + " (last counter " + last + ")");
                }
                Thread.sleep(50);
            }
        }

        @Override
        public void close() {
            transport.close();
        }
    }
}
