package io.weft.transport.libp2p.pubsub;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a deadline passes. */
final class Await {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Await() {
    }

    static void until(BooleanSupplier condition, String what) {
        until(condition, TIMEOUT, what);
    }

    static void until(BooleanSupplier condition, Duration timeout, String what) {
        if (!within(condition, timeout)) {
            fail("timed out waiting for " + what);
        }
    }

    /** Whether {@code condition} held within {@code timeout}. */
    static boolean within(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(1_000_000);
        }
        return true;
    }
}
