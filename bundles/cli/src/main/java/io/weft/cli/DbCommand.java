package io.weft.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.InvalidInputException;
import io.weft.api.WeftException;
import io.weft.api.db.DatabaseInfo;
import io.weft.api.format.Multiaddr;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadInvite;
import io.weft.api.thread.ThreadKey;
import io.weft.client.WeftClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code weft db …}: databases. */
@Command(name = "db", mixinStandardHelpOptions = true, description = "Databases: create, list, info, delete, join, invite.",
        subcommands = {DbCommand.Create.class, DbCommand.ListDbs.class, DbCommand.Info.class, DbCommand.Delete.class,
            DbCommand.Join.class, DbCommand.Invite.class})
final class DbCommand implements Callable<Integer> {
    private final Weft weft;

    DbCommand(Weft weft) {
        this.weft = weft;
    }

    @Override
    public Integer call() {
        throw Weft.usage("db needs a command: create, list, info, delete, join or invite (weft db --help)");
    }

    static ObjectNode infoJson(Output o, DatabaseInfo info, boolean withKey) {
        ObjectNode n = o.object();
        n.put("id", info.id().toString());
        n.put("name", info.name());
        ArrayNode a = n.putArray("addrs");
        for (Multiaddr m : info.addrs()) {
            a.add(m.toString());
        }
        if (withKey) {
            n.put("key", info.key().toString());
        }
        return n;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a database; prints its id.")
    static final class Create implements Callable<Integer> {
        private final Weft weft;

        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "A name for the database.")
        String name = "";

        @Option(names = "--id", paramLabel = "ID", description = "Use this database (thread) id instead of a new random one.")
        String id;

        @Option(names = "--key", paramLabel = "KEY", description = "Use this thread key instead of a new one (secret).")
        String key;

        Create(Weft weft) {
            this.weft = weft;
        }

        @Override
        public Integer call() {
            ThreadId dbId = id == null ? ThreadId.newRandom() : Ids.db(id);
            ThreadKey k = key == null ? null : parseKey(key);
            weft.client().newDB(dbId, name, k, List.of());
            Output o = weft.output();
            if (o.json()) {
                ObjectNode n = o.object();
                n.put("id", dbId.toString());
                n.put("name", name);
                o.printJson(n);
            } else {
                o.line(dbId.toString());
            }
            return Weft.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the peer's databases.")
    static final class ListDbs implements Callable<Integer> {
        private final Weft weft;

        ListDbs(Weft weft) {
            this.weft = weft;
        }

        @Override
        public Integer call() {
            List<DatabaseInfo> dbs = weft.client().listDBs();
            Output o = weft.output();
            if (o.json()) {
                ArrayNode a = o.array();
                for (DatabaseInfo d : dbs) {
                    a.add(infoJson(o, d, false));
                }
                o.printJson(a);
            } else {
                List<List<String>> rows = new ArrayList<>();
                for (DatabaseInfo d : dbs) {
                    rows.add(List.of(d.id().toString(), d.name(), String.valueOf(d.addrs().size()),
                            d.key().canRead() ? "member" : "replica"));
                }
                o.table(List.of("ID", "NAME", "ADDRS", "ROLE"), rows);
            }
            return Weft.OK;
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true, description = "Show a database: name, addresses.")
    static final class Info implements Callable<Integer> {
        private final Weft weft;

        @Parameters(index = "0", paramLabel = "DB", description = "The database: its id, or its name if no other database has it.")
        String db;

        @Option(names = "--show-key", description = "Also print the thread key (secret: it grants access).")
        boolean showKey;

        Info(Weft weft) {
            this.weft = weft;
        }

        @Override
        public Integer call() {
            DatabaseInfo info = weft.client().getDBInfo(weft.db(db));
            Output o = weft.output();
            if (o.json()) {
                o.printJson(infoJson(o, info, showKey));
            } else {
                List<String[]> f = new ArrayList<>();
                f.add(new String[] {"id", info.id().toString()});
                f.add(new String[] {"name", info.name()});
                f.add(new String[] {"role", info.key().canRead() ? "member (read key held)" : "replica (service key only)"});
                f.add(new String[] {"key", showKey ? info.key().toString() : "(secret; --show-key prints it)"});
                if (info.addrs().isEmpty()) {
                    f.add(new String[] {"addr", "(none)"});
                }
                for (Multiaddr a : info.addrs()) {
                    f.add(new String[] {"addr", a.toString()});
                }
                o.fields(f);
            }
            return Weft.OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a database from the peer.")
    static final class Delete implements Callable<Integer> {
        private final Weft weft;

        @Parameters(index = "0", paramLabel = "DB", description = "The database: its id, or its name if no other database has it.")
        String db;

        Delete(Weft weft) {
            this.weft = weft;
        }

        @Override
        public Integer call() {
            ThreadId id = weft.db(db);
            weft.client().deleteDB(id);
            Output o = weft.output();
            if (o.json()) {
                ObjectNode n = o.object();
                n.put("deleted", id.toString());
                o.printJson(n);
            } else {
                o.line("deleted " + id);
            }
            return Weft.OK;
        }
    }

    @Command(name = "invite", mixinStandardHelpOptions = true,
            description = "Print an invite to a database (<addr>[,<addr>…]#<key>) for `weft db join` on another peer. "
                    + "It holds the database key: share it only with whom may read (or, with --replica, store) it.")
    static final class Invite implements Callable<Integer> {
        private final Weft weft;

        @Parameters(index = "0", paramLabel = "DB", description = "The database: its id, or its name if no other database has it.")
        String db;

        @Option(names = "--replica", description = "Invite a replica: the service key only (it stores and serves the "
                + "records but cannot read them).")
        boolean replica;

        Invite(Weft weft) {
            this.weft = weft;
        }

        @Override
        public Integer call() {
            ThreadInvite invite = weft.client().invite(weft.db(db), replica);
            Output o = weft.output();
            if (o.json()) {
                ObjectNode n = o.object();
                n.put("db", invite.threadId().toString());
                n.put("invite", invite.text());
                n.put("replica", !invite.canRead());
                o.printJson(n);
            } else {
                o.line(invite.text());
            }
            return Weft.OK;
        }
    }

    @Command(name = "join", mixinStandardHelpOptions = true,
            description = "Join a database from an invite (`weft db invite` on the other peer); waits until this peer "
                    + "has fetched it, showing the record count.")
    static final class Join implements Callable<Integer> {
        private final Weft weft;

        @Parameters(index = "0", paramLabel = "INVITE", description = "The invite: <addr>[,<addr>…]#<key>.")
        String invite;

        @Option(names = "--name", paramLabel = "NAME", description = "A name for the database on this peer.")
        String name = "";

        @Option(names = "--no-wait", description = "Return as soon as the peer accepted the invite (it fetches the "
                + "database in the background).")
        boolean noWait;

        @Option(names = "--wait-timeout", paramLabel = "SECONDS", defaultValue = "600",
                description = "How long to wait for the fetch (default 600).")
        long waitSeconds;

        Join(Weft weft) {
            this.weft = weft;
        }

        @Override
        public Integer call() throws Exception {
            ThreadInvite inv;
            try {
                inv = ThreadInvite.parse(invite);
            } catch (WeftException e) {
                throw new InvalidInputException(e.getMessage());
            }
            if (waitSeconds < 1) {
                throw Weft.usage("--wait-timeout must be at least 1 second");
            }
            WeftClient client = weft.client();
            ThreadId id = inv.threadId();
            if (noWait) {
                client.joinDB(inv, name, false);
                print(id, -1);
                return Weft.OK;
            }
            WeftClient longCalls = client.withTimeout(Duration.ofSeconds(waitSeconds));
            CompletableFuture<ThreadId> join = CompletableFuture.supplyAsync(() -> longCalls.joinDB(inv, name, true));
            Progress progress = Progress.onStderr(weft.err());
            long records = -1;
            try {
                while (true) {
                    try {
                        join.get(500, TimeUnit.MILLISECONDS);
                        break;
                    } catch (TimeoutException e) {
                        records = count(client, id, records);
                        progress.update("joining " + id + ": " + (records < 0 ? "connecting…" : records + " records"));
                    }
                }
            } catch (ExecutionException e) {
                progress.clear();
                Throwable c = e.getCause();
                if (c instanceof RuntimeException r) {
                    throw r;
                }
                throw e;
            }
            records = count(client, id, records);
            progress.done("joined " + id + (records < 0 ? "" : ", " + records + " records"));
            print(id, records);
            return Weft.OK;
        }

        /** The thread's record count through the thread API, or {@code previous} if it cannot be had. */
        private static long count(WeftClient client, ThreadId id, long previous) {
            try {
                return client.withTimeout(Duration.ofSeconds(2)).threads().getThread(id).records();
            } catch (WeftException e) {
                return previous;
            }
        }

        private void print(ThreadId id, long records) {
            Output o = weft.output();
            if (o.json()) {
                ObjectNode n = o.object();
                n.put("id", id.toString());
                n.put("name", name);
                if (records >= 0) {
                    n.put("records", records);
                }
                o.printJson(n);
            } else {
                o.line(id.toString());
            }
        }
    }

    static ThreadKey parseKey(String text) {
        try {
            return ThreadKey.parse(text.strip());
        } catch (WeftException e) {
            throw new InvalidInputException("the key is not a thread key: " + e.getMessage());
        }
    }
}
