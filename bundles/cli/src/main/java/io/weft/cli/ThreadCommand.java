package io.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.InvalidInputException;
import io.weft.api.WeftException;
import io.weft.api.format.Cid;
import io.weft.api.format.Multiaddr;
import io.weft.api.format.Multibase;
import io.weft.api.record.Record;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.LogId;
import io.weft.api.thread.PeerId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadInvite;
import io.weft.api.thread.ThreadKey;
import io.weft.client.EventStream;
import io.weft.client.LogDetails;
import io.weft.client.ThreadDetails;
import io.weft.client.ThreadRecord;
import io.weft.client.ThreadsClient;
import io.weft.core.cbor.DagCbor;
import io.weft.core.record.Records;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code weft thread …}: the thread API (threads.net.pb.API). */
@Command(name = "thread", mixinStandardHelpOptions = true,
        description = "Threads (the logs below the databases), through the peer's thread API.",
        subcommands = {ThreadCommand.Host.class, ThreadCommand.Create.class, ThreadCommand.Add.class,
            ThreadCommand.Get.class, ThreadCommand.Pull.class, ThreadCommand.Delete.class,
            ThreadCommand.Replicate.class, ThreadCommand.RecordCommand.class, ThreadCommand.Subscribe.class})
final class ThreadCommand implements Callable<Integer> {
    ThreadCommand(Weft weft) {
    }

    @Override
    public Integer call() {
        throw Weft.usage("thread needs a command: host, create, add, get, pull, delete, replicate, record or "
                + "subscribe (weft thread --help)");
    }

    static ThreadId thread(String text) {
        return Ids.thread(text, "thread id");
    }

    static Multiaddr addr(String text) {
        try {
            return Multiaddr.parse(text.strip());
        } catch (WeftException e) {
            throw new InvalidInputException("'" + text + "' is not a multiaddr: " + e.getMessage());
        }
    }

    static ObjectNode detailsJson(Output o, ThreadDetails d, boolean withKey) {
        ObjectNode n = o.object();
        n.put("id", d.id().toString());
        if (withKey && d.key() != null) {
            n.put("key", d.key().toString());
        }
        n.put("role", d.key() == null ? "unknown" : d.key().canRead() ? "member" : "replica");
        n.put("records", d.records());
        ArrayNode addrs = n.putArray("addrs");
        d.addrs().forEach(a -> addrs.add(a.toString()));
        ArrayNode logs = n.putArray("logs");
        for (LogDetails l : d.logs()) {
            ObjectNode x = logs.addObject();
            x.put("id", l.id().toString());
            if (l.pubKey() != null) {
                x.put("pubKey", Multibase.encode(l.pubKey().marshal()));
            }
            x.put("own", l.hasPrivateKey());
            if (l.head() != null) {
                x.put("head", l.head().toString());
            }
            x.put("counter", l.counter());
            ArrayNode la = x.putArray("addrs");
            l.addrs().forEach(a -> la.add(a.toString()));
        }
        return n;
    }

    static void printDetails(Weft weft, ThreadDetails d, boolean withKey) {
        Output o = weft.output();
        if (o.json()) {
            o.printJson(detailsJson(o, d, withKey));
            return;
        }
        List<String[]> f = new ArrayList<>();
        f.add(new String[] {"id", d.id().toString()});
        f.add(new String[] {"role", d.key() == null ? "unknown" : d.key().canRead() ? "member (read key held)"
                : "replica (service key only)"});
        if (withKey) {
            f.add(new String[] {"key", d.key() == null ? "(none)" : d.key().toString()});
        }
        f.add(new String[] {"records", String.valueOf(d.records())});
        for (Multiaddr a : d.addrs()) {
            f.add(new String[] {"addr", a.toString()});
        }
        o.fields(f);
        if (!d.logs().isEmpty()) {
            o.line("");
            List<List<String>> rows = new ArrayList<>();
            for (LogDetails l : d.logs()) {
                rows.add(List.of(l.id().toString(), l.hasPrivateKey() ? "yes" : "", String.valueOf(l.counter()),
                        l.head() == null ? "" : l.head().toString()));
            }
            o.table(List.of("LOG", "OWN", "RECORDS", "HEAD"), rows);
        }
    }

    @Command(name = "host", mixinStandardHelpOptions = true, description = "Print the peer's host id.")
    static final class Host implements Callable<Integer> {
        private final Weft weft;

        Host(Weft weft) {
            this.weft = weft;
        }

        @Override
        public Integer call() {
            PeerId id = weft.client().threads().getHostId();
            Output o = weft.output();
            if (o.json()) {
                ObjectNode n = o.object();
                n.put("peerId", id.toString());
                o.printJson(n);
            } else {
                o.line(id.toString());
            }
            return Weft.OK;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a thread; prints it.")
    static final class Create implements Callable<Integer> {
        private final Weft weft;

        @Option(names = "--id", paramLabel = "ID", description = "The thread id (default: a new random one).")
        String id;

        @Option(names = "--variant", paramLabel = "raw|acl", description = "Variant of a new random id (default raw).")
        String variant;

        @Option(names = "--key", paramLabel = "KEY", description = "The thread key (default: the peer makes one).")
        String key;

        @Option(names = "--show-key", description = "Print the thread key (secret).")
        boolean showKey;

        Create(Weft weft) {
            this.weft = weft;
        }

        @Override
        public Integer call() {
            ThreadId t = id != null ? thread(id) : ThreadId.newRandom(IdCommand.variant(variant), ThreadId.DEFAULT_RANDOM_LENGTH);
            ThreadKey k = key == null ? null : DbCommand.parseKey(key);
            printDetails(weft, weft.client().threads().createThread(t, k, null), showKey);
            return Weft.OK;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Add a thread served by another peer: from an invite (<addr>[,…]#<key>), or a thread address and --key.")
    static final class Add implements Callable<Integer> {
        private final Weft weft;

        @Parameters(index = "0", paramLabel = "INVITE|ADDR", description = "An invite, or a thread multiaddr …/p2p/<peer>/thread/<id>.")
        String target;

        @Option(names = "--key", paramLabel = "KEY", description = "The thread key, when ADDR is a multiaddr.")
        String key;

        Add(Weft weft) {
            this.weft = weft;
        }

        @Override
        public Integer call() {
            ThreadsClient t = weft.client().threads();
            ThreadDetails d;
            if (target.contains("#")) {
                if (key != null) {
                    throw Weft.usage("an invite holds the key already; --key is for a bare address");
                }
                ThreadInvite inv;
                try {
                    inv = ThreadInvite.parse(target);
                } catch (WeftException e) {
                    throw new InvalidInputException(e.getMessage());
                }
                d = t.addThread(inv);
            } else {
                if (key == null) {
                    throw Weft.usage("a thread address needs --key (or give an invite: <addr>#<key>)");
                }
                d = t.addThread(addr(target), DbCommand.parseKey(key), null);
            }
            printDetails(weft, d, false);
            return Weft.OK;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show a thread: logs, record counts, addresses.")
    static final class Get implements Callable<Integer> {
        private final Weft weft;

        @Parameters(index = "0", paramLabel = "THREAD", description = "The thread id.")
        String id;

        @Option(names = "--show-key", description = "Print the thread key (secret).")
        boolean showKey;

        Get(Weft weft) {
            this.weft = weft;
        }

        @Override
        public Integer call() {
            printDetails(weft, weft.client().threads().getThread(thread(id)), showKey);
            return Weft.OK;
        }
    }

    @Command(name = "pull", mixinStandardHelpOptions = true, description = "Pull a thread's new records from its peers now.")
    static final class Pull implements Callable<Integer> {
        private final Weft weft;

        @Parameters(index = "0", paramLabel = "THREAD", description = "The thread id.")
        String id;

        Pull(Weft weft) {
            this.weft = weft;
        }

        @Override
        public Integer call() {
            ThreadId t = thread(id);
            weft.client().threads().pullThread(t);
            done(weft, "pulled", t.toString());
            return Weft.OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a thread from the peer.")
    static final class Delete implements Callable<Integer> {
        private final Weft weft;

        @Parameters(index = "0", paramLabel = "THREAD", description = "The thread id.")
        String id;

        Delete(Weft weft) {
            this.weft = weft;
        }

        @Override
        public Integer call() {
            ThreadId t = thread(id);
            weft.client().threads().deleteThread(t);
            done(weft, "deleted", t.toString());
            return Weft.OK;
        }
    }

    @Command(name = "replicate", mixinStandardHelpOptions = true,
            description = "Make another peer a replica of a thread (it gets the service key and the logs).")
    static final class Replicate implements Callable<Integer> {
        private final Weft weft;

        @Parameters(index = "0", paramLabel = "THREAD", description = "The thread id.")
        String id;

        @Parameters(index = "1", paramLabel = "ADDR", description = "The replica's multiaddr, with /p2p/<peer id>.")
        String address;

        Replicate(Weft weft) {
            this.weft = weft;
        }

        @Override
        public Integer call() {
            PeerId p = weft.client().threads().addReplicator(thread(id), addr(address));
            Output o = weft.output();
            if (o.json()) {
                ObjectNode n = o.object();
                n.put("replicator", p.toString());
                o.printJson(n);
            } else {
                o.line(p.toString());
            }
            return Weft.OK;
        }
    }

    static void done(Weft weft, String verb, String what) {
        Output o = weft.output();
        if (o.json()) {
            ObjectNode n = o.object();
            n.put(verb, what);
            o.printJson(n);
        } else {
            o.line(verb + " " + what);
        }
    }

    @Command(name = "record", mixinStandardHelpOptions = true, description = "Records of a thread: create, add, get.",
            subcommands = {RecordCommand.CreateRecord.class, RecordCommand.AddRecord.class, RecordCommand.GetRecord.class})
    static final class RecordCommand implements Callable<Integer> {
        RecordCommand(Weft weft) {
        }

        @Override
        public Integer call() {
            throw Weft.usage("thread record needs a command: create, add or get (weft thread record --help)");
        }

        static ObjectNode envelopeJson(Output o, ThreadId thread, LogId log, RecordEnvelope e) {
            ObjectNode n = o.object();
            n.put("id", e.id().toString());
            n.put("thread", thread.toString());
            if (log != null) {
                n.put("log", log.toString());
            }
            Base64.Encoder b64 = Base64.getEncoder();
            n.put("recordNode", b64.encodeToString(e.recordNode()));
            n.put("eventNode", b64.encodeToString(e.eventNode()));
            n.put("headerNode", b64.encodeToString(e.headerNode()));
            n.put("bodyNode", b64.encodeToString(e.bodyNode()));
            return n;
        }

        @Command(name = "create", mixinStandardHelpOptions = true,
                description = "Append a record to the peer's own log of a thread; the body is JSON (dag-json links "
                        + "{\"/\":cid} and bytes {\"/\":{\"bytes\":b64}}), stored as dag-cbor.")
        static final class CreateRecord implements Callable<Integer> {
            private final Weft weft;

            @Parameters(index = "0", paramLabel = "THREAD", description = "The thread id.")
            String id;

            @Parameters(index = "1", arity = "0..1", paramLabel = "BODY", description = "The body as JSON (else --file or stdin).")
            String body;

            @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the body from a file (- for stdin).")
            Path file;

            CreateRecord(Weft weft) {
                this.weft = weft;
            }

            @Override
            public Integer call() {
                if (body != null && file != null) {
                    throw Weft.usage("give the body as an argument or with --file, not both");
                }
                JsonNode json = body != null ? Inputs.parse(body, "the body")
                        : Inputs.jsonFile(file == null ? Path.of("-") : file, weft.in());
                byte[] cbor = DagCbor.encode(DagJson.toCbor(json));
                ThreadRecord r = weft.client().threads().createRecord(thread(id), cbor);
                Output o = weft.output();
                if (o.json()) {
                    o.printJson(envelopeJson(o, r.thread(), r.log(), r.record()));
                } else {
                    o.fields(List.of(new String[] {"record", r.id().toString()}, new String[] {"log", r.log().toString()}));
                }
                return Weft.OK;
            }
        }

        @Command(name = "add", mixinStandardHelpOptions = true,
                description = "Add a record made elsewhere to a log of a thread: JSON with base64 recordNode, eventNode, "
                        + "headerNode, bodyNode (as `weft thread record get --json` prints it).")
        static final class AddRecord implements Callable<Integer> {
            private final Weft weft;

            @Parameters(index = "0", paramLabel = "THREAD", description = "The thread id.")
            String id;

            @Parameters(index = "1", paramLabel = "LOG", description = "The log id (12D3KooW…).")
            String log;

            @Parameters(index = "2", arity = "0..1", paramLabel = "RECORD", description = "The record JSON (else --file or stdin).")
            String record;

            @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the record JSON from a file (- for stdin).")
            Path file;

            AddRecord(Weft weft) {
                this.weft = weft;
            }

            @Override
            public Integer call() {
                JsonNode n = record != null ? Inputs.parse(record, "the record")
                        : Inputs.jsonFile(file == null ? Path.of("-") : file, weft.in());
                RecordEnvelope e = new RecordEnvelope(node(n, "recordNode"), node(n, "eventNode"), node(n, "headerNode"),
                        node(n, "bodyNode"));
                LogId l;
                try {
                    l = LogId.parse(log.strip());
                } catch (WeftException ex) {
                    throw new InvalidInputException("'" + log + "' is not a log id: " + ex.getMessage());
                }
                ThreadId t = thread(id);
                weft.client().threads().addRecord(t, l, e);
                done(weft, "added", e.id().toString());
                return Weft.OK;
            }

            private static byte[] node(JsonNode n, String name) {
                JsonNode v = n.get(name);
                if (v == null || !v.isTextual()) {
                    throw new InvalidInputException("the record JSON needs \"" + name + "\" as base64 text");
                }
                try {
                    return Base64.getDecoder().decode(v.textValue());
                } catch (IllegalArgumentException e) {
                    throw new InvalidInputException("\"" + name + "\" is not base64: " + e.getMessage());
                }
            }
        }

        @Command(name = "get", mixinStandardHelpOptions = true,
                description = "Print a record by id; its body is decoded when the peer holds the thread's read key.")
        static final class GetRecord implements Callable<Integer> {
            private final Weft weft;

            @Parameters(index = "0", paramLabel = "THREAD", description = "The thread id.")
            String id;

            @Parameters(index = "1", paramLabel = "RECORD", description = "The record id (a CID, bafy…).")
            String recordId;

            GetRecord(Weft weft) {
                this.weft = weft;
            }

            @Override
            public Integer call() {
                ThreadId t = thread(id);
                Cid cid;
                try {
                    cid = Cid.parse(recordId.strip());
                } catch (WeftException e) {
                    throw new InvalidInputException("'" + recordId + "' is not a record id (CID): " + e.getMessage());
                }
                ThreadsClient threads = weft.client().threads();
                RecordEnvelope e = threads.getRecord(t, cid);
                LogId log = null;
                JsonNode body = null;
                try {
                    ThreadDetails d = threads.getThread(t);
                    for (LogDetails l : d.logs()) {
                        if (l.pubKey() == null || d.key() == null) {
                            continue;
                        }
                        Record r;
                        try {
                            r = Records.verify(e, l.pubKey(), d.key());
                        } catch (WeftException notThisLog) {
                            continue;
                        }
                        log = l.id();
                        if (d.key().canRead()) {
                            body = DagJson.toJson(Records.openBody(r, d.key()));
                        }
                        break;
                    }
                } catch (WeftException ignored) {
                    // the record is printed without its log and body
                }
                Output o = weft.output();
                if (o.json()) {
                    ObjectNode n = envelopeJson(o, t, log, e);
                    if (body != null) {
                        n.set("body", body);
                    }
                    o.printJson(n);
                } else {
                    List<String[]> f = new ArrayList<>();
                    f.add(new String[] {"record", e.id().toString()});
                    f.add(new String[] {"log", log == null ? "(unknown)" : log.toString()});
                    f.add(new String[] {"sizes", String.format(Locale.ROOT, "record %d, event %d, header %d, body %d bytes",
                            e.recordNode().length, e.eventNode().length, e.headerNode().length, e.bodyNode().length)});
                    f.add(new String[] {"body", body == null ? "(not readable here)" : Output.compact(body)});
                    o.fields(f);
                }
                return Weft.OK;
            }
        }
    }

    @Command(name = "subscribe", mixinStandardHelpOptions = true,
            description = "Print new records of threads (all when none is given) as JSON lines {\"thread\",\"log\",\"id\"} "
                    + "until interrupted or --count records were printed.")
    static final class Subscribe implements Callable<Integer> {
        private final Weft weft;

        @Parameters(arity = "0..*", paramLabel = "THREAD", description = "Thread ids.")
        List<String> ids;

        @Option(names = "--count", paramLabel = "N", description = "Stop after N records.")
        Long count;

        Subscribe(Weft weft) {
            this.weft = weft;
        }

        @Override
        public Integer call() {
            if (count != null && count < 1) {
                throw Weft.usage("--count must be at least 1");
            }
            List<ThreadId> threads = new ArrayList<>();
            if (ids != null) {
                ids.forEach(i -> threads.add(thread(i)));
            }
            Output o = weft.output();
            long n = 0;
            try (EventStream<ThreadRecord> records = weft.client().threads().subscribe(threads)) {
                while (records.hasNext()) {
                    ThreadRecord r = records.next();
                    ObjectNode line = o.object();
                    line.put("thread", r.thread().toString());
                    line.put("log", r.log().toString());
                    line.put("id", r.id().toString());
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
}
