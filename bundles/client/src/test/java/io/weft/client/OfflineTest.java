package io.weft.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.weft.api.ConflictException;
import io.weft.api.CorruptDataException;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.UnauthorizedException;
import io.weft.api.WeftException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** What needs no peer: addresses, status mapping, unreachable and silent peers, counters. */
class OfflineTest {

    @Test
    void addresses() {
        assertEquals(new HostPort("127.0.0.1", 6006), HostPort.parse("127.0.0.1:6006"));
        assertEquals(new HostPort("localhost", 6006), HostPort.parse("localhost"));
        assertEquals(new HostPort("::1", 7000), HostPort.parse("[::1]:7000"));
        assertEquals(new HostPort("::1", 6006), HostPort.parse("::1"));
        assertEquals(new HostPort("127.0.0.1", 6006), HostPort.parse("/ip4/127.0.0.1/tcp/6006"));
        assertEquals(new HostPort("example.org", 9), HostPort.parse("/dns4/example.org/tcp/9"));
        assertEquals("[::1]:7000", HostPort.format("::1", 7000));
        for (String bad : new String[] {"", ":6006", "host:0", "host:x", "host:70000", "[::1", "/ip4/1.2.3.4", "/nope"}) {
            assertThrows(InvalidInputException.class, () -> HostPort.parse(bad), bad);
        }
    }

    @Test
    void statusesMapToTheApiExceptions() {
        assertTrue(Errors.map(Status.INVALID_ARGUMENT.withDescription("bad").asRuntimeException(), "X")
                instanceof InvalidInputException);
        assertTrue(Errors.map(Status.NOT_FOUND.asRuntimeException(), "X") instanceof NotFoundException);
        assertTrue(Errors.map(Status.ALREADY_EXISTS.asRuntimeException(), "X") instanceof ConflictException);
        assertTrue(Errors.map(Status.FAILED_PRECONDITION.asRuntimeException(), "X") instanceof ConflictException);
        assertTrue(Errors.map(Status.PERMISSION_DENIED.asRuntimeException(), "X") instanceof UnauthorizedException);
        assertTrue(Errors.map(Status.UNAUTHENTICATED.asRuntimeException(), "X") instanceof UnauthorizedException);
        assertTrue(Errors.map(Status.UNAVAILABLE.asRuntimeException(), "X") instanceof PeerUnavailableException);
        assertTrue(Errors.map(Status.DEADLINE_EXCEEDED.asRuntimeException(), "X") instanceof PeerUnavailableException);
        assertTrue(Errors.map(Status.DATA_LOSS.asRuntimeException(), "X") instanceof CorruptDataException);
        assertEquals("bad", Errors.map(Status.INVALID_ARGUMENT.withDescription("bad").asRuntimeException(), "X").getMessage());
        assertEquals("X: NOT_FOUND", Errors.map(Status.NOT_FOUND.asRuntimeException(), "X").getMessage());
        assertTrue(Errors.transactionError("instance x not found") instanceof NotFoundException);
        assertTrue(Errors.transactionError("NOT_FOUND: gone") instanceof NotFoundException);
        assertEquals("gone", Errors.transactionError("NOT_FOUND: gone").getMessage());
        assertTrue(Errors.transactionError("Person: x already exists") instanceof ConflictException);
        assertTrue(Errors.transactionError("schema validation failed") instanceof InvalidInputException);
        assertEquals(WeftException.class, Errors.transactionError("something").getClass());
    }

    @Test
    void anUnreachablePeerIsUnavailable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (WeftClient c = WeftClient.connect("127.0.0.1:" + port)) {
            PeerUnavailableException e = assertThrows(PeerUnavailableException.class, c::listDBs);
            assertTrue(e.getMessage().startsWith("ListDBs: the peer is unavailable"), e.getMessage());
            assertThrows(PeerUnavailableException.class, () -> c.threads().getHostId());
            try (EventStream<ListenEvent> s = c.listen(io.weft.api.thread.ThreadId.newRandom())) {
                assertThrows(PeerUnavailableException.class, s::hasNext);
            }
        }
    }

    @Test
    void aSilentPeerRunsIntoTheDeadline() throws Exception {
        CopyOnWriteArrayList<Socket> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept()); // accept, never answer
                    }
                } catch (Exception e) {
                    // closed
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            try (WeftClient c = WeftClient.builder().address("127.0.0.1", silent.getLocalPort())
                    .timeout(Duration.ofMillis(500)).build()) {
                long start = System.nanoTime();
                assertThrows(PeerUnavailableException.class, c::listDBs);
                assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
                assertThrows(PeerUnavailableException.class,
                        () -> c.withTimeout(Duration.ofMillis(200)).getDBInfo(io.weft.api.thread.ThreadId.newRandom()));
                assertThrows(InvalidInputException.class, () -> c.withTimeout(Duration.ZERO));
            }
        } finally {
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void logCountersAreZigZagVarints() {
        assertEquals(0, ThreadsClient.counter(ByteString.EMPTY));
        assertEquals(0, ThreadsClient.counter(ByteString.copyFrom(new byte[8])));
        assertEquals(1, ThreadsClient.counter(ByteString.copyFrom(new byte[] {2, 0, 0, 0, 0, 0, 0, 0})));
        assertEquals(300, ThreadsClient.counter(ByteString.copyFrom(new byte[] {(byte) 0xd8, 0x04, 0, 0, 0, 0, 0, 0})));
        assertThrows(CorruptDataException.class, () -> ThreadsClient.counter(ByteString.copyFrom(new byte[] {(byte) 0x80})));
    }
}
