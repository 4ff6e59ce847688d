package io.weft.logstore;

import io.weft.api.ConflictException;
import io.weft.api.CorruptDataException;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.UnauthorizedException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Cid;
import io.weft.api.log.AppendHook;
import io.weft.api.log.AppendResult;
import io.weft.api.log.Head;
import io.weft.api.log.LogInfo;
import io.weft.api.log.LogService;
import io.weft.api.log.Logstore;
import io.weft.api.log.ThreadInfo;
import io.weft.api.record.Payload;
import io.weft.api.record.Record;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.store.Datastore;
import io.weft.api.store.ReadTxn;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import io.weft.core.cbor.DagCbor;
import io.weft.core.crypto.Ed25519;
import io.weft.core.record.Records;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import io.weft.api.log.AppendListener;
import io.weft.api.net.Registration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local {@link LogService} over a {@link DatastoreLogstore}. Works with plain {@code new}; the OSGi component
 * {@link LogServiceComponent} only adapts it.
 *
 * <h2>Appending</h2>
 * Building (encrypting, signing) and verifying a record are done <em>outside</em> any write transaction, against a
 * read snapshot of the log's head. Then one write transaction re-reads the head, checks that the record extends it,
 * and stores the record, its counter index entry and the new head. Writers are serialized by the store, so two
 * appends to one log can never both succeed against the same head: the loser of a race sees a moved head and
 * (for {@link #createRecord}) rebuilds its record on the new head, or (for {@link #addRecord}) fails with a
 * {@link ConflictException}. Local appends to one log also take an in-process lock, so that they rarely race at all.
 *
 * <h2>Hooks</h2>
 * Both appends accept an {@link AppendHook} that runs inside the appending write transaction, after the record, its
 * index entry and the new head are written; what it writes commits with the record, and if it throws the
 * transaction is aborted. The database applies a record's events this way, atomically with the append.
 */
public final class LocalLogService implements LogService {
    private static final Logger LOG = LoggerFactory.getLogger(LocalLogService.class);
    /** Own logs whose keys are kept in memory for writing. */
    private static final int OWN_LOG_CACHE_SIZE = 1024;

    /** Rebuilds of a record whose head moved under it before {@link #createRecord} gives up. */
    private static final int MAX_CREATE_ATTEMPTS = 64;
    private static final int LOCK_STRIPES = 64;

    private final DatastoreLogstore logstore;
    /** Own logs by (thread, identity), least recently used evicted: see {@link #ownLogFor}. */
    private final Map<OwnLogKey, OwnLog> ownLogs = Collections.synchronizedMap(
            new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<OwnLogKey, OwnLog> eldest) {
                    return size() > OWN_LOG_CACHE_SIZE;
                }
            });
    private final ReentrantLock[] appendLocks = new ReentrantLock[LOCK_STRIPES];
    private final List<AppendListener> listeners = new CopyOnWriteArrayList<>();

    /** A log service over {@code store}, with the system clock for address TTLs. */
    public LocalLogService(Datastore store) {
        this(new DatastoreLogstore(store));
    }

    /** A log service over {@code store}, with {@code clock} for address TTLs. */
    public LocalLogService(Datastore store, Clock clock) {
        this(new DatastoreLogstore(store, clock));
    }

    /** A log service over {@code logstore}. */
    public LocalLogService(DatastoreLogstore logstore) {
        if (logstore == null) {
            throw new InvalidInputException("log service: logstore is required");
        }
        this.logstore = logstore;
        for (int i = 0; i < LOCK_STRIPES; i++) {
            appendLocks[i] = new ReentrantLock();
        }
    }

    @Override
    public Logstore logstore() {
        return logstore;
    }

    // ------------------------------------------------------------------ threads

    @Override
    public ThreadInfo createThread(ThreadId id, ThreadKey key) {
        DatastoreLogstore.check(id);
        ThreadKey k = key != null ? key : ThreadKey.generate(true);
        return logstore.write(txn -> {
            if (txn.has(LogstoreKeys.threadKey(id))) {
                throw new ConflictException("thread " + id + " already exists");
            }
            DatastoreLogstore.addThreadKey(txn, id, k);
            return DatastoreLogstore.threadInfo(txn, id, logstore.now());
        });
    }

    @Override
    public ThreadInfo addThread(ThreadId id, ThreadKey key) {
        DatastoreLogstore.check(id);
        if (key == null) {
            throw new InvalidInputException("add thread: the thread key is required");
        }
        return logstore.write(txn -> {
            DatastoreLogstore.addThreadKey(txn, id, key);
            return DatastoreLogstore.threadInfo(txn, id, logstore.now());
        });
    }

    @Override
    public ThreadInfo getThread(ThreadId id) {
        return logstore.threadInfo(id);
    }

    @Override
    public List<ThreadInfo> listThreads() {
        return logstore.read(txn -> {
            long now = logstore.now();
            List<ThreadInfo> out = new ArrayList<>();
            for (ThreadId id : DatastoreLogstore.threads(txn)) {
                out.add(DatastoreLogstore.threadInfo(txn, id, now));
            }
            return out;
        });
    }

    @Override
    public boolean deleteThread(ThreadId id) {
        synchronized (ownLogs) {
            ownLogs.keySet().removeIf(k -> k.thread().equals(id));
        }
        return logstore.deleteThread(id);
    }

    // ------------------------------------------------------------------ own logs

    /** The metadata key of the identity → log mapping: the identity's public key text, as in go-threads. */
    static String identityKey(PublicKey identity) {
        return identity.toString();
    }

    @Override
    public LogInfo getOrCreateOwnLog(ThreadId thread, PrivateKey identity) {
        if (identity == null) {
            throw new InvalidInputException("identity is required");
        }
        return getOrCreateOwnLog(thread, identity.publicKey());
    }

    /** The log's private key is this peer's in either case: the identity's private key is never needed. */
    @Override
    public LogInfo getOrCreateOwnLog(ThreadId thread, PublicKey identity) {
        DatastoreLogstore.check(thread);
        if (identity == null) {
            throw new InvalidInputException("identity is required");
        }
        Optional<LogInfo> existing = logstore.read(txn -> {
            DatastoreLogstore.requireThread(txn, thread);
            return ownLog(txn, thread, identity);
        });
        if (existing.isPresent()) {
            return existing.get();
        }
        PrivateKey logKey = Ed25519.generate(); // outside the write transaction
        return logstore.write(txn -> {
            DatastoreLogstore.requireThread(txn, thread);
            Optional<LogInfo> raced = ownLog(txn, thread, identity);
            if (raced.isPresent()) {
                return raced.get();
            }
            LogId log = DatastoreLogstore.addPrivKey(txn, thread, logKey);
            DatastoreLogstore.putMetaBytes(txn, thread, identityKey(identity), log.bytes());
            return DatastoreLogstore.logInfo(txn, thread, log, logstore.now()).orElseThrow();
        });
    }

    @Override
    public Optional<LogInfo> ownLog(ThreadId thread, PublicKey identity) {
        DatastoreLogstore.check(thread);
        if (identity == null) {
            throw new InvalidInputException("identity is required");
        }
        return logstore.read(txn -> ownLog(txn, thread, identity));
    }

    private Optional<LogInfo> ownLog(ReadTxn txn, ThreadId thread, PublicKey identity) {
        Optional<byte[]> lid = DatastoreLogstore.getMetaBytes(txn, thread, identityKey(identity));
        if (lid.isEmpty()) {
            return Optional.empty();
        }
        LogId log = DatastoreLogstore.decodeLogId(lid.get());
        LogInfo info = DatastoreLogstore.logInfo(txn, thread, log, logstore.now())
                .orElseThrow(() -> new CorruptDataException("logstore: identity log " + log + " of thread " + thread + " has no key"));
        return Optional.of(info);
    }

    // ------------------------------------------------------------------ records

    @Override
    public AppendResult createRecord(ThreadId thread, PrivateKey identity, byte[] bodyNode) {
        return createRecord(thread, identity, bodyNode, AppendHook.NONE);
    }

    @Override
    public AppendResult createRecord(ThreadId thread, PrivateKey identity, byte[] bodyNode, AppendHook sameTransaction) {
        if (identity == null) {
            throw new InvalidInputException("create record: identity, body and hook are required");
        }
        // the identity's private key signs nothing (the log key does): only its public half names the author
        return createRecord(thread, identity.publicKey(), bodyNode, sameTransaction);
    }

    @Override
    public AppendResult createRecord(ThreadId thread, PublicKey identity, byte[] bodyNode, AppendHook sameTransaction) {
        DatastoreLogstore.check(thread);
        if (identity == null || bodyNode == null || sameTransaction == null) {
            throw new InvalidInputException("create record: identity, body and hook are required");
        }
        // validate before anything is stored: a failing call must not even create the identity's log
        DagCbor.decode(bodyNode); // strict: exactly one canonical dag-cbor node
        OwnLog own = ownLogFor(thread, identity);
        ReentrantLock lock = lockFor(thread, own.log());
        lock.lock();
        try {
            for (int attempt = 0; attempt < MAX_CREATE_ATTEMPTS; attempt++) {
                OwnLog writer = own;
                // 1. snapshot: thread key and head
                Snapshot s = logstore.read(txn -> new Snapshot(readableKey(txn, thread),
                        DatastoreLogstore.head(txn, thread, writer.log())));
                // 2. build outside the write transaction (the writer made every field: nothing to re-verify)
                Record record = Records.createRecord(bodyNode, writer.logKey(), identity, s.head().cid(), s.key());
                RecordEnvelope env = record.envelope();
                // 3. one write transaction: check the head, append
                Attempt result = logstore.write(txn -> {
                    DatastoreLogstore.requireThread(txn, thread);
                    if (!txn.has(LogstoreKeys.privKey(thread, writer.log()))) {
                        return Attempt.STALE; // the identity's log was deleted since it was cached
                    }
                    Head head = DatastoreLogstore.head(txn, thread, writer.log());
                    if (!head.equals(s.head())) {
                        return Attempt.MOVED; // the log moved on: rebuild on the new head
                    }
                    Head next = StoredRecord.append(txn, thread, writer.log(), head, env);
                    AppendResult appended = new AppendResult(writer.log(), next.counter(), record, true);
                    sameTransaction.appended(txn, appended); // throws → the transaction aborts
                    return new Attempt(appended, false);
                });
                if (result.staleLog()) {
                    // the log was deleted (or its thread deleted and re-created): forget it; the identity gets
                    // its log again, as getOrCreateOwnLog would give it
                    ownLogs.remove(new OwnLogKey(thread, identity));
                    own = ownLogFor(thread, identity);
                    lock.unlock();
                    lock = lockFor(thread, own.log());
                    lock.lock();
                    continue;
                }
                if (result.appended() != null) {
                    notifyAppended(thread, result.appended()); // still under the log's lock: in counter order
                    return result.appended();
                }
                backOff(attempt); // another writer (another instance on this store) won: let it finish
            }
            throw new ConflictException("create record: log " + own.log() + " kept moving; gave up after "
                    + MAX_CREATE_ATTEMPTS + " attempts");
        } finally {
            lock.unlock();
        }
    }

    /**
     * A short random pause after losing a race for a log's head to a writer this instance does not coordinate with
     * (another service on the same store), growing with the attempts, so racing writers fall out of step instead of
     * rebuilding on the same head again and again.
     */
    private static void backOff(int attempt) {
        long maxMicros = 50L << Math.min(attempt, 6); // 50 µs … 3.2 ms
        java.util.concurrent.locks.LockSupport.parkNanos(
                java.util.concurrent.ThreadLocalRandom.current().nextLong(maxMicros * 1000) + 1);
    }

    private record Snapshot(ThreadKey key, Head head) {
    }

    /** The thread key, which must include the read key for this peer to write. */
    private static ThreadKey readableKey(ReadTxn txn, ThreadId thread) {
        ThreadKey key = DatastoreLogstore.threadKey(txn, thread)
                .orElseThrow(() -> new NotFoundException("thread " + thread + " not found"));
        if (!key.canRead()) {
            throw new UnauthorizedException("thread " + thread + " has no read key: this peer can replicate"
                    + " its records but not write them");
        }
        return key;
    }

    /** An identity's log in a thread and its private key, as cached for writing. */
    private record OwnLog(LogId log, PrivateKey logKey) {
    }

    private record OwnLogKey(ThreadId thread, PublicKey identity) {
    }

    /** What one append attempt found: the appended record, a moved head ({@code null}), or a deleted log. */
    private record Attempt(AppendResult appended, boolean staleLog) {
        static final Attempt MOVED = new Attempt(null, false);
        static final Attempt STALE = new Attempt(null, true);
    }

    /**
     * The identity's log in {@code thread} (created on first use) with its private key. Cached, bounded, because
     * loading a private key means checking it against its seed (an Ed25519 scalar multiplication, as costly as
     * a signature); a cached entry is used only while the write transaction still finds the log's key stored.
     */
    private OwnLog ownLogFor(ThreadId thread, PublicKey identity) {
        OwnLogKey cacheKey = new OwnLogKey(thread, identity);
        OwnLog own = ownLogs.get(cacheKey);
        if (own != null) {
            return own;
        }
        logstore.read(txn -> readableKey(txn, thread));
        LogId log = getOrCreateOwnLog(thread, identity).id();
        PrivateKey logKey = logstore.read(txn -> DatastoreLogstore.privKey(txn, thread, log)).orElseThrow(
                () -> new UnauthorizedException("this peer does not hold the private key of log " + log));
        own = new OwnLog(log, logKey);
        ownLogs.put(cacheKey, own);
        return own;
    }

    @Override
    public AppendResult addRecord(ThreadId thread, LogId log, RecordEnvelope envelope) {
        return addRecord(thread, log, envelope, AppendHook.NONE);
    }

    @Override
    public AppendResult addRecord(ThreadId thread, LogId log, RecordEnvelope envelope, AppendHook sameTransaction) {
        DatastoreLogstore.check(thread, log);
        if (envelope == null || sameTransaction == null) {
            throw new InvalidInputException("add record: envelope and hook are required");
        }
        // 1. snapshot: keys
        record Keys(ThreadKey key, PublicKey logKey) {
        }
        Keys k = logstore.read(txn -> {
            ThreadKey key = DatastoreLogstore.threadKey(txn, thread)
                    .orElseThrow(() -> new NotFoundException("thread " + thread + " not found"));
            PublicKey pub = DatastoreLogstore.pubKey(txn, thread, log)
                    .orElseThrow(() -> new NotFoundException("log " + log + " not found in thread " + thread));
            return new Keys(key, pub);
        });
        // 2. verify outside the write transaction (prev is checked against the head below)
        Record record;
        try {
            record = Records.verify(envelope, k.logKey(), k.key());
        } catch (InvalidInputException e) {
            throw new CorruptDataException("add record: " + e.getMessage(), e);
        }
        Cid id = envelope.id();
        Cid prev = record.prev().orElse(null);
        // 3. one write transaction: duplicate check, head check, append
        ReentrantLock lock = lockFor(thread, log);
        lock.lock();
        try {
            AppendResult result = logstore.write(txn -> {
                DatastoreLogstore.requireThread(txn, thread);
                if (!txn.has(LogstoreKeys.pubKey(thread, log))) {
                    throw new NotFoundException("log " + log + " not found in thread " + thread);
                }
                Optional<StoredRecord> stored = StoredRecord.get(txn, thread, id);
                if (stored.isPresent()) {
                    if (!stored.get().log().equals(log)) {
                        throw new ConflictException("record " + id + " is already stored in another log");
                    }
                    return new AppendResult(log, stored.get().counter(), record, false);
                }
                Head head = DatastoreLogstore.head(txn, thread, log);
                if (head.isEmpty() ? prev != null : !head.cid().equals(prev)) {
                    throw new ConflictException("record " + id + " does not extend log " + log + ": its prev is "
                            + (prev == null ? "absent (a first record)" : prev) + " but the head is "
                            + (head.isEmpty() ? "empty" : head.cid() + " #" + head.counter()));
                }
                Head next = StoredRecord.append(txn, thread, log, head, envelope);
                AppendResult appended = new AppendResult(log, next.counter(), record, true);
                sameTransaction.appended(txn, appended); // throws → the transaction aborts
                return appended;
            });
            if (result.added()) {
                notifyAppended(thread, result);
            }
            return result;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Verifies the records in parallel outside any transaction, then appends them in one write transaction (the
     * valid prefix, if one fails), then reports the failure, if any.
     */
    @Override
    public List<AppendResult> addRecords(ThreadId thread, LogId log, List<RecordEnvelope> envelopes) {
        DatastoreLogstore.check(thread, log);
        if (envelopes == null || envelopes.contains(null)) {
            throw new InvalidInputException("add records: envelopes are required");
        }
        if (envelopes.isEmpty()) {
            return List.of();
        }
        record Keys(ThreadKey key, PublicKey logKey) {
        }
        Keys k = logstore.read(txn -> {
            ThreadKey key = DatastoreLogstore.threadKey(txn, thread)
                    .orElseThrow(() -> new NotFoundException("thread " + thread + " not found"));
            PublicKey pub = DatastoreLogstore.pubKey(txn, thread, log)
                    .orElseThrow(() -> new NotFoundException("log " + log + " not found in thread " + thread));
            return new Keys(key, pub);
        });
        // 1. verify, in parallel (signature checks dominate); keep the valid prefix and the first failure
        Object[] checked = envelopes.parallelStream().map(env -> {
            try {
                return (Object) Records.verify(env, k.logKey(), k.key());
            } catch (InvalidInputException e) {
                return new CorruptDataException("add record: " + e.getMessage(), e);
            } catch (RuntimeException e) {
                return e;
            }
        }).toArray();
        List<Record> valid = new ArrayList<>(checked.length);
        RuntimeException failure = null;
        for (Object o : checked) {
            if (o instanceof Record r) {
                valid.add(r);
            } else {
                failure = (RuntimeException) o;
                break;
            }
        }
        // 2. one write transaction: per record, duplicate check, head check, append; stop at the first conflict
        List<AppendResult> results = new ArrayList<>(valid.size());
        ReentrantLock lock = lockFor(thread, log);
        lock.lock();
        try {
            RuntimeException[] conflict = {null};
            List<AppendResult> done = logstore.write(txn -> {
                DatastoreLogstore.requireThread(txn, thread);
                if (!txn.has(LogstoreKeys.pubKey(thread, log))) {
                    throw new NotFoundException("log " + log + " not found in thread " + thread);
                }
                conflict[0] = null; // the store may run this more than once
                List<AppendResult> out = new ArrayList<>(valid.size());
                Head head = DatastoreLogstore.head(txn, thread, log);
                for (Record record : valid) {
                    Cid id = record.id();
                    Optional<StoredRecord> stored = StoredRecord.get(txn, thread, id);
                    if (stored.isPresent()) {
                        if (!stored.get().log().equals(log)) {
                            conflict[0] = new ConflictException("record " + id + " is already stored in another log");
                            break;
                        }
                        out.add(new AppendResult(log, stored.get().counter(), record, false));
                        continue;
                    }
                    Cid prev = record.prev().orElse(null);
                    if (head.isEmpty() ? prev != null : !head.cid().equals(prev)) {
                        conflict[0] = new ConflictException("record " + id + " does not extend log " + log
                                + ": its prev is " + (prev == null ? "absent (a first record)" : prev)
                                + " but the head is " + (head.isEmpty() ? "empty" : head.cid() + " #" + head.counter()));
                        break;
                    }
                    head = StoredRecord.append(txn, thread, log, head, record.envelope());
                    out.add(new AppendResult(log, head.counter(), record, true));
                }
                return out;
            });
            results.addAll(done);
            for (AppendResult r : done) {
                if (r.added()) {
                    notifyAppended(thread, r);
                }
            }
            if (conflict[0] != null) {
                throw conflict[0];
            }
        } finally {
            lock.unlock();
        }
        if (failure != null) {
            throw failure;
        }
        return results;
    }

    @Override
    public Registration addAppendListener(AppendListener listener) {
        if (listener == null) {
            throw new InvalidInputException("append listener is required");
        }
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    private void notifyAppended(ThreadId thread, AppendResult appended) {
        for (AppendListener l : listeners) {
            try {
                l.appended(thread, appended);
            } catch (RuntimeException e) {
                LOG.warn("append listener {} failed on record {} of thread {}", l, appended.record().id(), thread, e);
            }
        }
    }

    @Override
    public RecordEnvelope getRecord(ThreadId thread, Cid id) {
        DatastoreLogstore.check(thread);
        if (id == null) {
            throw new InvalidInputException("record id is required");
        }
        return logstore.read(txn -> {
            DatastoreLogstore.requireThread(txn, thread);
            return StoredRecord.get(txn, thread, id)
                    .orElseThrow(() -> new NotFoundException("record " + id + " not found in thread " + thread))
                    .envelope();
        });
    }

    @Override
    public List<RecordEnvelope> records(ThreadId thread, LogId log, Cid after, int limit) {
        DatastoreLogstore.check(thread, log);
        if (limit < 1) {
            throw new InvalidInputException("records: limit must be at least 1, got " + limit);
        }
        return logstore.read(txn -> {
            DatastoreLogstore.requireThread(txn, thread);
            if (!txn.has(LogstoreKeys.pubKey(thread, log))) {
                throw new NotFoundException("log " + log + " not found in thread " + thread);
            }
            long from = 1;
            if (after != null) {
                StoredRecord s = StoredRecord.get(txn, thread, after)
                        .filter(r -> r.log().equals(log))
                        .orElseThrow(() -> new NotFoundException("record " + after + " is not a record of log " + log));
                from = s.counter() + 1;
            }
            return StoredRecord.page(txn, thread, log, from, limit);
        });
    }

    @Override
    public Payload openRecord(ThreadId thread, Record record) {
        DatastoreLogstore.check(thread);
        if (record == null) {
            throw new InvalidInputException("record is required");
        }
        ThreadKey key = logstore.read(txn -> DatastoreLogstore.threadKey(txn, thread))
                .orElseThrow(() -> new NotFoundException("thread " + thread + " not found"));
        return Records.open(record, key);
    }

    @Override
    public Payload openRecord(ThreadId thread, Cid id) {
        DatastoreLogstore.check(thread);
        if (id == null) {
            throw new InvalidInputException("record id is required");
        }
        record Found(ThreadKey key, PublicKey logKey, RecordEnvelope envelope) {
        }
        Found f = logstore.read(txn -> {
            ThreadKey key = DatastoreLogstore.threadKey(txn, thread)
                    .orElseThrow(() -> new NotFoundException("thread " + thread + " not found"));
            StoredRecord s = StoredRecord.get(txn, thread, id)
                    .orElseThrow(() -> new NotFoundException("record " + id + " not found in thread " + thread));
            PublicKey pub = DatastoreLogstore.pubKey(txn, thread, s.log())
                    .orElseThrow(() -> new CorruptDataException("logstore: record " + id + " belongs to an unknown log"));
            return new Found(key, pub, s.envelope());
        });
        if (!f.key().canRead()) {
            throw new UnauthorizedException("thread " + thread + " has no read key");
        }
        Record record;
        try {
            record = Records.verify(f.envelope(), f.logKey(), f.key());
        } catch (InvalidInputException | UnauthorizedException e) {
            throw new CorruptDataException("logstore: stored record " + id + " fails verification", e);
        }
        return Records.open(record, f.key());
    }

    private ReentrantLock lockFor(ThreadId thread, LogId log) {
        int h = thread.hashCode() * 31 + log.hashCode();
        return appendLocks[Math.floorMod(h ^ (h >>> 16), LOCK_STRIPES)];
    }
}
