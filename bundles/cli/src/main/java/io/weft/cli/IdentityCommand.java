package io.weft.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.InvalidInputException;
import io.weft.api.WeftException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Multibase;
import io.weft.api.thread.PeerId;
import io.weft.core.crypto.Ed25519;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code weft identity new|decode}: Ed25519 identities, no peer needed. */
@Command(name = "identity", mixinStandardHelpOptions = true,
        description = "Ed25519 identities (for --identity, and the peer's identity.key): new, decode. Needs no peer.",
        subcommands = {IdentityCommand.New.class, IdentityCommand.Decode.class})
final class IdentityCommand implements Callable<Integer> {
    IdentityCommand(Weft weft) {
    }

    @Override
    public Integer call() {
        throw Weft.usage("identity needs a command: new or decode (weft identity --help)");
    }

    static ObjectNode publicJson(Output o, PublicKey pub) {
        ObjectNode n = o.object();
        n.put("publicKey", Multibase.encode(pub.marshal()));
        n.put("peerId", PeerId.of(pub).toString());
        n.put("publicKeyHex", HexFormat.of().formatHex(pub.raw()));
        return n;
    }

    @Command(name = "new", mixinStandardHelpOptions = true,
            description = "Make a new identity. Prints the private key text (secret), or with --out writes it to a "
                    + "file (mode 0600) and prints the public key and peer id.")
    static final class New implements Callable<Integer> {
        private final Weft weft;

        @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Write the private key to this new file.")
        Path file;

        New(Weft weft) {
            this.weft = weft;
        }

        @Override
        public Integer call() {
            PrivateKey key = Ed25519.generate();
            String text = Multibase.encode(key.marshal());
            Output o = weft.output();
            if (file != null) {
                write(file, text);
            }
            if (o.json()) {
                ObjectNode n = publicJson(o, key.publicKey());
                if (file == null) {
                    n.put("privateKey", text);
                } else {
                    n.put("file", file.toString());
                }
                o.printJson(n);
            } else if (file == null) {
                o.line(text);
            } else {
                o.fields(List.of(new String[] {"file", file.toString()},
                        new String[] {"public key", Multibase.encode(key.publicKey().marshal())},
                        new String[] {"peer id", PeerId.of(key.publicKey()).toString()}));
            }
            return Weft.OK;
        }

        private static void write(Path file, String text) {
            try {
                Path f;
                try {
                    f = Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } catch (UnsupportedOperationException e) {
                    f = Files.createFile(file);
                }
                Files.writeString(f, text + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
            } catch (FileAlreadyExistsException e) {
                throw new InvalidInputException(file + " already exists; not overwritten");
            } catch (IOException e) {
                throw new InvalidInputException("cannot write " + file + ": " + e.getMessage());
            }
        }
    }

    @Command(name = "decode", mixinStandardHelpOptions = true,
            description = "Decode an identity: a private or public key text (b…), or with --file a key file (text or a "
                    + "peer's binary identity.key). Prints the public key, peer id and raw public key; the private "
                    + "part only with --show-private.")
    static final class Decode implements Callable<Integer> {
        private final Weft weft;

        @Parameters(index = "0", arity = "0..1", paramLabel = "KEY", description = "Private or public key text.")
        String text;

        @Option(names = "--file", paramLabel = "FILE", description = "Read the key from a file.")
        Path file;

        @Option(names = "--show-private", description = "Also print the private seed (hex; secret).")
        boolean showPrivate;

        Decode(Weft weft) {
            this.weft = weft;
        }

        @Override
        public Integer call() {
            if ((text == null) == (file == null)) {
                throw Weft.usage("give the key text or --file, one of them");
            }
            PrivateKey priv = null;
            PublicKey pub;
            if (file != null) {
                priv = Inputs.readIdentity(file);
                pub = priv.publicKey();
            } else {
                byte[] bytes;
                try {
                    bytes = Multibase.decode(text.strip());
                } catch (WeftException e) {
                    throw new InvalidInputException("not a key (multibase text expected): " + e.getMessage());
                }
                try {
                    if (bytes.length == 68) {
                        priv = Ed25519.unmarshal(bytes);
                        pub = priv.publicKey();
                    } else {
                        pub = PublicKey.unmarshal(bytes);
                    }
                } catch (WeftException e) {
                    throw new InvalidInputException("not an Ed25519 private or public key: " + e.getMessage());
                }
            }
            Output o = weft.output();
            ObjectNode n = publicJson(o, pub);
            n.put("type", priv == null ? "public" : "private");
            if (priv != null && showPrivate) {
                n.put("seedHex", HexFormat.of().formatHex(priv.seed()));
            }
            if (o.json()) {
                o.printJson(n);
            } else {
                List<String[]> f = new ArrayList<>();
                f.add(new String[] {"type", n.get("type").asText() + " key"});
                f.add(new String[] {"public key", n.get("publicKey").asText()});
                f.add(new String[] {"peer id", n.get("peerId").asText()});
                f.add(new String[] {"public hex", n.get("publicKeyHex").asText()});
                if (n.has("seedHex")) {
                    f.add(new String[] {"seed hex", n.get("seedHex").asText()});
                }
                o.fields(f);
            }
            return Weft.OK;
        }
    }
}
