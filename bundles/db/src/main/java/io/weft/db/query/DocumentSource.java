package io.weft.db.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * What {@link QueryEngine} reads: the instances and indexes of one collection, as seen by one consistent read
 * snapshot. The database implements it over a store read transaction; tests implement it in memory.
 *
 * <h2>Instances</h2>
 * Every instance is a JSON object with a string member {@code _id}, its instance id. <b>Id order</b> is
 * Unicode code point order of the ids, which is the unsigned byte order of their UTF-8 encodings (so a store
 * that keys instances by {@code prefix || utf8(id)} iterates them in id order). The same instance must be
 * returned identically by {@link #scan}, {@link #get} and through {@link #scanIndex} + {@code get}.
 *
 * <p>A source may hide instances from the reader: a hidden instance must be hidden everywhere ({@code scan}
 * skips it, {@code get} returns {@code null}); index entries may still name it (the engine then skips them).
 * A source must return documents as stored, never modified, since the engine checks index entries against
 * them. A go-threads read filter (which may hide or modify instances, and whose hidden instances must not
 * count towards skip and limit) belongs in {@link QueryEngine#execute(io.weft.api.db.Query, DocumentSource,
 * java.util.function.UnaryOperator)}, not in the source.
 *
 * <h2>Indexes</h2>
 * An index on a field path holds, for <em>every</em> instance of the collection, exactly one entry:
 * {@code (IndexKeys.keyOf(instance, path), instanceId)}. Instances with no comparable value at the path get
 * the {@linkplain IndexKeys#missing() missing} key; they are not left out (the engine needs them to sort
 * missing values first). A unique index enforces uniqueness of the non-missing keys only. Only complete
 * indexes may be listed by {@link #indexes()}: one being built (backfilled) must not be listed until it
 * holds an entry for every instance. The primary order ({@code _id}) is not an index and must not be listed.
 *
 * <p>The recommended store layout is one store key per entry, {@link IndexKeys#entryKey
 * indexPrefix || valueKey || utf8(instanceId)} (empty value), for unique and non-unique indexes alike: a store
 * scan then yields entries in exactly the order {@link #scanIndex} requires, {@link IndexKeys#storeRange}
 * gives the store range for a pair of bounds, and {@link IndexKeys#valueKeyOfEntry} /
 * {@link IndexKeys#instanceIdOfEntry} split a store key back into an {@link IndexEntry}.
 *
 * <h2>Streams</h2>
 * The {@code Stream}s returned must be lazy (read as they are consumed, so the engine can stop early) and
 * sequential; the engine closes each one it gets (use {@code onClose} to release a store cursor). They are
 * consumed on the calling thread while the snapshot is open.
 */
public interface DocumentSource {

    /**
     * The instances in id order, ascending or (when {@code descending}) descending.
     *
     * @param from the id to start from, or {@code null} to start at the first (or, descending, the last)
     *     instance. The id need not exist: an ascending scan starts at the first instance whose id is greater
     *     than {@code from} (or equal, when {@code inclusive}); a descending scan at the last instance whose id
     *     is less than {@code from} (or equal, when {@code inclusive}).
     * @param inclusive whether an instance with id {@code from} itself is included; ignored when {@code from}
     *     is {@code null}
     * @param descending whether to go from high ids to low ones
     */
    Stream<JsonNode> scan(String from, boolean inclusive, boolean descending);

    /** The instance with this id, or {@code null} if there is none (or it is hidden from this reader). */
    JsonNode get(String id);

    /**
     * The complete indexes of the collection (not including the primary {@code _id} order), each path at most
     * once. The engine may call this once per query.
     */
    List<IndexInfo> indexes();

    /**
     * The entries of the index on {@code path} whose value key {@code k} lies within the bounds, compared as
     * unsigned bytes ({@code Arrays.compareUnsigned}): {@code k >= lower.key} ({@code >} if the bound is not
     * inclusive) and {@code k <= upper.key} ({@code <} if not inclusive); a {@code null} bound is unbounded.
     * Entries come ordered by value key, then by instance id (id order), ascending; or the exact reverse of
     * that when {@code descending}. If the bounds admit nothing (lower above upper) the stream is empty.
     *
     * <p>Bound keys are always either complete value keys ({@link IndexKeys#encode}) or single type-boundary
     * bytes ({@link IndexKeys#typeStart}, {@link IndexKeys#typeEnd}), so no value key is a proper prefix of a
     * bound, and {@link IndexKeys#storeRange} maps the bounds onto store keys exactly.
     *
     * @param path the path of an index listed by {@link #indexes()}
     * @throws IllegalArgumentException if there is no such index
     */
    Stream<IndexEntry> scanIndex(String path, Bound lower, Bound upper, boolean descending);

    /**
     * A complete index on a field path.
     *
     * @param path the dot-separated field path
     * @param unique whether non-missing values are unique (a hint to the planner only)
     */
    record IndexInfo(String path, boolean unique) {
        public IndexInfo {
            Objects.requireNonNull(path, "path");
        }
    }

    /**
     * One index entry.
     *
     * @param key the value key ({@link IndexKeys}); the array is the engine's to keep
     * @param id the instance id
     */
    record IndexEntry(byte[] key, String id) {
        public IndexEntry {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(id, "id");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof IndexEntry e && Arrays.equals(key, e.key) && id.equals(e.id);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(key) + id.hashCode();
        }

        @Override
        public String toString() {
            return HexFormat.of().formatHex(key) + "->" + id;
        }
    }

    /**
     * One end of a range of value keys.
     *
     * @param key the bound (a value key or a type-boundary byte; see {@link #scanIndex})
     * @param inclusive whether a value key equal to {@code key} is within the range
     */
    record Bound(byte[] key, boolean inclusive) {
        public Bound {
            Objects.requireNonNull(key, "key");
        }

        /** A bound that includes {@code key}. */
        public static Bound inclusive(byte[] key) {
            return new Bound(key, true);
        }

        /** A bound that excludes {@code key}. */
        public static Bound exclusive(byte[] key) {
            return new Bound(key, false);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bound b && inclusive == b.inclusive && Arrays.equals(key, b.key);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(key) + Boolean.hashCode(inclusive);
        }

        @Override
        public String toString() {
            return (inclusive ? "incl " : "excl ") + HexFormat.of().formatHex(key);
        }
    }
}
