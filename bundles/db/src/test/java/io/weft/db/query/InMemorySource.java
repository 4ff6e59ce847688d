package io.weft.db.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.weft.api.db.QueryValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A {@link DocumentSource} over a list of documents, with indexes built through {@link IndexKeys}, following
 * the contract literally. Counts what the engine reads, and checks that every stream is closed.
 */
class InMemorySource implements DocumentSource {

    static final Comparator<IndexEntry> ENTRY_ORDER = (a, b) -> {
        int c = Arrays.compareUnsigned(a.key(), b.key());
        return c != 0 ? c : QueryValue.compareStrings(a.id(), b.id());
    };

    private final TreeMap<String, JsonNode> docs = new TreeMap<>(QueryValue::compareStrings);
    private final List<IndexInfo> indexes = new ArrayList<>();
    private final Map<String, List<IndexEntry>> entries = new TreeMap<>();

    final AtomicInteger docsRead = new AtomicInteger();
    final AtomicInteger entriesRead = new AtomicInteger();
    final AtomicInteger gets = new AtomicInteger();
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();

    InMemorySource(List<JsonNode> documents, Map<String, Boolean> indexPaths) {
        for (JsonNode d : documents) {
            docs.put(d.get("_id").textValue(), d);
        }
        for (Map.Entry<String, Boolean> ix : indexPaths.entrySet()) {
            indexes.add(new IndexInfo(ix.getKey(), ix.getValue()));
            List<IndexEntry> list = new ArrayList<>();
            for (JsonNode d : documents) {
                list.add(new IndexEntry(IndexKeys.keyOf(d, ix.getKey()), d.get("_id").textValue()));
            }
            list.sort(ENTRY_ORDER);
            entries.put(ix.getKey(), list);
        }
    }

    /** Replaces one index's entries (to simulate a broken index). */
    void overrideIndex(String path, List<IndexEntry> list) {
        List<IndexEntry> copy = new ArrayList<>(list);
        copy.sort(ENTRY_ORDER);
        entries.put(path, copy);
    }

    /** Hides an instance from the reader (as a read filter would), leaving its index entries in place. */
    void hide(String id) {
        docs.remove(id);
    }

    boolean allClosed() {
        return opened.get() == closed.get();
    }

    @Override
    public Stream<JsonNode> scan(String from, boolean inclusive, boolean descending) {
        Map<String, JsonNode> view;
        if (from == null) {
            view = descending ? docs.descendingMap() : docs;
        } else {
            view = descending ? docs.headMap(from, inclusive).descendingMap() : docs.tailMap(from, inclusive);
        }
        opened.incrementAndGet();
        return view.values().stream().peek(d -> docsRead.incrementAndGet()).onClose(closed::incrementAndGet);
    }

    @Override
    public JsonNode get(String id) {
        gets.incrementAndGet();
        return docs.get(id);
    }

    @Override
    public List<IndexInfo> indexes() {
        return Collections.unmodifiableList(indexes);
    }

    @Override
    public Stream<IndexEntry> scanIndex(String path, Bound lower, Bound upper, boolean descending) {
        List<IndexEntry> list = entries.get(path);
        if (list == null) {
            throw new IllegalArgumentException("no index on " + path);
        }
        List<IndexEntry> view = new ArrayList<>();
        for (IndexEntry e : list) {
            if (lower != null) {
                int c = Arrays.compareUnsigned(e.key(), lower.key());
                if (c < 0 || (c == 0 && !lower.inclusive())) {
                    continue;
                }
            }
            if (upper != null) {
                int c = Arrays.compareUnsigned(e.key(), upper.key());
                if (c > 0 || (c == 0 && !upper.inclusive())) {
                    continue;
                }
            }
            view.add(e);
        }
        if (descending) {
            Collections.reverse(view);
        }
        opened.incrementAndGet();
        return view.stream().peek(e -> entriesRead.incrementAndGet()).onClose(closed::incrementAndGet);
    }
}
