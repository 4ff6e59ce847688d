package io.weft.db;

import io.weft.api.CorruptDataException;
import io.weft.api.InvalidInputException;
import io.weft.api.format.Varint;
import io.weft.api.store.KeyBuilder;
import io.weft.api.store.KeyRange;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The binary key layout of the document database, next to the logstore's {@code ls} keys in the same store. Every
 * key starts with the namespace component {@code 02 64 62} ({@code "db"}). {@code <x>} is a component
 * {@code varint(length) || bytes}; {@code u64}/{@code u32} are big-endian; {@code id…} is the instance id's UTF-8
 * bytes up to the end of the key, so that instances of a collection scan in {@code _id} order.
 * <pre>
 * db 00 &lt;tid&gt;                                      → manager entry of a database (JSON: name, codec)
 * db 02                                            → store id (16 random bytes; checks that the log service
 *                                                    writes to the same store)
 * db 01 &lt;tid&gt; 00 &lt;name&gt;                            → database metadata (seq, pruned, hlc: u64)
 * db 01 &lt;tid&gt; 01 &lt;coll&gt; id…                       → instance state: compact JSON
 * db 01 &lt;tid&gt; 02 &lt;coll&gt; &lt;path&gt; value… id…          → index entry (value: IndexKeys encoding); value = id
 * db 01 &lt;tid&gt; 03 &lt;coll&gt; &lt;id&gt; u64 time' &lt;lid&gt; u64 counter u32 index
 *                                                  → event of the instance's history: type, payload
 * db 01 &lt;tid&gt; 04 u64 seq                            → change log entry
 * db 01 &lt;tid&gt; 05 &lt;lid&gt;                            → dispatch cursor of a log: u64 counter || CID of the last
 *                                                    record whose events were dispatched
 * </pre>
 * {@code time'} is the event time with its sign bit flipped, so that signed times sort as unsigned bytes. A history
 * key's suffix after {@code <id>} is the event's total order: time, then log id, then the record's position in its
 * log, then the event's index in the record.
 */
final class DbKeys {
    private DbKeys() {
    }

    static final byte[] NAMESPACE = {0x02, 'd', 'b'};
    static final byte MANAGER = 0x00;
    static final byte DATA = 0x01;
    static final byte STORE_ID = 0x02;

    static final byte A_META = 0x00;
    static final byte A_STATE = 0x01;
    static final byte A_INDEX = 0x02;
    static final byte A_HISTORY = 0x03;
    static final byte A_CHANGES = 0x04;
    static final byte A_CURSOR = 0x05;


    static KeyBuilder ns() {
        return new KeyBuilder().raw(NAMESPACE);
    }

    static byte[] storeId() {
        return ns().tag(STORE_ID).build();
    }

    static byte[] managerRoot() {
        return ns().tag(MANAGER).build();
    }

    static byte[] manager(ThreadId db) {
        return ns().tag(MANAGER).component(db.bytes()).build();
    }

    static ThreadId managerThread(byte[] key) {
        Reader r = new Reader(key, NAMESPACE.length + 1);
        return ThreadId.decode(r.component());
    }

    static KeyBuilder data(ThreadId db) {
        return ns().tag(DATA).component(db.bytes());
    }

    static byte[] dataPrefix(ThreadId db) {
        return data(db).build();
    }

    static byte[] meta(ThreadId db, String name) {
        return data(db).tag(A_META).component(name).build();
    }

    static byte[] statePrefix(ThreadId db, String coll) {
        return data(db).tag(A_STATE).component(coll).build();
    }

    static byte[] state(ThreadId db, String coll, String id) {
        return data(db).tag(A_STATE).component(coll).raw(utf8(id)).build();
    }

    static byte[] indexPrefix(ThreadId db, String coll) {
        return data(db).tag(A_INDEX).component(coll).build();
    }

    static byte[] indexPrefix(ThreadId db, String coll, String path) {
        return data(db).tag(A_INDEX).component(coll).component(path).build();
    }

    static byte[] historyPrefix(ThreadId db, String coll) {
        return data(db).tag(A_HISTORY).component(coll).build();
    }

    static byte[] historyPrefix(ThreadId db, String coll, String id) {
        return data(db).tag(A_HISTORY).component(coll).component(id).build();
    }

    /** The order suffix of a history key: time', log id, counter, index. */
    static byte[] eventOrder(long time, LogId log, long counter, int index) {
        return new KeyBuilder().u64(time ^ Long.MIN_VALUE).component(log.bytes()).u64(counter).u32(index).build();
    }

    static long orderTime(byte[] order) {
        return ByteBuffer.wrap(order, 0, 8).getLong() ^ Long.MIN_VALUE;
    }

    static byte[] changesPrefix(ThreadId db) {
        return data(db).tag(A_CHANGES).build();
    }

    static byte[] change(ThreadId db, long seq) {
        return data(db).tag(A_CHANGES).u64(seq).build();
    }

    static byte[] cursorPrefix(ThreadId db) {
        return data(db).tag(A_CURSOR).build();
    }

    static byte[] cursor(ThreadId db, LogId log) {
        return data(db).tag(A_CURSOR).component(log.bytes()).build();
    }

    static long changeSeq(byte[] key) {
        return u64(key, key.length - 8);
    }

    static KeyRange prefix(byte[] p) {
        return KeyRange.prefix(p);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String suffixString(byte[] key, int offset) {
        return new String(key, offset, key.length - offset, StandardCharsets.UTF_8);
    }

    static byte[] suffix(byte[] key, int offset) {
        return Arrays.copyOfRange(key, offset, key.length);
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    static long u64(byte[] b, int off) {
        if (b == null || b.length < off + 8) {
            throw new CorruptDataException("db: truncated number");
        }
        return ByteBuffer.wrap(b, off, 8).getLong();
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** Reads components of a key. */
    static final class Reader {
        private final ByteBuffer in;

        Reader(byte[] key, int offset) {
            in = ByteBuffer.wrap(key);
            in.position(offset);
        }

        byte[] component() {
            try {
                long n = Varint.read(in);
                if (n < 0 || n > in.remaining()) {
                    throw new CorruptDataException("db: malformed key component");
                }
                byte[] b = new byte[(int) n];
                in.get(b);
                return b;
            } catch (BufferUnderflowException | InvalidInputException e) {
                throw new CorruptDataException("db: malformed key", e);
            }
        }

        String string() {
            return new String(component(), StandardCharsets.UTF_8);
        }

        int position() {
            return in.position();
        }
    }
}
