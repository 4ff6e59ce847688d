package io.weft.transport.libp2p.yamux;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits and tuning of a {@link YamuxSession}.
 *
 * @param maxStreams        open streams allowed per session in each direction; inbound streams beyond it are reset,
 *                          {@link YamuxSession#openStream()} beyond it fails with {@code LIMIT_EXCEEDED}
 * @param initialWindow     receive window of a new stream, at least the spec's 256 KiB (a larger value is granted to
 *                          the remote in the SYN/ACK frame)
 * @param maxWindow         the receive window grows up to this while the reader keeps up (auto-tuning)
 * @param maxFrameSize      largest data payload per frame sent; the default, 65507, makes header plus payload fill
 *                          exactly one Noise transport frame (65519 plaintext bytes)
 * @param keepAliveInterval interval of keep-alive pings (the first is sent at once); zero disables them
 * @param maxAckBacklog     streams opened locally and not yet acknowledged by the remote; further opens wait
 */
public record YamuxConfig(int maxStreams, int initialWindow, int maxWindow, int maxFrameSize,
                          Duration keepAliveInterval, int maxAckBacklog) {

    /** The initial stream window the yamux spec fixes for both sides. */
    public static final int SPEC_INITIAL_WINDOW = 256 * 1024;
    /** Largest plaintext of one Noise transport frame minus the yamux header. */
    public static final int DEFAULT_MAX_FRAME_SIZE = 65519 - YamuxFrame.HEADER_LENGTH;

    /** Validates the values. */
    public YamuxConfig {
        Objects.requireNonNull(keepAliveInterval, "keepAliveInterval");
        if (maxStreams < 1) {
            throw new IllegalArgumentException("maxStreams must be positive: " + maxStreams);
        }
        if (initialWindow < SPEC_INITIAL_WINDOW) {
            throw new IllegalArgumentException("initialWindow must be at least " + SPEC_INITIAL_WINDOW + ": " + initialWindow);
        }
        if (maxWindow < initialWindow) {
            throw new IllegalArgumentException("maxWindow must be at least initialWindow: " + maxWindow);
        }
        if (maxFrameSize < 1) {
            throw new IllegalArgumentException("maxFrameSize must be positive: " + maxFrameSize);
        }
        if (keepAliveInterval.isNegative()) {
            throw new IllegalArgumentException("keepAliveInterval must not be negative: " + keepAliveInterval);
        }
        if (maxAckBacklog < 1) {
            throw new IllegalArgumentException("maxAckBacklog must be positive: " + maxAckBacklog);
        }
    }

    /** 1024 streams, 256 KiB initial and 16 MiB maximum window, 65507-byte frames, 30 s keep-alive, backlog 256. */
    public static YamuxConfig defaults() {
        return new YamuxConfig(1024, SPEC_INITIAL_WINDOW, 16 * 1024 * 1024, DEFAULT_MAX_FRAME_SIZE,
                Duration.ofSeconds(30), 256);
    }
}
