package io.weft.server.readers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.weft.api.InvalidInputException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.log.AppendResult;
import io.weft.api.thread.ThreadId;
import io.weft.core.cbor.CborValue;
import io.weft.core.cbor.DagCbor;
import io.weft.core.crypto.Ed25519;
import io.weft.logstore.LocalLogService;
import io.weft.server.Await;
import io.weft.store.memory.MemoryDatastore;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Webhooks against a JDK HTTP server: signatures, order, retries, the dead-letter log, overflow, filters. */
class WebhooksTest {
    private static final Duration WITHIN = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "s3cret-for-tests";

    @TempDir
    Path dir;

    private final MemoryDatastore store = new MemoryDatastore();
    private final LocalLogService logs = new LocalLogService(store);
    private final PrivateKey writer = Ed25519.generate();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    /** What the receiver saw, in arrival order. */
    private record Received(String body, String signature, String delivery, int attempt, int answered) {
    }

    private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger failFirst = new AtomicInteger();
    private volatile int failStatus = 500;
    private volatile CountDownLatch hold;

    @AfterEach
    void tearDown() throws Exception {
        CountDownLatch h = hold;
        if (h != null) {
            h.countDown();
        }
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        store.close();
    }

    /** A receiver that answers {@code failStatus} to the first {@code failFirst} requests, then 204. */
    private URI receiver() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            CountDownLatch h = hold;
            if (h != null) {
                try {
                    h.await(WITHIN.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            int status = failFirst.getAndDecrement() > 0 ? failStatus : 204;
            received.add(new Received(new String(body, StandardCharsets.UTF_8),
                    ex.getRequestHeaders().getFirst(Webhooks.SIGNATURE_HEADER),
                    ex.getRequestHeaders().getFirst(Webhooks.DELIVERY_HEADER),
                    Integer.parseInt(ex.getRequestHeaders().getFirst(Webhooks.ATTEMPT_HEADER)), status));
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        server.start();
        closeables.add(() -> server.stop(0));
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook?user=1");
    }

    private WebhookConfig config(WebhookConfig.Endpoint... endpoints) {
        return WebhookConfig.defaults(dir)
                .withEndpoints(List.of(endpoints))
                .withRetries(4, Duration.ofMillis(10), Duration.ofMillis(40))
                .withTimeout(Duration.ofSeconds(5));
    }

    private Webhooks start(WebhookConfig config) {
        Webhooks w = new Webhooks(logs, config);
        closeables.add(w);
        return w;
    }

    private AppendResult write(ThreadId t, String text) {
        return logs.createRecord(t, writer, DagCbor.encode(CborValue.map("text", CborValue.text(text))));
    }

    private static String hmac(String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    private List<Received> successes() {
        synchronized (received) {
            return received.stream().filter(r -> r.answered() < 300).toList();
        }
    }

    @Test
    void recordsArePostedSignedAndInOrder() throws Exception {
        ThreadId t = logs.createThread(ThreadId.newRandom(), null).id();
        Webhooks hooks = start(config(new WebhookConfig.Endpoint(receiver(), Set.of(), SECRET)));
        List<AppendResult> written = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            written.add(write(t, "r" + i));
        }
        await("five deliveries", () -> hooks.delivered() == 5);
        List<Received> got = successes();
        assertEquals(5, got.size());
        for (int i = 0; i < 5; i++) {
            Received r = got.get(i);
            assertEquals(hmac(r.body()), r.signature(), "the body is signed with the endpoint's secret");
            JsonNode n = JSON.readTree(r.body());
            assertEquals(t.toString(), n.get("threadId").asText());
            assertEquals(written.get(i).log().toString(), n.get("logId").asText());
            assertEquals(written.get(i).record().id().toString(), n.get("recordId").asText());
            assertEquals(i + 1, n.get("counter").asLong(), "in append order");
            java.time.Instant.parse(n.get("time").asText());
            assertEquals(1, r.attempt());
        }
        assertEquals(0, hooks.failedAttempts());
        assertFalse(Files.exists(hooks.deadLetterFile()));
    }

    @Test
    void failedAttemptsAreRetriedWithoutBreakingTheOrder() throws Exception {
        ThreadId t = logs.createThread(ThreadId.newRandom(), null).id();
        failFirst.set(2);
        Webhooks hooks = start(config(new WebhookConfig.Endpoint(receiver(), Set.of(), null)));
        write(t, "a");
        write(t, "b");
        write(t, "c");
        await("three deliveries", () -> hooks.delivered() == 3);
        assertEquals(2, hooks.failedAttempts());
        List<Received> all;
        synchronized (received) {
            all = new ArrayList<>(received);
        }
        assertEquals(5, all.size());
        // the first record was tried three times with one delivery id, then the others followed in order
        assertEquals(all.get(0).delivery(), all.get(1).delivery());
        assertEquals(all.get(0).delivery(), all.get(2).delivery());
        assertEquals(List.of(1, 2, 3, 1, 1), all.stream().map(Received::attempt).toList());
        List<Long> counters = new ArrayList<>();
        for (Received r : successes()) {
            counters.add(JSON.readTree(r.body()).get("counter").asLong());
            assertNull(r.signature(), "no secret, no signature");
        }
        assertEquals(List.of(1L, 2L, 3L), counters);
    }

    @Test
    void deliveriesThatNeverSucceedGoToTheDeadLetterLog() throws Exception {
        ThreadId t = logs.createThread(ThreadId.newRandom(), null).id();
        failFirst.set(Integer.MAX_VALUE);
        failStatus = 503;
        Webhooks hooks = start(config(new WebhookConfig.Endpoint(receiver(), Set.of(), SECRET)));
        AppendResult r1 = write(t, "a");
        AppendResult r2 = write(t, "b");
        await("both dead-lettered", () -> hooks.deadLettered() == 2);
        assertEquals(8, received.size(), "max attempts (4) per delivery");
        assertEquals(0, hooks.delivered());
        List<String> lines = Files.readAllLines(hooks.deadLetterFile());
        assertEquals(2, lines.size());
        JsonNode first = JSON.readTree(lines.get(0));
        assertEquals(4, first.get("attempts").asInt());
        assertEquals(503, first.get("lastStatus").asInt());
        assertTrue(first.get("reason").asText().contains("4 attempts"));
        assertEquals(r1.record().id().toString(), first.get("payload").get("recordId").asText());
        assertEquals(r2.record().id().toString(), JSON.readTree(lines.get(1)).get("payload").get("recordId").asText());
        assertFalse(first.get("url").asText().contains("user=1"), "the query is not logged");
        String all = Files.readString(hooks.deadLetterFile());
        assertFalse(all.contains(SECRET), "the secret is never written");
    }

    @Test
    void anUnreachableEndpointIsDeadLetteredToo() throws Exception {
        ThreadId t = logs.createThread(ThreadId.newRandom(), null).id();
        int freePort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            freePort = s.getLocalPort();
        }
        Webhooks hooks = start(config(new WebhookConfig.Endpoint(
                URI.create("http://127.0.0.1:" + freePort + "/nobody"), Set.of(), null)));
        write(t, "a");
        await("dead-lettered", () -> hooks.deadLettered() == 1);
        JsonNode line = JSON.readTree(Files.readAllLines(hooks.deadLetterFile()).get(0));
        assertTrue(line.get("lastError").asText().contains("Connect"), line.toString());
        assertFalse(line.has("lastStatus"));
    }

    @Test
    void aFullQueueOverflowsToTheDeadLetterLogWithoutBlockingTheWriter() throws Exception {
        ThreadId t = logs.createThread(ThreadId.newRandom(), null).id();
        hold = new CountDownLatch(1);
        Webhooks hooks = start(config(new WebhookConfig.Endpoint(receiver(), Set.of(), null)).withQueueCapacity(2));
        for (int i = 0; i < 5; i++) {
            write(t, "r" + i); // returns at once although the receiver holds the first request
        }
        await("three overflowed", () -> hooks.deadLettered() == 3);
        assertTrue(Files.readString(hooks.deadLetterFile()).contains("queue full"));
        hold.countDown();
        await("the two queued ones are delivered", () -> hooks.delivered() == 2);
        assertEquals(0, hooks.pending());
    }

    @Test
    void anEndpointGetsOnlyTheThreadsItAskedFor() throws Exception {
        ThreadId wanted = logs.createThread(ThreadId.newRandom(), null).id();
        ThreadId other = logs.createThread(ThreadId.newRandom(), null).id();
        Webhooks hooks = start(config(new WebhookConfig.Endpoint(receiver(), Set.of(wanted), null)));
        write(wanted, "1");
        write(other, "x");
        write(wanted, "2");
        await("the wanted thread's two records", () -> hooks.delivered() == 2);
        for (Received r : successes()) {
            assertEquals(wanted.toString(), JSON.readTree(r.body()).get("threadId").asText());
        }
        assertEquals(2, received.size(), "deliveries are in order, so the other thread's record was never queued");
    }

    @Test
    void endpointSpecsParseAndNeverPrintTheSecret() throws Exception {
        ThreadId t = ThreadId.newRandom();
        Path secretFile = dir.resolve("hook.secret");
        Files.writeString(secretFile, "from-file\n");
        WebhookConfig.Endpoint e = WebhookConfig.Endpoint.parse("https://example.org:8443/hook?x=1 threads=" + t
                + " secret=" + SECRET);
        assertEquals(Set.of(t), e.threads());
        assertEquals(SECRET, e.secret());
        assertFalse(e.toString().contains(SECRET));
        assertEquals("https://example.org:8443/hook", e.redactedUrl());
        assertEquals("from-file", WebhookConfig.Endpoint.parse("http://h/x secret.file=" + secretFile).secret());
        assertTrue(WebhookConfig.Endpoint.parse("http://h/x").accepts(t));
        assertThrows(InvalidInputException.class, () -> WebhookConfig.Endpoint.parse("ftp://h/x"));
        assertThrows(InvalidInputException.class, () -> WebhookConfig.Endpoint.parse("https://u:pw@h/x"));
        assertThrows(InvalidInputException.class, () -> WebhookConfig.Endpoint.parse("/relative"));
        assertThrows(InvalidInputException.class, () -> WebhookConfig.Endpoint.parse("http://h/x color=red"));
        assertThrows(InvalidInputException.class, () -> WebhookConfig.Endpoint.parse("http://h/x threads=nope"));
        assertEquals(2, WebhookConfig.Endpoint.parseAll(List.of("http://a/x", " ", "http://b/y")).size());
        WebhookConfig d = WebhookConfig.defaults(dir);
        assertEquals(8, d.maxAttempts());
        assertEquals(dir.resolve("webhooks-dead-letter.jsonl"), d.deadLetterFile());
        assertEquals(d, WebhookConfig.fromProperties(java.util.Map.of(), dir));

        WebhookConfig c = WebhookConfig.fromProperties(java.util.Map.of(
                "webhooks.endpoints", "http://a/x secret=one\nhttps://b/y threads=" + t,
                "webhooks.max.attempts", "3",
                "webhooks.backoff.base.millis", 5,
                "webhooks.backoff.max.millis", "50",
                "webhooks.timeout.seconds", "2",
                "webhooks.dead.letter.file", dir.resolve("dl.jsonl").toString()), dir);
        assertEquals(2, c.endpoints().size());
        assertEquals("one", c.endpoints().get(0).secret());
        assertEquals(Set.of(t), c.endpoints().get(1).threads());
        assertEquals(3, c.maxAttempts());
        assertEquals(Duration.ofMillis(5), c.backoffBase());
        assertEquals(Duration.ofSeconds(2), c.timeout());
        assertEquals(dir.resolve("dl.jsonl"), c.deadLetterFile());
        assertEquals(2, WebhookConfig.fromProperties(java.util.Map.of("webhooks.endpoints",
                List.of("http://a/x", "http://b/y")), dir).endpoints().size());
        assertThrows(InvalidInputException.class, () -> WebhookConfig.fromProperties(
                java.util.Map.of("webhooks.max.attempts", "0"), dir));
    }

    @Test
    void backoffDoublesUpToTheMaximumWithJitter() {
        try (Webhooks w = new Webhooks(logs, WebhookConfig.defaults(dir)
                .withRetries(8, Duration.ofMillis(100), Duration.ofMillis(1000)))) {
            for (int i = 0; i < 50; i++) {
                long d1 = w.backoffMillis(1);
                assertTrue(d1 >= 50 && d1 <= 100, "first delay " + d1);
                long d3 = w.backoffMillis(3);
                assertTrue(d3 >= 200 && d3 <= 400, "third delay " + d3);
                long d9 = w.backoffMillis(9);
                assertTrue(d9 >= 500 && d9 <= 1000, "capped " + d9);
            }
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        Await.until(what, WITHIN, condition);
    }
}
