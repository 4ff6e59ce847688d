package io.weft.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code weft p2p id|ping}: the libp2p diagnostics of the transport bundle
 * ({@code io.weft.transport.libp2p.tool.P2pTool}), which keeps its own options and exit statuses (0 ok, 1 the
 * remote could not be reached or answered wrongly, 2 usage). {@link Weft#run} hands the arguments after
 * {@code p2p} to it unparsed.
 */
@Command(name = "p2p",
        description = {"libp2p diagnostics, usable against any libp2p peer:",
            "  weft [--repo DIR] [--conf DIR] p2p id [--json]   this peer's id and listen addresses",
            "  weft p2p ping <multiaddr> [--count N] [--timeout SECONDS] [--json]",
            "      dial, identify and ping; prints the remote's peer id, agent, protocols and round-trip times.",
            "Exit status: 0 ok, 1 unreachable or wrong answer, 2 usage error."})
final class P2pCommand implements Callable<Integer> {
    private final Weft weft;

    @Parameters(arity = "0..*", paramLabel = "ARGS")
    List<String> args;

    P2pCommand(Weft weft) {
        this.weft = weft;
    }

    @Override
    public Integer call() {
        List<String> a = new ArrayList<>(args == null ? List.of() : args);
        if (weft.json() && !a.contains("--json")) {
            a.add("--json");
        }
        return weft.p2p(a.toArray(new String[0]));
    }
}
