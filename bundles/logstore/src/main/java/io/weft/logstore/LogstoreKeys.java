package io.weft.logstore;

import io.weft.api.CorruptDataException;
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
 * The binary key layout of the logstore. Every key starts with the namespace component {@code "ls"}; variable-size
 * parts are <em>components</em>, {@code varint(length) || bytes}, so that no key is a prefix of another by accident
 * and a thread's or log's keys share a prefix. Fixed-size parts are a one-byte area tag or an 8-byte big-endian
 * number (so that numeric order is key order). See {@link DatastoreLogstore} for the full table.
 */
final class LogstoreKeys {
    private LogstoreKeys() {
    }

    /** Namespace component {@code 02 'l' 's'}: every logstore key starts with it. */
    static final byte[] NAMESPACE = {0x02, 'l', 's'};

    /** Second byte after the namespace: per-thread data. */
    static final byte THREADS = 0x01;
    /** Second byte after the namespace: the address expiry index. */
    static final byte ADDR_EXPIRY = 0x02;

    /** Areas under a thread. */
    static final byte T_KEY = 0x00;
    static final byte T_LOG = 0x01;
    static final byte T_ADDR = 0x02;
    static final byte T_INDEX = 0x03;
    static final byte T_RECORD = 0x04;
    static final byte T_META = 0x05;

    /** Entries under {@code T_LOG <lid>}. */
    static final byte L_PUB = 0x01;
    static final byte L_PRIV = 0x02;
    static final byte L_HEAD = 0x03;


    static KeyBuilder ns() {
        return new KeyBuilder().raw(NAMESPACE);
    }

    /** {@code ls 01} : the start of every thread's keys. */
    static byte[] threadsRoot() {
        return ns().tag(THREADS).build();
    }

    /** {@code ls 01 <tid>}: every key of the thread. */
    static KeyBuilder thread(ThreadId t) {
        return ns().tag(THREADS).component(t.bytes());
    }

    static byte[] threadPrefix(ThreadId t) {
        return thread(t).build();
    }

    static byte[] threadKey(ThreadId t) {
        return thread(t).tag(T_KEY).build();
    }

    static byte[] logsPrefix(ThreadId t) {
        return thread(t).tag(T_LOG).build();
    }

    static KeyBuilder log(ThreadId t, LogId l) {
        return thread(t).tag(T_LOG).component(l.bytes());
    }

    static byte[] logPrefix(ThreadId t, LogId l) {
        return log(t, l).build();
    }

    static byte[] pubKey(ThreadId t, LogId l) {
        return log(t, l).tag(L_PUB).build();
    }

    static byte[] privKey(ThreadId t, LogId l) {
        return log(t, l).tag(L_PRIV).build();
    }

    static byte[] head(ThreadId t, LogId l) {
        return log(t, l).tag(L_HEAD).build();
    }

    static byte[] addrsPrefix(ThreadId t) {
        return thread(t).tag(T_ADDR).build();
    }

    static byte[] addrsPrefix(ThreadId t, LogId l) {
        return thread(t).tag(T_ADDR).component(l.bytes()).build();
    }

    static byte[] addr(ThreadId t, LogId l, byte[] addr) {
        return thread(t).tag(T_ADDR).component(l.bytes()).component(addr).build();
    }

    static byte[] indexPrefix(ThreadId t, LogId l) {
        return thread(t).tag(T_INDEX).component(l.bytes()).build();
    }

    static byte[] index(ThreadId t, LogId l, long counter) {
        return thread(t).tag(T_INDEX).component(l.bytes()).u64(counter).build();
    }

    static byte[] record(ThreadId t, byte[] cid) {
        return thread(t).tag(T_RECORD).component(cid).build();
    }

    static byte[] metaPrefix(ThreadId t) {
        return thread(t).tag(T_META).build();
    }

    static byte[] meta(ThreadId t, String key) {
        return thread(t).tag(T_META).component(key.getBytes(StandardCharsets.UTF_8)).build();
    }

    static byte[] expiryRoot() {
        return ns().tag(ADDR_EXPIRY).build();
    }

    static byte[] expiry(long expiryMillis, ThreadId t, LogId l, byte[] addr) {
        return ns().tag(ADDR_EXPIRY).u64(expiryMillis).component(t.bytes()).component(l.bytes()).component(addr).build();
    }

    static KeyRange prefix(byte[] p) {
        return KeyRange.prefix(p);
    }

    // ---- parsing ----

    /** A cursor over a key's parts. */
    static final class KeyReader {
        private final ByteBuffer in;

        KeyReader(byte[] key, int offset) {
            in = ByteBuffer.wrap(key);
            in.position(offset);
        }

        byte[] component() {
            try {
                long n = Varint.read(in);
                if (n < 0 || n > in.remaining()) {
                    throw new CorruptDataException("logstore: malformed key component");
                }
                byte[] b = new byte[(int) n];
                in.get(b);
                return b;
            } catch (BufferUnderflowException | io.weft.api.InvalidInputException e) {
                throw new CorruptDataException("logstore: malformed key", e);
            }
        }

        byte tag() {
            if (!in.hasRemaining()) {
                throw new CorruptDataException("logstore: truncated key");
            }
            return in.get();
        }

        long u64() {
            if (in.remaining() < 8) {
                throw new CorruptDataException("logstore: truncated key");
            }
            return in.getLong();
        }

        boolean atEnd() {
            return !in.hasRemaining();
        }

        int position() {
            return in.position();
        }
    }

    /** Reads the thread id component of a key that starts with {@code ls 01}. */
    static KeyReader afterThreadsRoot(byte[] key) {
        return new KeyReader(key, NAMESPACE.length + 1);
    }

    static long u64(byte[] b, int off) {
        if (b.length < off + 8) {
            throw new CorruptDataException("logstore: truncated value");
        }
        return ByteBuffer.wrap(b, off, 8).getLong();
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }
}
