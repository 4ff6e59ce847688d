package io.weft.db;

import io.weft.api.format.Cid;
import io.weft.api.log.AppendResult;
import io.weft.api.record.Record;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.LogId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records the log service verified when it appended them (as its append listener reports them), kept until catch-up
 * dispatches them so that it need not verify them again (the signature check dominates the cost of opening a record).
 * Bounded in count and bytes: what does not fit is verified again by catch-up, which is only slower.
 */
final class VerifiedRecords {
    private final int maxCount;
    private final long maxBytes;
    private final Map<Cid, AppendResult> byId = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();

    VerifiedRecords(int maxCount, long maxBytes) {
        this.maxCount = maxCount;
        this.maxBytes = maxBytes;
    }

    /** Keeps an appended record, if there is room. */
    void offer(AppendResult appended) {
        int size = appended.record().envelope().size();
        if (byId.size() >= maxCount || bytes.get() + size > maxBytes) {
            return;
        }
        if (byId.putIfAbsent(appended.record().id(), appended) == null) {
            bytes.addAndGet(size);
        }
    }

    /**
     * The verified record stored as {@code envelope} at position {@code counter} of {@code log}, if one was kept
     * (it is then forgotten); {@code null} otherwise.
     */
    Record take(LogId log, long counter, RecordEnvelope envelope) {
        AppendResult r = byId.remove(envelope.id());
        if (r == null) {
            return null;
        }
        bytes.addAndGet(-r.record().envelope().size());
        return r.log().equals(log) && r.counter() == counter && r.record().envelope().equals(envelope)
                ? r.record() : null;
    }

    /** Forgets the kept records of {@code log} up to position {@code upTo} (dispatched by now). */
    void forget(LogId log, long upTo) {
        for (Map.Entry<Cid, AppendResult> e : byId.entrySet()) {
            AppendResult r = e.getValue();
            if (r.log().equals(log) && r.counter() <= upTo && byId.remove(e.getKey(), r)) {
                bytes.addAndGet(-r.record().envelope().size());
            }
        }
    }

    /** How many records are kept (tests). */
    int size() {
        return byId.size();
    }
}
