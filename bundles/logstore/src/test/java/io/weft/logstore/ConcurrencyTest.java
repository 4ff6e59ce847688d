package io.weft.logstore;

import static org.junit.jupiter.api.Assertions.*;

import io.weft.api.ConflictException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Cid;
import io.weft.api.log.AppendResult;
import io.weft.api.log.Head;
import io.weft.api.log.LogService;
import io.weft.api.record.Record;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import io.weft.core.crypto.Ed25519;
import io.weft.core.record.Records;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Concurrent appends to one log form a single linear chain: no gaps, no forks. */
class ConcurrencyTest extends EngineFixture {
    static final int THREADS = 8;
    static final int PER_THREAD = 40;

    /** Walks the log forward and checks counters, prev links and the head; returns the ids in order. */
    static List<Cid> checkLinearChain(LogService svc, ThreadId t, LogId log, ThreadKey key, int expected) {
        PublicKey logKey = svc.logstore().keyBook().pubKey(t, log).orElseThrow();
        List<Cid> ids = new ArrayList<>();
        Cid after = null;
        Cid prev = null;
        while (true) {
            List<RecordEnvelope> page = svc.records(t, log, after, 50);
            if (page.isEmpty()) {
                break;
            }
            for (RecordEnvelope e : page) {
                Record r = Records.verify(e, logKey, key, prev); // throws on a broken link
                ids.add(r.id());
                prev = r.id();
            }
            after = prev;
        }
        assertEquals(expected, ids.size());
        assertEquals(expected, new HashSet<>(ids).size());
        assertEquals(new Head(prev, expected), svc.logstore().headBook().head(t, log));
        return ids;
    }

    static <T> List<T> runAll(List<Callable<T>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> fs = new ArrayList<>();
            for (Callable<T> task : tasks) {
                fs.add(pool.submit(() -> {
                    start.await();
                    return task.call();
                }));
            }
            start.countDown();
            List<T> out = new ArrayList<>();
            for (Future<T> f : fs) {
                out.add(f.get(120, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @OnEachEngine
    void concurrentCreateRecordOnOneLog(String engine) throws Exception {
        LocalLogService svc = new LocalLogService(open(engine));
        ThreadId t = ThreadId.newRandom();
        ThreadKey key = svc.createThread(t, null).key();
        PrivateKey me = Ed25519.generate();
        List<Callable<List<Long>>> tasks = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            int n = i;
            tasks.add(() -> {
                List<Long> counters = new ArrayList<>();
                for (int j = 0; j < PER_THREAD; j++) {
                    counters.add(svc.createRecord(t, me, body(n + "/" + j)).counter());
                }
                return counters;
            });
        }
        Set<Long> counters = new HashSet<>();
        runAll(tasks).forEach(counters::addAll);
        int total = THREADS * PER_THREAD;
        assertEquals(total, counters.size(), "every append got its own position");
        assertEquals(1L, counters.stream().min(Long::compare).orElseThrow());
        assertEquals((long) total, counters.stream().max(Long::compare).orElseThrow());
        assertEquals(1, svc.getThread(t).logs().size(), "one identity, one log, even when created concurrently");
        checkLinearChain(svc, t, svc.ownLog(t, me.publicKey()).orElseThrow().id(), key, total);
    }

    @OnEachEngine
    void concurrentCreateRecordThroughSeveralServiceInstances(String engine) throws Exception {
        // instances share no in-process lock: only the store's serialized write transactions keep the chain linear
        var ds = open(engine);
        ThreadId t = ThreadId.newRandom();
        ThreadKey key = new LocalLogService(ds).createThread(t, null).key();
        PrivateKey me = Ed25519.generate();
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            LocalLogService own = new LocalLogService(ds);
            tasks.add(() -> {
                for (int j = 0; j < 25; j++) {
                    own.createRecord(t, me, body("x" + j));
                }
                return 25;
            });
        }
        runAll(tasks);
        LocalLogService svc = new LocalLogService(ds);
        assertEquals(1, svc.getThread(t).logs().size());
        checkLinearChain(svc, t, svc.ownLog(t, me.publicKey()).orElseThrow().id(), key, 100);
    }

    @OnEachEngine
    void concurrentAddRecordOfOneChain(String engine) throws Exception {
        LocalLogService writer = new LocalLogService(open(engine));
        LocalLogService receiver = new LocalLogService(open(engine));
        ThreadId t = ThreadId.newRandom();
        ThreadKey key = writer.createThread(t, null).key();
        receiver.addThread(t, key);
        PrivateKey me = Ed25519.generate();
        List<RecordEnvelope> chain = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            chain.add(writer.createRecord(t, me, body("r" + i)).record().envelope());
        }
        LogId log = writer.ownLog(t, me.publicKey()).orElseThrow().id();
        receiver.logstore().keyBook().addPubKey(t, log.publicKey());

        AtomicInteger added = new AtomicInteger();
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            tasks.add(() -> {
                for (RecordEnvelope e : chain) {
                    while (true) {
                        try {
                            AppendResult r = receiver.addRecord(t, log, e);
                            if (r.added()) {
                                added.incrementAndGet();
                            }
                            break;
                        } catch (ConflictException gap) {
                            Thread.yield(); // another task has not stored the previous record yet
                        }
                    }
                }
                return 0;
            });
        }
        runAll(tasks);
        assertEquals(chain.size(), added.get(), "each record was added exactly once");
        List<Cid> ids = checkLinearChain(receiver, t, log, key, chain.size());
        assertEquals(chain.stream().map(RecordEnvelope::id).toList(), ids);
    }

    @OnEachEngine
    void concurrentWritersOnDifferentLogs(String engine) throws Exception {
        LocalLogService svc = new LocalLogService(open(engine));
        ThreadId t = ThreadId.newRandom();
        ThreadKey key = svc.createThread(t, null).key();
        List<PrivateKey> ids = new ArrayList<>();
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            PrivateKey me = Ed25519.generate();
            ids.add(me);
            tasks.add(() -> {
                for (int j = 0; j < 20; j++) {
                    svc.createRecord(t, me, body("y" + j));
                }
                return 20;
            });
        }
        runAll(tasks);
        assertEquals(6, svc.getThread(t).logs().size());
        for (PrivateKey me : ids) {
            checkLinearChain(svc, t, svc.ownLog(t, me.publicKey()).orElseThrow().id(), key, 20);
        }
    }
}
