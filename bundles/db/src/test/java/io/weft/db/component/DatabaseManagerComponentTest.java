package io.weft.db.component;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.api.NotFoundException;
import io.weft.api.UnauthorizedException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.Database;
import io.weft.api.db.spi.WriteValidator;
import io.weft.api.thread.HostIdentity;
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
}
