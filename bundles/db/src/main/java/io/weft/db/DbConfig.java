package io.weft.db;

import io.weft.api.InvalidInputException;

/**
 * The tunables of the document database (see docs/database.md). Outside OSGi build one with {@link #defaults()} and
 * the {@code with…} methods; the DS component maps its configuration (PID {@code io.weft.db}) onto it.
 *
 * @param maxDocumentBytes     largest instance (compact UTF-8 JSON, with {@code _id} and {@code _mod}) a local
 *                             write accepts; default 1 MiB
 * @param defaultCodec         the event codec of new databases; default {@code jsonpatch}
 * @param changeLogRetention   how many of the latest changes every database keeps for listeners that resume from a
 *                             cursor; older ones are pruned, but never past a live subscription; default 100,000
 * @param maxClockSkewMillis   how far ahead of this peer's wall clock a remote event time may be and still advance
 *                             the hybrid logical clock; default 10 minutes
 * @param listenerBatchSize    changes a delivery thread reads from the change log per store read; default 256
 * @param schemaCacheSize      compiled JSON schemas kept in memory; default 256
 */
public record DbConfig(int maxDocumentBytes, String defaultCodec, long changeLogRetention, long maxClockSkewMillis,
        int listenerBatchSize, int schemaCacheSize) {

    public static final int DEFAULT_MAX_DOCUMENT_BYTES = 1 << 20;
    public static final String DEFAULT_CODEC = "jsonpatch";
    public static final long DEFAULT_CHANGE_LOG_RETENTION = 100_000;
    public static final long DEFAULT_MAX_CLOCK_SKEW_MILLIS = 10 * 60 * 1000L;
    public static final int DEFAULT_LISTENER_BATCH_SIZE = 256;
    public static final int DEFAULT_SCHEMA_CACHE_SIZE = 256;

    public DbConfig {
        if (maxDocumentBytes < 64) {
            throw new InvalidInputException("db config: maxDocumentBytes must be at least 64");
        }
        if (defaultCodec == null || defaultCodec.isBlank()) {
            throw new InvalidInputException("db config: defaultCodec is required");
        }
        if (changeLogRetention < 1 || maxClockSkewMillis < 0 || listenerBatchSize < 1 || schemaCacheSize < 1) {
            throw new InvalidInputException("db config: retention, batch and cache sizes must be positive, skew >= 0");
        }
    }

    /** Every tunable at its default. */
    public static DbConfig defaults() {
        return new DbConfig(DEFAULT_MAX_DOCUMENT_BYTES, DEFAULT_CODEC, DEFAULT_CHANGE_LOG_RETENTION,
                DEFAULT_MAX_CLOCK_SKEW_MILLIS, DEFAULT_LISTENER_BATCH_SIZE, DEFAULT_SCHEMA_CACHE_SIZE);
    }

    public DbConfig withMaxDocumentBytes(int v) {
        return new DbConfig(v, defaultCodec, changeLogRetention, maxClockSkewMillis, listenerBatchSize, schemaCacheSize);
    }

    public DbConfig withDefaultCodec(String v) {
        return new DbConfig(maxDocumentBytes, v, changeLogRetention, maxClockSkewMillis, listenerBatchSize, schemaCacheSize);
    }

    public DbConfig withChangeLogRetention(long v) {
        return new DbConfig(maxDocumentBytes, defaultCodec, v, maxClockSkewMillis, listenerBatchSize, schemaCacheSize);
    }

    public DbConfig withMaxClockSkewMillis(long v) {
        return new DbConfig(maxDocumentBytes, defaultCodec, changeLogRetention, v, listenerBatchSize, schemaCacheSize);
    }

    public DbConfig withListenerBatchSize(int v) {
        return new DbConfig(maxDocumentBytes, defaultCodec, changeLogRetention, maxClockSkewMillis, v, schemaCacheSize);
    }

    public DbConfig withSchemaCacheSize(int v) {
        return new DbConfig(maxDocumentBytes, defaultCodec, changeLogRetention, maxClockSkewMillis, listenerBatchSize, v);
    }
}
