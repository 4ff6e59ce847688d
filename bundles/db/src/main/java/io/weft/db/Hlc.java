package io.weft.db;

import java.time.Clock;
import java.time.Instant;

/**
 * A hybrid logical clock (paper §7.1; Kulkarni et al.) packed into one signed 64-bit unix-nanosecond value, the
 * jsonpatcher {@code timestamp}, so go-threads peers still read it as a UnixNano. The top bits are wall-clock time
 * truncated to {@value #LOGICAL_BITS}-bit granularity (about 65 µs); the low {@value #LOGICAL_BITS} bits are a logical
 * counter. A counter overflow carries into the time part, which keeps the clock monotonic.
 *
 * <ul>
 *   <li>{@link #tick()} (a local write): {@code max(wall truncated, last + 1)} — strictly increasing, and greater
 *       than every time this clock has observed;</li>
 *   <li>{@link #observe(long)} (an event from any log): advances {@code last} to the event's time, unless that time is
 *       more than the configured skew ahead of the wall clock (a peer with a clock far in the future cannot drag this
 *       clock along; its events still sort by their own times).</li>
 * </ul>
 * So an event written after another was seen sorts after it, on every peer.
 */
final class Hlc {
    static final int LOGICAL_BITS = 16;
    private static final long LOGICAL_MASK = (1L << LOGICAL_BITS) - 1;

    private final Clock clock;
    private final long maxSkewNanos;
    private long last;

    Hlc(Clock clock, long maxSkewMillis, long initial) {
        this.clock = clock;
        this.maxSkewNanos = Math.multiplyExact(maxSkewMillis, 1_000_000L);
        this.last = initial;
    }

    private long wallNanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** A new time for a local event. */
    synchronized long tick() {
        long pt = wallNanos() & ~LOGICAL_MASK;
        last = pt > last ? pt : last + 1;
        return last;
    }

    /** Takes note of an event time from any log. */
    synchronized void observe(long time) {
        if (time > last && time - wallNanos() <= maxSkewNanos) {
            last = time;
        }
    }

    /** The latest time issued or observed. */
    synchronized long last() {
        return last;
    }
}
