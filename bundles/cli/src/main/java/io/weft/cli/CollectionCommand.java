package io.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.InvalidInputException;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.IndexConfig;
import io.weft.api.thread.ThreadId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code weft collection …}: collections of a database. */
@Command(name = "collection", mixinStandardHelpOptions = true,
        description = "Collections of a database: create, update, list, info, delete.",
        subcommands = {CollectionCommand.Create.class, CollectionCommand.Update.class, CollectionCommand.ListCollections.class,
            CollectionCommand.Info.class, CollectionCommand.Delete.class})
final class CollectionCommand implements Callable<Integer> {
    /** The schema of a collection created without {@code --schema}: any JSON object. */
    static final String DEFAULT_SCHEMA = "{\"type\":\"object\"}";

    CollectionCommand(Weft weft) {
    }

    @Override
    public Integer call() {
        throw Weft.usage("collection needs a command: create, update, list, info or delete (weft collection --help)");
    }

    /** {@code path} or {@code path:unique}. */
    static IndexConfig index(String spec) {
        String s = spec.strip();
        boolean unique = false;
        if (s.endsWith(":unique")) {
            unique = true;
            s = s.substring(0, s.length() - ":unique".length());
        }
        if (s.contains(":")) {
            throw new InvalidInputException("--index " + spec + ": expected path or path:unique");
        }
        return new IndexConfig(s, unique);
    }

    static ObjectNode json(Output o, CollectionConfig c) {
        ObjectNode n = o.object();
        n.put("name", c.name());
        n.set("schema", c.schema());
        ArrayNode a = n.putArray("indexes");
        for (IndexConfig i : c.indexes()) {
            ObjectNode x = a.addObject();
            x.put("path", i.path());
            x.put("unique", i.unique());
        }
        if (c.writeValidator() != null) {
            n.put("writeValidator", c.writeValidator());
        }
        if (c.readFilter() != null) {
            n.put("readFilter", c.readFilter());
        }
        return n;
    }

    /** The options shared by create and update. */
    abstract static class Define implements Callable<Integer> {
        final Weft weft;

        @Parameters(index = "0", paramLabel = "DB", description = "The database: its id, or its name if no other database has it.")
        String db;

        @Parameters(index = "1", paramLabel = "NAME", description = "The collection name.")
        String name;

        @Option(names = "--schema", paramLabel = "FILE", description = "The JSON Schema of the instances, from a file (- for stdin).")
        Path schema;

        @Option(names = "--index", paramLabel = "PATH[:unique]", description = "An index on a field path (repeat for more); "
                + ":unique makes it unique.")
        List<String> indexes;

        @Option(names = "--write-validator", paramLabel = "FILE", description = "A JavaScript write validator (function body), from a file.")
        Path writeValidator;

        @Option(names = "--read-filter", paramLabel = "FILE", description = "A JavaScript read filter (function body), from a file.")
        Path readFilter;

        Define(Weft weft) {
            this.weft = weft;
        }

        JsonNode schemaOr(JsonNode fallback) {
            if (schema == null) {
                return fallback;
            }
            JsonNode s = Inputs.jsonFile(schema, weft.in());
            if (!s.isObject()) {
                throw new InvalidInputException("the schema in " + schema + " must be a JSON object");
            }
            return s;
        }

        List<IndexConfig> indexesOr(List<IndexConfig> fallback) {
            if (indexes == null) {
                return fallback;
            }
            List<IndexConfig> out = new ArrayList<>();
            for (String i : indexes) {
                out.add(index(i));
            }
            return out;
        }

        String textOr(Path file, String fallback) {
            return file == null ? fallback : Inputs.text(file, weft.in());
        }

        void done(String verb, ThreadId id) {
            Output o = weft.output();
            if (o.json()) {
                ObjectNode n = o.object();
                n.put(verb, name);
                n.put("db", id.toString());
                o.printJson(n);
            } else {
                o.line(verb + " collection " + name);
            }
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a collection (without --schema: any JSON object is accepted).")
    static final class Create extends Define {
        Create(Weft weft) {
            super(weft);
        }

        @Override
        public Integer call() {
            ThreadId id = weft.db(db);
            CollectionConfig c = new CollectionConfig(name, schemaOr(Inputs.parse(DEFAULT_SCHEMA, "schema")),
                    indexesOr(List.of()), textOr(writeValidator, null), textOr(readFilter, null));
            weft.client().newCollection(id, c);
            done("created", id);
            return Weft.OK;
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Change a collection: what is given replaces the current schema, indexes or hooks; the rest is kept.")
    static final class Update extends Define {
        Update(Weft weft) {
            super(weft);
        }

        @Override
        public Integer call() {
            ThreadId id = weft.db(db);
            if (schema == null && indexes == null && writeValidator == null && readFilter == null) {
                throw Weft.usage("update needs --schema, --index, --write-validator or --read-filter");
            }
            CollectionConfig now = weft.client().getCollectionInfo(id, name);
            CollectionConfig c = new CollectionConfig(name, schemaOr(now.schema()), indexesOr(now.indexes()),
                    textOr(writeValidator, now.writeValidator()), textOr(readFilter, now.readFilter()));
            weft.client().updateCollection(id, c);
            done("updated", id);
            return Weft.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the collections of a database.")
    static final class ListCollections implements Callable<Integer> {
        private final Weft weft;

        @Parameters(index = "0", paramLabel = "DB", description = "The database: its id, or its name if no other database has it.")
        String db;

        ListCollections(Weft weft) {
            this.weft = weft;
        }

        @Override
        public Integer call() {
            List<CollectionConfig> list = weft.client().listCollections(weft.db(db));
            Output o = weft.output();
            if (o.json()) {
                ArrayNode a = o.array();
                for (CollectionConfig c : list) {
                    a.add(json(o, c));
                }
                o.printJson(a);
            } else {
                List<List<String>> rows = new ArrayList<>();
                for (CollectionConfig c : list) {
                    List<String> idx = new ArrayList<>();
                    for (IndexConfig i : c.indexes()) {
                        idx.add(i.path() + (i.unique() ? ":unique" : ""));
                    }
                    rows.add(List.of(c.name(), String.join(",", idx)));
                }
                o.table(List.of("NAME", "INDEXES"), rows);
            }
            return Weft.OK;
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true, description = "Show a collection: schema, indexes, hooks.")
    static final class Info implements Callable<Integer> {
        private final Weft weft;

        @Parameters(index = "0", paramLabel = "DB", description = "The database: its id, or its name if no other database has it.")
        String db;

        @Parameters(index = "1", paramLabel = "NAME", description = "The collection name.")
        String name;

        Info(Weft weft) {
            this.weft = weft;
        }

        @Override
        public Integer call() {
            CollectionConfig c = weft.client().getCollectionInfo(weft.db(db), name);
            Output o = weft.output();
            if (o.json()) {
                o.printJson(json(o, c));
            } else {
                o.printPretty(json(o, c));
            }
            return Weft.OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a collection and its instances.")
    static final class Delete implements Callable<Integer> {
        private final Weft weft;

        @Parameters(index = "0", paramLabel = "DB", description = "The database: its id, or its name if no other database has it.")
        String db;

        @Parameters(index = "1", paramLabel = "NAME", description = "The collection name.")
        String name;

        Delete(Weft weft) {
            this.weft = weft;
        }

        @Override
        public Integer call() {
            ThreadId id = weft.db(db);
            weft.client().deleteCollection(id, name);
            Output o = weft.output();
            if (o.json()) {
                ObjectNode n = o.object();
                n.put("deleted", name);
                n.put("db", id.toString());
                o.printJson(n);
            } else {
                o.line("deleted collection " + name);
            }
            return Weft.OK;
        }
    }
}
