package io.weft.logstore;

import static io.weft.logstore.LogstoreKeys.*;

import io.weft.api.ConflictException;
import io.weft.api.CorruptDataException;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.WeftException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Cid;
import io.weft.api.format.Multiaddr;
import io.weft.api.log.AddrBook;
import io.weft.api.log.Head;
import io.weft.api.log.HeadBook;
import io.weft.api.log.KeyBook;
import io.weft.api.log.LogInfo;
import io.weft.api.log.Logstore;
import io.weft.api.log.ThreadInfo;
import io.weft.api.log.ThreadMetadata;
import io.weft.api.store.Cursor;
import io.weft.api.store.Datastore;
import io.weft.api.store.Entry;
import io.weft.api.store.KeyRange;
import io.weft.api.store.ReadTxn;
import io.weft.api.store.WriteTxn;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import io.weft.core.crypto.Ed25519;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A {@link Logstore} over any {@link Datastore}: the key, address, head and metadata books and the stored records of
 * every thread, each book operation one store transaction. The class holds no state of its own besides the store and
 * the clock, so any number of instances over one store agree. It works with plain {@code new}; the OSGi component
 * {@link LogstoreComponent} only adapts it.
 *
 * <h2>Key layout</h2>
 * Every key starts with the namespace component {@code 02 6c 73} ({@code "ls"}), so the logstore can share a store
 * with other users of other namespaces. {@code <x>} is a <em>component</em>, {@code varint(length) || bytes};
 * {@code u64} is an 8-byte big-endian number; {@code tid}, {@code lid}, {@code cid} and {@code addr} are the binary
 * forms of the thread id, log id, CID and multiaddr.
 * <pre>
 * ls 01 &lt;tid&gt; 00                       → thread key: service key || read key (32 or 64 bytes)
 * ls 01 &lt;tid&gt; 01 &lt;lid&gt; 01              → log public key (libp2p protobuf)
 * ls 01 &lt;tid&gt; 01 &lt;lid&gt; 02              → log private key (libp2p protobuf)
 * ls 01 &lt;tid&gt; 01 &lt;lid&gt; 03              → head: u64 counter || cid
 * ls 01 &lt;tid&gt; 02 &lt;lid&gt; &lt;addr&gt;         → u64 expiry (epoch millis; Long.MAX_VALUE = permanent)
 * ls 01 &lt;tid&gt; 03 &lt;lid&gt; u64 counter       → cid of the log's record number {@code counter} (1, 2, …)
 * ls 01 &lt;tid&gt; 04 &lt;cid&gt;                 → record: &lt;lid&gt; u64 counter &lt;record&gt; &lt;event&gt; &lt;header&gt; &lt;body&gt;
 * ls 01 &lt;tid&gt; 05 &lt;key utf-8&gt;           → metadata: type byte (1 string, 2 long, 3 boolean, 4 bytes) || value
 * ls 02 u64 expiry &lt;tid&gt; &lt;lid&gt; &lt;addr&gt;   → (empty) expiry index of non-permanent addresses, for purging
 * </pre>
 * All of a thread's data shares the prefix {@code ls 01 <tid>}, so deleting a thread is one range delete (plus its
 * entries in the expiry index). A thread exists exactly when its key entry {@code 00} exists, which sorts first
 * under the thread's prefix; every write below a thread requires it. The counter index makes paging a log forward
 * a range scan, although the records themselves only link backwards.
 */
public final class DatastoreLogstore implements Logstore {
    private static final byte TYPE_STRING = 1;
    private static final byte TYPE_LONG = 2;
    private static final byte TYPE_BOOL = 3;
    private static final byte TYPE_BYTES = 4;

    /** Expired addresses removed per transaction by {@link AddrBook#purgeExpired()}. */
    private static final int PURGE_BATCH = 10_000;

    private final Datastore store;
    private final Clock clock;
    private final Keys keys = new Keys();
    private final Addrs addrs = new Addrs();
    private final Heads heads = new Heads();
    private final Meta meta = new Meta();

    /** A logstore over {@code store} with the system clock. */
    public DatastoreLogstore(Datastore store) {
        this(store, Clock.systemUTC());
    }

    /** A logstore over {@code store}; address TTLs are measured with {@code clock}. */
    public DatastoreLogstore(Datastore store, Clock clock) {
        if (store == null || clock == null) {
            throw new InvalidInputException("logstore: store and clock are required");
        }
        this.store = store;
        this.clock = clock;
    }

    /** The underlying store. */
    public Datastore datastore() {
        return store;
    }

    /** The clock that address TTLs are measured with. */
    public Clock clock() {
        return clock;
    }

    /** The clock's time in epoch milliseconds, never negative. */
    long now() {
        return Math.max(0, clock.millis());
    }

    @Override
    public KeyBook keyBook() {
        return keys;
    }

    @Override
    public AddrBook addrBook() {
        return addrs;
    }

    @Override
    public HeadBook headBook() {
        return heads;
    }

    @Override
    public ThreadMetadata metadata() {
        return meta;
    }

    // ------------------------------------------------------------------ Logstore

    @Override
    public List<ThreadId> threads() {
        return read(DatastoreLogstore::threads);
    }

    @Override
    public boolean hasThread(ThreadId thread) {
        check(thread);
        return read(txn -> txn.has(LogstoreKeys.threadKey(thread)));
    }

    @Override
    public ThreadInfo threadInfo(ThreadId thread) {
        check(thread);
        return read(txn -> threadInfo(txn, thread, now()));
    }

    @Override
    public List<LogId> logs(ThreadId thread) {
        check(thread);
        return read(txn -> logs(txn, thread));
    }

    @Override
    public LogInfo logInfo(ThreadId thread, LogId log) {
        check(thread, log);
        return read(txn -> {
            requireThread(txn, thread);
            return logInfo(txn, thread, log, now())
                    .orElseThrow(() -> new NotFoundException("log " + log + " not found in thread " + thread));
        });
    }

    @Override
    public LogInfo addLog(ThreadId thread, PublicKey pubKey, Collection<Multiaddr> addrList, Duration ttl) {
        check(thread);
        if (pubKey == null) {
            throw new InvalidInputException("add log: public key is required");
        }
        List<byte[]> addrBytes = addrBytes(addrList);
        checkTtl(ttl);
        return write(txn -> {
            long now = now();
            LogId log = addPubKey(txn, thread, pubKey);
            addAddrs(txn, thread, log, addrBytes, ttl, now);
            return logInfo(txn, thread, log, now).orElseThrow();
        });
    }

    @Override
    public boolean deleteLog(ThreadId thread, LogId log) {
        check(thread, log);
        return write(txn -> deleteLog(txn, thread, log));
    }

    @Override
    public boolean deleteThread(ThreadId thread) {
        check(thread);
        return write(txn -> deleteThread(txn, thread));
    }

    // ------------------------------------------------------------------ transaction-level operations
    // (package-private: LocalLogService composes them inside its own transactions)

    <T> T read(Function<? super ReadTxn, ? extends T> work) {
        return store.read(work);
    }

    <T> T write(Function<? super WriteTxn, ? extends T> work) {
        return store.write(work);
    }

    static void requireThread(ReadTxn txn, ThreadId thread) {
        if (!txn.has(LogstoreKeys.threadKey(thread))) {
            throw new NotFoundException("thread " + thread + " not found");
        }
    }

    static Optional<ThreadKey> threadKey(ReadTxn txn, ThreadId thread) {
        byte[] v = txn.get(LogstoreKeys.threadKey(thread));
        if (v == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(ThreadKey.decode(v));
        } catch (InvalidInputException e) {
            throw new CorruptDataException("logstore: stored key of thread " + thread + " is malformed", e);
        } finally {
            Arrays.fill(v, (byte) 0);
        }
    }

    static ThreadKey addThreadKey(WriteTxn txn, ThreadId thread, ThreadKey key) {
        Optional<ThreadKey> existing = threadKey(txn, thread);
        if (existing.isEmpty()) {
            txn.put(LogstoreKeys.threadKey(thread), key.bytes());
            return key;
        }
        ThreadKey old = existing.get();
        if (!ThreadKey.of(old.serviceKey(), null).equals(ThreadKey.of(key.serviceKey(), null))) {
            throw new ConflictException("thread " + thread + " is stored with a different service key");
        }
        if (old.canRead() && key.canRead() && !old.equals(key)) {
            throw new ConflictException("thread " + thread + " is stored with a different read key");
        }
        if (!old.canRead() && key.canRead()) {
            txn.put(LogstoreKeys.threadKey(thread), key.bytes());
            return key;
        }
        return old;
    }

    static List<ThreadId> threads(ReadTxn txn) {
        List<ThreadId> out = new ArrayList<>();
        byte[] start = threadsRoot();
        byte[] end = KeyRange.prefixEnd(threadsRoot());
        while (true) {
            byte[] tid;
            byte tag;
            try (Cursor c = txn.scan(KeyRange.between(start, end))) {
                if (!c.hasNext()) {
                    break;
                }
                KeyReader r = afterThreadsRoot(c.next().key());
                tid = r.component();
                tag = r.tag();
            }
            ThreadId thread = decodeThreadId(tid);
            if (tag == T_KEY) {
                out.add(thread);
            }
            start = KeyRange.prefixEnd(threadPrefix(thread));
            if (start == null) {
                break;
            }
        }
        out.sort(null);
        return out;
    }

    static List<LogId> logs(ReadTxn txn, ThreadId thread) {
        TreeSet<LogId> out = new TreeSet<>();
        byte[] prefix = logsPrefix(thread);
        try (Cursor c = txn.scan(KeyRange.prefix(prefix))) {
            while (c.hasNext()) {
                KeyReader r = new KeyReader(c.next().key(), prefix.length);
                byte[] lid = r.component();
                if (r.tag() == L_PUB) {
                    out.add(decodeLogId(lid));
                }
            }
        }
        return new ArrayList<>(out);
    }

    static Optional<PublicKey> pubKey(ReadTxn txn, ThreadId thread, LogId log) {
        byte[] v = txn.get(LogstoreKeys.pubKey(thread, log));
        if (v == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(PublicKey.unmarshal(v));
        } catch (InvalidInputException e) {
            throw new CorruptDataException("logstore: stored public key of log " + log + " is malformed", e);
        }
    }

    static Optional<PrivateKey> privKey(ReadTxn txn, ThreadId thread, LogId log) {
        byte[] v = txn.get(LogstoreKeys.privKey(thread, log));
        if (v == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(PrivateKey.unmarshal(v));
        } catch (InvalidInputException e) {
            throw new CorruptDataException("logstore: stored private key of log " + log + " is malformed", e);
        } finally {
            Arrays.fill(v, (byte) 0);
        }
    }

    static LogId addPubKey(WriteTxn txn, ThreadId thread, PublicKey key) {
        requireThread(txn, thread);
        LogId log = LogId.of(key);
        byte[] k = LogstoreKeys.pubKey(thread, log);
        if (!txn.has(k)) {
            txn.put(k, key.marshal());
        }
        return log;
    }

    static LogId addPrivKey(WriteTxn txn, ThreadId thread, PrivateKey key) {
        LogId log = addPubKey(txn, thread, key.publicKey());
        byte[] k = LogstoreKeys.privKey(thread, log);
        if (!txn.has(k)) {
            byte[] v = key.marshal();
            txn.put(k, v);
            Arrays.fill(v, (byte) 0);
        }
        return log;
    }

    static Head head(ReadTxn txn, ThreadId thread, LogId log) {
        byte[] v = txn.get(LogstoreKeys.head(thread, log));
        return v == null ? Head.EMPTY : decodeHead(v, log);
    }

    static void putHead(WriteTxn txn, ThreadId thread, LogId log, Head head) {
        byte[] cid = head.cid().bytes();
        byte[] v = new byte[8 + cid.length];
        System.arraycopy(u64(head.counter()), 0, v, 0, 8);
        System.arraycopy(cid, 0, v, 8, cid.length);
        txn.put(LogstoreKeys.head(thread, log), v);
    }

    private static Head decodeHead(byte[] v, LogId log) {
        try {
            long counter = LogstoreKeys.u64(v, 0);
            return new Head(Cid.decode(Arrays.copyOfRange(v, 8, v.length)), counter);
        } catch (InvalidInputException e) {
            throw new CorruptDataException("logstore: stored head of log " + log + " is malformed", e);
        }
    }

    static Map<LogId, Head> heads(ReadTxn txn, ThreadId thread) {
        TreeMap<LogId, Head> out = new TreeMap<>();
        byte[] prefix = logsPrefix(thread);
        try (Cursor c = txn.scan(KeyRange.prefix(prefix))) {
            while (c.hasNext()) {
                Entry e = c.next();
                KeyReader r = new KeyReader(e.key(), prefix.length);
                byte[] lid = r.component();
                if (r.tag() == L_HEAD) {
                    LogId log = decodeLogId(lid);
                    out.put(log, decodeHead(e.value(), log));
                }
            }
        }
        return out;
    }

    static Optional<LogInfo> logInfo(ReadTxn txn, ThreadId thread, LogId log, long now) {
        Optional<PublicKey> pub = pubKey(txn, thread, log);
        if (pub.isEmpty()) {
            return Optional.empty();
        }
        boolean hasPriv = txn.has(LogstoreKeys.privKey(thread, log));
        return Optional.of(new LogInfo(log, pub.get(), hasPriv, addrs(txn, thread, log, now), head(txn, thread, log)));
    }

    static ThreadInfo threadInfo(ReadTxn txn, ThreadId thread, long now) {
        ThreadKey key = threadKey(txn, thread).orElseThrow(() -> new NotFoundException("thread " + thread + " not found"));
        List<LogInfo> infos = new ArrayList<>();
        for (LogId log : logs(txn, thread)) {
            logInfo(txn, thread, log, now).ifPresent(infos::add);
        }
        return new ThreadInfo(thread, key, infos);
    }

    static boolean deleteThread(WriteTxn txn, ThreadId thread) {
        boolean existed = txn.has(LogstoreKeys.threadKey(thread));
        // the expiry index lives outside the thread's prefix: remove this thread's entries first
        for (Entry e : scanAll(txn, KeyRange.prefix(addrsPrefix(thread)))) {
            KeyReader r = new KeyReader(e.key(), addrsPrefix(thread).length);
            byte[] lid = r.component();
            byte[] addr = r.component();
            deleteExpiryEntry(txn, thread, decodeLogId(lid), addr, e.value());
        }
        long removed = txn.deleteRange(KeyRange.prefix(threadPrefix(thread)));
        return existed || removed > 0;
    }

    static boolean deleteLog(WriteTxn txn, ThreadId thread, LogId log) {
        boolean existed = txn.has(LogstoreKeys.pubKey(thread, log));
        long removed = 0;
        for (Entry e : scanAll(txn, KeyRange.prefix(indexPrefix(thread, log)))) {
            removed += txn.delete(record(thread, e.value())) ? 1 : 0;
        }
        removed += txn.deleteRange(KeyRange.prefix(indexPrefix(thread, log)));
        removed += clearAddrs(txn, thread, log);
        removed += txn.deleteRange(KeyRange.prefix(logPrefix(thread, log)));
        // identity → log mappings that name this log
        byte[] lid = log.bytes();
        byte[] metaPrefix = metaPrefix(thread);
        for (Entry e : scanAll(txn, KeyRange.prefix(metaPrefix))) {
            byte[] v = e.value();
            if (v.length == lid.length + 1 && v[0] == TYPE_BYTES && Arrays.equals(v, 1, v.length, lid, 0, lid.length)
                    && isIdentityKey(new String(new KeyReader(e.key(), metaPrefix.length).component(), StandardCharsets.UTF_8))) {
                txn.delete(e.key());
            }
        }
        return existed || removed > 0;
    }

    private static boolean isIdentityKey(String key) {
        try {
            PublicKey.parse(key);
            return true;
        } catch (WeftException | IllegalArgumentException e) {
            return false;
        }
    }

    // ---- addresses

    static long expiryOf(Duration ttl, long now) {
        long millis;
        try {
            millis = ttl.toMillis();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
        if (millis == 0) {
            millis = 1; // a positive TTL below one millisecond still lasts a moment
        }
        return millis >= Long.MAX_VALUE - Math.max(now, 0) ? Long.MAX_VALUE : Math.max(now, 0) + millis;
    }

    static List<Multiaddr> addrs(ReadTxn txn, ThreadId thread, LogId log, long now) {
        List<Multiaddr> out = new ArrayList<>();
        byte[] prefix = addrsPrefix(thread, log);
        try (Cursor c = txn.scan(KeyRange.prefix(prefix))) {
            while (c.hasNext()) {
                Entry e = c.next();
                if (LogstoreKeys.u64(e.value(), 0) > now) {
                    out.add(decodeAddr(new KeyReader(e.key(), prefix.length).component()));
                }
            }
        }
        // keys order addresses length-first; the API promises binary order
        out.sort((x, y) -> Arrays.compareUnsigned(x.bytes(), y.bytes()));
        return out;
    }

    static void addAddrs(WriteTxn txn, ThreadId thread, LogId log, List<byte[]> addrList, Duration ttl, long now) {
        requireThread(txn, thread);
        if (!ttl.isNegative() && !ttl.isZero()) {
            long expiry = expiryOf(ttl, now);
            for (byte[] addr : addrList) {
                byte[] k = LogstoreKeys.addr(thread, log, addr);
                byte[] old = txn.get(k);
                long oldExpiry = old == null ? 0 : LogstoreKeys.u64(old, 0);
                if (old != null && oldExpiry > now && oldExpiry >= expiry) {
                    continue;
                }
                putAddr(txn, thread, log, addr, old, expiry);
            }
        }
        purgeExpired(txn, thread, log, now);
    }

    static void setAddrs(WriteTxn txn, ThreadId thread, LogId log, List<byte[]> addrList, Duration ttl, long now) {
        requireThread(txn, thread);
        boolean remove = ttl.isNegative() || ttl.isZero();
        long expiry = remove ? 0 : expiryOf(ttl, now);
        for (byte[] addr : addrList) {
            byte[] k = LogstoreKeys.addr(thread, log, addr);
            byte[] old = txn.get(k);
            if (remove) {
                if (old != null) {
                    deleteExpiryEntry(txn, thread, log, addr, old);
                    txn.delete(k);
                }
            } else {
                putAddr(txn, thread, log, addr, old, expiry);
            }
        }
        purgeExpired(txn, thread, log, now);
    }

    private static void putAddr(WriteTxn txn, ThreadId thread, LogId log, byte[] addr, byte[] old, long expiry) {
        if (old != null) {
            deleteExpiryEntry(txn, thread, log, addr, old);
        }
        txn.put(LogstoreKeys.addr(thread, log, addr), u64(expiry));
        if (expiry != Long.MAX_VALUE) {
            txn.put(LogstoreKeys.expiry(expiry, thread, log, addr), new byte[0]);
        }
    }

    private static void deleteExpiryEntry(WriteTxn txn, ThreadId thread, LogId log, byte[] addr, byte[] value) {
        long expiry = LogstoreKeys.u64(value, 0);
        if (expiry != Long.MAX_VALUE) {
            txn.delete(LogstoreKeys.expiry(expiry, thread, log, addr));
        }
    }

    /** Lazily removes the expired addresses of one log. */
    private static void purgeExpired(WriteTxn txn, ThreadId thread, LogId log, long now) {
        byte[] prefix = addrsPrefix(thread, log);
        for (Entry e : scanAll(txn, KeyRange.prefix(prefix))) {
            if (LogstoreKeys.u64(e.value(), 0) <= now) {
                byte[] addr = new KeyReader(e.key(), prefix.length).component();
                deleteExpiryEntry(txn, thread, log, addr, e.value());
                txn.delete(e.key());
            }
        }
    }

    static long clearAddrs(WriteTxn txn, ThreadId thread, LogId log) {
        byte[] prefix = addrsPrefix(thread, log);
        long n = 0;
        for (Entry e : scanAll(txn, KeyRange.prefix(prefix))) {
            deleteExpiryEntry(txn, thread, log, new KeyReader(e.key(), prefix.length).component(), e.value());
            txn.delete(e.key());
            n++;
        }
        return n;
    }

    /** Removes the addresses of up to {@code limit} expired index entries of any thread. */
    static PurgeResult purgeExpired(WriteTxn txn, long now, int limit) {
        byte[] root = expiryRoot();
        byte[] end = ns().tag(ADDR_EXPIRY).u64(now + 1).build(); // expiry <= now
        List<byte[]> keys = new ArrayList<>();
        try (Cursor c = txn.scan(KeyRange.between(root, end))) {
            while (c.hasNext() && keys.size() < limit) {
                keys.add(c.next().key());
            }
        }
        int n = 0;
        for (byte[] k : keys) {
            KeyReader r = new KeyReader(k, root.length);
            long expiry = r.u64();
            ThreadId thread = decodeThreadId(r.component());
            LogId log = decodeLogId(r.component());
            byte[] addr = r.component();
            byte[] ak = LogstoreKeys.addr(thread, log, addr);
            byte[] v = txn.get(ak);
            if (v != null && LogstoreKeys.u64(v, 0) == expiry) {
                txn.delete(ak);
                n++;
            }
            txn.delete(k);
        }
        return new PurgeResult(keys.size(), n);
    }

    // ---- metadata

    private static byte[] getMeta(ReadTxn txn, ThreadId thread, String key, byte type, String typeName) {
        byte[] v = txn.get(LogstoreKeys.meta(thread, checkMetaKey(key)));
        if (v == null) {
            return null;
        }
        if (v.length == 0) {
            throw new CorruptDataException("logstore: metadata " + key + " of thread " + thread + " is malformed");
        }
        if (v[0] != type) {
            throw new InvalidInputException("metadata " + key + " of thread " + thread + " is not a " + typeName);
        }
        return Arrays.copyOfRange(v, 1, v.length);
    }

    private void putMeta(ThreadId thread, String key, byte type, byte[] value) {
        check(thread);
        byte[] k = LogstoreKeys.meta(thread, checkMetaKey(key));
        byte[] v = new byte[value.length + 1];
        v[0] = type;
        System.arraycopy(value, 0, v, 1, value.length);
        store.update(txn -> {
            requireThread(txn, thread);
            txn.put(k, v);
        });
    }

    static void putMetaBytes(WriteTxn txn, ThreadId thread, String key, byte[] value) {
        byte[] v = new byte[value.length + 1];
        v[0] = TYPE_BYTES;
        System.arraycopy(value, 0, v, 1, value.length);
        txn.put(LogstoreKeys.meta(thread, checkMetaKey(key)), v);
    }

    static Optional<byte[]> getMetaBytes(ReadTxn txn, ThreadId thread, String key) {
        return Optional.ofNullable(getMeta(txn, thread, key, TYPE_BYTES, "byte array"));
    }

    private static String checkMetaKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new InvalidInputException("metadata: key is empty");
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > ThreadMetadata.MAX_KEY_BYTES) {
            throw new InvalidInputException("metadata: key longer than " + ThreadMetadata.MAX_KEY_BYTES + " bytes");
        }
        return key;
    }

    // ---- helpers

    /** Materializes a scan, so that the caller may write while walking the result. */
    static List<Entry> scanAll(ReadTxn txn, KeyRange range) {
        List<Entry> out = new ArrayList<>();
        try (Cursor c = txn.scan(range)) {
            c.forEachRemaining(out::add);
        }
        return out;
    }

    static ThreadId decodeThreadId(byte[] b) {
        try {
            return ThreadId.decode(b);
        } catch (InvalidInputException e) {
            throw new CorruptDataException("logstore: malformed thread id in key", e);
        }
    }

    static LogId decodeLogId(byte[] b) {
        try {
            return new LogId(b);
        } catch (InvalidInputException e) {
            throw new CorruptDataException("logstore: malformed log id in key", e);
        }
    }

    private static Multiaddr decodeAddr(byte[] b) {
        try {
            return Multiaddr.decode(b);
        } catch (InvalidInputException e) {
            throw new CorruptDataException("logstore: malformed stored address", e);
        }
    }

    static void check(ThreadId thread) {
        if (thread == null) {
            throw new InvalidInputException("thread id is required");
        }
    }

    static void check(ThreadId thread, LogId log) {
        check(thread);
        if (log == null) {
            throw new InvalidInputException("log id is required");
        }
    }

    private static void checkTtl(Duration ttl) {
        if (ttl == null) {
            throw new InvalidInputException("address TTL is required");
        }
    }

    private static List<byte[]> addrBytes(Collection<Multiaddr> addrList) {
        if (addrList == null) {
            throw new InvalidInputException("addresses are required");
        }
        List<byte[]> out = new ArrayList<>(addrList.size());
        for (Multiaddr a : addrList) {
            if (a == null || a.isEmpty()) {
                throw new InvalidInputException("address book: empty address");
            }
            out.add(a.bytes());
        }
        return out;
    }

    // ------------------------------------------------------------------ books

    private final class Keys implements KeyBook {
        @Override
        public Optional<ThreadKey> threadKey(ThreadId thread) {
            check(thread);
            return read(txn -> DatastoreLogstore.threadKey(txn, thread));
        }

        @Override
        public ThreadKey addThreadKey(ThreadId thread, ThreadKey key) {
            check(thread);
            if (key == null) {
                throw new InvalidInputException("thread key is required");
            }
            return write(txn -> DatastoreLogstore.addThreadKey(txn, thread, key));
        }

        @Override
        public Optional<PublicKey> pubKey(ThreadId thread, LogId log) {
            check(thread, log);
            return read(txn -> DatastoreLogstore.pubKey(txn, thread, log));
        }

        @Override
        public LogId addPubKey(ThreadId thread, PublicKey key) {
            check(thread);
            if (key == null) {
                throw new InvalidInputException("public key is required");
            }
            return write(txn -> DatastoreLogstore.addPubKey(txn, thread, key));
        }

        @Override
        public Optional<PrivateKey> privKey(ThreadId thread, LogId log) {
            check(thread, log);
            return read(txn -> DatastoreLogstore.privKey(txn, thread, log));
        }

        @Override
        public LogId addPrivKey(ThreadId thread, PrivateKey key) {
            check(thread);
            if (key == null) {
                throw new InvalidInputException("private key is required");
            }
            checkKeyPair(key);
            return write(txn -> DatastoreLogstore.addPrivKey(txn, thread, key));
        }

        @Override
        public List<ThreadId> threadsWithKeys() {
            return threads();
        }

        @Override
        public List<LogId> logsWithKeys(ThreadId thread) {
            return logs(thread);
        }
    }

    /** Rejects a private key whose public half is not derived from its seed. */
    static void checkKeyPair(PrivateKey key) {
        if (!Ed25519.fromSeed(key.seed()).publicKey().equals(key.publicKey())) {
            throw new InvalidInputException("private key: the public key does not match the seed");
        }
    }

    private final class Addrs implements AddrBook {
        @Override
        public void addAddrs(ThreadId thread, LogId log, Collection<Multiaddr> addrList, Duration ttl) {
            check(thread, log);
            checkTtl(ttl);
            List<byte[]> b = addrBytes(addrList);
            store.update(txn -> DatastoreLogstore.addAddrs(txn, thread, log, b, ttl, now()));
        }

        @Override
        public void setAddrs(ThreadId thread, LogId log, Collection<Multiaddr> addrList, Duration ttl) {
            check(thread, log);
            checkTtl(ttl);
            List<byte[]> b = addrBytes(addrList);
            store.update(txn -> DatastoreLogstore.setAddrs(txn, thread, log, b, ttl, now()));
        }

        @Override
        public List<Multiaddr> addrs(ThreadId thread, LogId log) {
            check(thread, log);
            return read(txn -> DatastoreLogstore.addrs(txn, thread, log, now()));
        }

        @Override
        public void clearAddrs(ThreadId thread, LogId log) {
            check(thread, log);
            store.update(txn -> DatastoreLogstore.clearAddrs(txn, thread, log));
        }

        @Override
        public List<LogId> logsWithAddrs(ThreadId thread) {
            check(thread);
            long now = now();
            return read(txn -> {
                TreeSet<LogId> out = new TreeSet<>();
                byte[] prefix = addrsPrefix(thread);
                try (Cursor c = txn.scan(KeyRange.prefix(prefix))) {
                    while (c.hasNext()) {
                        Entry e = c.next();
                        if (LogstoreKeys.u64(e.value(), 0) > now) {
                            out.add(decodeLogId(new KeyReader(e.key(), prefix.length).component()));
                        }
                    }
                }
                return new ArrayList<>(out);
            });
        }

        @Override
        public int purgeExpired() {
            long now = now();
            int total = 0;
            while (true) {
                PurgeResult r = write(txn -> DatastoreLogstore.purgeExpired(txn, now, PURGE_BATCH));
                total += r.removed();
                if (r.visited() < PURGE_BATCH) {
                    return total;
                }
            }
        }
    }

    /** Index entries visited and addresses removed by one purge batch. */
    record PurgeResult(int visited, int removed) {
    }

    private final class Heads implements HeadBook {
        @Override
        public Head head(ThreadId thread, LogId log) {
            check(thread, log);
            return read(txn -> DatastoreLogstore.head(txn, thread, log));
        }

        @Override
        public Map<LogId, Head> heads(ThreadId thread) {
            check(thread);
            return read(txn -> new LinkedHashMap<>(DatastoreLogstore.heads(txn, thread)));
        }
    }

    private final class Meta implements ThreadMetadata {
        @Override
        public Optional<String> getString(ThreadId thread, String key) {
            check(thread);
            return read(txn -> Optional.ofNullable(getMeta(txn, thread, key, TYPE_STRING, "string"))
                    .map(b -> new String(b, StandardCharsets.UTF_8)));
        }

        @Override
        public void putString(ThreadId thread, String key, String value) {
            if (value == null) {
                throw new InvalidInputException("metadata: value is required");
            }
            putMeta(thread, key, TYPE_STRING, value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public Optional<Long> getLong(ThreadId thread, String key) {
            check(thread);
            return read(txn -> Optional.ofNullable(getMeta(txn, thread, key, TYPE_LONG, "long"))
                    .map(b -> LogstoreKeys.u64(b, 0)));
        }

        @Override
        public void putLong(ThreadId thread, String key, long value) {
            putMeta(thread, key, TYPE_LONG, u64(value));
        }

        @Override
        public Optional<Boolean> getBoolean(ThreadId thread, String key) {
            check(thread);
            return read(txn -> Optional.ofNullable(getMeta(txn, thread, key, TYPE_BOOL, "boolean"))
                    .map(b -> {
                        if (b.length != 1 || (b[0] & 0xfe) != 0) {
                            throw new CorruptDataException("logstore: malformed boolean metadata " + key);
                        }
                        return b[0] == 1;
                    }));
        }

        @Override
        public void putBoolean(ThreadId thread, String key, boolean value) {
            putMeta(thread, key, TYPE_BOOL, new byte[] {(byte) (value ? 1 : 0)});
        }

        @Override
        public Optional<byte[]> getBytes(ThreadId thread, String key) {
            check(thread);
            return read(txn -> getMetaBytes(txn, thread, key));
        }

        @Override
        public void putBytes(ThreadId thread, String key, byte[] value) {
            if (value == null) {
                throw new InvalidInputException("metadata: value is required");
            }
            putMeta(thread, key, TYPE_BYTES, value);
        }

        @Override
        public boolean removeMetadata(ThreadId thread, String key) {
            check(thread);
            byte[] k = LogstoreKeys.meta(thread, checkMetaKey(key));
            return write(txn -> txn.delete(k));
        }

        @Override
        public void clearMetadata(ThreadId thread) {
            check(thread);
            store.update(txn -> txn.deleteRange(KeyRange.prefix(metaPrefix(thread))));
        }

        @Override
        public List<String> metadataKeys(ThreadId thread) {
            check(thread);
            return read(txn -> {
                List<String> out = new ArrayList<>();
                byte[] prefix = metaPrefix(thread);
                try (Cursor c = txn.scan(KeyRange.prefix(prefix))) {
                    while (c.hasNext()) {
                        out.add(new String(new KeyReader(c.next().key(), prefix.length).component(), StandardCharsets.UTF_8));
                    }
                }
                // keys are stored length-first; the API promises UTF-8 byte order
                out.sort((x, y) -> Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8)));
                return out;
            });
        }
    }
}
