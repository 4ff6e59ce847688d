package io.weft.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.Query;
import io.weft.api.thread.ThreadId;
import io.weft.client.WeftClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code weft export}: a database as JSON lines. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a database as JSON lines to stdout: per collection one {\"collection\",\"config\"} line "
                + "(schema, indexes), then one {\"collection\",\"instance\"} line per instance, in _id order. "
                + "Progress goes to stderr. `weft import` reads it back.")
final class ExportCommand implements Callable<Integer> {
    private final Weft weft;

    @Parameters(index = "0", paramLabel = "DB", description = "The database: its id, or its name if no other database has it.")
    String db;

    @Option(names = "--collection", paramLabel = "NAME", description = "Only this collection (repeat for more).")
    List<String> collections;

    @Option(names = "--no-config", description = "Leave out the collection config lines.")
    boolean noConfig;

    @Option(names = "--page", paramLabel = "N", defaultValue = "1000", description = "Instances fetched per call (default 1000).")
    int page;

    ExportCommand(Weft weft) {
        this.weft = weft;
    }

    @Override
    public Integer call() {
        if (page < 1) {
            throw Weft.usage("--page must be at least 1");
        }
        ThreadId id = weft.db(db);
        WeftClient client = weft.client();
        List<CollectionConfig> configs = new ArrayList<>();
        if (collections == null || collections.isEmpty()) {
            configs.addAll(client.listCollections(id));
        } else {
            for (String c : collections) {
                configs.add(client.getCollectionInfo(id, c));
            }
        }
        Output o = weft.output();
        Progress progress = Progress.onStderr(weft.err());
        long total = 0;
        try {
            for (CollectionConfig c : configs) {
                if (!noConfig) {
                    ObjectNode line = o.object();
                    line.put("collection", c.name());
                    ObjectNode cfg = CollectionCommand.json(o, c);
                    cfg.remove("name");
                    line.set("config", cfg);
                    o.printJson(line);
                }
                String seek = null;
                while (true) {
                    Query q = Query.all().limit(page);
                    if (seek != null) {
                        q = q.seek(seek);
                    }
                    List<ObjectNode> batch = client.find(id, c.name(), q);
                    for (ObjectNode n : batch) {
                        ObjectNode line = o.object();
                        line.put("collection", c.name());
                        line.set("instance", n);
                        o.printJson(line);
                        total++;
                    }
                    progress.update("exporting " + c.name() + ": " + total + " instances");
                    if (batch.size() < page) {
                        break;
                    }
                    seek = batch.get(batch.size() - 1).path("_id").asText();
                }
            }
        } catch (RuntimeException e) {
            progress.clear();
            throw e;
        }
        weft.out().flush();
        progress.done("exported " + total + (total == 1 ? " instance" : " instances") + " from " + configs.size()
                + (configs.size() == 1 ? " collection" : " collections"));
        return Weft.OK;
    }
}
