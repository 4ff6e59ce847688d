package io.weft.cli;

import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.WeftException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.db.DatabaseInfo;
import io.weft.api.thread.ThreadId;
import io.weft.client.PeerUnavailableException;
import io.weft.client.WeftClient;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * The {@code weft} command line: a peer's database and thread APIs through the Java client, plus tools that need
 * no peer (ids, keys, identities) and the libp2p diagnostics. {@link #main} is what {@code bin/weft} runs for every
 * command but {@code daemon}. Exit status: {@value #OK} ok, {@value #USER_ERROR} user error (bad arguments or
 * input, invalid argument, conflict, permission), {@value #NOT_FOUND} not found, {@value #UNAVAILABLE} peer
 * unavailable.
 */
@Command(name = "weft", mixinStandardHelpOptions = true, versionProvider = Weft.Version.class,
        description = "Weft: a Threads peer and database. Talks to a running peer's client API (native gRPC, "
                + "default 127.0.0.1:6006); `weft daemon` starts a peer.",
        subcommands = {
            DaemonCommand.class,
            DbCommand.class,
            CollectionCommand.class,
            InstanceCommands.Create.class,
            InstanceCommands.Save.class,
            InstanceCommands.Delete.class,
            InstanceCommands.Get.class,
            InstanceCommands.Find.class,
            ListenCommand.class,
            ExportCommand.class,
            ImportCommand.class,
            ThreadCommand.class,
            IdCommand.class,
            KeyCommand.class,
            IdentityCommand.class,
            P2pCommand.class,
            CommandLine.HelpCommand.class
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:ok",
            "1:user error (bad arguments or input, invalid argument, conflict, not allowed)",
            "2:not found",
            "3:the peer is unavailable (not running, unreachable, no answer in time)"
        },
        footer = {"", "Environment: WEFT_API (default for --api). Reference: docs/cli.md."})
public final class Weft implements Callable<Integer> {
    /** Exit status: success. */
    public static final int OK = 0;
    /** Exit status: a user error (bad arguments or input, invalid argument, conflict, permission). */
    public static final int USER_ERROR = 1;
    /** Exit status: what was asked for does not exist. */
    public static final int NOT_FOUND = 2;
    /** Exit status: the peer is not running, unreachable, or did not answer in time. */
    public static final int UNAVAILABLE = 3;

    @Option(names = "--api", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT",
            defaultValue = "${env:WEFT_API:-127.0.0.1:6006}",
            description = "The peer's client API: host:port or /ip4/…/tcp/… (default: $WEFT_API, else 127.0.0.1:6006).")
    String api;

    @Option(names = "--identity", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Act as this identity (a private key file: `weft identity new` text, or a peer's "
                    + "identity.key); the peer then writes with it. Default: none (the peer decides).")
    Path identity;

    @Option(names = "--json", scope = ScopeType.INHERIT,
            description = "Print JSON for scripts instead of tables.")
    boolean json;

    @Option(names = "--timeout", scope = ScopeType.INHERIT, paramLabel = "SECONDS", defaultValue = "30",
            description = "Deadline of each call to the peer, in seconds (default 30).")
    double timeoutSeconds;

    @Spec
    CommandLine.Model.CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;
    private Output output;
    private WeftClient client;

    /** A command line printing to {@code out} and {@code err} and reading {@code in}. */
    public Weft(PrintStream out, PrintStream err, InputStream in) {
        this.out = out;
        this.err = err;
        this.in = in;
    }

    /** Runs {@code weft args…} and exits with its status. */
    public static void main(String[] args) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        QUIET_GRPC.setLevel(Level.OFF);
        // buffered: an export prints many lines; run() flushes at the end, streaming commands after each line
        PrintStream out = new PrintStream(new java.io.BufferedOutputStream(
                new java.io.FileOutputStream(java.io.FileDescriptor.out), 1 << 16), false, StandardCharsets.UTF_8);
        int status = new Weft(out, System.err, System.in).run(args);
        out.flush();
        System.exit(status);
    }

    /** grpc-java logs to java.util.logging; the command line reports errors itself. Held so it is not collected. */
    private static final java.util.logging.Logger QUIET_GRPC = java.util.logging.Logger.getLogger("io.grpc");

    /**
     * Runs the {@code p2p} diagnostics with these arguments; returns their exit status. The default is
     * {@code P2pTool.main}, which exits the JVM itself; tests replace it.
     */
    private java.util.function.ToIntFunction<String[]> p2p = a -> {
        io.weft.transport.libp2p.tool.P2pTool.main(a);
        return OK;
    };

    /** Replaces what runs {@code weft p2p …} (tests). */
    Weft p2pRunner(java.util.function.ToIntFunction<String[]> runner) {
        this.p2p = runner;
        return this;
    }

    int p2p(String[] args) {
        return p2p.applyAsInt(args);
    }

    /** Runs {@code weft args…}; returns the exit status. */
    public int run(String... args) {
        String[] p2pArgs = p2pArgs(args);
        if (p2pArgs != null) {
            return p2p(p2pArgs);
        }
        CommandLine cl = new CommandLine(this, new Factory(this));
        PrintWriter outWriter = new PrintWriter(out, true);
        PrintWriter errWriter = new PrintWriter(err, true);
        cl.setOut(outWriter);
        cl.setErr(errWriter);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            err.println("weft: " + message(e));
            if (e instanceof PeerUnavailableException && client != null) {
                err.println("weft: is a peer running with its API on " + client.address()
                        + "? (start one with `weft daemon`; --api or WEFT_API choose another)");
            }
            return exitCode(e);
        });
        cl.setParameterExceptionHandler((e, a) -> {
            err.println("weft: " + e.getMessage());
            CommandLine c = e.getCommandLine();
            err.println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            return USER_ERROR;
        });
        try {
            return cl.execute(args);
        } finally {
            closeClient();
            outWriter.flush();
            errWriter.flush();
            out.flush();
            err.flush();
        }
    }

    /**
     * The arguments for the p2p diagnostics when the command is {@code p2p} (after any global options), else
     * {@code null}. They are handed over unparsed: P2pTool has options of its own ({@code --timeout}, {@code --help}).
     * A global {@code --json} before {@code p2p} is passed on.
     */
    static String[] p2pArgs(String[] args) {
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--json" -> json = true;
                case "--api", "--identity", "--timeout" -> i++;
                case "p2p" -> {
                    java.util.List<String> rest = new java.util.ArrayList<>(
                            java.util.Arrays.asList(args).subList(i + 1, args.length));
                    if (json && !rest.contains("--json")) {
                        rest.add("--json");
                    }
                    return rest.toArray(new String[0]);
                }
                default -> {
                    if (!(a.startsWith("--api=") || a.startsWith("--identity=") || a.startsWith("--timeout="))) {
                        return null;
                    }
                }
            }
        }
        return null;
    }

    /** Without a command: the usage. */
    @Override
    public Integer call() {
        spec.commandLine().usage(out);
        return OK;
    }

    /** The exit status for an exception a command threw. */
    static int exitCode(Throwable e) {
        if (e instanceof NotFoundException) {
            return NOT_FOUND;
        }
        if (e instanceof PeerUnavailableException) {
            return UNAVAILABLE;
        }
        return USER_ERROR;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        if (e instanceof WeftException || e instanceof java.io.IOException || e instanceof java.io.UncheckedIOException) {
            return m == null ? e.getClass().getSimpleName() : m;
        }
        return "unexpected " + e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    // ------------------------------------------------------------------ what the commands use

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    InputStream in() {
        return in;
    }

    boolean json() {
        return json;
    }

    Output output() {
        if (output == null) {
            output = new Output(out, json);
        }
        return output;
    }

    Duration timeout() {
        if (!(timeoutSeconds > 0) || Double.isInfinite(timeoutSeconds)) {
            throw new InvalidInputException("--timeout must be a positive number of seconds");
        }
        return Duration.ofMillis(Math.max(1, Math.round(timeoutSeconds * 1000)));
    }

    /** The client of the peer at {@code --api}, as {@code --identity}; opened on first use, closed at the end. */
    /**
     * The database that {@code text} names: its id ({@code bafk…}), or else the name of exactly one database of the
     * peer.
     *
     * @throws NotFoundException if no database has that name
     * @throws InvalidInputException if several have it (the id must be used)
     */
    ThreadId db(String text) {
        try {
            return ThreadId.parse(text.strip());
        } catch (WeftException notAnId) {
            List<ThreadId> named = client().listDBs().stream().filter(d -> d.name().equals(text))
                    .map(DatabaseInfo::id).toList();
            if (named.size() == 1) {
                return named.get(0);
            }
            if (named.isEmpty()) {
                throw new NotFoundException("no database with id or name '" + text + "' (see `weft db list`)");
            }
            throw new InvalidInputException(named.size() + " databases are named '" + text + "': use the id ("
                    + named.stream().map(ThreadId::toString).collect(java.util.stream.Collectors.joining(", ")) + ")");
        }
    }

    WeftClient client() {
        if (client == null) {
            WeftClient.Builder b = WeftClient.builder().address(api).timeout(timeout());
            if (identity != null) {
                PrivateKey key = Inputs.readIdentity(identity);
                b.identity(key);
            }
            client = b.build();
        }
        return client;
    }

    private void closeClient() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    /** Makes the subcommands with a reference to this root (constructor {@code (Weft)}), the rest as picocli does. */
    private static final class Factory implements CommandLine.IFactory {
        private final Weft root;
        private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

        Factory(Weft root) {
            this.root = root;
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            if (cls == Weft.class) {
                return cls.cast(root);
            }
            try {
                Constructor<K> c = cls.getDeclaredConstructor(Weft.class);
                c.setAccessible(true);
                return c.newInstance(root);
            } catch (NoSuchMethodException e) {
                return fallback.create(cls);
            }
        }
    }

    /** {@code weft --version}: the version of the jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Weft.class.getPackage().getImplementationVersion();
            return new String[] {"weft " + (v == null ? "0.1.0-SNAPSHOT" : v)};
        }
    }

    /** A user error raised by a command (exit status 1). */
    static InvalidInputException usage(String message) {
        return new InvalidInputException(message);
    }
}
