package io.weft.transport.libp2p.pubsub;

import com.google.protobuf.ByteString;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ids of messages seen recently, each remembered for a fixed time, at most {@code maxEntries} (the oldest are
 * forgotten first). Not thread-safe: the router guards it.
 */
final class SeenCache {
    private final long ttlNanos;
    private final int maxEntries;
    /** Insertion order = expiry order, since every entry lives {@link #ttlNanos}. */
    private final LinkedHashMap<ByteString, Long> expiries = new LinkedHashMap<>();

    SeenCache(long ttlNanos, int maxEntries) {
        this.ttlNanos = ttlNanos;
        this.maxEntries = maxEntries;
    }

    /** Whether {@code id} was added less than the TTL before {@code now}. */
    boolean contains(ByteString id, long now) {
        Long expiry = expiries.get(id);
        return expiry != null && expiry - now > 0;
    }

    /** Remembers {@code id}; false if it was already there (and not expired). */
    boolean add(ByteString id, long now) {
        expire(now);
        if (contains(id, now)) {
            return false;
        }
        expiries.remove(id);
        expiries.put(id, now + ttlNanos);
        if (expiries.size() > maxEntries) {
            Iterator<ByteString> it = expiries.keySet().iterator();
            it.next();
            it.remove();
        }
        return true;
    }

    /** Forgets the entries that expired by {@code now}. */
    void expire(long now) {
        Iterator<Map.Entry<ByteString, Long>> it = expiries.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue() - now > 0) {
                return;
            }
            it.remove();
        }
    }

    int size() {
        return expiries.size();
    }
}
