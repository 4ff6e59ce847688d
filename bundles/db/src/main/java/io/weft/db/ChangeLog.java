package io.weft.db;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.CorruptDataException;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.db.Change;
import io.weft.api.db.ChangeType;
import io.weft.api.db.ListenFilter;
import io.weft.api.format.Varint;
import io.weft.api.store.Cursor;
import io.weft.api.store.Entry;
import io.weft.api.store.KeyRange;
import io.weft.api.store.ReadTxn;
import io.weft.api.store.WriteTxn;
import io.weft.api.thread.ThreadId;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A database's change log: every visible instance change, numbered from 1 in commit order, written in the same store
 * transaction as the record that caused it. Entries are {@code db 01 <tid> 04 u64 seq → <coll> <id> type json?}.
 * Metadata {@code seq} holds the last number and {@code pruned} the last number removed by pruning.
 */
final class ChangeLog {
    static final String META_SEQ = "seq";
    static final String META_PRUNED = "pruned";

    private ChangeLog() {
    }

    static long meta(ReadTxn txn, ThreadId db, String name) {
        byte[] v = txn.get(DbKeys.meta(db, name));
        return v == null ? 0 : DbKeys.u64(v, 0);
    }

    static void putMeta(WriteTxn txn, ThreadId db, String name, long value) {
        txn.put(DbKeys.meta(db, name), DbKeys.u64(value));
    }

    /** Appends the transitions; returns the new last sequence number. */
    static long append(WriteTxn txn, ThreadId db, List<Dispatcher.Transition> transitions) {
        long seq = meta(txn, db, META_SEQ);
        if (transitions.isEmpty()) {
            return seq;
        }
        for (Dispatcher.Transition t : transitions) {
            seq++;
            txn.put(DbKeys.change(db, seq), encode(t));
        }
        putMeta(txn, db, META_SEQ, seq);
        return seq;
    }

    /**
     * Removes entries up to {@code upTo} (inclusive) if that is past the last pruning.
     */
    static void prune(WriteTxn txn, ThreadId db, long upTo) {
        long pruned = meta(txn, db, META_PRUNED);
        if (upTo <= pruned) {
            return;
        }
        txn.deleteRange(KeyRange.between(DbKeys.change(db, pruned + 1), DbKeys.change(db, upTo + 1)));
        putMeta(txn, db, META_PRUNED, upTo);
    }

    /**
     * Replaces the instance bodies of the changes of {@code ref} by {@code {"_id": id, "_purged": true}} (purge).
     *
     * @return how many changes were scrubbed
     */
    static long scrub(WriteTxn txn, ThreadId db, InstanceRef ref) {
        long n = 0;
        List<Entry> hits = new ArrayList<>();
        try (Cursor c = txn.scan(KeyRange.prefix(DbKeys.changesPrefix(db)))) {
            while (c.hasNext()) {
                Entry en = c.next();
                Change ch = decode(db, DbKeys.changeSeq(en.key()), en.value());
                if (ch.collection().equals(ref.collection()) && ch.instanceId().equals(ref.id()) && ch.instance() != null) {
                    hits.add(en);
                }
            }
        }
        for (Entry en : hits) {
            Change ch = decode(db, DbKeys.changeSeq(en.key()), en.value());
            ObjectNode stub = Json.object();
            stub.put("_id", ref.id());
            stub.put("_purged", true);
            txn.put(en.key(), encode(new Dispatcher.Transition(ref, ch.type() == ChangeType.CREATE ? null : stub,
                    stub)));
            n++;
        }
        return n;
    }

    static byte[] encode(Dispatcher.Transition t) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        byte[] c = t.ref().collection().getBytes(StandardCharsets.UTF_8);
        byte[] i = t.ref().id().getBytes(StandardCharsets.UTF_8);
        Varint.write(out, c.length);
        out.writeBytes(c);
        Varint.write(out, i.length);
        out.writeBytes(i);
        out.write(t.type().code());
        if (t.after() != null) {
            out.writeBytes(Json.bytes(t.after()));
        }
        return out.toByteArray();
    }

    static Change decode(ThreadId db, long seq, byte[] v) {
        try {
            ByteBuffer in = ByteBuffer.wrap(v);
            String coll = string(in);
            String id = string(in);
            ChangeType type = ChangeType.ofCode(in.get());
            if (type == null) {
                throw new CorruptDataException("db: malformed change " + seq);
            }
            ObjectNode instance = type == ChangeType.DELETE ? null
                    : Json.readStored(Arrays.copyOfRange(v, in.position(), v.length));
            return new Change(db, coll, id, type, instance, seq);
        } catch (RuntimeException e) {
            if (e instanceof CorruptDataException c) {
                throw c;
            }
            throw new CorruptDataException("db: malformed change " + seq, e);
        }
    }

    private static String string(ByteBuffer in) {
        long n = Varint.read(in);
        if (n < 0 || n > in.remaining()) {
            throw new CorruptDataException("db: malformed change");
        }
        byte[] b = new byte[(int) n];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /**
     * Up to {@code limit} changes after {@code after} that match any filter (all when {@code filters} is empty),
     * and the sequence number the scan reached (so a caller can move its cursor past filtered-out changes).
     */
    record Page(List<Change> changes, long reached) {
    }

    static Page read(ReadTxn txn, ThreadId db, long after, int limit, List<ListenFilter> filters) {
        return read(txn, db, after, limit, filters, Long.MAX_VALUE);
    }

    /** As {@link #read(ReadTxn, ThreadId, long, int, List)}, looking at no more than {@code maxScan} entries. */
    static Page read(ReadTxn txn, ThreadId db, long after, int limit, List<ListenFilter> filters, long maxScan) {
        if (after < 0 || limit < 1) {
            throw new InvalidInputException("changes: afterSequence must be >= 0 and limit >= 1");
        }
        long pruned = meta(txn, db, META_PRUNED);
        if (after < pruned) {
            throw new NotFoundException("changes after " + after + " were pruned (the change log starts after "
                    + pruned + ")");
        }
        List<Change> out = new ArrayList<>();
        long reached = after;
        long scanned = 0;
        byte[] end = KeyRange.prefixEnd(DbKeys.changesPrefix(db));
        try (Cursor c = txn.scan(KeyRange.between(DbKeys.change(db, after + 1), end))) {
            while (c.hasNext() && out.size() < limit && scanned < maxScan) {
                Entry en = c.next();
                long seq = DbKeys.changeSeq(en.key());
                Change ch = decode(db, seq, en.value());
                reached = seq;
                scanned++;
                if (matches(filters, ch)) {
                    out.add(ch);
                }
            }
        }
        return new Page(out, reached);
    }

    static boolean matches(List<ListenFilter> filters, Change c) {
        if (filters == null || filters.isEmpty()) {
            return true;
        }
        for (ListenFilter f : filters) {
            if (f.matches(c)) {
                return true;
            }
        }
        return false;
    }
}
