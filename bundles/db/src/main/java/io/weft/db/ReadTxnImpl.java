package io.weft.db;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.InvalidInputException;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.Query;
import io.weft.api.db.ReadTransaction;
import io.weft.api.store.ReadTxn;
import java.util.List;

/** A read transaction: one store snapshot for all its reads. */
final class ReadTxnImpl implements ReadTransaction {
    private final Db db;
    private final ReadTxn txn;
    /** The client reading, or {@code null} for the local host. */
    private final io.weft.api.crypto.PublicKey reader;
    private volatile boolean closed;

    ReadTxnImpl(Db db, ReadTxn txn, io.weft.api.crypto.PublicKey reader) {
        this.db = db;
        this.txn = txn;
        this.reader = reader;
    }

    private SnapshotSource source(String collection) {
        if (closed) {
            throw new InvalidInputException("read transaction is closed");
        }
        db.ensureOpen();
        CollectionConfig cfg = db.requireCollection(txn, collection);
        return new SnapshotSource(txn, db.id, cfg);
    }

    private CollectionConfig cfg(String collection) {
        return db.requireCollection(txn, collection);
    }

    @Override
    public boolean has(String collection, String id) {
        SnapshotSource s = source(collection);
        return Reads.get(db, reader, cfg(collection), s, id) != null;
    }

    @Override
    public boolean hasAll(String collection, List<String> ids) {
        SnapshotSource s = source(collection);
        return Reads.hasAll(db, reader, cfg(collection), s, ids);
    }

    @Override
    public ObjectNode findById(String collection, String id) {
        SnapshotSource s = source(collection);
        return Reads.require(db, reader, cfg(collection), s, id);
    }

    @Override
    public List<ObjectNode> findByIds(String collection, List<String> ids) {
        SnapshotSource s = source(collection);
        return Reads.requireAll(db, reader, cfg(collection), s, ids);
    }

    @Override
    public List<ObjectNode> find(String collection, Query query) {
        SnapshotSource s = source(collection);
        return Reads.find(db, reader, cfg(collection), s, query);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            txn.close();
        }
    }
}
