package io.weft.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code weft daemon}: starts a peer in the foreground. {@code bin/weft} runs the OSGi framework ({@code weft.jar})
 * itself for this command; when the command line is run some other way, this hands over to {@code bin/weft} of
 * the distribution named by the system property {@code weft.home}.
 */
@Command(name = "daemon", mixinStandardHelpOptions = true,
        description = "Start a peer in the foreground (what `bin/weft` with no command does): the Felix framework "
                + "with the distribution's bundles. Stop it with Ctrl-C or SIGTERM.")
final class DaemonCommand implements Callable<Integer> {
    private final Weft weft;

    @Option(names = "--repo", paramLabel = "DIR", description = "Repository directory: identity.key, store/ "
            + "(default: $WEFT_REPO, else ~/.weft).")
    Path repo;

    @Option(names = "--conf", paramLabel = "DIR", description = "Configuration directory watched for *.cfg files "
            + "(default: $WEFT_CONF, else the distribution's conf/).")
    Path conf;

    @Option(names = "-D", paramLabel = "NAME=VALUE", description = "A Java system property for the peer, e.g. "
            + "-Dweft.exitAfterStart=true.")
    List<String> properties;

    DaemonCommand(Weft weft) {
        this.weft = weft;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        String home = System.getProperty("weft.home");
        Path launcher = home == null ? null : Path.of(home, "bin", "weft");
        if (launcher == null || !Files.isRegularFile(launcher)) {
            throw Weft.usage("the daemon runs the distribution's weft.jar: start it with bin/weft daemon "
                    + "(or set -Dweft.home to the distribution directory)");
        }
        List<String> cmd = new ArrayList<>(List.of("bash", launcher.toString(), "daemon"));
        if (repo != null) {
            cmd.add("--repo");
            cmd.add(repo.toString());
        }
        if (conf != null) {
            cmd.add("--conf");
            cmd.add(conf.toString());
        }
        if (properties != null) {
            for (String p : properties) {
                cmd.add("-D" + p);
            }
        }
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        return p.waitFor();
    }
}
