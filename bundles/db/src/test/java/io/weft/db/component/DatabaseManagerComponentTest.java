package io.weft.db.component;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.api.NotFoundException;
import io.weft.api.UnauthorizedException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.Database;
import io.weft.api.db.spi.WriteValidator;
import io.weft.api.format.Multiaddr;
import io.weft.api.log.LogService;
import io.weft.api.log.ThreadService;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.HostIdentity;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadInvite;
import io.weft.db.Manager;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import io.weft.codec.jsonpatch.JsonPatchCodec;
import io.weft.core.crypto.Ed25519;
import io.weft.logstore.LocalLogService;
import io.weft.store.memory.MemoryDatastore;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The DS component is a thin adapter that also works when constructed by hand; codecs and hooks come and go. */
class DatabaseManagerComponentTest {
    static final ObjectMapper M = new ObjectMapper();

    static DbComponentConfig config(Map<String, Object> values) {
        return (DbComponentConfig) Proxy.newProxyInstance(DbComponentConfig.class.getClassLoader(),
                new Class<?>[] {DbComponentConfig.class}, (proxy, method, args) -> {
                    if (values.containsKey(method.getName())) {
                        return values.get(method.getName());
                    }
                    Object d = method.getDefaultValue();
                    if (d != null) {
                        return d;
                    }
                    return switch (method.getName()) {
                        case "annotationType" -> DbComponentConfig.class;
                        case "toString" -> "DbComponentConfig";
                        case "hashCode" -> 0;
                        case "equals" -> proxy == args[0];
                        default -> throw new UnsupportedOperationException(method.getName());
                    };
                });
    }

    @Test
    void codecsAndValidatorsAreDynamic() throws Exception {
        try (MemoryDatastore ds = new MemoryDatastore()) {
            PrivateKey key = Ed25519.generate();
            HostIdentity identity = () -> key;
            DatabaseManagerComponent c = new DatabaseManagerComponent(config(Map.of()), new LocalLogService(ds), ds, identity);
            try {
                // without the codec no database can be created
                assertThrows(NotFoundException.class, () -> c.createDatabase("x", List.of()));
                JsonPatchCodec codec = new JsonPatchCodec();
                c.addCodec(codec, Map.of("weft.codec", "jsonpatch"));
                CollectionConfig guarded = new CollectionConfig("Guarded", M.readTree("{\"type\":\"object\"}"), List.of(),
                        "no-bobs", null);
                Database db = c.createDatabase("x", List.of(guarded));
                // the validator is named but not there: writes are refused
                assertThrows(UnauthorizedException.class, () -> db.collection("Guarded").create("{\"name\":\"ann\"}"));
                WriteValidator v = new WriteValidator() {
                    @Override
                    public String name() {
                        return "no-bobs";
                    }

                    @Override
                    public String validate(io.weft.api.crypto.PublicKey writer, String collection,
                            io.weft.api.db.ChangeType type, com.fasterxml.jackson.databind.JsonNode before,
                            com.fasterxml.jackson.databind.JsonNode after) {
                        return after != null && "bob".equals(after.path("name").asText()) ? "no bobs" : null;
                    }
                };
                c.addWriteValidator(v, Map.of());
                db.collection("Guarded").create("{\"name\":\"ann\"}");
                UnauthorizedException e = assertThrows(UnauthorizedException.class,
                        () -> db.collection("Guarded").create("{\"name\":\"bob\"}"));
                assertTrue(e.getMessage().contains("no bobs"));
                assertEquals(1, db.collection("Guarded").findAll().size());
                c.removeCodec(codec, Map.of("weft.codec", "jsonpatch"));
                assertThrows(NotFoundException.class, () -> db.collection("Guarded").create("{\"name\":\"cy\"}"));
                c.removeWriteValidator(v, Map.of());
                assertEquals(1, db.collection("Guarded").findAll().size(), "reads work without the codec");
                assertEquals(List.of(db.id()), c.listDatabases().stream().map(i -> i.id()).toList());
            } finally {
                c.deactivate();
            }
        }
    }

    /** A thread service whose addThread stores the key and copies every record from {@code remote}. */
    static ThreadService copying(LogService local, LogService remote) {
        return (ThreadService) Proxy.newProxyInstance(ThreadService.class.getClassLoader(),
                new Class<?>[] {ThreadService.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "addThread" -> {
                            ThreadInvite invite = (ThreadInvite) args[0];
                            var id = invite.threadId();
                            local.addThread(id, invite.key());
                            for (LogId log : remote.logstore().logs(id)) {
                                local.logstore().addLog(id, remote.logstore().logInfo(id, log).pubKey(), List.of(),
                                        Duration.ofHours(1));
                                List<RecordEnvelope> recs = remote.records(id, log, null, 10_000);
                                local.addRecords(id, log, recs);
                            }
                            return local.getThread(id);
                        }
                        case "logService" -> {
                            return local;
                        }
                        case "toString" -> {
                            return "copying thread service";
                        }
                        case "hashCode" -> {
                            return System.identityHashCode(proxy);
                        }
                        case "equals" -> {
                            return proxy == args[0];
                        }
                        default -> throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    @Test
    void configuredDatabasesAreJoinedOnceTheNetworkArrives() throws Exception {
        try (MemoryDatastore dsA = new MemoryDatastore(); MemoryDatastore dsB = new MemoryDatastore()) {
            LocalLogService logsA = new LocalLogService(dsA);
            try (Manager a = Manager.builder(logsA, dsA, Ed25519.generate()).codecs(new JsonPatchCodec())
                    .hostAddresses(() -> List.of(Multiaddr.parse("/ip4/192.0.2.7/tcp/4006"))).build()) {
                Database da = a.createDatabase("notes", List.of(new CollectionConfig("Note",
                        M.readTree("{\"type\":\"object\"}"))));
                da.collection("Note").create("{\"_id\":\"n1\",\"text\":\"hi\"}");
                String invite = new ThreadInvite(da.info().addrs(), da.info().key()).text();

                PrivateKey key = Ed25519.generate();
                HostIdentity identity = () -> key;
                LocalLogService logsB = new LocalLogService(dsB);
                DatabaseManagerComponent c = new DatabaseManagerComponent(config(Map.of("join",
                        new String[] {"mine=" + invite + "; broken=not-an-invite", "nameonly"})), logsB, dsB, identity);
                try {
                    c.addCodec(new JsonPatchCodec(), Map.of("weft.codec", "jsonpatch"));
                    assertEquals(List.of(), c.listDatabases(), "no network yet: nothing joined");
                    assertThrows(io.weft.api.InvalidInputException.class,
                            () -> c.joinDatabase(ThreadInvite.parse(invite), "direct"));
                    ThreadService net = copying(logsB, logsA);
                    c.setThreadService(net);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (c.listDatabases().isEmpty()
                            || c.database(da.id()).listCollections().isEmpty()
                            || c.database(da.id()).collection("Note").findAll().isEmpty()) {
                        assertTrue(System.nanoTime() < deadline, "the configured database was not joined");
                        Thread.onSpinWait();
                    }
                    Database db = c.database(da.id());
                    assertEquals("mine", db.name());
                    assertEquals(List.of("{\"_id\":\"n1\",\"text\":\"hi\"}"),
                            db.collection("Note").findAll().stream().map(n -> {
                                n.remove("_mod");
                                return n.toString();
                            }).toList());
                    c.unsetThreadService(net);
                    assertThrows(io.weft.api.InvalidInputException.class,
                            () -> c.joinDatabase(ThreadInvite.parse(invite), "again"));
                } finally {
                    c.deactivate();
                }
            }
        }
    }

    @Test
    void joinEntriesParse() {
        String invite = "/ip4/192.0.2.7/tcp/4006/p2p/" + io.weft.api.thread.PeerId.of(Ed25519.generate().publicKey())
                + "/thread/" + io.weft.api.thread.ThreadId.newRandom() + "#" + io.weft.api.thread.ThreadKey.generate(true);
        List<DatabaseManagerComponent.JoinEntry> joins = DatabaseManagerComponent.parseJoins(
                new String[] {"a=" + invite + " ; b = " + invite, "=x", "c=nope", ""});
        assertEquals(List.of("a", "b"), joins.stream().map(DatabaseManagerComponent.JoinEntry::name).toList());
        assertEquals(List.of(), DatabaseManagerComponent.parseJoins(new String[0]));
    }

    @Test
    void recordsReceivedBeforeTheCodecArrivesAreAppliedWhenItDoes() throws Exception {
        try (MemoryDatastore dsA = new MemoryDatastore(); MemoryDatastore dsB = new MemoryDatastore()) {
            LocalLogService logsA = new LocalLogService(dsA);
            LocalLogService logsB = new LocalLogService(dsB);
            try (Manager a = Manager.builder(logsA, dsA, Ed25519.generate()).codecs(new JsonPatchCodec()).build()) {
                Database da = a.createDatabase("notes", List.of(new CollectionConfig("Note",
                        M.readTree("{\"type\":\"object\"}"))));
                da.collection("Note").create("{\"_id\":\"n1\"}");
                // b registered the database and received its records while it was stopped
                try (Manager b = Manager.builder(logsB, dsB, Ed25519.generate()).codecs(new JsonPatchCodec()).build()) {
                    b.joinDatabase(da.id(), da.info().key(), "notes");
                }
                for (io.weft.api.thread.LogId log : logsA.logstore().logs(da.id())) {
                    logsB.logstore().addLog(da.id(), logsA.logstore().logInfo(da.id(), log).pubKey(), List.of(),
                            java.time.Duration.ofHours(1));
                    logsB.addRecords(da.id(), log, logsA.records(da.id(), log, null, 100));
                }
                PrivateKey key = Ed25519.generate();
                DatabaseManagerComponent c = new DatabaseManagerComponent(config(Map.of()), logsB, dsB, () -> key);
                try {
                    assertEquals(List.of(), c.database(da.id()).listCollections(), "nothing applied without the codec");
                    c.addCodec(new JsonPatchCodec(), Map.of("weft.codec", "jsonpatch"));
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (c.database(da.id()).listCollections().isEmpty()
                            || !c.database(da.id()).collection("Note").has("n1")) {
                        assertTrue(System.nanoTime() < deadline, "the records were not applied once the codec came");
                        Thread.onSpinWait();
                    }
                } finally {
                    c.deactivate();
                }
            }
        }
    }
}
