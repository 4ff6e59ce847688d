package io.weft.db;

import io.weft.api.db.Change;
import io.weft.api.db.ListenFilter;
import io.weft.api.db.Listener;
import io.weft.api.db.Subscription;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Push delivery of a database's change log to listeners. Each subscription is a cursor (the last sequence number it
 * passed) with a delivery task on the shared executor: after every commit the database signals all subscriptions,
 * and a subscription's task reads the change log from its cursor in batches (each from a fresh store snapshot) and
 * calls its listener for each matching change, in order, until it has caught up. So:
 * <ul>
 *   <li>writers never wait for listeners: a commit only sets a flag and, if the task is idle, submits it;</li>
 *   <li>a slow listener only falls behind: the change log keeps what it has not read (pruning never passes a live
 *       subscription's cursor);</li>
 *   <li>each change is delivered exactly once per subscription, in commit order (one task per subscription at a
 *       time, and the cursor only moves forward).</li>
 * </ul>
 */
final class ChangeFeed {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);

    interface Source {
        ChangeLog.Page read(long after, int limit, List<ListenFilter> filters);
    }

    private final Source source;
    private final LongSupplier lastSequence;
    private final Executor executor;
    private final int batch;
    private final Set<Sub> subs = ConcurrentHashMap.newKeySet();

    ChangeFeed(Source source, LongSupplier lastSequence, Executor executor, int batch) {
        this.source = source;
        this.lastSequence = lastSequence;
        this.executor = executor;
        this.batch = batch;
    }

    /**
     * Registers a subscription, runs {@code check} (which may throw to refuse it; pruning already respects the new
     * cursor while it runs), then starts delivery.
     */
    Subscription subscribe(long after, List<ListenFilter> filters, Listener listener, Runnable check) {
        Sub s = new Sub(after, List.copyOf(filters), listener);
        subs.add(s);
        try {
            check.run();
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        s.signal();
        return s;
    }

    /** Wakes every subscription after a commit. */
    void signal() {
        for (Sub s : subs) {
            s.signal();
        }
    }

    /** The lowest cursor of the live subscriptions, or {@code Long.MAX_VALUE} if there are none. */
    long lowestPosition() {
        long min = Long.MAX_VALUE;
        for (Sub s : subs) {
            min = Math.min(min, s.position);
        }
        return min;
    }

    /**
     * Ends every subscription (the database is deleted, or closing): each listener is told once it has stopped.
     *
     * @param deleted whether the database is being deleted (as opposed to closed with its manager)
     */
    void closeAll(boolean deleted) {
        for (Sub s : subs) {
            s.end(deleted);
        }
    }

    private final class Sub implements Subscription, Runnable {
        private final List<ListenFilter> filters;
        private final Listener listener;
        private final AtomicBoolean scheduled = new AtomicBoolean();
        private volatile long position;
        private volatile boolean closed;
        private volatile boolean ended;
        private volatile boolean deleted;
        private final AtomicBoolean told = new AtomicBoolean();

        Sub(long after, List<ListenFilter> filters, Listener listener) {
            this.position = after;
            this.filters = filters;
            this.listener = listener;
        }

        void signal() {
            if (!closed && scheduled.compareAndSet(false, true)) {
                try {
                    executor.execute(this);
                } catch (RuntimeException e) {
                    scheduled.set(false);
                    LOG.warn("listener delivery could not be scheduled: {}", e.toString());
                }
            }
        }

        @Override
        public void run() {
            while (true) {
                if (closed) {
                    finish();
                    return;
                }
                long from = position;
                ChangeLog.Page page;
                try {
                    page = source.read(position, batch, filters);
                } catch (RuntimeException e) {
                    LOG.warn("listener delivery stopped: cannot read the change log after {}: {}", position, e.toString());
                    finish();
                    return;
                }
                for (Change c : page.changes()) {
                    if (closed) {
                        finish();
                        return;
                    }
                    try {
                        listener.onChange(c);
                    } catch (RuntimeException e) {
                        LOG.warn("listener failed on change {} of {}/{}: {}", c.sequence(), c.collection(), c.instanceId(),
                                e.toString());
                    }
                    position = c.sequence();
                }
                position = Math.max(position, page.reached());
                boolean progressed = page.reached() > from;
                if (!progressed && lastSequence.getAsLong() > position) {
                    // entries that should exist are missing (the database is being deleted): stop; the next
                    // signal tries again
                    finish();
                    return;
                }
                if (page.reached() < lastSequence.getAsLong()) {
                    continue; // more to read
                }
                finish();
                // a commit may have signalled while we were finishing: re-check before leaving
                if (lastSequence.getAsLong() > position && !closed && scheduled.compareAndSet(false, true)) {
                    continue;
                }
                return;
            }
        }

        @Override
        public long position() {
            return position;
        }

        /**
         * Leaves the delivery task; if the subscription was ended, tells the listener (once: after its last change,
         * since tasks never overlap and no new one starts once closed).
         */
        private void finish() {
            scheduled.set(false);
            if (ended && told.compareAndSet(false, true)) {
                try {
                    listener.ended(deleted);
                } catch (RuntimeException e) {
                    LOG.warn("listener failed when told its subscription ended: {}", e.toString());
                }
            }
        }

        /** Closes the subscription for its owner's sake and makes sure a delivery task runs to tell the listener. */
        void end(boolean deleted) {
            this.deleted = deleted;
            ended = true;
            close();
            if (scheduled.compareAndSet(false, true)) {
                try {
                    executor.execute(this);
                } catch (RuntimeException e) {
                    finish(); // no delivery thread any more: tell it here
                }
            }
        }

        @Override
        public void close() {
            closed = true;
            subs.remove(this);
        }
    }
}
