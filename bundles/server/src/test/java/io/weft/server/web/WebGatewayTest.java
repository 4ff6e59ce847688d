package io.weft.server.web;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.weft.grpc.pb.APIGrpc;
import io.weft.grpc.pb.CreateReply;
import io.weft.grpc.pb.CreateRequest;
import io.weft.grpc.pb.FindReply;
import io.weft.grpc.pb.FindRequest;
import io.weft.grpc.pb.GetTokenReply;
import io.weft.grpc.pb.GetTokenRequest;
import io.weft.grpc.pb.ListenReply;
import io.weft.grpc.pb.ListenRequest;
import io.weft.server.Await;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The web gateway against a small in-process threads.pb.API, with real WebSocket and HTTP clients. */
class WebGatewayTest {
    private static final String API = "threads.pb.API/";

    private final TestApi api = new TestApi();
    private final List<WebGateway> gateways = new ArrayList<>();
    private Server server;
    private ManagedChannel channel;
    private WebGateway gateway;
    private int port;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name)
                .addService(ServerInterceptors.intercept(api, api.headerCapture))
                .build().start();
        channel = InProcessChannelBuilder.forName(name).build();
        gateway = gateway(WebConfig.defaults().withPort(0), List.of(new HelloRoute("/hello/", "hello"),
                new HelloRoute("/hello/world/", "world")));
        port = gateway.port();
    }

    private WebGateway gateway(WebConfig config, List<HttpRoute> routes) {
        WebGateway g = new WebGateway(config, channel, List.of(APIGrpc.bindService(api)), routes);
        g.start();
        gateways.add(g);
        return g;
    }

    @AfterEach
    void stop() throws Exception {
        gateways.forEach(WebGateway::close);
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static void await(String what, BooleanSupplier condition) {
        Await.until(what, Duration.ofSeconds(10), condition);
    }

    private static String header(Metadata md, String key) {
        return md.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
    }

    private static byte[] create(String collection, String... instances) {
        CreateRequest.Builder b = CreateRequest.newBuilder().setCollectionName(collection)
                .setDbID(ByteString.copyFrom(new byte[] {1, 85, 7}));
        for (String i : instances) {
            b.addInstances(ByteString.copyFromUtf8(i));
        }
        return b.build().toByteArray();
    }

    private static byte[] listen(String mode) {
        return ListenRequest.newBuilder().addFilters(ListenRequest.Filter.newBuilder().setCollectionName(mode))
                .build().toByteArray();
    }

    // ---- grpc-websockets

    @Test
    void unaryCallOverWebSocketWithMetadata() throws Exception {
        try (WsClient ws = WsClient.connect(port, API + "Create")) {
            ws.headers("host: http://127.0.0.1:6007\r\nauthorization: bearer tok123\r\n"
                    + "x-textile-thread-name: probe-db\r\ncontent-type: application/grpc-web+proto\r\n"
                    + "x-grpc-web: 1\r\nx-weft-remote-addr: 6.6.6.6\r\nx-weft-origin: https://evil.example\r\n");
            ws.message(create("people", "{\"a\":1}", "b")).halfClose();
            byte[] first = ws.next();
            assertEquals(0x80, first[0] & 0xff, "the first server frame is the header frame");
            String block = new String(first, 5, first.length - 5, UTF_8);
            assertTrue(block.startsWith("content-type: application/grpc-web+proto\r\n"), block);
            assertEquals(block.length(), ((first[3] & 0xff) << 8) | (first[4] & 0xff));
            ws.received.addFirst(first);
            Frames.Response r = ws.response();
            assertEquals("HMH", r.order());
            assertEquals(0, r.status());
            assertEquals("", r.message());
            assertEquals(List.of("{\"a\":1}", "b"), CreateReply.parseFrom(r.messages().get(0)).getInstanceIDsList());
        }
        Metadata seen = api.lastHeaders.get();
        assertEquals("bearer tok123", header(seen, "authorization"));
        assertEquals("probe-db", header(seen, "x-textile-thread-name"));
        assertEquals("127.0.0.1", header(seen, WebGateway.REMOTE_ADDR_HEADER), "the client cannot spoof its address");
        assertNull(header(seen, WebGateway.ORIGIN_HEADER), "nor its origin");
        assertNull(header(seen, "x-grpc-web"));
        assertNull(header(seen, "host"));
        await("the call slot is released", () -> gateway.activeCalls() == 0);
    }

    @Test
    void browserOriginIsForwarded() throws Exception {
        try (WsClient ws = WsClient.connect(port, API + "Find", "http://localhost:3000", true)) {
            ws.headers("").message(FindRequest.newBuilder().setQueryJSON(ByteString.copyFromUtf8("{}")).build()
                    .toByteArray()).halfClose();
            Frames.Response r = ws.response();
            assertEquals(0, r.status());
            assertEquals("{}", FindReply.parseFrom(r.messages().get(0)).getInstances(0).toStringUtf8());
        }
        assertEquals("http://localhost:3000", header(api.lastHeaders.get(), WebGateway.ORIGIN_HEADER));
    }

    @Test
    void serverStreamingOverWebSocket() throws Exception {
        try (WsClient ws = WsClient.connect(port, API + "Listen")) {
            ws.headers("authorization: bearer t\r\n").message(listen("count:5")).halfClose();
            Frames.Response r = ws.response();
            assertEquals("HMMMMMH", r.order());
            assertEquals(0, r.status());
            for (int i = 0; i < 5; i++) {
                ListenReply e = ListenReply.parseFrom(r.messages().get(i));
                assertEquals("id-" + i, e.getInstanceID());
                assertEquals(ListenReply.Action.SAVE, e.getAction());
            }
        }
    }

    @Test
    void closingTheSocketCancelsTheStream() throws Exception {
        WsClient ws = WsClient.connect(port, API + "Listen");
        ws.headers("").message(listen("forever")).halfClose();
        assertEquals(0x80, ws.next()[0] & 0xff);
        for (int i = 0; i < 3; i++) {
            byte[] f = ws.next();
            assertEquals(0, f[0]);
            assertEquals("id-" + i, ListenReply.parseFrom(java.util.Arrays.copyOfRange(f, 5, f.length))
                    .getInstanceID());
        }
        assertEquals(1, gateway.activeCalls());
        ws.ws.sendClose(1000, "bye").orTimeout(5, TimeUnit.SECONDS).join();
        assertTrue(api.listenCancelled.await(10, TimeUnit.SECONDS), "the server-side stream is cancelled");
        await("the call slot is released", () -> gateway.activeCalls() == 0);
        ws.close();
    }

    @Test
    void abortingTheConnectionCancelsTheStream() throws Exception {
        WsClient ws = WsClient.connect(port, API + "Listen");
        ws.headers("").message(listen("forever")).halfClose();
        ws.next();
        ws.next();
        ws.close();
        assertTrue(api.listenCancelled.await(10, TimeUnit.SECONDS), "the server-side stream is cancelled");
        await("the call slot is released and the connection closed",
                () -> gateway.activeCalls() == 0 && gateway.openConnections() == 0);
    }

    @Test
    void bidiGetTokenOverWebSocket() throws Exception {
        try (WsClient ws = WsClient.connect(port, API + "GetToken")) {
            ws.headers("").message(GetTokenRequest.newBuilder().setKey("bkey").build().toByteArray());
            assertEquals(0x80, ws.next()[0] & 0xff);
            byte[] frame = ws.next();
            assertEquals(0, frame[0]);
            GetTokenReply challenge = GetTokenReply.parseFrom(java.util.Arrays.copyOfRange(frame, 5, frame.length));
            assertEquals("challenge:bkey", challenge.getChallenge().toStringUtf8());
            ws.message(GetTokenRequest.newBuilder()
                    .setSignature(ByteString.copyFrom(TestApi.reverse(challenge.getChallenge().toByteArray())))
                    .build().toByteArray()).halfClose();
            Frames.Response r = ws.response();
            assertEquals("MH", r.order());
            assertEquals(0, r.status());
            assertEquals("token-ok", GetTokenReply.parseFrom(r.messages().get(0)).getToken());
        }
    }

    @Test
    void errorStatusIsInTheTrailers() throws Exception {
        try (WsClient ws = WsClient.connect(port, API + "Create")) {
            ws.headers("").message(create("fail")).halfClose();
            Frames.Response r = ws.response();
            assertEquals("HH", r.order(), "headers then trailers, as go's grpcweb");
            assertEquals(5, r.status());
            assertEquals("no such collection: fail %E2%80%93 100%25 %E2%9C%93%0Aline 2", r.message());
            assertEquals(TestApi.FAIL_MESSAGE, URLDecoder.decode(r.message().replace("+", "%2B"), UTF_8));
        }
    }

    @Test
    void unknownMethodIsUnimplemented() throws Exception {
        for (String path : List.of(API + "Nope", "nothing", "other.Service/Create")) {
            try (WsClient ws = WsClient.connect(port, path)) {
                ws.headers("");
                Frames.Response r = ws.response();
                assertEquals(12, r.status(), path);
                assertTrue(r.message().contains("unknown method"), r.message());
            }
        }
    }

    @Test
    void malformedFramesAreInvalidArgument() throws Exception {
        record Case(String name, String headers, List<byte[]> frames) {
        }
        byte[] msg = create("c", "x");
        byte[] framed = new byte[msg.length + 6];
        System.arraycopy(Frames.frame(msg), 0, framed, 1, msg.length + 5);
        byte[] compressed = framed.clone();
        compressed[1] = 1;
        List<Case> cases = List.of(
                new Case("unknown control byte", "", List.of(new byte[] {7, 1, 2})),
                new Case("header line without colon", "just text\r\n", List.of()),
                new Case("invalid metadata key", "bad key: v\r\n", List.of()),
                new Case("compressed message", "", List.of(compressed)),
                new Case("two messages for a unary method", "", List.of(framed, framed)),
                new Case("half-close inside a message", "", List.of(java.util.Arrays.copyOf(framed, 8),
                        new byte[] {1})),
                new Case("half-close without a message", "", List.of(new byte[] {1})),
                new Case("malformed grpc-timeout", "grpc-timeout: soon\r\n", List.of()));
        for (Case c : cases) {
            try (WsClient ws = WsClient.connect(port, API + "Create")) {
                ws.headers(c.headers());
                for (byte[] f : c.frames()) {
                    ws.raw(f);
                }
                Frames.Response r = ws.response();
                assertEquals(3, r.status(), c.name() + ": " + r.message());
            }
        }
        try (WsClient ws = WsClient.connect(port, API + "Create")) { // split across frames is fine
            ws.headers("").raw(java.util.Arrays.copyOf(framed, 4));
            byte[] rest = new byte[framed.length - 3];
            System.arraycopy(framed, 4, rest, 1, framed.length - 4);
            ws.raw(rest).halfClose();
            assertEquals(0, ws.response().status());
        }
        await("the call slots are released", () -> gateway.activeCalls() == 0);
    }

    @Test
    void oversizeMessagesAreResourceExhausted() throws Exception {
        WebGateway small = gateway(WebConfig.defaults().withPort(0).withMaxMessageSize(1024), List.of());
        try (WsClient ws = WsClient.connect(small.port(), API + "Create")) {
            ws.headers("").message(create("c", "y".repeat(2000)));
            Frames.Response r = ws.response();
            assertEquals(8, r.status(), r.message());
        }
        try (WsClient ws = WsClient.connect(small.port(), API + "Create")) { // beyond the WebSocket frame limit
            byte[] huge = new byte[200_000];
            huge[1] = 0; // a data frame whose WebSocket frame alone is over the limit
            ws.headers("").rawQuietly(huge);
            Frames.Response r = ws.response();
            assertEquals(8, r.status(), r.message());
        }
        try (WsClient ws = WsClient.connect(small.port(), API + "Create")) {
            ws.headers("x-big: " + "z".repeat(20_000) + "\r\n");
            Frames.Response r = ws.response();
            assertEquals(8, r.status(), r.message());
        }
        // the gateway still serves
        try (WsClient ws = WsClient.connect(small.port(), API + "Create")) {
            ws.headers("").message(create("c", "ok")).halfClose();
            assertEquals(0, ws.response().status());
        }
    }

    @Test
    void silentClientTimesOut() throws Exception {
        WebGateway g = gateway(WebConfig.defaults().withPort(0).withHeaderTimeout(Duration.ofMillis(200)), List.of());
        try (WsClient ws = WsClient.connect(g.port(), API + "Create")) {
            Frames.Response r = ws.response();
            assertEquals(4, r.status(), r.message());
        }
    }

    @Test
    void concurrentCallLimit() throws Exception {
        WebGateway g = gateway(WebConfig.defaults().withPort(0).withMaxConcurrentCalls(1), List.of());
        try (WsClient stream = WsClient.connect(g.port(), API + "Listen")) {
            stream.headers("").message(listen("forever")).halfClose();
            stream.next();
            try (WsClient ws = WsClient.connect(g.port(), API + "Create")) {
                try {
                    ws.headers("").message(create("c", "x")).halfClose();
                } catch (CompletionException e) {
                    // the gateway may refuse the call, and close, as soon as the header block arrives: the client's
                    // later frames then find the socket closed
                    assertTrue(e.getCause() instanceof java.io.IOException, e.toString());
                }
                Frames.Response r = ws.response();
                assertEquals(8, r.status(), r.message());
            }
        }
        assertTrue(api.listenCancelled.await(10, TimeUnit.SECONDS));
        await("the slot is free again", () -> g.activeCalls() == 0);
        try (WsClient ws = WsClient.connect(g.port(), API + "Create")) {
            ws.headers("").message(create("c", "x")).halfClose();
            assertEquals(0, ws.response().status());
        }
    }

    @Test
    void slowReaderHoldsBackTheServerStream() throws Exception {
        int total = 2000;
        int size = 8192;
        WsClient ws = WsClient.connect(port, API + "Listen", null, false);
        try {
            ws.headers("").message(listen("flood:" + total + ":" + size)).halfClose();
            // the client reads nothing more: the stream must stall, not be buffered whole by the gateway
            int[] last = {-1};
            long[] since = {System.nanoTime()};
            await("the flood to stall", () -> {
                int now = api.floodSent.get();
                if (now != last[0]) {
                    last[0] = now;
                    since[0] = System.nanoTime();
                    return false;
                }
                return System.nanoTime() - since[0] > TimeUnit.MILLISECONDS.toNanos(300);
            });
            int sent = api.floodSent.get();
            assertTrue(sent < total / 2, "sent " + sent + " of " + total + " messages to a client that reads nothing");
            ws.ws.request(Long.MAX_VALUE);
            Frames.Response r = ws.response();
            assertEquals(0, r.status(), r.message());
            assertEquals(total, r.messages().size());
            assertEquals("id-" + (total - 1), ListenReply.parseFrom(r.messages().get(total - 1)).getInstanceID());
        } finally {
            ws.close();
        }
    }

    @Test
    void keepalivePingsKeepAnAnsweringClientAndDropASilentOne() throws Exception {
        WebGateway g = gateway(WebConfig.defaults().withPort(0).withKeepaliveInterval(Duration.ofMillis(100)),
                List.of());
        try (WsClient ws = WsClient.connect(g.port(), API + "Listen")) {
            ws.headers("").message(listen("forever")).halfClose();
            await("three keepalive pings", () -> ws.pings.get() >= 3);
            assertEquals(1, api.listenCancelled.getCount(), "a client answering pings keeps its stream");
            assertEquals(1, g.openConnections());
        }
        assertTrue(api.listenCancelled.await(10, TimeUnit.SECONDS));

        WsClient ws = WsClient.connect(g.port(), API + "Listen", null, false); // reads nothing: no pongs
        try {
            ws.headers("").message(listen("forever")).halfClose();
            await("the silent client to be dropped", () -> g.openConnections() == 0 && g.activeCalls() == 0);
        } finally {
            ws.close();
        }
    }

    @Test
    void idleHttpConnectionsAreClosed() throws Exception {
        WebGateway g = gateway(WebConfig.defaults().withPort(0).withIdleTimeout(Duration.ofMillis(200)), List.of());
        try (Socket s = new Socket("127.0.0.1", g.port())) {
            s.setSoTimeout(10_000);
            assertEquals(-1, s.getInputStream().read(), "closed by the gateway");
        }
    }

    @Test
    void disallowedOriginIsRefused() throws Exception {
        WebGateway g = gateway(WebConfig.defaults().withPort(0)
                .withAllowedOrigins(List.of("https://app.example")), List.of());
        CompletionException e = assertThrows(CompletionException.class,
                () -> WsClient.connect(g.port(), API + "Create", "https://evil.example", true));
        assertTrue(e.getCause() instanceof WebSocketHandshakeException, e.toString());
        assertEquals(403, ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode());
        try (WsClient ws = WsClient.connect(g.port(), API + "Create", "https://app.example", true)) {
            ws.headers("").message(create("c", "x")).halfClose();
            assertEquals(0, ws.response().status());
        }
        HttpResponse<byte[]> post = http.send(grpcWeb(g.port(), "Create", create("c", "x"))
                .header("Origin", "https://evil.example").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(403, post.statusCode());
        HttpResponse<String> pre = http.send(preflight(g.port(), "https://evil.example"),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, pre.statusCode());
    }

    // ---- grpc-web over HTTP/1.1

    private static HttpRequest.Builder grpcWeb(int port, String method, byte[] message) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/" + API + method))
                .header("content-type", "application/grpc-web+proto")
                .header("x-grpc-web", "1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Frames.frame(message)));
    }

    private static HttpRequest preflight(int port, String origin) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/" + API + "Create"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type,x-grpc-web,authorization,x-textile-thread")
                .build();
    }

    @Test
    void unaryGrpcWeb() throws Exception {
        HttpResponse<byte[]> resp = http.send(grpcWeb(port, "Create", create("c", "one"))
                .header("authorization", "bearer web")
                .header("x-weft-remote-addr", "8.8.8.8")
                .header("Origin", "http://localhost:8080").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, resp.statusCode());
        assertEquals("application/grpc-web+proto", resp.headers().firstValue("content-type").orElseThrow());
        assertEquals("http://localhost:8080", resp.headers().firstValue("access-control-allow-origin").orElseThrow());
        assertTrue(resp.headers().firstValue("access-control-expose-headers").orElseThrow().contains("grpc-status"));
        Frames.Response r = Frames.parse(resp.body());
        assertEquals("MH", r.order());
        assertEquals(0, r.status());
        assertEquals("one", CreateReply.parseFrom(r.messages().get(0)).getInstanceIDs(0));
        Metadata seen = api.lastHeaders.get();
        assertEquals("bearer web", header(seen, "authorization"));
        assertEquals("127.0.0.1", header(seen, WebGateway.REMOTE_ADDR_HEADER));
        assertEquals("http://localhost:8080", header(seen, WebGateway.ORIGIN_HEADER));
        assertNull(header(seen, "content-type"));
        assertFalse(String.valueOf(header(seen, "user-agent")).contains("Java-http-client"),
                "the HTTP client's user-agent is not call metadata");
    }

    @Test
    void serverStreamingGrpcWebAndKeepAlive() throws Exception {
        for (int round = 0; round < 2; round++) { // the same connection serves a second call
            HttpResponse<byte[]> resp = http.send(grpcWeb(port, "Listen", listen("count:4")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, resp.statusCode());
            Frames.Response r = Frames.parse(resp.body());
            assertEquals("MMMMH", r.order());
            assertEquals(0, r.status());
            assertEquals("id-3", ListenReply.parseFrom(r.messages().get(3)).getInstanceID());
        }
    }

    @Test
    void grpcWebText() throws Exception {
        byte[] body = Base64.getEncoder().encode(Frames.frame(create("c", "text")));
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/" + API + "Create"))
                .header("content-type", "application/grpc-web-text")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("application/grpc-web-text+proto", resp.headers().firstValue("content-type").orElseThrow());
        Frames.Response r = Frames.parse(GrpcFrames.decodeBase64(resp.body()));
        assertEquals(0, r.status());
        assertEquals("text", CreateReply.parseFrom(r.messages().get(0)).getInstanceIDs(0));
    }

    @Test
    void grpcWebErrors() throws Exception {
        HttpResponse<byte[]> fail = http.send(grpcWeb(port, "Create", create("fail")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, fail.statusCode());
        assertEquals("5", fail.headers().firstValue("grpc-status").orElseThrow(), "trailers-only response");
        Frames.Response r = Frames.parse(fail.body());
        assertEquals("H", r.order());
        assertEquals(5, r.status());
        assertEquals(TestApi.FAIL_MESSAGE, URLDecoder.decode(r.message().replace("+", "%2B"), UTF_8));

        Frames.Response bidi = Frames.parse(http.send(grpcWeb(port, "GetToken", new byte[0]).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body());
        assertEquals(12, bidi.status());
        assertTrue(bidi.message().contains("grpc-websockets"), bidi.message());

        Frames.Response unknown = Frames.parse(http.send(grpcWeb(port, "Nope", new byte[0]).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body());
        assertEquals(12, unknown.status());

        HttpResponse<byte[]> truncated = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/" + API + "Create"))
                .header("content-type", "application/grpc-web+proto")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {0, 0, 0, 0, 9, 1})).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(3, Frames.parse(truncated.body()).status());

        WebGateway small = gateway(WebConfig.defaults().withPort(0).withMaxMessageSize(1024), List.of());
        HttpResponse<byte[]> big = http.send(grpcWeb(small.port(), "Create", create("c", "q".repeat(2000))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(8, Frames.parse(big.body()).status());
        HttpResponse<byte[]> huge = http.send(grpcWeb(small.port(), "Create", new byte[100_000]).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(8, Frames.parse(huge.body()).status());
        await("the call slots are released", () -> gateway.activeCalls() == 0 && small.activeCalls() == 0);
    }

    @Test
    void corsPreflight() throws Exception {
        HttpResponse<String> resp = http.send(preflight(port, "http://localhost:3000"),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, resp.statusCode());
        Map<String, List<String>> h = resp.headers().map();
        assertEquals(List.of("http://localhost:3000"), h.get("access-control-allow-origin"));
        assertTrue(h.get("access-control-allow-methods").get(0).contains("POST"));
        assertEquals(List.of("content-type,x-grpc-web,authorization,x-textile-thread"),
                h.get("access-control-allow-headers"));
        assertTrue(h.get("access-control-expose-headers").get(0).contains("grpc-message"));
    }

    @Test
    void grpcWebStreamIsCancelledWhenTheClientDisconnects() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            byte[] body = Frames.frame(listen("forever"));
            OutputStream out = s.getOutputStream();
            // the JS client's HTTP transport puts its Context's host (a URL) in the Host header
            out.write(("POST /" + API + "Listen HTTP/1.1\r\nHost: http://127.0.0.1:6008\r\n"
                    + "content-type: application/grpc-web+proto\r\ncontent-length: " + body.length + "\r\n\r\n")
                    .getBytes(UTF_8));
            out.write(body);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            while (!got.toString(UTF_8).contains("id-2")) {
                int n = in.read(buf);
                assertTrue(n > 0, "stream ended early: " + got);
                got.write(buf, 0, n);
            }
            assertTrue(got.toString(UTF_8).startsWith("HTTP/1.1 200 OK"));
            assertTrue(got.toString(UTF_8).toLowerCase().contains("transfer-encoding: chunked"));
            assertEquals(1, gateway.activeCalls());
        }
        assertTrue(api.listenCancelled.await(10, TimeUnit.SECONDS), "the server-side stream is cancelled");
        await("the call slot is released", () -> gateway.activeCalls() == 0);
    }

    @Test
    void malformedUpgradesAreRefused() throws Exception {
        for (String extra : List.of("", "Sec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n",
                "Sec-WebSocket-Version: 13\r\n")) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(("GET /" + API + "Listen HTTP/1.1\r\nHost: localhost\r\n"
                        + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: grpc-websockets\r\n"
                        + extra + "\r\n").getBytes(UTF_8));
                String answer = new String(s.getInputStream().readAllBytes(), UTF_8);
                assertTrue(answer.startsWith("HTTP/1.1 4"), extra + " -> " + answer);
            }
        }
        assertEquals(0, gateway.activeCalls());
    }

    // ---- plain HTTP routes

    @Test
    void routesAndNotFound() throws Exception {
        assertEquals("hello /hello/x", get("/hello/x").body());
        assertEquals("world /hello/world/y?q=1", get("/hello/world/y?q=1").body());
        HttpResponse<String> missing = get("/nothing/here");
        assertEquals(404, missing.statusCode());
        assertEquals(404, get("/" + API + "Create").statusCode(), "a gRPC path without a gRPC transport");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void configFromProperties() {
        WebConfig c = WebConfig.fromProperties(Map.of(WebConfig.KEY_ADDRESS, "[::1]:7007",
                WebConfig.KEY_ALLOWED_ORIGINS, "https://a.example, http://localhost:3000/",
                WebConfig.KEY_MAX_MESSAGE_SIZE, 4096, WebConfig.KEY_KEEPALIVE_SECONDS, "5"));
        assertEquals("::1", c.host());
        assertEquals(7007, c.port());
        assertEquals(List.of("https://a.example", "http://localhost:3000"), c.allowedOrigins());
        assertTrue(c.allowsOrigin("HTTP://localhost:3000"));
        assertFalse(c.allowsOrigin("http://localhost:3001"));
        assertEquals(4096, c.maxMessageSize());
        assertEquals(Duration.ofSeconds(5), c.keepaliveInterval());
        assertEquals(WebConfig.defaults().withPort(6007), WebConfig.fromProperties(Map.of()));
        assertThrows(IllegalArgumentException.class, () -> WebConfig.fromProperties(Map.of(WebConfig.KEY_ADDRESS,
                "nohost")));
        assertThrows(IllegalArgumentException.class, () -> WebConfig.fromProperties(Map.of(
                WebConfig.KEY_MAX_MESSAGE_SIZE, "lots")));
    }

    @Test
    void percentEncodingAndMetadataFilter() throws Exception {
        assertEquals("a%25b %C3%A9%0D", GrpcFrames.percentEncode("a%b é\r"));
        Metadata md = GrpcFrames.toMetadata(List.of(Map.entry("Authorization", "bearer x"),
                Map.entry("Sec-WebSocket-Key", "k"), Map.entry("grpc-timeout", "1S"),
                Map.entry("trace-bin", Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}))));
        assertEquals("bearer x", header(md, "authorization"));
        assertNull(header(md, "sec-websocket-key"));
        assertNull(header(md, "grpc-timeout"));
        assertArrayEquals(new byte[] {1, 2, 3},
                md.get(Metadata.Key.of("trace-bin", Metadata.BINARY_BYTE_MARSHALLER)));
        assertEquals(1_000_000_000L, GrpcFrames.parseTimeoutNanos("1S"));
        assertEquals(250_000_000L, GrpcFrames.parseTimeoutNanos("250m"));
        assertArrayEquals("hello world".getBytes(UTF_8), GrpcFrames.decodeBase64("aGVsbG8=IHdvcmxk"));
    }

    /** A route answering "{@code name} {@code uri}". */
    private record HelloRoute(String prefix, String name) implements HttpRoute {
        @Override
        public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
            String text = name + " " + request.uri();
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            request.release();
            DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(text, UTF_8));
            HttpUtil.setContentLength(r, r.content().readableBytes());
            HttpUtil.setKeepAlive(r, keepAlive);
            var f = ctx.writeAndFlush(r);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
