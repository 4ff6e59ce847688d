package io.weft.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.InvalidInputException;
import io.weft.api.WeftException;
import io.weft.api.thread.ThreadKey;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code weft key new|decode}: thread keys, no peer needed. */
@Command(name = "key", mixinStandardHelpOptions = true,
        description = "Thread keys (service key, optionally + read key): new, decode. Needs no peer. Keys are secret.",
        subcommands = {KeyCommand.New.class, KeyCommand.Decode.class})
final class KeyCommand implements Callable<Integer> {
    KeyCommand(Weft weft) {
    }

    @Override
    public Integer call() {
        throw Weft.usage("key needs a command: new or decode (weft key --help)");
    }

    static ObjectNode json(Output o, ThreadKey k) {
        ObjectNode n = o.object();
        n.put("key", k.toString());
        n.put("serviceKey", HexFormat.of().formatHex(k.serviceKey()));
        if (k.readKey().isPresent()) {
            n.put("readKey", HexFormat.of().formatHex(k.readKey().get()));
        } else {
            n.putNull("readKey");
        }
        n.put("canRead", k.canRead());
        return n;
    }

    @Command(name = "new", mixinStandardHelpOptions = true, description = "Print a new random thread key.")
    static final class New implements Callable<Integer> {
        private final Weft weft;

        @Option(names = "--service-only", description = "Without a read key (a key for replicas).")
        boolean serviceOnly;

        New(Weft weft) {
            this.weft = weft;
        }

        @Override
        public Integer call() {
            ThreadKey k = ThreadKey.generate(!serviceOnly);
            Output o = weft.output();
            if (o.json()) {
                o.printJson(json(o, k));
            } else {
                o.line(k.toString());
            }
            return Weft.OK;
        }
    }

    @Command(name = "decode", mixinStandardHelpOptions = true,
            description = "Decode a thread key (any multibase): the service key and read key in hex.")
    static final class Decode implements Callable<Integer> {
        private final Weft weft;

        @Parameters(index = "0", paramLabel = "KEY", description = "The key text (b…).")
        String text;

        Decode(Weft weft) {
            this.weft = weft;
        }

        @Override
        public Integer call() {
            ThreadKey k;
            try {
                k = ThreadKey.parse(text.strip());
            } catch (WeftException e) {
                throw new InvalidInputException("not a thread key: " + e.getMessage());
            }
            Output o = weft.output();
            ObjectNode n = json(o, k);
            if (o.json()) {
                o.printJson(n);
            } else {
                o.fields(List.of(
                        new String[] {"service key", n.get("serviceKey").asText()},
                        new String[] {"read key", k.canRead() ? n.get("readKey").asText() : "(none: a replica's key)"},
                        new String[] {"can read", String.valueOf(k.canRead())}));
            }
            return Weft.OK;
        }
    }
}
