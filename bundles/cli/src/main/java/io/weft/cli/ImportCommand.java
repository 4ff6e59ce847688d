package io.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.weft.api.InvalidInputException;
import io.weft.api.WeftException;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.IndexConfig;
import io.weft.api.thread.ThreadId;
import io.weft.client.WeftClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code weft import}: JSON lines into a database. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Read JSON lines (as `weft export` writes them) from stdin or --file into a database: "
                + "{\"collection\",\"config\"} lines create missing collections, {\"collection\",\"instance\"} lines "
                + "create instances (keeping their _id), in batches. Progress goes to stderr.")
final class ImportCommand implements Callable<Integer> {
    private final Weft weft;

    @Parameters(index = "0", paramLabel = "DB", description = "The database: its id, or its name if no other database has it.")
    String db;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read this file instead of stdin.")
    Path file;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "500", description = "Instances per call (default 500).")
    int batch;

    @Option(names = "--save", description = "Save (replace) instances instead of creating them: for instances that "
            + "already exist.")
    boolean save;

    ImportCommand(Weft weft) {
        this.weft = weft;
    }

    @Override
    public Integer call() throws IOException {
        if (batch < 1) {
            throw Weft.usage("--batch must be at least 1");
        }
        ThreadId id = weft.db(db);
        WeftClient client = weft.client();
        Set<String> existing = new HashSet<>();
        for (CollectionConfig c : client.listCollections(id)) {
            existing.add(c.name());
        }
        Progress progress = Progress.onStderr(weft.err());
        long total = 0;
        int created = 0;
        String pendingCollection = null;
        long pendingFirstLine = 0;
        List<JsonNode> pending = new ArrayList<>();
        long lineNo = 0;
        try (BufferedReader r = reader()) {
            String line;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = Inputs.parse(line, "line " + lineNo);
                JsonNode c = n.get("collection");
                if (!n.isObject() || c == null || !c.isTextual() || c.textValue().isEmpty()) {
                    throw new InvalidInputException("line " + lineNo + ": expected {\"collection\": …, \"instance\": {…}}"
                            + " or {\"collection\": …, \"config\": {…}}");
                }
                String collection = c.textValue();
                JsonNode config = n.get("config");
                JsonNode instance = n.get("instance");
                if ((config == null) == (instance == null)) {
                    throw new InvalidInputException("line " + lineNo + ": needs exactly one of \"instance\" and \"config\"");
                }
                if (!collection.equals(pendingCollection) || pending.size() >= batch || config != null) {
                    total += flush(client, id, pendingCollection, pending, pendingFirstLine);
                    pendingCollection = collection;
                    pendingFirstLine = lineNo;
                }
                if (config != null) {
                    if (!existing.contains(collection)) {
                        client.newCollection(id, config(collection, config, lineNo));
                        existing.add(collection);
                        created++;
                    }
                    continue;
                }
                if (!instance.isObject()) {
                    throw new InvalidInputException("line " + lineNo + ": \"instance\" must be a JSON object");
                }
                if (pending.isEmpty()) {
                    pendingFirstLine = lineNo;
                }
                pending.add(instance);
                progress.update("importing: " + (total + pending.size()) + " instances");
            }
            total += flush(client, id, pendingCollection, pending, pendingFirstLine);
        } catch (RuntimeException e) {
            progress.clear();
            throw e;
        }
        progress.done("imported " + total + (total == 1 ? " instance" : " instances")
                + (created > 0 ? ", created " + created + (created == 1 ? " collection" : " collections") : ""));
        Output o = weft.output();
        if (o.json()) {
            var n = o.object();
            n.put("imported", total);
            n.put("collectionsCreated", created);
            o.printJson(n);
        }
        return Weft.OK;
    }

    private long flush(WeftClient client, ThreadId id, String collection, List<JsonNode> pending, long firstLine) {
        if (pending.isEmpty()) {
            return 0;
        }
        int n = pending.size();
        try {
            if (save) {
                client.save(id, collection, pending);
            } else {
                client.create(id, collection, pending);
            }
        } catch (WeftException e) {
            String where = "lines " + firstLine + "…" + (firstLine + n - 1) + " (collection " + collection + "): ";
            throw rethrow(e, where);
        }
        pending.clear();
        return n;
    }

    /** The same exception type with the failing lines named first. */
    private static WeftException rethrow(WeftException e, String where) {
        String m = where + e.getMessage();
        if (e instanceof io.weft.api.NotFoundException) {
            return new io.weft.api.NotFoundException(m, e);
        }
        if (e instanceof io.weft.client.PeerUnavailableException) {
            return new io.weft.client.PeerUnavailableException(m, e);
        }
        if (e instanceof io.weft.api.ConflictException) {
            return new io.weft.api.ConflictException(m, e);
        }
        if (e instanceof InvalidInputException) {
            return new InvalidInputException(m, e);
        }
        return new WeftException(m, e);
    }

    private static CollectionConfig config(String name, JsonNode c, long lineNo) {
        if (!c.isObject()) {
            throw new InvalidInputException("line " + lineNo + ": \"config\" must be a JSON object");
        }
        List<IndexConfig> indexes = new ArrayList<>();
        for (JsonNode i : c.path("indexes")) {
            indexes.add(new IndexConfig(i.path("path").asText(), i.path("unique").asBoolean(false)));
        }
        JsonNode schema = c.get("schema");
        if (schema == null || !schema.isObject()) {
            throw new InvalidInputException("line " + lineNo + ": config.schema must be a JSON object");
        }
        return new CollectionConfig(name, schema, indexes, text(c.get("writeValidator")), text(c.get("readFilter")));
    }

    private static String text(JsonNode n) {
        return n == null || !n.isTextual() ? null : n.textValue();
    }

    private BufferedReader reader() throws IOException {
        InputStream in;
        if (file == null || file.toString().equals("-")) {
            in = weft.in();
        } else {
            try {
                in = Files.newInputStream(file);
            } catch (NoSuchFileException e) {
                throw new InvalidInputException("no such file: " + file);
            }
        }
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }
}
