package io.weft.store.xodus;

import io.weft.api.InvalidInputException;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The Xodus engine's settings, as plain values (so that the engine works without OSGi). The same keys are
 * the {@link io.weft.api.store.DatastoreProvider} options and the {@code io.weft.store.xodus} configuration
 * properties.
 *
 * @param fsync              {@value #FSYNC}: force every commit to disk before {@code commit()} returns
 *                           (Xodus {@code log.durableWrite}); without it a commit survives a crash of the
 *                           process but maybe not of the machine. Default {@code true}.
 * @param gcEnabled          {@value #GC_ENABLED}: run Xodus' background log garbage collector, which
 *                           reclaims space from overwritten and deleted data. Default {@code true}.
 * @param cacheMemoryPercent {@value #CACHE_MEMORY_PERCENT}: share of the maximum heap (1–90) that Xodus' log
 *                           cache may use. The cache is shared by every Xodus store in the JVM and sized by
 *                           the first one opened. Default {@code 25}.
 * @param treePageSize       {@value #TREE_PAGE_SIZE}: most entries in one B+tree page (16–1024, Xodus' own default
 *                           is 128). Xodus rewrites the path of pages from each changed entry to the root on
 *                           every commit, so small pages make small commits (a record append went from 4.2k to
 *                           10.1k commits/s at 16, see docs/BENCHMARKS.md) at the cost of a deeper tree for reads.
 *                           Default {@code 16}.
 */
public record XodusOptions(boolean fsync, boolean gcEnabled, int cacheMemoryPercent, int treePageSize) {

    /** Option key: fsync on every commit. */
    public static final String FSYNC = "fsync";
    /** Option key: background garbage collection. */
    public static final String GC_ENABLED = "gcEnabled";
    /** Option key: log cache size in percent of the maximum heap. */
    public static final String CACHE_MEMORY_PERCENT = "cacheMemoryPercent";
    /** Option key: entries per B+tree page. */
    public static final String TREE_PAGE_SIZE = "treePageSize";
    /** Every accepted option key. */
    public static final List<String> KEYS = List.of(FSYNC, GC_ENABLED, CACHE_MEMORY_PERCENT, TREE_PAGE_SIZE);

    /** The documented defaults: fsync on, garbage collection on, a 25% cache, 16-entry tree pages. */
    public static final XodusOptions DEFAULTS = new XodusOptions(true, true, 25, 16);

    /** Validates the values; {@link InvalidInputException} names the bad key (never the value). */
    public XodusOptions {
        if (cacheMemoryPercent < 1 || cacheMemoryPercent > 90) {
            throw new InvalidInputException("option '" + CACHE_MEMORY_PERCENT + "' must be between 1 and 90");
        }
        if (treePageSize < 16 || treePageSize > 1024) {
            throw new InvalidInputException("option '" + TREE_PAGE_SIZE + "' must be between 16 and 1024");
        }
    }

    /**
     * Reads options from string values; absent keys keep their defaults. Unknown keys and malformed values
     * are rejected with {@link InvalidInputException}, which names the key but never echoes a value.
     */
    public static XodusOptions parse(Map<String, String> options) {
        if (options == null || options.isEmpty()) {
            return DEFAULTS;
        }
        for (String key : new TreeSet<>(options.keySet())) {
            if (!KEYS.contains(key)) {
                throw new InvalidInputException("unknown option '" + key + "' for the xodus store; accepted: "
                        + String.join(", ", KEYS));
            }
        }
        return new XodusOptions(
                bool(options, FSYNC, DEFAULTS.fsync()),
                bool(options, GC_ENABLED, DEFAULTS.gcEnabled()),
                integer(options, CACHE_MEMORY_PERCENT, DEFAULTS.cacheMemoryPercent()),
                integer(options, TREE_PAGE_SIZE, DEFAULTS.treePageSize()));
    }

    /** These options as strings, the form {@link #parse(Map)} reads. */
    public Map<String, String> toMap() {
        return Map.of(FSYNC, Boolean.toString(fsync), GC_ENABLED, Boolean.toString(gcEnabled),
                CACHE_MEMORY_PERCENT, Integer.toString(cacheMemoryPercent), TREE_PAGE_SIZE, Integer.toString(treePageSize));
    }

    private static boolean bool(Map<String, String> options, String key, boolean fallback) {
        String value = options.get(key);
        if (value == null) {
            return fallback;
        }
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidInputException("option '" + key + "' must be true or false");
        };
    }

    private static int integer(Map<String, String> options, String key, int fallback) {
        String value = options.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("option '" + key + "' must be an integer");
        }
    }
}
