package io.weft.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.db.query.DocumentSource;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A write transaction's view of one collection: the committed snapshot with the transaction's pending changes laid
 * over it ({@code null} = deleted). It lists no indexes (pending changes are not indexed), so queries inside a write
 * transaction scan in id order; results are the same as with indexes.
 */
final class OverlaySource implements DocumentSource {
    private final DocumentSource base;
    private final TreeMap<String, ObjectNode> pending;

    /** {@code pending}: id → the instance after the transaction's changes, or {@code null} if deleted. */
    OverlaySource(DocumentSource base, Map<String, ObjectNode> pending) {
        this.base = base;
        this.pending = new TreeMap<>(DbKeysOrder.ID_ORDER);
        this.pending.putAll(pending);
    }

    @Override
    public Stream<JsonNode> scan(String from, boolean inclusive, boolean descending) {
        Stream<JsonNode> b = base.scan(from, inclusive, descending);
        NavigableMap<String, ObjectNode> p = pending;
        if (from != null) {
            p = descending ? pending.headMap(from, inclusive) : pending.tailMap(from, inclusive);
        }
        if (descending) {
            p = p.descendingMap();
        }
        Iterator<JsonNode> bi = b.iterator();
        Iterator<Map.Entry<String, ObjectNode>> pi = p.entrySet().iterator();
        int sign = descending ? -1 : 1;
        Iterator<JsonNode> merged = new Iterator<>() {
            JsonNode nb = advance(bi);
            Map.Entry<String, ObjectNode> np = pi.hasNext() ? pi.next() : null;
            JsonNode next = compute();

            private JsonNode advance(Iterator<JsonNode> it) {
                return it.hasNext() ? it.next() : null;
            }

            private JsonNode compute() {
                while (nb != null || np != null) {
                    int cmp;
                    if (nb == null) {
                        cmp = 1;
                    } else if (np == null) {
                        cmp = -1;
                    } else {
                        cmp = sign * DbKeysOrder.ID_ORDER.compare(nb.get("_id").textValue(), np.getKey());
                    }
                    if (cmp < 0) {
                        JsonNode out = nb;
                        nb = advance(bi);
                        return out;
                    }
                    if (cmp == 0) {
                        nb = advance(bi); // overridden by the pending change
                    }
                    Map.Entry<String, ObjectNode> e = np;
                    np = pi.hasNext() ? pi.next() : null;
                    if (e.getValue() != null) {
                        return e.getValue();
                    }
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public JsonNode next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                JsonNode out = next;
                next = compute();
                return out;
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(merged, Spliterator.ORDERED), false)
                .onClose(b::close);
    }

    @Override
    public JsonNode get(String id) {
        if (pending.containsKey(id)) {
            return pending.get(id);
        }
        return base.get(id);
    }

    @Override
    public List<IndexInfo> indexes() {
        return List.of();
    }

    @Override
    public Stream<IndexEntry> scanIndex(String path, Bound lower, Bound upper, boolean descending) {
        throw new IllegalArgumentException("no index on " + path);
    }
}
