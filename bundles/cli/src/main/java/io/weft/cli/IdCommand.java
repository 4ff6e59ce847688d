package io.weft.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.InvalidInputException;
import io.weft.api.WeftException;
import io.weft.api.format.Multibase;
import io.weft.api.format.Varint;
import io.weft.api.thread.ThreadId;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code weft id new|decode}: thread (database) ids, no peer needed. */
@Command(name = "id", mixinStandardHelpOptions = true, description = "Thread ids (database ids): new, decode. Needs no peer.",
        subcommands = {IdCommand.New.class, IdCommand.Decode.class})
final class IdCommand implements Callable<Integer> {
    IdCommand(Weft weft) {
    }

    @Override
    public Integer call() {
        throw Weft.usage("id needs a command: new or decode (weft id --help)");
    }

    /** {@code raw} (default) or {@code acl}. */
    static ThreadId.Variant variant(String text) {
        if (text == null) {
            return ThreadId.Variant.RAW;
        }
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "raw" -> ThreadId.Variant.RAW;
            case "acl", "access-controlled", "accesscontrolled" -> ThreadId.Variant.ACCESS_CONTROLLED;
            default -> throw new InvalidInputException("--variant must be raw or acl, not " + text);
        };
    }

    static String variantName(ThreadId.Variant v) {
        return v == ThreadId.Variant.RAW ? "raw" : "acl";
    }

    static ObjectNode json(Output o, ThreadId id) {
        byte[] b = id.bytes();
        ObjectNode n = o.object();
        n.put("id", id.toString());
        n.put("bytes", HexFormat.of().formatHex(b));
        n.put("version", id.version());
        n.put("variant", variantName(id.variant()));
        n.put("variantCode", id.variant().code());
        byte[] random = random(b);
        n.put("random", HexFormat.of().formatHex(random));
        n.put("randomLength", random.length);
        return n;
    }

    /** The bytes after the version and variant varints. */
    static byte[] random(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        Varint.read(in);
        Varint.read(in);
        return Arrays.copyOfRange(bytes, in.position(), bytes.length);
    }

    @Command(name = "new", mixinStandardHelpOptions = true, description = "Print a new random thread id.")
    static final class New implements Callable<Integer> {
        private final Weft weft;

        @Option(names = "--variant", paramLabel = "raw|acl", description = "raw (default; ids start bafk) or acl "
                + "(access-controlled; ids start bafy).")
        String variant;

        @Option(names = "--size", paramLabel = "BYTES", defaultValue = "32", description = "Random bytes, 16..64 (default 32).")
        int size;

        New(Weft weft) {
            this.weft = weft;
        }

        @Override
        public Integer call() {
            ThreadId id = ThreadId.newRandom(variant(variant), size);
            Output o = weft.output();
            if (o.json()) {
                o.printJson(json(o, id));
            } else {
                o.line(id.toString());
            }
            return Weft.OK;
        }
    }

    @Command(name = "decode", mixinStandardHelpOptions = true,
            description = "Decode a thread id (any multibase): bytes, version, variant, random part.")
    static final class Decode implements Callable<Integer> {
        private final Weft weft;

        @Parameters(index = "0", paramLabel = "ID", description = "The id text, e.g. bafk… (any multibase).")
        String text;

        Decode(Weft weft) {
            this.weft = weft;
        }

        @Override
        public Integer call() {
            ThreadId id;
            try {
                id = ThreadId.parse(text.strip());
            } catch (WeftException e) {
                throw new InvalidInputException("not a thread id: " + e.getMessage());
            }
            Output o = weft.output();
            ObjectNode n = json(o, id);
            if (o.json()) {
                o.printJson(n);
            } else {
                o.fields(List.of(
                        new String[] {"id", id.toString()},
                        new String[] {"base", Multibase.base(text.strip()).name().toLowerCase(Locale.ROOT)},
                        new String[] {"bytes", n.get("bytes").asText()},
                        new String[] {"version", String.valueOf(id.version())},
                        new String[] {"variant", variantName(id.variant()) + " (0x"
                                + Integer.toHexString(id.variant().code()) + ")"},
                        new String[] {"random", n.get("random").asText() + " (" + n.get("randomLength").asInt() + " bytes)"}));
            }
            return Weft.OK;
        }
    }
}
