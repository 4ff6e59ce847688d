package io.weft.peer;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Stops the OSGi framework when the JVM is asked to exit (SIGTERM, SIGINT/Ctrl-C), and waits for it, so that
 * every component is deactivated and every store closed. The bnd launcher that runs {@code weft.jar} has no
 * such hook of its own. The only class of Weft that uses the OSGi framework API.
 *
 * <p>With the system property {@code weft.exitAfterStart=true} it also stops the framework as soon as the
 * peer has started (for smoke tests); the bnd launcher then exits with status 117.
 */
@Component(immediate = true)
public final class ShutdownHook {

    /** System property: stop the framework once the peer has started. */
    public static final String EXIT_AFTER_START = "weft.exitAfterStart";
    /** System property: how long the hook waits for the framework to stop, in milliseconds (default 30000). */
    public static final String STOP_TIMEOUT = "weft.stopTimeoutMillis";

    private static final Logger LOG = LoggerFactory.getLogger(ShutdownHook.class);

    private final Bundle systemBundle;
    private final Thread hook;
    private final boolean exitAfterStart = Boolean.getBoolean(EXIT_AFTER_START);
    private final AtomicBoolean exitRequested = new AtomicBoolean();

    @Activate
    public ShutdownHook(BundleContext context) {
        this.systemBundle = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION);
        this.hook = new Thread(this::onJvmExit, "weft-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Called when the peer has started (its service is registered). */
    @Reference(service = PeerHost.class, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, unbind = "peerStopped", name = "peer")
    void peerStarted(PeerHost peer) {
        if (exitAfterStart && exitRequested.compareAndSet(false, true)) {
            LOG.info("{}=true: stopping", EXIT_AFTER_START);
            Thread t = new Thread(this::stopFramework, "weft-exit-after-start");
            t.setDaemon(false);
            t.start();
        }
    }

    void peerStopped(PeerHost peer) {
        // nothing to do: the peer logs its own stop
    }

    private void onJvmExit() {
        LOG.info("Weft stopping (JVM shutdown)");
        stopFramework();
        FrameworkEvent result = waitForStop();
        if (result != null && result.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
            System.err.println("weft: framework did not stop within " + timeoutMillis() + " ms");
        }
    }

    private void stopFramework() {
        try {
            systemBundle.stop();
        } catch (BundleException | IllegalStateException e) {
            LOG.warn("could not stop the framework: {}", e.toString());
        }
    }

    private FrameworkEvent waitForStop() {
        if (systemBundle instanceof Framework fw) {
            try {
                return fw.waitForStop(timeoutMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return null;
    }

    private static long timeoutMillis() {
        return Long.getLong(STOP_TIMEOUT, 30_000L);
    }

    @Deactivate
    void deactivate() {
        if (Thread.currentThread() == hook) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down (this hook is what stops us): nothing to remove
        }
    }
}
