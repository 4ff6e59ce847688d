package io.weft.db;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.db.ChangeType;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.IndexConfig;
import io.weft.api.db.spi.Action;
import io.weft.api.db.spi.CodecEvent;
import io.weft.api.db.spi.EventCodec;
import io.weft.api.store.Cursor;
import io.weft.api.store.Datastore;
import io.weft.api.store.Entry;
import io.weft.api.store.KeyRange;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.codec.jsonpatch.JsonPatchCodec;
import io.weft.core.crypto.Ed25519;
import io.weft.store.memory.MemoryDatastore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Convergence across logs: random multi-log histories (creates, saves with arbitrary merge patches, deletes of a few
 * instances, with hybrid-logical-clock times that interleave and collide across logs; collection definitions that
 * change indexes, are deleted and re-created) delivered to fresh dispatchers in random interleavings that keep each
 * log's order give byte-identical state, indexes and histories — equal to delivering everything in clock order.
 */
class ConvergenceTest {
    static final EventCodec CODEC = new JsonPatchCodec();
    static final ThreadId DB = ThreadId.newRandom();
    static final LogId[] LOGS = {
            LogId.of(Ed25519.fromSeed(new byte[32]).publicKey()),
            LogId.of(Ed25519.fromSeed(filled(1)).publicKey()),
            LogId.of(Ed25519.fromSeed(filled(2)).publicKey())};
    static final String[] IDS = {"a", "b", "c"};

    static byte[] filled(int v) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) v);
        return b;
    }

    /** One record: its log, its position in the log, its events. */
    record Rec(int log, long counter, List<CodecEvent> events) {
    }

    @Property(tries = 300)
    void anyDeliveryOrderGivesTheSameState(@ForAll long historySeed, @ForAll long order1, @ForAll long order2) {
        List<List<Rec>> logs = history(new Random(historySeed));
        List<Entry> a = deliver(interleave(logs, new Random(order1)));
        List<Entry> b = deliver(interleave(logs, new Random(order2)));
        List<Entry> sorted = deliver(clockOrder(logs));
        assertEquals(render(sorted), render(a));
        assertEquals(render(sorted), render(b));
    }

    /** 2–3 logs of 1–6 records of 1–3 actions; log 0 defines the collection first. */
    static List<List<Rec>> history(Random r) {
        int nLogs = 2 + r.nextInt(2);
        List<List<Rec>> logs = new ArrayList<>();
        long base = 1_700_000_000_000_000_000L;
        for (int l = 0; l < nLogs; l++) {
            List<Rec> recs = new ArrayList<>();
            long time = base + r.nextInt(5) * 10L;
            int n = 1 + r.nextInt(6);
            for (int i = 0; i < n; i++) {
                time += r.nextInt(3) * 10L; // steps of 0: equal times inside and across logs
                time += 1;
                List<Action> actions = new ArrayList<>();
                if (l == 0 && i == 0) {
                    actions.add(definition(r, null));
                } else if (r.nextInt(8) == 0) {
                    actions.add(r.nextBoolean() ? definition(r, Json.object())
                            : new Action(ChangeType.DELETE, CollectionDocs.COLLECTIONS, "Things", Json.object(), null));
                }
                int k = 1 + r.nextInt(3);
                for (int j = 0; j < k; j++) {
                    actions.add(instanceAction(r, IDS[r.nextInt(IDS.length)]));
                }
                byte[] body = CODEC.encode(actions, time);
                recs.add(new Rec(l, i + 1, CODEC.decode(body)));
            }
            logs.add(recs);
        }
        return logs;
    }

    static Action definition(Random r, ObjectNode before) {
        List<IndexConfig> idx = switch (r.nextInt(3)) {
            case 0 -> List.of();
            case 1 -> List.of(IndexConfig.of("n"));
            default -> List.of(IndexConfig.of("n"), IndexConfig.of("s"));
        };
        ObjectNode doc = CollectionDocs.toDoc(new CollectionConfig("Things", Json.parseObject("{\"type\":\"object\"}"), idx));
        return before == null
                ? new Action(ChangeType.CREATE, CollectionDocs.COLLECTIONS, "Things", null, doc)
                : new Action(ChangeType.SAVE, CollectionDocs.COLLECTIONS, "Things", before, doc);
    }

    static Action instanceAction(Random r, String id) {
        return switch (r.nextInt(4)) {
            case 0 -> new Action(ChangeType.CREATE, "Things", id, null, doc(r, id));
            case 1, 2 -> new Action(ChangeType.SAVE, "Things", id, doc(r, id), doc(r, id));
            default -> new Action(ChangeType.DELETE, "Things", id, doc(r, id), null);
        };
    }

    static ObjectNode doc(Random r, String id) {
        ObjectNode d = Json.object();
        d.put("_id", id);
        if (r.nextBoolean()) {
            d.put("n", r.nextInt(4));
        }
        if (r.nextBoolean()) {
            d.put("s", "v" + r.nextInt(3));
        }
        if (r.nextInt(3) == 0) {
            d.putObject("o").put("x", r.nextInt(3));
        }
        return d;
    }

    /** A random interleaving that keeps each log's order. */
    static List<Rec> interleave(List<List<Rec>> logs, Random r) {
        int[] next = new int[logs.size()];
        List<Rec> out = new ArrayList<>();
        while (true) {
            List<Integer> open = new ArrayList<>();
            for (int l = 0; l < logs.size(); l++) {
                if (next[l] < logs.get(l).size()) {
                    open.add(l);
                }
            }
            if (open.isEmpty()) {
                return out;
            }
            int l = open.get(r.nextInt(open.size()));
            out.add(logs.get(l).get(next[l]++));
        }
    }

    /** Records in clock order (so every event arrives after all earlier ones: no re-folds). */
    static List<Rec> clockOrder(List<List<Rec>> logs) {
        List<Rec> all = new ArrayList<>();
        logs.forEach(all::addAll);
        all.sort((x, y) -> Arrays.compareUnsigned(DbKeys.eventOrder(x.events().get(0).time(), LOGS[x.log()], x.counter(), 0),
                DbKeys.eventOrder(y.events().get(0).time(), LOGS[y.log()], y.counter(), 0)));
        return all;
    }

    /** Dispatches the records into a fresh store; returns its state, index and history entries. */
    static List<Entry> deliver(List<Rec> recs) {
        try (Datastore ds = new MemoryDatastore()) {
            Dispatcher d = new Dispatcher(DB, new CollectionDocs());
            for (Rec rec : recs) {
                ds.update(txn -> d.dispatch(txn, CODEC, LOGS[rec.log()], rec.counter(), rec.events()));
            }
            List<Entry> out = new ArrayList<>();
            ds.read(txn -> {
                for (byte area : new byte[] {DbKeys.A_STATE, DbKeys.A_INDEX, DbKeys.A_HISTORY}) {
                    try (Cursor c = txn.scan(KeyRange.prefix(DbKeys.data(DB).tag(area).build()))) {
                        c.forEachRemaining(out::add);
                    }
                }
                return null;
            });
            return out;
        }
    }

    static List<String> render(List<Entry> entries) {
        HexFormat hex = HexFormat.of();
        return entries.stream().map(e -> hex.formatHex(e.key()) + " = " + new String(e.value(), java.nio.charset.StandardCharsets.UTF_8)).toList();
    }
}
