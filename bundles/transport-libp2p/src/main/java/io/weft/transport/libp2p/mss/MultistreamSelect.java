package io.weft.transport.libp2p.mss;

import io.weft.api.net.Stream;
import io.weft.api.net.TransportException;
import io.weft.api.net.TransportException.Kind;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Stream-level multistream-select 1.0 over a {@link Stream} (each yamux stream starts with one), without blocking:
 * every step is a composed future.
 *
 * <ul>
 *   <li>{@link #select}: writes the header and the first proposal in one write, then reads the remote's header and
 *       answer; on {@code na} proposes the next; fails with {@code PROTOCOL_NOT_SUPPORTED} when none is left.</li>
 *   <li>{@link #respond}: reads the initiator's header, sends its own, then answers proposals ({@code na},
 *       {@code ls}, or the echo that agrees), for at most {@value MultistreamCodec#MAX_ROUNDS} rounds.</li>
 * </ul>
 * Malformed messages and an end of stream before agreement fail with {@code PROTOCOL_ERROR}; the caller should
 * reset the stream on failure. Stream errors are passed through.
 */
public final class MultistreamSelect {
    private MultistreamSelect() {
    }

    /** Negotiates the first of {@code protocols} (in preference order) that the remote accepts. */
    public static CompletableFuture<String> select(Stream stream, List<String> protocols) {
        List<String> proposals;
        try {
            proposals = List.copyOf(protocols);
            if (proposals.isEmpty() || proposals.size() > MultistreamCodec.MAX_ROUNDS) {
                throw new IllegalArgumentException("multistream: between 1 and " + MultistreamCodec.MAX_ROUNDS + " protocols required");
            }
            proposals.forEach(MultistreamCodec::checkProtocol);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> written = stream.write(MultistreamCodec.encode(MultistreamCodec.HEADER, proposals.get(0)));
        return written.thenCompose(v -> readLine(stream))
                .thenCompose(header -> {
                    if (!MultistreamCodec.HEADER.equals(header)) {
                        return CompletableFuture.failedFuture(new TransportException(Kind.PROTOCOL_ERROR,
                                "multistream: expected the header " + MultistreamCodec.HEADER));
                    }
                    return awaitAnswer(stream, proposals, 0);
                });
    }

    private static CompletableFuture<String> awaitAnswer(Stream stream, List<String> proposals, int index) {
        return readLine(stream).thenCompose(answer -> {
            String proposal = proposals.get(index);
            if (answer.equals(proposal)) {
                return CompletableFuture.completedFuture(proposal);
            }
            if (!MultistreamCodec.NA.equals(answer)) {
                return CompletableFuture.failedFuture(new TransportException(Kind.PROTOCOL_ERROR,
                        "multistream: unexpected answer to a proposal"));
            }
            int next = index + 1;
            if (next == proposals.size()) {
                return CompletableFuture.failedFuture(new TransportException(Kind.PROTOCOL_NOT_SUPPORTED,
                        "multistream: the remote supports none of " + proposals));
            }
            return stream.write(MultistreamCodec.encode(proposals.get(next)))
                    .thenCompose(v -> awaitAnswer(stream, proposals, next));
        });
    }

    /**
     * Answers the remote's proposals until one satisfies {@code supported}; completes with it once the echo was
     * written.
     *
     * @param listForLs the protocols to list when the remote sends {@code ls} (may be null: then an empty list)
     */
    public static CompletableFuture<String> respond(Stream stream, Predicate<String> supported,
            Supplier<List<String>> listForLs) {
        return readLine(stream).thenCompose(header -> {
            if (!MultistreamCodec.HEADER.equals(header)) {
                return CompletableFuture.failedFuture(new TransportException(Kind.PROTOCOL_ERROR,
                        "multistream: expected the header " + MultistreamCodec.HEADER));
            }
            // send our header at once: some dialers wait for it before proposing
            return stream.write(MultistreamCodec.encode(MultistreamCodec.HEADER))
                    .thenCompose(v -> answer(stream, supported, listForLs, 1));
        });
    }

    private static CompletableFuture<String> answer(Stream stream, Predicate<String> supported,
            Supplier<List<String>> listForLs, int round) {
        if (round > MultistreamCodec.MAX_ROUNDS) {
            return CompletableFuture.failedFuture(new TransportException(Kind.PROTOCOL_ERROR,
                    "multistream: more than " + MultistreamCodec.MAX_ROUNDS + " proposals"));
        }
        return readLine(stream).thenCompose(line -> {
            if (MultistreamCodec.LS.equals(line)) {
                List<String> list = listForLs == null ? List.of() : listForLs.get();
                return stream.write(MultistreamCodec.frame(MultistreamCodec.lsBody(list == null ? List.of() : list)))
                        .thenCompose(v -> answer(stream, supported, listForLs, round + 1));
            }
            if (supported.test(line)) {
                return stream.write(MultistreamCodec.encode(line)).thenApply(v -> line);
            }
            return stream.write(MultistreamCodec.encode(MultistreamCodec.NA))
                    .thenCompose(v -> answer(stream, supported, listForLs, round + 1));
        });
    }

    /** Reads one message and decodes its line; end of stream is a protocol error here. */
    private static CompletableFuture<String> readLine(Stream stream) {
        return stream.readMessage(MultistreamCodec.MAX_MESSAGE_LENGTH).thenCompose(body -> {
            if (body == null) {
                return CompletableFuture.failedFuture(new TransportException(Kind.PROTOCOL_ERROR,
                        "multistream: stream ended during negotiation"));
            }
            try {
                return CompletableFuture.completedFuture(MultistreamCodec.decodeMessage(body));
            } catch (TransportException e) {
                return CompletableFuture.failedFuture(e);
            }
        });
    }
}
