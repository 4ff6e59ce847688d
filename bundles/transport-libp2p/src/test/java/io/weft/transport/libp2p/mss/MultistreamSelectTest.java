package io.weft.transport.libp2p.mss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.weft.api.net.TransportException;
import io.weft.api.net.TransportException.Kind;
import io.weft.transport.libp2p.testing.PipeStream;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MultistreamSelectTest {
    private static final long DEADLINE = 5;

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(DEADLINE, TimeUnit.SECONDS);
    }

    private static TransportException failure(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(DEADLINE, TimeUnit.SECONDS));
        return assertInstanceOf(TransportException.class, e.getCause());
    }

    @Test
    void agreesOnTheFirstProtocolWithOneInitialWrite() throws Exception {
        PipeStream[] s = PipeStream.pair();
        CompletableFuture<String> responder = MultistreamSelect.respond(s[1], Set.of("/ipfs/ping/1.0.0")::contains, List::of);
        CompletableFuture<String> initiator = MultistreamSelect.select(s[0], List.of("/ipfs/ping/1.0.0"));
        assertEquals("/ipfs/ping/1.0.0", await(initiator));
        assertEquals("/ipfs/ping/1.0.0", await(responder));
        assertEquals(1, s[0].writes().size());
        assertArrayEquals(MultistreamCodec.encode(MultistreamCodec.HEADER, "/ipfs/ping/1.0.0"), s[0].writes().get(0));
        // data written after agreement is the application's
        s[0].write("payload".getBytes());
        assertEquals("payload", new String(await(s[1].read())));
    }

    @Test
    void fallsBackAfterNa() throws Exception {
        PipeStream[] s = PipeStream.pair();
        CompletableFuture<String> initiator = MultistreamSelect.select(s[0], List.of("/meshsub/1.2.0", "/meshsub/1.1.0", "/floodsub/1.0.0"));
        CompletableFuture<String> responder = MultistreamSelect.respond(s[1], Set.of("/floodsub/1.0.0", "/meshsub/1.1.0")::contains, List::of);
        assertEquals("/meshsub/1.1.0", await(initiator));
        assertEquals("/meshsub/1.1.0", await(responder));
    }

    @Test
    void exhaustionFailsWithProtocolNotSupported() throws Exception {
        PipeStream[] s = PipeStream.pair();
        MultistreamSelect.respond(s[1], p -> false, List::of);
        assertEquals(Kind.PROTOCOL_NOT_SUPPORTED, failure(MultistreamSelect.select(s[0], List.of("/a", "/b"))).kind());
    }

    @Test
    void respondAnswersLsAndNa() throws Exception {
        PipeStream[] s = PipeStream.pair();
        CompletableFuture<String> responder = MultistreamSelect.respond(s[1], Set.of("/a")::contains, () -> List.of("/a", "/b"));
        s[0].write(MultistreamCodec.encode(MultistreamCodec.HEADER, "ls", "/zzz", "/a"));
        assertEquals("/a", await(responder));
        byte[] expected = concat(MultistreamCodec.encode(MultistreamCodec.HEADER),
                MultistreamCodec.frame(MultistreamCodec.lsBody(List.of("/a", "/b"))),
                MultistreamCodec.encode("na", "/a"));
        assertArrayEquals(expected, await(s[0].readFully(expected.length)));
    }

    @Test
    void malformedAnswersAndEndOfStreamAreProtocolErrors() throws Exception {
        PipeStream[] s = PipeStream.pair();
        CompletableFuture<String> initiator = MultistreamSelect.select(s[0], List.of("/a"));
        s[1].write(MultistreamCodec.encode("/multistream/2.0.0"));
        assertEquals(Kind.PROTOCOL_ERROR, failure(initiator).kind());

        PipeStream[] t = PipeStream.pair();
        CompletableFuture<String> init2 = MultistreamSelect.select(t[0], List.of("/a"));
        t[1].write(MultistreamCodec.encode(MultistreamCodec.HEADER, "/b"));
        assertEquals(Kind.PROTOCOL_ERROR, failure(init2).kind());

        PipeStream[] u = PipeStream.pair();
        CompletableFuture<String> resp = MultistreamSelect.respond(u[1], p -> true, List::of);
        u[0].write(MultistreamCodec.encode(MultistreamCodec.HEADER));
        u[0].closeWrite();
        assertEquals(Kind.PROTOCOL_ERROR, failure(resp).kind());

        PipeStream[] v = PipeStream.pair();
        CompletableFuture<String> resp2 = MultistreamSelect.respond(v[1], p -> true, List::of);
        v[0].write(new byte[] {3, 'a', 'b', 'c'}); // no newline
        assertEquals(Kind.PROTOCOL_ERROR, failure(resp2).kind());
    }

    @Test
    void respondStopsAfterTooManyRounds() throws Exception {
        PipeStream[] s = PipeStream.pair();
        CompletableFuture<String> responder = MultistreamSelect.respond(s[1], p -> false, List::of);
        String[] lines = new String[MultistreamCodec.MAX_ROUNDS + 2];
        lines[0] = MultistreamCodec.HEADER;
        for (int i = 1; i < lines.length; i++) {
            lines[i] = "/p/" + i;
        }
        s[0].write(MultistreamCodec.encode(lines));
        assertEquals(Kind.PROTOCOL_ERROR, failure(responder).kind());
    }

    @Test
    void selectRejectsBadArguments() {
        PipeStream[] s = PipeStream.pair();
        assertThrows(ExecutionException.class, () -> MultistreamSelect.select(s[0], List.of()).get(DEADLINE, TimeUnit.SECONDS));
        assertThrows(ExecutionException.class, () -> MultistreamSelect.select(s[0], List.of("bad\nname")).get(DEADLINE, TimeUnit.SECONDS));
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }
}
