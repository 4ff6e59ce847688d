package io.weft.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A progress line on stderr for long operations: on a terminal it is redrawn in place (at most 10 times a
 * second); otherwise only the final summary is printed. Nothing goes to stdout, so output can be redirected.
 */
final class Progress {
    private final PrintStream err;
    private final boolean live;
    private final long start = System.nanoTime();
    private long lastDraw;
    private int lastLength;

    Progress(PrintStream err, boolean live) {
        this.err = err;
        this.live = live;
    }

    /** A progress line that is live when stderr is a terminal. */
    static Progress onStderr(PrintStream err) {
        return new Progress(err, stderrIsTerminal());
    }

    /** Redraws the line with {@code text} (rate-limited; a no-op when not live). */
    void update(String text) {
        if (!live) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        draw(text + "  (" + seconds() + ")");
    }

    /** Ends the line with a final summary (always printed). */
    void done(String summary) {
        String line = summary + " in " + seconds();
        if (live) {
            draw(line);
            err.println();
        } else {
            err.println(line);
        }
        err.flush();
    }

    /** Clears a live line (before an error message). */
    void clear() {
        if (live && lastLength > 0) {
            err.print("\r" + " ".repeat(lastLength) + "\r");
            err.flush();
            lastLength = 0;
        }
    }

    private void draw(String text) {
        String pad = lastLength > text.length() ? " ".repeat(lastLength - text.length()) : "";
        err.print("\r" + text + pad);
        err.flush();
        lastLength = text.length();
    }

    String seconds() {
        double s = (System.nanoTime() - start) / 1e9;
        return String.format(java.util.Locale.ROOT, "%.1f s", s);
    }

    /** Whether fd 2 is a terminal (Linux {@code /proc}; false elsewhere). */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }
}
