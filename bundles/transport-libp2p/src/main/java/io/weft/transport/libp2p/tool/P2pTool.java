package io.weft.transport.libp2p.tool;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.weft.api.WeftException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.format.Multiaddr;
import io.weft.api.net.Connection;
import io.weft.api.net.PeerInfo;
import io.weft.api.net.Transport;
import io.weft.api.net.TransportConfig;
import io.weft.api.thread.PeerId;
import io.weft.core.crypto.Ed25519;
import io.weft.transport.libp2p.Libp2pHost;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@code weft p2p} diagnostics: {@code id} prints this peer's id and listen addresses (from the repository and
 * the transport configuration); {@code ping <multiaddr>} dials any libp2p peer with a throw-away identity, runs
 * identify and ping, and prints what the remote said and the round-trip times. Exit status 0 on success, 1 when the
 * remote could not be reached or answered wrongly, 2 on a usage error.
 */
public final class P2pTool {

    private final PrintStream out;
    private final PrintStream err;

    P2pTool(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(new P2pTool(System.out, System.err).run(args));
    }

    int run(String[] args) {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        boolean json = rest.remove("--json");
        if (rest.isEmpty() || rest.contains("-h") || rest.contains("--help")) {
            usage(rest.isEmpty() ? err : out);
            return rest.isEmpty() ? 2 : 0;
        }
        String command = rest.remove(0);
        try {
            return switch (command) {
                case "id" -> id(rest, json);
                case "ping" -> ping(rest, json);
                default -> {
                    err.println("weft p2p: unknown command " + command);
                    usage(err);
                    yield 2;
                }
            };
        } catch (UsageException e) {
            err.println("weft p2p: " + e.getMessage());
            return 2;
        } catch (WeftException e) {
            err.println("weft p2p: " + e.getMessage());
            return 1;
        }
    }

    private void usage(PrintStream s) {
        s.println("""
                Usage: weft p2p id [--json]
                       weft p2p ping <multiaddr> [--count N] [--timeout SECONDS] [--json]

                  id     this peer's id (from <repo>/identity.key) and its configured listen addresses
                  ping   dial a libp2p peer (e.g. /ip4/127.0.0.1/tcp/4006/p2p/12D3KooW...), run identify and
                         ping (N times, default 3), print its peer id, agent, protocols and round-trip times""");
    }

    private int id(List<String> args, boolean json) {
        if (!args.isEmpty()) {
            throw new UsageException("id takes no arguments, got " + args);
        }
        Path repo = Path.of(System.getProperty("weft.repo", System.getProperty("user.home") + "/.weft"));
        Path keyFile = repo.resolve("identity.key");
        PrivateKey key;
        try {
            key = Ed25519.unmarshal(Files.readAllBytes(keyFile));
        } catch (NoSuchFileException e) {
            throw new WeftException("no identity at " + keyFile + " (start the peer once to create it)");
        } catch (IOException e) {
            throw new WeftException("cannot read " + keyFile + ": " + e.getMessage());
        }
        PeerId peer = PeerId.of(key.publicKey());
        List<String> listen = configuredListen();
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("peerId", peer.toString());
            o.put("repo", repo.toString());
            o.put("listen", listen);
            printJson(o);
        } else {
            out.println("peer id   " + peer);
            out.println("repo      " + repo);
            for (String a : listen) {
                out.println("listen    " + a + "/p2p/" + peer);
            }
        }
        return 0;
    }

    /** The {@code listen} property of {@code io.weft.transport.cfg} in the configuration directory, else the default. */
    private List<String> configuredListen() {
        String conf = System.getProperty("weft.conf");
        if (conf != null) {
            Path cfg = Path.of(conf, "io.weft.transport.cfg");
            if (Files.isRegularFile(cfg)) {
                Properties p = new Properties();
                try (var in = Files.newBufferedReader(cfg)) {
                    p.load(in);
                } catch (IOException e) {
                    throw new WeftException("cannot read " + cfg + ": " + e.getMessage());
                }
                String listen = p.getProperty("listen");
                if (listen != null && !listen.isBlank()) {
                    return Arrays.stream(listen.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
                }
            }
        }
        return TransportConfig.defaults().listen().stream().map(Multiaddr::toString).toList();
    }

    private int ping(List<String> args, boolean json) {
        int count = 3;
        int timeoutSeconds = 10;
        String target = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--count") || a.equals("--timeout")) {
                if (i + 1 == args.size()) {
                    throw new UsageException(a + " needs a number");
                }
                int v;
                try {
                    v = Integer.parseInt(args.get(++i));
                } catch (NumberFormatException e) {
                    throw new UsageException(a + " needs a number, got " + args.get(i));
                }
                if (v < 1) {
                    throw new UsageException(a + " must be at least 1");
                }
                if (a.equals("--count")) {
                    count = v;
                } else {
                    timeoutSeconds = v;
                }
            } else if (target == null) {
                target = a;
            } else {
                throw new UsageException("unexpected argument " + a);
            }
        }
        if (target == null) {
            throw new UsageException("ping needs a multiaddr, e.g. /ip4/127.0.0.1/tcp/4006/p2p/12D3KooW...");
        }
        Multiaddr address;
        try {
            address = Multiaddr.parse(target);
        } catch (WeftException e) {
            throw new UsageException(e.getMessage());
        }
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        TransportConfig config = TransportConfig.defaults().withListen(List.of()).withConnectTimeout(timeout);
        try (Transport transport = Libp2pHost.start(Ed25519.generate(), config)) {
            long start = System.nanoTime();
            Connection c = await(transport.connect(address), timeout, "connecting to " + address);
            double connectMs = (System.nanoTime() - start) / 1e6;
            PeerInfo info = await(c.identify(), timeout, "identify");
            List<Double> rtts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                rtts.add(await(c.ping(), timeout, "ping").toNanos() / 1e6);
            }
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("peerId", c.remotePeer().toString());
                o.put("address", c.remoteAddress().toString());
                o.put("security", c.security());
                o.put("muxer", c.muxer());
                o.put("agentVersion", info.agentVersion());
                o.put("protocolVersion", info.protocolVersion());
                o.put("protocols", info.protocols());
                o.put("listenAddrs", info.listenAddresses().stream().map(Multiaddr::toString).toList());
                o.put("connectMs", connectMs);
                o.put("rttMs", rtts);
                printJson(o);
            } else {
                out.println("peer id    " + c.remotePeer());
                out.println("address    " + c.remoteAddress());
                out.println("security   " + c.security() + ", muxer " + c.muxer());
                out.println("agent      " + info.agentVersion() + " (" + info.protocolVersion() + ")");
                out.println("protocols  " + String.join(", ", info.protocols()));
                for (Multiaddr a : info.listenAddresses()) {
                    out.println("listens    " + a);
                }
                out.printf("connect    %.2f ms (TCP + Noise + yamux)%n", connectMs);
                for (int i = 0; i < rtts.size(); i++) {
                    out.printf("ping %d     %.3f ms%n", i + 1, rtts.get(i));
                }
            }
            return 0;
        }
    }

    private static <T> T await(CompletableFuture<T> future, Duration timeout, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new WeftException(what + " timed out after " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new WeftException(what + " failed: " + (cause == null ? e.getMessage() : cause.getMessage()), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WeftException(what + " interrupted");
        }
    }

    private void printJson(Map<String, Object> o) {
        try {
            out.println(new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(o));
        } catch (IOException e) {
            throw new WeftException("cannot write JSON: " + e.getMessage());
        }
    }

    /** A command-line mistake (exit status 2). */
    private static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
