package io.weft.db;

import com.fasterxml.jackson.databind.JsonNode;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.IndexConfig;
import io.weft.api.store.Cursor;
import io.weft.api.store.Entry;
import io.weft.api.store.KeyRange;
import io.weft.api.store.ReadTxn;
import io.weft.api.thread.ThreadId;
import io.weft.db.query.DocumentSource;
import io.weft.db.query.IndexKeys;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The query engine's view of one collection in one store snapshot: instances under {@code db 01 <tid> 01 <coll>} in
 * id order, and the collection's indexes under {@code db 01 <tid> 02 <coll> <path>}. Indexes are always complete:
 * they are maintained in the same transaction as the states and rebuilt whole when a definition changes.
 */
final class SnapshotSource implements DocumentSource {
    private final ReadTxn txn;
    private final ThreadId db;
    private final CollectionConfig config;
    private final byte[] prefix;

    SnapshotSource(ReadTxn txn, ThreadId db, CollectionConfig config) {
        this.txn = txn;
        this.db = db;
        this.config = config;
        this.prefix = DbKeys.statePrefix(db, config.name());
    }

    @Override
    public Stream<JsonNode> scan(String from, boolean inclusive, boolean descending) {
        byte[] start = prefix;
        byte[] end = KeyRange.prefixEnd(prefix);
        if (from != null) {
            byte[] key = DbKeys.state(db, config.name(), from);
            byte[] afterKey = Arrays.copyOf(key, key.length + 1); // smallest key greater than key
            if (descending) {
                end = inclusive ? afterKey : key;
            } else {
                start = inclusive ? key : afterKey;
            }
        }
        return stream(txn.scan(KeyRange.between(start, end), descending), e -> Json.readStored(e.value()));
    }

    @Override
    public JsonNode get(String id) {
        byte[] v = txn.get(DbKeys.state(db, config.name(), id));
        return v == null ? null : Json.readStored(v);
    }

    @Override
    public List<IndexInfo> indexes() {
        List<IndexInfo> out = new ArrayList<>(config.indexes().size());
        for (IndexConfig i : config.indexes()) {
            out.add(new IndexInfo(i.path(), i.unique()));
        }
        return out;
    }

    @Override
    public Stream<IndexEntry> scanIndex(String path, Bound lower, Bound upper, boolean descending) {
        if (config.index(path) == null) {
            throw new IllegalArgumentException("no index on " + path);
        }
        byte[] ip = DbKeys.indexPrefix(db, config.name(), path);
        KeyRange range = IndexKeys.storeRange(ip, lower, upper);
        if (range.start() != null && range.end() != null && Arrays.compareUnsigned(range.start(), range.end()) >= 0) {
            return Stream.empty();
        }
        return stream(txn.scan(range, descending), e -> new IndexEntry(IndexKeys.valueKeyOfEntry(e.key(), ip.length),
                IndexKeys.instanceIdOfEntry(e.key(), ip.length)));
    }

    static <T> Stream<T> stream(Cursor c, Function<Entry, T> map) {
        Spliterator<T> sp = Spliterators.spliteratorUnknownSize(new java.util.Iterator<T>() {
            @Override
            public boolean hasNext() {
                return c.hasNext();
            }

            @Override
            public T next() {
                return map.apply(c.next());
            }
        }, Spliterator.ORDERED | Spliterator.NONNULL);
        return StreamSupport.stream(sp, false).onClose(c::close);
    }
}
