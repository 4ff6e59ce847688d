package io.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.db.Query;
import io.weft.api.thread.ThreadId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code weft create|save|delete|get|find}: instances of a collection. */
final class InstanceCommands {
    private InstanceCommands() {
    }

    /** DB and COLLECTION, then JSON instances from the arguments, {@code --file} or stdin. */
    abstract static class Write implements Callable<Integer> {
        final Weft weft;

        @Parameters(index = "0", paramLabel = "DB", description = "The database: its id, or its name if no other database has it.")
        String db;

        @Parameters(index = "1", paramLabel = "COLLECTION", description = "The collection name.")
        String collection;

        @Parameters(index = "2..*", paramLabel = "JSON", description = "Instances: each a JSON object or an array of "
                + "objects. Without them, --file or stdin is read (a JSON object, an array, or JSON lines).")
        List<String> instances;

        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the instances from a file (- for stdin).")
        Path file;

        Write(Weft weft) {
            this.weft = weft;
        }

        List<JsonNode> read() {
            return Inputs.objects(instances, file, weft.in());
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create instances (an _id is assigned where missing); prints their ids, one a line.")
    static final class Create extends Write {
        Create(Weft weft) {
            super(weft);
        }

        @Override
        public Integer call() {
            List<String> ids = weft.client().create(weft.db(db), collection, read());
            Output o = weft.output();
            if (o.json()) {
                ArrayNode a = o.array();
                ids.forEach(a::add);
                o.printJson(a);
            } else {
                ids.forEach(o::line);
            }
            return Weft.OK;
        }
    }

    @Command(name = "save", mixinStandardHelpOptions = true,
            description = "Replace existing instances (each identified by its _id).")
    static final class Save extends Write {
        Save(Weft weft) {
            super(weft);
        }

        @Override
        public Integer call() {
            List<JsonNode> list = read();
            weft.client().save(weft.db(db), collection, list);
            Output o = weft.output();
            if (o.json()) {
                ObjectNode n = o.object();
                n.put("saved", list.size());
                o.printJson(n);
            } else {
                o.line("saved " + list.size() + (list.size() == 1 ? " instance" : " instances"));
            }
            return Weft.OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete instances by id.")
    static final class Delete implements Callable<Integer> {
        private final Weft weft;

        @Parameters(index = "0", paramLabel = "DB", description = "The database: its id, or its name if no other database has it.")
        String db;

        @Parameters(index = "1", paramLabel = "COLLECTION", description = "The collection name.")
        String collection;

        @Parameters(index = "2..*", arity = "1..*", paramLabel = "ID", description = "Instance ids.")
        List<String> ids;

        Delete(Weft weft) {
            this.weft = weft;
        }

        @Override
        public Integer call() {
            weft.client().delete(weft.db(db), collection, ids);
            Output o = weft.output();
            if (o.json()) {
                ObjectNode n = o.object();
                n.put("deleted", ids.size());
                o.printJson(n);
            } else {
                o.line("deleted " + ids.size() + (ids.size() == 1 ? " instance" : " instances"));
            }
            return Weft.OK;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Print an instance by id (exit status 2 if there is none).")
    static final class Get implements Callable<Integer> {
        private final Weft weft;

        @Parameters(index = "0", paramLabel = "DB", description = "The database: its id, or its name if no other database has it.")
        String db;

        @Parameters(index = "1", paramLabel = "COLLECTION", description = "The collection name.")
        String collection;

        @Parameters(index = "2", paramLabel = "ID", description = "The instance id.")
        String id;

        Get(Weft weft) {
            this.weft = weft;
        }

        @Override
        public Integer call() {
            ObjectNode n = weft.client().findById(weft.db(db), collection, id);
            Output o = weft.output();
            if (o.json()) {
                o.printJson(n);
            } else {
                o.printPretty(n);
            }
            return Weft.OK;
        }
    }

    @Command(name = "find", mixinStandardHelpOptions = true,
            description = "Find instances: by query JSON (go-threads form: {\"ands\":[…],\"sort\":…}) and/or --where "
                    + "conditions, with --sort, --limit, --skip, --seek. Without any: every instance.")
    static final class Find implements Callable<Integer> {
        private final Weft weft;

        @Parameters(index = "0", paramLabel = "DB", description = "The database: its id, or its name if no other database has it.")
        String db;

        @Parameters(index = "1", paramLabel = "COLLECTION", description = "The collection name.")
        String collection;

        @Parameters(index = "2", arity = "0..1", paramLabel = "QUERY", description = "Query JSON (optional).")
        String queryJson;

        @Option(names = {"-w", "--where"}, paramLabel = "COND", description = "A condition <path><op><value>, op one of "
                + "= != > >= < <= (e.g. 'age>=60', 'name=\"Ada\"', 'active=true'); repeat: all must hold.")
        List<String> where;

        @Option(names = "--sort", paramLabel = "PATH", description = "Sort by a field path; -PATH or PATH:desc for descending.")
        String sort;

        @Option(names = "--limit", paramLabel = "N", description = "At most N instances.")
        Integer limit;

        @Option(names = "--skip", paramLabel = "N", description = "Skip the first N instances.")
        Integer skip;

        @Option(names = "--seek", paramLabel = "ID", description = "Start after the instance with this id (paging).")
        String seek;

        Find(Weft weft) {
            this.weft = weft;
        }

        Query query() {
            Query base = queryJson == null ? null : Query.fromJson(Inputs.parse(queryJson, "the query"));
            return Where.query(base, where, sort, seek, skip, limit);
        }

        @Override
        public Integer call() {
            ThreadId id = weft.db(db);
            List<ObjectNode> found = weft.client().find(id, collection, query());
            Output o = weft.output();
            if (o.json()) {
                ArrayNode a = o.array();
                found.forEach(a::add);
                o.printJson(a);
            } else {
                table(o, found);
                weft.err().println(found.size() + (found.size() == 1 ? " instance" : " instances"));
            }
            return Weft.OK;
        }
    }

    /** Instances as a table: {@code _id} first, then the other top-level fields in order of appearance. */
    static void table(Output o, List<ObjectNode> instances) {
        Set<String> columns = new LinkedHashSet<>();
        columns.add("_id");
        for (ObjectNode n : instances) {
            Iterator<String> it = n.fieldNames();
            while (it.hasNext()) {
                columns.add(it.next());
            }
        }
        List<String> headers = new ArrayList<>(columns);
        List<List<String>> rows = new ArrayList<>();
        for (ObjectNode n : instances) {
            List<String> r = new ArrayList<>();
            for (String c : headers) {
                r.add(Output.cell(n.get(c)));
            }
            rows.add(r);
        }
        o.table(headers, rows);
    }
}
