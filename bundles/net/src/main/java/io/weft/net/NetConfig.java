package io.weft.net;

import java.time.Duration;

/**
 * Settings of a {@link ThreadNet}; {@link #defaults()} gives the documented defaults (docs/sync.md) and the
 * {@code with…} methods change one setting.
 *
 * @param pubsub publish new records on the thread topic and accept records from it (default true)
 * @param pullInterval how often every thread is compared with each of its peers (edges first, records only if
 *        they differ); each round is spread over the interval with jitter (default 10 s)
 * @param pullStartDelay delay before the first round after start (default 1 s)
 * @param callTimeout deadline of one call to a peer, including connecting (default 10 s)
 * @param pageRecords records per log per GetRecords page, asked and served (default 2000)
 * @param pageBytes bytes of records per GetRecords reply, served; a page always holds at least one record
 *        (default 2 MiB)
 * @param maxMessageSize largest call or reply accepted (records larger than this cannot be synced) (default 8 MiB)
 * @param edgesBatch threads per ExchangeEdges call (default 100)
 * @param backoffBase first pause after a peer failed a call; doubles per failure (default 1 s)
 * @param backoffMax longest pause (default 5 min)
 * @param adoptThreads accept a thread this peer does not have when a peer announces one of its logs with the
 *        thread's service key, i.e. let peers make this peer their replica (default true, as go-threads)
 */
public record NetConfig(boolean pubsub, Duration pullInterval, Duration pullStartDelay, Duration callTimeout,
        int pageRecords, int pageBytes, int maxMessageSize, int edgesBatch, Duration backoffBase, Duration backoffMax,
        boolean adoptThreads) {

    public NetConfig {
        requirePositive("pullInterval", pullInterval);
        requirePositive("callTimeout", callTimeout);
        requirePositive("backoffBase", backoffBase);
        requirePositive("backoffMax", backoffMax);
        if (pullStartDelay == null || pullStartDelay.isNegative()) {
            throw new IllegalArgumentException("pullStartDelay must be zero or positive");
        }
        if (pageRecords < 1 || pageBytes < 1024 || maxMessageSize < 64 * 1024 || edgesBatch < 1) {
            throw new IllegalArgumentException("pageRecords and edgesBatch must be positive, pageBytes at least 1024,"
                    + " maxMessageSize at least 65536");
        }
        if (pageBytes > maxMessageSize / 2) {
            throw new IllegalArgumentException("pageBytes must be at most half of maxMessageSize");
        }
    }

    private static void requirePositive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }

    /** The defaults listed on the record components. */
    public static NetConfig defaults() {
        return new NetConfig(true, Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(10), 2000,
                2 * 1024 * 1024, 8 * 1024 * 1024, 100, Duration.ofSeconds(1), Duration.ofMinutes(5), true);
    }

    public NetConfig withPubsub(boolean value) {
        return new NetConfig(value, pullInterval, pullStartDelay, callTimeout, pageRecords, pageBytes,
                maxMessageSize, edgesBatch, backoffBase, backoffMax, adoptThreads);
    }

    public NetConfig withPullInterval(Duration value) {
        return new NetConfig(pubsub, value, pullStartDelay, callTimeout, pageRecords, pageBytes,
                maxMessageSize, edgesBatch, backoffBase, backoffMax, adoptThreads);
    }

    public NetConfig withPullStartDelay(Duration value) {
        return new NetConfig(pubsub, pullInterval, value, callTimeout, pageRecords, pageBytes,
                maxMessageSize, edgesBatch, backoffBase, backoffMax, adoptThreads);
    }

    public NetConfig withCallTimeout(Duration value) {
        return new NetConfig(pubsub, pullInterval, pullStartDelay, value, pageRecords, pageBytes,
                maxMessageSize, edgesBatch, backoffBase, backoffMax, adoptThreads);
    }

    public NetConfig withPageRecords(int value) {
        return new NetConfig(pubsub, pullInterval, pullStartDelay, callTimeout, value, pageBytes,
                maxMessageSize, edgesBatch, backoffBase, backoffMax, adoptThreads);
    }

    public NetConfig withPageBytes(int value) {
        return new NetConfig(pubsub, pullInterval, pullStartDelay, callTimeout, pageRecords, value,
                maxMessageSize, edgesBatch, backoffBase, backoffMax, adoptThreads);
    }

    public NetConfig withMaxMessageSize(int value) {
        return new NetConfig(pubsub, pullInterval, pullStartDelay, callTimeout, pageRecords, pageBytes,
                value, edgesBatch, backoffBase, backoffMax, adoptThreads);
    }

    public NetConfig withEdgesBatch(int value) {
        return new NetConfig(pubsub, pullInterval, pullStartDelay, callTimeout, pageRecords, pageBytes,
                maxMessageSize, value, backoffBase, backoffMax, adoptThreads);
    }

    public NetConfig withBackoffBase(Duration value) {
        return new NetConfig(pubsub, pullInterval, pullStartDelay, callTimeout, pageRecords, pageBytes,
                maxMessageSize, edgesBatch, value, backoffMax, adoptThreads);
    }

    public NetConfig withBackoffMax(Duration value) {
        return new NetConfig(pubsub, pullInterval, pullStartDelay, callTimeout, pageRecords, pageBytes,
                maxMessageSize, edgesBatch, backoffBase, value, adoptThreads);
    }

    public NetConfig withAdoptThreads(boolean value) {
        return new NetConfig(pubsub, pullInterval, pullStartDelay, callTimeout, pageRecords, pageBytes,
                maxMessageSize, edgesBatch, backoffBase, backoffMax, value);
    }
}
