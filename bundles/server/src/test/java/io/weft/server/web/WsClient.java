package io.weft.server.web;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;

/**
 * A grpc-websockets client as improbable-eng's WebsocketTransport behaves, on the JDK's WebSocket: subprotocol
 * {@code grpc-websockets}, the header block as the first (binary) message, {@code 0x00}+prefix+message per message,
 * a lone {@code 0x01} to half-close. Received binary messages are queued whole.
 */
final class WsClient implements AutoCloseable {
    final LinkedBlockingDeque<byte[]> received = new LinkedBlockingDeque<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    final java.util.concurrent.atomic.AtomicInteger pings = new java.util.concurrent.atomic.AtomicInteger();
    final WebSocket ws;
    private final boolean autoDemand;

    private WsClient(URI uri, String origin, boolean autoDemand) {
        this.autoDemand = autoDemand;
        WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder()
                .subprotocols("grpc-websockets")
                .connectTimeout(Duration.ofSeconds(5));
        if (origin != null) {
            b.header("Origin", origin);
        }
        this.ws = b.buildAsync(uri, new Listener()).orTimeout(10, TimeUnit.SECONDS).join();
    }

    static WsClient connect(int port, String method) {
        return new WsClient(URI.create("ws://127.0.0.1:" + port + "/" + method), null, true);
    }

    static WsClient connect(int port, String method, String origin, boolean autoDemand) {
        return new WsClient(URI.create("ws://127.0.0.1:" + port + "/" + method), origin, autoDemand);
    }

    WsClient headers(String block) {
        return raw(block.getBytes(StandardCharsets.US_ASCII));
    }

    WsClient message(byte[] proto) {
        byte[] frame = new byte[6 + proto.length];
        frame[0] = 0;
        frame[1] = 0;
        frame[2] = (byte) (proto.length >>> 24);
        frame[3] = (byte) (proto.length >>> 16);
        frame[4] = (byte) (proto.length >>> 8);
        frame[5] = (byte) proto.length;
        System.arraycopy(proto, 0, frame, 6, proto.length);
        return raw(frame);
    }

    WsClient halfClose() {
        return raw(new byte[] {1});
    }

    WsClient raw(byte[] bytes) {
        ws.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(10, TimeUnit.SECONDS).join();
        return this;
    }

    /** Sends, ignoring a failure because the server has already ended the call and closed. */
    WsClient rawQuietly(byte[] bytes) {
        try {
            return raw(bytes);
        } catch (java.util.concurrent.CompletionException e) {
            return this;
        }
    }

    byte[] next() throws InterruptedException {
        byte[] b = received.poll(10, TimeUnit.SECONDS);
        if (b == null) {
            fail("no WebSocket message within 10 s");
        }
        return b;
    }

    /** Reads until the server closes, and parses everything received as grpc-web frames. */
    Frames.Response response() throws Exception {
        int code = closed.get(10, TimeUnit.SECONDS);
        assertTrue(code == 1000 || code == 1006, "close code " + code);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] b;
        while ((b = received.poll()) != null) {
            all.writeBytes(b);
        }
        return Frames.parse(all.toByteArray());
    }

    @Override
    public void close() {
        ws.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            partial.writeBytes(b);
            if (last) {
                received.add(partial.toByteArray());
                partial.reset();
            }
            if (autoDemand) {
                webSocket.request(1);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            received.add(("TEXT:" + data).getBytes(StandardCharsets.UTF_8));
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            pings.incrementAndGet();
            webSocket.request(1);
            return null; // the JDK answers with a pong
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(1006);
        }
    }
}
