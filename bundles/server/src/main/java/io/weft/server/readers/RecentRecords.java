package io.weft.server.readers;

import io.weft.api.format.Cid;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The newest records appended per thread since this peer started, with the time this peer stored them: what the
 * Atom feed lists first. Bounded: {@code perThread} entries per thread and {@link #MAX_THREADS} threads.
 */
final class RecentRecords {
    static final int MAX_THREADS = 10_000;

    /** One appended record as the feed shows it. */
    record Entry(LogId log, Cid id, long counter, Instant time) {
    }

    private final int perThread;
    private final Map<ThreadId, ArrayDeque<Entry>> byThread = new ConcurrentHashMap<>();

    RecentRecords(int perThread) {
        this.perThread = perThread;
    }

    void add(ThreadId thread, Entry e) {
        if (byThread.size() >= MAX_THREADS && !byThread.containsKey(thread)) {
            byThread.clear(); // bounded; the feed then falls back to the logs' tails
        }
        ArrayDeque<Entry> q = byThread.computeIfAbsent(thread, t -> new ArrayDeque<>());
        synchronized (q) {
            q.addFirst(e);
            while (q.size() > perThread) {
                q.removeLast();
            }
        }
    }

    /** The thread's remembered entries, newest first. */
    List<Entry> newest(ThreadId thread) {
        ArrayDeque<Entry> q = byThread.get(thread);
        if (q == null) {
            return List.of();
        }
        synchronized (q) {
            List<Entry> out = new ArrayList<>(q.size());
            for (Iterator<Entry> it = q.iterator(); it.hasNext(); ) {
                out.add(it.next());
            }
            return out;
        }
    }

    void forget(ThreadId thread) {
        byThread.remove(thread);
    }
}
