package io.weft.logstore;

import static org.junit.jupiter.api.Assertions.*;

import io.weft.api.crypto.PrivateKey;
import io.weft.api.log.AppendResult;
import io.weft.api.store.Datastore;
import io.weft.api.thread.ThreadId;
import io.weft.core.crypto.Ed25519;
import java.lang.reflect.Proxy;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The DS components are thin adapters that also work when constructed by hand. */
class ComponentTest extends EngineFixture {

    static LogstoreConfig config(Map<String, Object> values) {
        return (LogstoreConfig) Proxy.newProxyInstance(LogstoreConfig.class.getClassLoader(),
                new Class<?>[] {LogstoreConfig.class}, (proxy, method, args) -> {
                    if (values.containsKey(method.getName())) {
                        return values.get(method.getName());
                    }
                    Object d = method.getDefaultValue();
                    if (d != null) {
                        return d;
                    }
                    return switch (method.getName()) {
                        case "annotationType" -> LogstoreConfig.class;
                        case "toString" -> "LogstoreConfig";
                        case "hashCode" -> 0;
                        case "equals" -> proxy == args[0];
                        default -> throw new UnsupportedOperationException(method.getName());
                    };
                });
    }

    @Test
    void componentsShareOneStore() {
        Datastore ds = open("memory");
        LogstoreComponent logstore = new LogstoreComponent(config(Map.of("addr_gc_interval_seconds", 0L)), ds);
        LogServiceComponent logService = new LogServiceComponent(ds);
        ThreadId t = ThreadId.newRandom();
        logService.createThread(t, null);
        PrivateKey me = Ed25519.generate();
        AppendResult r = logService.createRecord(t, me, body("x"));
        assertTrue(logstore.hasThread(t));
        assertEquals(r.head(), logstore.headBook().head(t, r.log()));
        assertEquals(logstore.threadInfo(t), logService.getThread(t));
        assertArrayEquals(body("x"), logService.openRecord(t, r.record().id()).body());
        logstore.deactivate();
    }

    @Test
    void purgeJobStartsAndStops() {
        Datastore ds = open("memory");
        LogstoreComponent logstore = new LogstoreComponent(
                config(Map.of("addr_gc_interval_seconds", 1L, "addr_gc_initial_delay_seconds", 3600L)), ds);
        assertEquals(java.util.List.of(), logstore.threads());
        logstore.deactivate();
    }

    @Test
    void defaultConfiguration() {
        LogstoreConfig c = config(Map.of());
        assertEquals("(weft.store=xodus)", c.datastore_target());
        assertEquals(7200L, c.addr_gc_interval_seconds());
        assertEquals(60L, c.addr_gc_initial_delay_seconds());
    }
}
