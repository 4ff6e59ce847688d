package io.weft.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.InvalidInputException;
import io.weft.api.db.ChangeType;
import io.weft.api.db.ListenFilter;
import io.weft.client.EventStream;
import io.weft.client.ListenEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code weft listen}: a database's changes as JSON lines. */
@Command(name = "listen", mixinStandardHelpOptions = true,
        description = "Print a database's changes as JSON lines {\"collection\",\"id\",\"action\",\"instance\"} until "
                + "interrupted (Ctrl-C) or --count events were printed.")
final class ListenCommand implements Callable<Integer> {
    private final Weft weft;

    @Parameters(index = "0", paramLabel = "DB", description = "The database: its id, or its name if no other database has it.")
    String db;

    @Option(names = "--collection", paramLabel = "NAME", description = "Only this collection (repeat for more).")
    List<String> collections;

    @Option(names = "--id", paramLabel = "ID", description = "Only this instance.")
    String id;

    @Option(names = "--action", paramLabel = "ACTION", description = "Only create, save or delete.")
    String action;

    @Option(names = "--count", paramLabel = "N", description = "Stop after N events.")
    Long count;

    ListenCommand(Weft weft) {
        this.weft = weft;
    }

    List<ListenFilter> filters() {
        ChangeType type = null;
        if (action != null) {
            try {
                type = ChangeType.valueOf(action.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("--action must be create, save or delete, not " + action);
            }
        }
        List<ListenFilter> out = new ArrayList<>();
        if (collections == null || collections.isEmpty()) {
            if (id != null || type != null) {
                out.add(new ListenFilter(null, id, type));
            }
        } else {
            for (String c : collections) {
                out.add(new ListenFilter(c, id, type));
            }
        }
        return out;
    }

    @Override
    public Integer call() {
        if (count != null && count < 1) {
            throw Weft.usage("--count must be at least 1");
        }
        Output o = weft.output();
        long n = 0;
        try (EventStream<ListenEvent> events = weft.client().listen(weft.db(db), filters())) {
            while (events.hasNext()) {
                ListenEvent e = events.next();
                ObjectNode line = o.object();
                line.put("collection", e.collection());
                line.put("id", e.instanceId());
                line.put("action", e.type().name().toLowerCase(Locale.ROOT));
                if (e.instance() != null) {
                    line.set("instance", e.instance());
                }
                o.printJson(line);
                weft.out().flush();
                if (count != null && ++n >= count) {
                    break;
                }
            }
        }
        return Weft.OK;
    }
}
