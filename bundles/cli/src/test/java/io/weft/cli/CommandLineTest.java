package io.weft.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.weft.api.InvalidInputException;
import io.weft.api.thread.ThreadId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing, usage errors and exit statuses of the command line, without a peer. */
class CommandLineTest {

    /** A loopback port nothing listens on. */
    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void helpAndVersion() {
        Cli help = Cli.run("--help");
        assertEquals(0, help.exit());
        for (String cmd : List.of("daemon", "db", "collection", "create", "save", "delete", "get", "find", "listen",
                "export", "import", "thread", "id", "key", "identity", "p2p")) {
            assertTrue(help.out().contains("\n  " + cmd + " "), cmd + " listed:\n" + help.out());
        }
        assertTrue(help.out().contains("3   the peer is unavailable"), help.out());
        assertEquals(0, Cli.run("--version").exit());
        Cli none = Cli.run();
        assertEquals(0, none.exit());
        assertTrue(none.out().startsWith("Usage: weft"), none.out());
        assertEquals(0, Cli.run("db", "--help").exit());
        assertEquals(0, Cli.run("help", "find").exit());
    }

    @Test
    void usageErrorsExitWith1AndSayWhat() {
        Cli unknown = Cli.run("frobnicate");
        assertEquals(Weft.USER_ERROR, unknown.exit());
        assertTrue(unknown.err().startsWith("weft: Unmatched argument"), unknown.err());
        Cli missing = Cli.run("get", "bafkqaaaaaaaaaaaaaaaaaaaaaaaaa");
        assertEquals(Weft.USER_ERROR, missing.exit());
        assertTrue(missing.err().contains("Missing required parameters"), missing.err());
        Cli group = Cli.run("db");
        assertEquals(Weft.USER_ERROR, group.exit());
        assertTrue(group.err().contains("db needs a command"), group.err());
        Cli badId = Cli.run("db", "create", "x", "--id", "not-an-id");
        assertEquals(Weft.USER_ERROR, badId.exit());
        assertTrue(badId.err().startsWith("weft: 'not-an-id' is not a database id"), badId.err());
        Cli badApi = Cli.run("--api", "host:99999", "db", "list");
        assertEquals(Weft.USER_ERROR, badApi.exit());
        assertTrue(badApi.err().contains("invalid port"), badApi.err());
        Cli badTimeout = Cli.run("--timeout", "0", "db", "list");
        assertEquals(Weft.USER_ERROR, badTimeout.exit());
        Cli badWhere = Cli.run("find", ThreadId.newRandom().toString(), "c", "--where", "age");
        assertEquals(Weft.USER_ERROR, badWhere.exit());
        assertTrue(badWhere.err().contains("has no operator"), badWhere.err());
        Cli badQuery = Cli.run("find", ThreadId.newRandom().toString(), "c", "{\"ands\":[{\"op\":1}]}");
        assertEquals(Weft.USER_ERROR, badQuery.exit());
        Cli noInvite = Cli.run("db", "join", "nothing");
        assertEquals(Weft.USER_ERROR, noInvite.exit());
        assertTrue(noInvite.err().contains("thread invite"), noInvite.err());
        Cli badIdentity = Cli.run("--identity", "/nonexistent/key", "db", "list");
        assertEquals(Weft.USER_ERROR, badIdentity.exit());
        assertTrue(badIdentity.err().contains("does not exist"), badIdentity.err());
    }

    @Test
    void anAbsentPeerExitsWith3() throws Exception {
        String api = "127.0.0.1:" + closedPort();
        Cli c = Cli.run("--api", api, "db", "list");
        assertEquals(Weft.UNAVAILABLE, c.exit(), c.describe());
        assertTrue(c.err().contains("the peer is unavailable"), c.err());
        assertTrue(c.err().contains("is a peer running with its API on " + api), c.err());
        // options are inherited: after the subcommand too, and multiaddr form
        Cli after = Cli.run("db", "list", "--json", "--api", "/ip4/127.0.0.1/tcp/" + api.split(":")[1]);
        assertEquals(Weft.UNAVAILABLE, after.exit(), after.describe());
    }

    @Test
    void inheritedGlobalOptionsReachTheRoot() {
        Cli c = Cli.run("id", "new", "--json");
        assertTrue(c.out().startsWith("{"), c.out());
        Cli d = Cli.run("--json", "id", "new");
        assertTrue(d.out().startsWith("{"), d.out());
    }

    @Test
    void p2pArgumentsAreHandedOverUnparsed() {
        assertArrayEquals(new String[] {"ping", "/ip4/1.2.3.4/tcp/1", "--timeout", "5"},
                Weft.p2pArgs(new String[] {"p2p", "ping", "/ip4/1.2.3.4/tcp/1", "--timeout", "5"}));
        assertArrayEquals(new String[] {"id", "--json"}, Weft.p2pArgs(new String[] {"--json", "p2p", "id"}));
        assertArrayEquals(new String[] {"id", "--json"}, Weft.p2pArgs(new String[] {"--api", "x", "p2p", "id", "--json"}));
        assertArrayEquals(new String[] {"--help"}, Weft.p2pArgs(new String[] {"p2p", "--help"}));
        assertNull(Weft.p2pArgs(new String[] {"db", "p2p"}));
        assertNull(Weft.p2pArgs(new String[] {}));
        List<String[]> seen = new ArrayList<>();
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(sink, true, StandardCharsets.UTF_8);
        int exit = new Weft(ps, ps, new ByteArrayInputStream(new byte[0])).p2pRunner(a -> {
            seen.add(a);
            return 2;
        }).run("--json", "p2p", "ping", "--count", "2");
        assertEquals(2, exit, "P2pTool's own status is the exit status");
        assertArrayEquals(new String[] {"ping", "--count", "2", "--json"}, seen.get(0));
    }

    @Test
    void instancesComeFromArgumentsFilesOrStdin(@TempDir Path dir) throws Exception {
        List<JsonNode> fromArgs = Inputs.objects(List.of("{\"a\":1}", "[{\"b\":2},{\"c\":3}]"), null, null);
        assertEquals(3, fromArgs.size());
        Path f = Files.writeString(dir.resolve("in.jsonl"), "{\"a\":1}\n{\"a\":2}\n\n[{\"a\":3}]\n");
        assertEquals(3, Inputs.objects(List.of(), f, null).size());
        assertEquals(2, Inputs.objects(null, null,
                new ByteArrayInputStream("{\"x\":1} {\"x\":2}".getBytes(StandardCharsets.UTF_8))).size());
        assertEquals(1, Inputs.objects(null, Path.of("-"),
                new ByteArrayInputStream("{\"x\":1}".getBytes(StandardCharsets.UTF_8))).size());
        for (String bad : List.of("1", "[1]", "{", "{\"a\":1} x", "\"s\"")) {
            org.junit.jupiter.api.Assertions.assertThrows(InvalidInputException.class,
                    () -> Inputs.objects(List.of(bad), null, null), bad);
        }
        org.junit.jupiter.api.Assertions.assertThrows(InvalidInputException.class,
                () -> Inputs.objects(null, null, new ByteArrayInputStream(new byte[0])));
        org.junit.jupiter.api.Assertions.assertThrows(InvalidInputException.class,
                () -> Inputs.objects(List.of("{}"), f, null));
        org.junit.jupiter.api.Assertions.assertThrows(InvalidInputException.class,
                () -> Inputs.objects(null, dir.resolve("missing.json"), null));
    }

    @Test
    void dagJsonRoundTrips() throws Exception {
        String text = "{\"a\":1,\"b\":[true,null,\"x\",1.5],\"c\":{\"/\":{\"bytes\":\"AQID\"}},"
                + "\"d\":{\"/\":\"bafyreigbtj4x7ip5legnfznufuopl4sg4knzc2cof6duas4b3q2fy6swua\"},\"e\":18446744073709551615}";
        JsonNode in = Inputs.parse(text, "t");
        JsonNode back = DagJson.toJson(io.weft.core.cbor.DagCbor.decode(io.weft.core.cbor.DagCbor.encode(DagJson.toCbor(in))));
        assertEquals(Output.compact(in), Output.compact(back));
    }
}
