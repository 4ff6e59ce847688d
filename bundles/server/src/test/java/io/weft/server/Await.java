package io.weft.server;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for a condition with a deadline (polling), for the server's tests. */
public final class Await {
    private Await() {
    }

    /** Returns once {@code condition} holds; fails the test if it does not within {@code within}. */
    public static void until(String what, Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + within + " waiting for: " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what);
            }
        }
    }
}
