package io.weft.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.db.Collection;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.Query;
import io.weft.api.db.ReadTransaction;
import io.weft.api.db.WriteProblem;
import io.weft.api.db.WriteTransaction;
import java.util.List;
import java.util.function.Function;

/** A handle on one collection: each write is its own write transaction, each read its own snapshot. */
final class DbCollection implements Collection {
    private final Db db;
    private final String name;

    DbCollection(Db db, String name) {
        this.db = db;
        this.name = name;
    }

    private <T> T write(Function<WriteTransaction, T> work) {
        return db.write(work);
    }

    private <T> T read(Function<ReadTransaction, T> work) {
        return db.read(work);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CollectionConfig config() {
        db.ensureOpen();
        return db.requireCollection(name);
    }

    @Override
    public String create(JsonNode instance) {
        return write(t -> t.create(name, instance));
    }

    @Override
    public String create(String json) {
        return write(t -> t.create(name, json));
    }

    @Override
    public List<String> createMany(List<? extends JsonNode> instances) {
        return write(t -> t.createMany(name, instances));
    }

    @Override
    public void save(JsonNode instance) {
        write(t -> {
            t.save(name, instance);
            return null;
        });
    }

    @Override
    public void save(String json) {
        write(t -> {
            t.save(name, json);
            return null;
        });
    }

    @Override
    public void saveMany(List<? extends JsonNode> instances) {
        write(t -> {
            t.saveMany(name, instances);
            return null;
        });
    }

    @Override
    public void delete(String id) {
        write(t -> {
            t.delete(name, id);
            return null;
        });
    }

    @Override
    public void deleteMany(List<String> ids) {
        write(t -> {
            t.deleteMany(name, ids);
            return null;
        });
    }

    @Override
    public void purge(String id) {
        write(t -> {
            t.purge(name, id);
            return null;
        });
    }

    @Override
    public boolean has(String id) {
        return read(t -> t.has(name, id));
    }

    @Override
    public boolean hasAll(List<String> ids) {
        return read(t -> t.hasAll(name, ids));
    }

    @Override
    public ObjectNode findById(String id) {
        return read(t -> t.findById(name, id));
    }

    @Override
    public List<ObjectNode> findByIds(List<String> ids) {
        return read(t -> t.findByIds(name, ids));
    }

    @Override
    public List<ObjectNode> find(Query query) {
        return read(t -> t.find(name, query));
    }

    @Override
    public List<WriteProblem> verify(List<? extends JsonNode> instances) {
        db.ensureOpen();
        try (WriteTxnImpl t = WriteTxnImpl.detached(db)) {
            return t.verify(name, instances);
        }
    }

    @Override
    public String toString() {
        return "Collection[" + db.id + "/" + name + "]";
    }
}
