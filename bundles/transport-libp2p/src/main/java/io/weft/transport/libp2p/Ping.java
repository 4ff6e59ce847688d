package io.weft.transport.libp2p;

import io.weft.api.net.Stream;
import io.weft.api.net.TransportException;
import io.weft.api.net.TransportException.Kind;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/** The ping protocol ({@code /ipfs/ping/1.0.0}): 32 random bytes echoed verbatim. */
final class Ping {

    static final String PROTOCOL = "/ipfs/ping/1.0.0";
    static final int SIZE = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ping() {
    }

    /** Serves pings on {@code stream} until the remote closes it. */
    static void respond(Stream stream) {
        stream.readFully(SIZE).whenComplete((bytes, e) -> {
            if (e != null) {
                // the remote closed (possibly mid-ping) or reset: nothing more to answer
                stream.close();
                return;
            }
            stream.write(bytes).whenComplete((v, we) -> {
                if (we != null) {
                    stream.reset();
                } else {
                    respond(stream);
                }
            });
        });
    }

    /** One ping on {@code stream} (opened by this side); closes the stream afterwards. */
    static CompletableFuture<Duration> request(Stream stream) {
        byte[] payload = new byte[SIZE];
        RANDOM.nextBytes(payload);
        long start = System.nanoTime();
        return stream.write(payload).thenCompose(v -> stream.readFully(SIZE)).thenApply(answer -> {
            long rtt = System.nanoTime() - start;
            stream.close();
            if (!Arrays.equals(answer, payload)) {
                throw new TransportException(Kind.PROTOCOL_ERROR, "ping: " + stream.remotePeer() + " answered other bytes");
            }
            return Duration.ofNanos(rtt);
        }).whenComplete((d, e) -> {
            if (e != null) {
                stream.reset();
            }
        });
    }
}
