package io.weft.server.readers;

import io.weft.api.NotFoundException;
import io.weft.api.format.Cid;
import io.weft.api.log.AppendResult;
import io.weft.api.log.LogService;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Finds the id of a log's record at a position (its counter), so that readers can page by offset. The log service
 * pages a log only "after a record id"; this keeps a sparse in-memory index per log (every {@link #STRIDE}-th
 * record, plus the ends of recently served pages) and walks forward from the nearest known position below. A
 * first deep jump into a long log costs one forward scan; later pages cost one page.
 */
final class LogPositions {
    /** Every {@code STRIDE}-th position is remembered. */
    static final long STRIDE = 1024;
    private static final int SCAN_BATCH = 256;
    private static final int MAX_LOGS = 10_000;
    private static final int MAX_ENTRIES_PER_LOG = 4096;

    private record Key(ThreadId thread, LogId log) {
    }

    private final LogService logs;
    private final Map<Key, ConcurrentSkipListMap<Long, Cid>> index = new ConcurrentHashMap<>();

    LogPositions(LogService logs) {
        this.logs = logs;
    }

    /** Remembers an appended record's position if it falls on the stride. */
    void appended(ThreadId thread, AppendResult r) {
        if (r.counter() % STRIDE == 0) {
            remember(thread, r.log(), r.counter(), r.record().id());
        }
    }

    /** Remembers that the record at {@code counter} is {@code id} (a served page's end). */
    void remember(ThreadId thread, LogId log, long counter, Cid id) {
        if (index.size() >= MAX_LOGS && !index.containsKey(new Key(thread, log))) {
            index.clear(); // crude but bounded; the index is only a cache
        }
        ConcurrentSkipListMap<Long, Cid> m = index.computeIfAbsent(new Key(thread, log), k -> new ConcurrentSkipListMap<>());
        m.put(counter, id);
        if (m.size() > MAX_ENTRIES_PER_LOG) {
            m.keySet().removeIf(c -> c % STRIDE != 0);
        }
    }

    /** Forgets a thread (deleted) or everything. */
    void forget(ThreadId thread) {
        index.keySet().removeIf(k -> k.thread().equals(thread));
    }

    /**
     * The id of the record at {@code counter} (>= 1), scanning at most {@code maxScan} records to find it.
     *
     * @return empty if it would take a longer scan
     * @throws NotFoundException if the log has no record at that position
     */
    Optional<Cid> at(ThreadId thread, LogId log, long counter, long maxScan) {
        try {
            return find(thread, log, counter, maxScan);
        } catch (NotFoundException e) {
            // a cached id may be stale (the thread was deleted and made again): retry once from scratch
            ConcurrentSkipListMap<Long, Cid> m = index.remove(new Key(thread, log));
            if (m == null || m.isEmpty()) {
                throw e;
            }
            return find(thread, log, counter, maxScan);
        }
    }

    private Optional<Cid> find(ThreadId thread, LogId log, long counter, long maxScan) {
        ConcurrentSkipListMap<Long, Cid> m = index.get(new Key(thread, log));
        long pos = 0;
        Cid cid = null;
        if (m != null) {
            Map.Entry<Long, Cid> e = m.floorEntry(counter);
            if (e != null) {
                pos = e.getKey();
                cid = e.getValue();
            }
        }
        if (counter - pos > maxScan) {
            return Optional.empty();
        }
        while (pos < counter) {
            int batch = (int) Math.min(SCAN_BATCH, counter - pos);
            List<RecordEnvelope> page = logs.records(thread, log, cid, batch);
            if (page.isEmpty()) {
                throw new NotFoundException("log " + log + " has no record at position " + counter);
            }
            for (RecordEnvelope r : page) {
                pos++;
                cid = r.id();
                if (pos % STRIDE == 0) {
                    remember(thread, log, pos, cid);
                }
            }
        }
        return Optional.of(cid);
    }
}
