package io.weft.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import io.weft.api.InvalidInputException;
import io.weft.api.WeftException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.format.Multibase;
import io.weft.core.crypto.Ed25519;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads what commands take: JSON documents from arguments, files or stdin; key files. */
final class Inputs {
    private static final byte[] PRIVATE_KEY_PREFIX = {0x08, 0x01, 0x12, 0x40};

    private Inputs() {
    }

    /**
     * JSON objects from the arguments (each a JSON object or an array of objects), else from {@code file}
     * ({@code -}: stdin), else from {@code stdin}: a JSON object, an array of objects, or objects one after another
     * (JSON lines).
     */
    static List<JsonNode> objects(List<String> args, Path file, InputStream stdin) {
        List<JsonNode> out = new ArrayList<>();
        if (args != null && !args.isEmpty()) {
            if (file != null) {
                throw new InvalidInputException("give the JSON as arguments or with --file, not both");
            }
            for (int i = 0; i < args.size(); i++) {
                addObjects(out, parse(args.get(i), "argument " + (i + 1)), "argument " + (i + 1));
            }
        } else if (file != null && !file.toString().equals("-")) {
            try (InputStream in = Files.newInputStream(file)) {
                readAll(in, out, file.toString());
            } catch (NoSuchFileException e) {
                throw new InvalidInputException("no such file: " + file);
            } catch (IOException e) {
                throw new InvalidInputException("cannot read " + file + ": " + e.getMessage());
            }
        } else {
            readAll(stdin, out, "stdin");
        }
        if (out.isEmpty()) {
            throw new InvalidInputException("no JSON instance given (as arguments, with --file, or on stdin)");
        }
        return out;
    }

    private static void readAll(InputStream in, List<JsonNode> out, String where) {
        try (JsonParser p = Output.MAPPER.getFactory().createParser(in)) {
            MappingIterator<JsonNode> it = Output.MAPPER.readValues(p, JsonNode.class);
            int n = 0;
            while (it.hasNextValue()) {
                n++;
                addObjects(out, it.nextValue(), where + " document " + n);
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidInputException(where + " is not valid JSON: " + e.getOriginalMessage());
        } catch (RuntimeException e) {
            if (e.getCause() instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
                throw new InvalidInputException(where + " is not valid JSON: " + j.getOriginalMessage());
            }
            throw e;
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + where + ": " + e.getMessage());
        }
    }

    private static void addObjects(List<JsonNode> out, JsonNode n, String where) {
        if (n.isObject()) {
            out.add(n);
        } else if (n.isArray()) {
            for (JsonNode e : n) {
                if (!e.isObject()) {
                    throw new InvalidInputException(where + ": every instance must be a JSON object");
                }
                out.add(e);
            }
        } else {
            throw new InvalidInputException(where + ": an instance must be a JSON object (or an array of them)");
        }
    }

    /** One JSON document from text. */
    static JsonNode parse(String text, String where) {
        try (JsonParser p = Output.MAPPER.getFactory().createParser(text)) {
            JsonNode n = Output.MAPPER.readTree(p);
            if (n == null) {
                throw new InvalidInputException(where + " is empty; expected JSON");
            }
            if (p.nextToken() != null) {
                throw new InvalidInputException(where + " has data after the JSON document");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidInputException(where + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + where + ": " + e.getMessage());
        }
    }

    /** One JSON document from a file ({@code -}: stdin). */
    static JsonNode jsonFile(Path file, InputStream stdin) {
        return parse(text(file, stdin), file.toString());
    }

    /** A whole file ({@code -}: stdin) as UTF-8 text. */
    static String text(Path file, InputStream stdin) {
        try {
            if (file.toString().equals("-")) {
                return new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("no such file: " + file);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /**
     * A private key from a file: the 68-byte libp2p key of a peer's {@code identity.key}, or its multibase text
     * (what {@code weft identity new} writes).
     */
    static PrivateKey readIdentity(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("identity file " + file + " does not exist");
        } catch (IOException e) {
            throw new InvalidInputException("cannot read identity file " + file + ": " + e.getMessage());
        }
        try {
            return privateKey(bytes);
        } catch (WeftException e) {
            throw new InvalidInputException("identity file " + file + " holds no Ed25519 private key ("
                    + e.getMessage() + ")");
        }
    }

    /** A private key from raw libp2p bytes or multibase text. */
    static PrivateKey privateKey(byte[] bytes) {
        if (bytes.length == 68 && startsWith(bytes, PRIVATE_KEY_PREFIX)) {
            return Ed25519.unmarshal(bytes);
        }
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            throw new InvalidInputException("empty");
        }
        return Ed25519.unmarshal(Multibase.decode(text));
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
