package io.weft.itests.libp2p;

import io.weft.api.net.Stream;
import io.weft.api.thread.PeerId;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Non-blocking loops over the asynchronous {@link Stream} API (for handlers, which run on I/O threads), plus the
 * harness's deterministic test data. Loops run synchronously while futures are already complete and continue from
 * the completing thread otherwise, so the stack stays shallow.
 */
final class StreamLoops {
    private StreamLoops() {
    }

    /** Runs {@code step} until its future yields {@code false}; fails with the first failure. */
    static CompletableFuture<Void> repeat(Supplier<CompletableFuture<Boolean>> step) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        new Runnable() {
            @Override
            public void run() {
                while (true) {
                    CompletableFuture<Boolean> f;
                    try {
                        f = step.get();
                    } catch (RuntimeException e) {
                        done.completeExceptionally(e);
                        return;
                    }
                    if (f.isDone() && !f.isCompletedExceptionally()) {
                        if (!f.join()) {
                            done.complete(null);
                            return;
                        }
                        continue;
                    }
                    f.whenComplete((more, err) -> {
                        if (err != null) {
                            done.completeExceptionally(unwrap(err));
                        } else if (more) {
                            run();
                        } else {
                            done.complete(null);
                        }
                    });
                    return;
                }
            }
        }.run();
        return done;
    }

    /** Reads {@code stream} to its end, passing every chunk to {@code sink}. */
    static CompletableFuture<Void> readToEnd(Stream stream, Consumer<byte[]> sink) {
        return repeat(() -> stream.read().thenApply(b -> {
            if (b == null) {
                return false;
            }
            sink.accept(b);
            return true;
        }));
    }

    /** Reads {@code stream} to its end and returns all bytes. */
    static CompletableFuture<byte[]> readAll(Stream stream) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        return readToEnd(stream, out::writeBytes).thenApply(v -> out.toByteArray());
    }

    /**
     * Echoes: writes back every chunk read (the next read waits for the write), half-closes at end of stream.
     * Completes with the byte count and the sha256 of what was read.
     */
    static CompletableFuture<Served> echo(Stream stream) {
        MessageDigest md = sha256Digest();
        long[] count = {0};
        return repeat(() -> stream.read().thenCompose(b -> {
            if (b == null) {
                return stream.closeWrite().thenApply(v -> false);
            }
            md.update(b);
            count[0] += b.length;
            return stream.write(b).thenApply(v -> true);
        })).thenApply(v -> new Served(stream.protocol(), stream.remotePeer(), count[0], HexFormat.of().formatHex(md.digest()), null));
    }

    /** What a Java-side handler saw: bytes read and their sha256, or the failure that ended it. */
    record Served(String protocol, PeerId remotePeer, long bytes, String sha256, Throwable failure) {
    }

    /**
     * {@code size} deterministic pseudo-random bytes, the same as the harness's {@code pattern(size, seed)}:
     * xorshift32 words, little-endian, from state {@code seed ^ 0x9E3779B9} (1 if that is 0).
     */
    static byte[] pattern(int size, int seed) {
        byte[] out = new byte[size];
        int x = seed ^ 0x9E3779B9;
        if (x == 0) {
            x = 1;
        }
        for (int i = 0; i < size; i += 4) {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            for (int k = 0; k < 4 && i + k < size; k++) {
                out[i + k] = (byte) (x >>> (8 * k));
            }
        }
        return out;
    }

    static byte[] pattern(int size) {
        return pattern(size, size);
    }

    static String sha256(byte[] data) {
        return HexFormat.of().formatHex(sha256Digest().digest(data));
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
