package io.weft.server.readers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.log.AppendResult;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import io.weft.core.cbor.CborValue;
import io.weft.core.cbor.DagCbor;
import io.weft.core.crypto.Ed25519;
import io.weft.logstore.LocalLogService;
import io.weft.server.Await;
import io.weft.store.memory.MemoryDatastore;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The web readers over real HTTP and WebSockets: paging, the Atom feed, pushes, access control. */
class ReadersRouteTest {
    private static final Duration WITHIN = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MemoryDatastore store = new MemoryDatastore();
    private final LocalLogService logs = new LocalLogService(store);
    private final PrivateKey writer = Ed25519.generate();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        store.close();
    }

    private RouteServer serve(ReadersRoute route, int sendBuffer) {
        closeables.add(route);
        RouteServer s = new RouteServer(route, sendBuffer);
        closeables.add(s);
        return s;
    }

    private static byte[] body(String text) {
        return DagCbor.encode(CborValue.map("text", CborValue.text(text)));
    }

    private ThreadId thread() {
        return logs.createThread(ThreadId.newRandom(), null).id();
    }

    private String token(ThreadId t) {
        return ReaderTokens.token(t, logs.getThread(t).key());
    }

    private List<AppendResult> write(ThreadId t, PrivateKey identity, int n) {
        List<AppendResult> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(logs.createRecord(t, identity, body("record " + i)));
        }
        return out;
    }

    private HttpResponse<String> get(RouteServer s, String pathAndQuery, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + pathAndQuery))
                .timeout(Duration.ofSeconds(10));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode getJson(RouteServer s, String pathAndQuery, String bearer) throws Exception {
        HttpResponse<String> r = get(s, pathAndQuery, bearer);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return JSON.readTree(r.body());
    }

    @Test
    void logsAndRecordPagesServeTheEncryptedNodesInLogOrder() throws Exception {
        ThreadId t = thread();
        PrivateKey other = Ed25519.generate();
        write(t, writer, 25);
        write(t, other, 3);
        LogId log = logs.ownLog(t, writer.publicKey()).orElseThrow().id();
        RouteServer s = serve(new ReadersRoute(logs, ReadersConfig.defaults().withPaging(10, 20, 1 << 20)), 0);
        String tok = token(t);

        JsonNode ls = getJson(s, "/threads/" + t + "/logs", tok);
        assertEquals(t.toString(), ls.get("threadId").asText());
        assertEquals(2, ls.get("logs").size());
        JsonNode mine = null;
        for (JsonNode l : ls.get("logs")) {
            if (l.get("id").asText().equals(log.toString())) {
                mine = l;
            }
        }
        assertNotNull(mine);
        assertEquals(25, mine.get("counter").asLong());
        assertEquals(logs.logstore().headBook().head(t, log).cid().toString(), mine.get("head").asText());
        assertEquals(logs.logstore().logInfo(t, log).pubKey().toString(), mine.get("pubKey").asText());

        // page through with the default page size and compare with the store
        List<RecordEnvelope> stored = logs.records(t, log, null, 100);
        List<String> seen = new ArrayList<>();
        long offset = 0;
        while (true) {
            JsonNode page = getJson(s, "/threads/" + t + "/logs/" + log + "/records?offset=" + offset, tok);
            assertEquals(10, page.get("limit").asLong());
            assertEquals(25, page.get("head").get("counter").asLong());
            for (JsonNode r : page.get("records")) {
                int i = seen.size();
                assertEquals(i + 1, r.get("counter").asLong());
                assertEquals(stored.get(i).id().toString(), r.get("cid").asText());
                assertArrayEquals(stored.get(i).recordNode(), Base64.getDecoder().decode(r.get("recordNode").asText()));
                assertArrayEquals(stored.get(i).eventNode(), Base64.getDecoder().decode(r.get("eventNode").asText()));
                assertArrayEquals(stored.get(i).headerNode(), Base64.getDecoder().decode(r.get("headerNode").asText()));
                assertArrayEquals(stored.get(i).bodyNode(), Base64.getDecoder().decode(r.get("bodyNode").asText()));
                seen.add(r.get("cid").asText());
            }
            offset = page.get("next").asLong();
            if (!page.get("more").asBoolean()) {
                break;
            }
        }
        assertEquals(25, seen.size());
        assertEquals(25, offset);

        // a limit above the maximum is clamped; a deep offset works from a cold cache; past the end is empty
        JsonNode clamped = getJson(s, "/threads/" + t + "/logs/" + log + "/records?limit=500", tok);
        assertEquals(20, clamped.get("records").size());
        assertEquals(20, clamped.get("next").asLong());
        try (ReadersRoute cold = new ReadersRoute(logs, ReadersConfig.defaults())) {
            RouteServer s2 = new RouteServer(cold, 0);
            try {
                JsonNode deep = getJson(s2, "/threads/" + t + "/logs/" + log + "/records?offset=23&limit=5", tok);
                assertEquals(2, deep.get("records").size());
                assertEquals(stored.get(23).id().toString(), deep.get("records").get(0).get("cid").asText());
                assertEquals(24, deep.get("records").get(0).get("counter").asLong());
                assertFalse(deep.get("more").asBoolean());
            } finally {
                s2.close();
            }
        }
        JsonNode past = getJson(s, "/threads/" + t + "/logs/" + log + "/records?offset=40", tok);
        assertEquals(0, past.get("records").size());
        assertEquals(40, past.get("next").asLong());
    }

    @Test
    void pagesStopAtTheByteBoundButAlwaysCarryOneRecord() throws Exception {
        ThreadId t = thread();
        write(t, writer, 6);
        LogId log = logs.ownLog(t, writer.publicKey()).orElseThrow().id();
        int one = logs.records(t, log, null, 1).get(0).size();
        RouteServer s = serve(new ReadersRoute(logs, ReadersConfig.defaults().withPaging(100, 100, one * 2 + one / 2)), 0);
        JsonNode page = getJson(s, "/threads/" + t + "/logs/" + log + "/records", token(t));
        assertEquals(2, page.get("records").size());
        assertEquals(2, page.get("next").asLong());
        assertTrue(page.get("more").asBoolean());

        RouteServer tiny = serve(new ReadersRoute(logs, ReadersConfig.defaults().withPaging(100, 100, 1)), 0);
        assertEquals(1, getJson(tiny, "/threads/" + t + "/logs/" + log + "/records?offset=3", token(t)).get("records").size());
    }

    @Test
    void accessNeedsTheThreadsReaderTokenAndBadRequestsGetClearErrors() throws Exception {
        ThreadId t = thread();
        write(t, writer, 2);
        LogId log = logs.ownLog(t, writer.publicKey()).orElseThrow().id();
        ThreadId open = thread();
        RouteServer s = serve(new ReadersRoute(logs, ReadersConfig.defaults().withPublicThreads(Set.of(open))), 0);
        String base = "/threads/" + t;

        HttpResponse<String> noToken = get(s, base + "/logs", null);
        assertEquals(401, noToken.statusCode());
        assertTrue(noToken.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        assertTrue(JSON.readTree(noToken.body()).get("error").asText().contains("token"));
        String wrong = ReaderTokens.token(t, ThreadKey.generate(true));
        assertEquals(403, get(s, base + "/logs", wrong).statusCode());
        assertEquals(403, get(s, base + "/logs", token(open)).statusCode(), "another thread's token");
        assertEquals(401, get(s, base + "/feed.atom", null).statusCode());
        assertEquals(401, get(s, base + "/logs/" + log + "/records", null).statusCode());
        assertEquals(200, get(s, base + "/logs?token=" + token(t), null).statusCode(), "token as a query parameter");
        assertEquals(200, get(s, "/threads/" + open + "/logs", null).statusCode(), "a public thread");

        // a replica holding the service key only computes the same token
        assertEquals(token(t), ReaderTokens.token(t, logs.getThread(t).key().serviceOnly()));

        String tok = token(t);
        assertEquals(400, get(s, "/threads/not-a-thread/logs", tok).statusCode());
        assertEquals(404, get(s, "/threads/" + ThreadId.newRandom() + "/logs", tok).statusCode());
        assertEquals(404, get(s, base + "/nothing", tok).statusCode());
        assertEquals(400, get(s, base + "/logs/xyz/records", tok).statusCode());
        HttpResponse<String> unknownLog = get(s, base + "/logs/" + LogId.of(Ed25519.generate().publicKey()) + "/records", tok);
        assertEquals(404, unknownLog.statusCode());
        assertTrue(JSON.readTree(unknownLog.body()).get("error").asText().contains("not found"));
        assertEquals(400, get(s, base + "/logs/" + log + "/records?offset=x", tok).statusCode());
        assertEquals(400, get(s, base + "/logs/" + log + "/records?offset=-1", tok).statusCode());
        assertEquals(400, get(s, base + "/logs/" + log + "/records?limit=0", tok).statusCode());
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + base + "/logs"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Authorization", "Bearer " + tok).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertEquals("GET", post.headers().firstValue("Allow").orElse(""));
    }

    @Test
    void browsersGetCorsHeadersForAllowedOriginsOnly() throws Exception {
        ThreadId t = thread();
        ReadersRoute route = new ReadersRoute(logs, ReadersConfig.defaults()
                .withAllowedOrigins(List.of("https://app.example")));
        RouteServer s = serve(route, 0);
        URI logsUri = URI.create("http://127.0.0.1:" + s.port() + "/threads/" + t + "/logs");

        HttpResponse<String> pre = http.send(HttpRequest.newBuilder(logsUri)
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example")
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "authorization").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, pre.statusCode());
        assertEquals("https://app.example", pre.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        assertTrue(pre.headers().firstValue("Access-Control-Allow-Headers").orElse("").contains("Authorization"));

        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(logsUri).header("Origin", "https://app.example")
                .header("Authorization", "Bearer " + token(t)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ok.statusCode());
        assertEquals("https://app.example", ok.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        HttpResponse<String> foreign = http.send(HttpRequest.newBuilder(logsUri).header("Origin", "https://evil.example")
                .header("Authorization", "Bearer " + token(t)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(foreign.headers().firstValue("Access-Control-Allow-Origin").isEmpty());

        ExecutionException denied = assertThrows(ExecutionException.class, () -> http.newWebSocketBuilder()
                .header("Origin", "https://evil.example")
                .buildAsync(URI.create("ws://127.0.0.1:" + s.port() + "/threads/" + t + "/ws?token=" + token(t)),
                        new WebSocket.Listener() {
                        }).get(10, TimeUnit.SECONDS));
        assertEquals(403, ((java.net.http.WebSocketHandshakeException) denied.getCause()).getResponse().statusCode());
        assertEquals(0, route.openWebSockets());
    }

    @Test
    void configurationComesFromProperties() {
        ThreadId a = ThreadId.newRandom();
        ThreadId b = ThreadId.newRandom();
        ReadersConfig c = ReadersConfig.fromProperties(java.util.Map.of(
                "readers.public.threads", a + ", " + b,
                "readers.page.max", 50,
                "readers.page.default", "20",
                "readers.enabled", "false",
                "readers.allowed.origins", new String[] {"https://x.example"}));
        assertEquals(Set.of(a, b), c.publicThreads());
        assertEquals(50, c.pageMax());
        assertEquals(20, c.pageDefault());
        assertFalse(c.enabled());
        assertEquals(List.of("https://x.example"), c.allowedOrigins());
        assertEquals(ReadersConfig.defaults().feedEntries(), c.feedEntries());
        assertEquals(ReadersConfig.defaults(), ReadersConfig.fromProperties(java.util.Map.of()));
        assertThrows(io.weft.api.InvalidInputException.class,
                () -> ReadersConfig.fromProperties(java.util.Map.of("readers.page.max", "lots")));
        assertThrows(io.weft.api.InvalidInputException.class,
                () -> ReadersConfig.fromProperties(java.util.Map.of("readers.page.default", "2000")));
        assertThrows(io.weft.api.InvalidInputException.class,
                () -> ReadersConfig.fromProperties(java.util.Map.of("readers.prefix", "threads")));
    }

    @Test
    void theAtomFeedIsWellFormedAndListsTheNewestRecordIds() throws Exception {
        ThreadId t = thread();
        List<AppendResult> before = write(t, writer, 4); // before the route exists: listed from the log's tail
        ReadersRoute route = new ReadersRoute(logs, ReadersConfig.defaults().withFeedEntries(5));
        RouteServer s = serve(route, 0);
        List<AppendResult> after = write(t, writer, 3);

        HttpResponse<String> r = get(s, "/threads/" + t + "/feed.atom", token(t));
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/atom+xml"));
        Document doc = parse(r.body());
        Element feed = doc.getDocumentElement();
        assertEquals(AtomFeed.ATOM_NS, feed.getNamespaceURI());
        assertEquals("feed", feed.getLocalName());
        assertEquals("urn:weft:thread:" + t, child(feed, "id").getTextContent());
        assertFalse(child(feed, "title").getTextContent().isBlank());
        java.time.Instant.parse(child(feed, "updated").getTextContent());
        NodeList entries = feed.getElementsByTagNameNS(AtomFeed.ATOM_NS, "entry");
        assertEquals(5, entries.getLength());
        List<String> expected = new ArrayList<>();
        for (int i = after.size() - 1; i >= 0; i--) {
            expected.add("urn:cid:" + after.get(i).record().id());
        }
        expected.add("urn:cid:" + before.get(3).record().id());
        expected.add("urn:cid:" + before.get(2).record().id());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < entries.getLength(); i++) {
            Element e = (Element) entries.item(i);
            ids.add(child(e, "id").getTextContent());
            java.time.Instant.parse(child(e, "updated").getTextContent());
            assertFalse(child(e, "title").getTextContent().isBlank());
            assertEquals(1, e.getElementsByTagNameNS(AtomFeed.WEFT_NS, "counter").getLength());
        }
        assertEquals(expected, ids, "newest first");
        assertFalse(r.body().contains(token(t)), "the feed does not echo the token");

        // stable ids: a fresh route that never saw an append lists the same newest records from the log's tail
        try (ReadersRoute cold = new ReadersRoute(logs, ReadersConfig.defaults().withFeedEntries(5))) {
            RouteServer s2 = new RouteServer(cold, 0);
            try {
                Document d2 = parse(get(s2, "/threads/" + t + "/feed.atom", token(t)).body());
                NodeList e2 = d2.getDocumentElement().getElementsByTagNameNS(AtomFeed.ATOM_NS, "entry");
                List<String> ids2 = new ArrayList<>();
                for (int i = 0; i < e2.getLength(); i++) {
                    ids2.add(child((Element) e2.item(i), "id").getTextContent());
                }
                assertEquals(expected, ids2);
            } finally {
                s2.close();
            }
        }
        // an empty thread has a valid, empty feed
        ThreadId empty = thread();
        Document d3 = parse(get(s, "/threads/" + empty + "/feed.atom", token(empty)).body());
        assertEquals(0, d3.getDocumentElement().getElementsByTagNameNS(AtomFeed.ATOM_NS, "entry").getLength());
    }

    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    private static Element child(Element parent, String name) {
        NodeList l = parent.getChildNodes();
        for (int i = 0; i < l.getLength(); i++) {
            if (l.item(i) instanceof Element e && AtomFeed.ATOM_NS.equals(e.getNamespaceURI()) && name.equals(e.getLocalName())) {
                return e;
            }
        }
        throw new AssertionError("no <" + name + "> in <" + parent.getLocalName() + ">");
    }

    @Test
    void aWebSocketReceivesEveryNewRecordOfItsThread() throws Exception {
        ThreadId t = thread();
        ThreadId other = thread();
        ReadersRoute route = new ReadersRoute(logs, ReadersConfig.defaults());
        RouteServer s = serve(route, 0);
        BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(
                URI.create("ws://127.0.0.1:" + s.port() + "/threads/" + t + "/ws?token=" + token(t)), new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            frames.add(partial.toString());
                            partial.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        await("the socket is registered", () -> route.pushing(t));
        assertEquals(1, route.openWebSockets());

        write(other, writer, 1); // not this socket's thread
        List<AppendResult> written = write(t, writer, 3);
        for (AppendResult w : written) {
            String f = frames.poll(10, TimeUnit.SECONDS);
            assertNotNull(f, "a frame per record");
            JsonNode n = JSON.readTree(f);
            assertEquals(t.toString(), n.get("threadId").asText());
            assertEquals(w.log().toString(), n.get("logId").asText());
            assertEquals(w.record().id().toString(), n.get("cid").asText());
            assertEquals(w.counter(), n.get("counter").asLong());
            assertArrayEquals(w.record().envelope().bodyNode(), Base64.getDecoder().decode(n.get("bodyNode").asText()));
            java.time.Instant.parse(n.get("time").asText());
        }
        assertTrue(frames.isEmpty());

        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
        await("the socket is gone", () -> route.openWebSockets() == 0 && !route.pushing(t));

        // no token, no socket
        ExecutionException denied = assertThrows(ExecutionException.class, () -> http.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + s.port() + "/threads/" + t + "/ws"), new WebSocket.Listener() {
                }).get(10, TimeUnit.SECONDS));
        assertTrue(denied.getCause() instanceof java.net.http.WebSocketHandshakeException, denied.toString());
        assertEquals(401, ((java.net.http.WebSocketHandshakeException) denied.getCause()).getResponse().statusCode());
        assertEquals(0, route.openWebSockets());
    }

    @Test
    void aWebSocketClientThatDoesNotReadIsDisconnected() throws Exception {
        ThreadId t = thread();
        ReadersRoute route = new ReadersRoute(logs, ReadersConfig.defaults().withWebSockets(4, 64 * 1024));
        RouteServer s = serve(route, 4096);
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", s.port()), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /threads/" + t + "/ws?token=" + token(t) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = readHead(socket.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 101"), head);
            await("the socket is registered", () -> route.pushing(t));

            // the client stops reading; records keep coming and must not pile up in memory
            String big = "x".repeat(16 * 1024);
            for (int i = 0; i < 100 && route.droppedSlowWebSockets() == 0; i++) {
                logs.createRecord(t, writer, body(big + i));
            }
            await("the slow socket is dropped", () -> route.droppedSlowWebSockets() == 1 && route.openWebSockets() == 0);
            assertFalse(route.pushing(t));
            logs.createRecord(t, writer, body("after the drop")); // the writer never blocks
        }
    }

    private static String readHead(InputStream in) throws Exception {
        StringBuilder b = new StringBuilder();
        while (!b.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            b.append((char) c);
        }
        return b.toString();
    }

    private static void await(String what, BooleanSupplier condition) {
        Await.until(what, WITHIN, condition);
    }
}
