package io.weft.server.readers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.log.AppendResult;
import io.weft.api.log.LogService;
import io.weft.api.net.Registration;
import io.weft.api.thread.ThreadId;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Webhooks on new records: for every record the log service appends (local or received), POSTs
 * {@code {"threadId", "logId", "recordId", "counter", "time"}} to each configured endpoint that accepts the thread.
 * Deliveries to one endpoint go out one at a time, in append order; a failed attempt (no 2xx answer, a timeout, a
 * connection error) is retried after an exponential backoff with jitter, and after the last attempt the delivery is
 * appended to the dead-letter log (JSON lines) and a warning is logged. Each endpoint's queue is bounded; overflow
 * goes to the dead-letter log too.
 *
 * <p>Bodies are signed when the endpoint has a secret: {@code X-Weft-Signature: sha256=<hex HMAC-SHA256(secret,
 * body)>}. Every request also carries {@code X-Weft-Delivery} (a UUID, the same on every attempt) and
 * {@code X-Weft-Attempt}. The append listener only enqueues; delivery is asynchronous on
 * {@link java.net.http.HttpClient}. Secrets are never logged or written to the dead-letter log.
 */
public final class Webhooks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);
    /** The signature header. */
    public static final String SIGNATURE_HEADER = "X-Weft-Signature";
    /** The delivery id header. */
    public static final String DELIVERY_HEADER = "X-Weft-Delivery";
    /** The attempt number header (1 for the first attempt). */
    public static final String ATTEMPT_HEADER = "X-Weft-Attempt";

    private final WebhookConfig config;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();
    private final List<Target> targets = new ArrayList<>();
    private final ExecutorService httpExecutor;
    private final ScheduledExecutorService scheduler;
    private final HttpClient client;
    private final Registration registration;
    private final Object deadLetterLock = new Object();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder failedAttempts = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();
    private volatile boolean closed;

    /** Webhooks on {@code logs}' appends with the system clock. */
    public Webhooks(LogService logs, WebhookConfig config) {
        this(logs, config, Clock.systemUTC());
    }

    /**
     * Registers the append listener and is ready to deliver; {@link #close()} stops it.
     *
     * @param clock the time put in the bodies and the dead-letter log
     */
    public Webhooks(LogService logs, WebhookConfig config, Clock clock) {
        Objects.requireNonNull(logs, "logs");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        AtomicInteger n = new AtomicInteger();
        this.httpExecutor = Executors.newCachedThreadPool(r -> daemon(r, "weft-webhooks-http-" + n.incrementAndGet()));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "weft-webhooks"));
        this.client = HttpClient.newBuilder()
                .executor(httpExecutor)
                .connectTimeout(config.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        for (WebhookConfig.Endpoint e : config.endpoints()) {
            targets.add(new Target(e));
        }
        this.registration = config.endpoints().isEmpty() ? () -> { } : logs.addAppendListener(this::appended);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Deliveries answered with 2xx since start. */
    public long delivered() {
        return delivered.sum();
    }

    /** Attempts that failed (and were retried or dead-lettered) since start. */
    public long failedAttempts() {
        return failedAttempts.sum();
    }

    /** Deliveries written to the dead-letter log since start. */
    public long deadLettered() {
        return deadLettered.sum();
    }

    /** Deliveries queued or in flight, all endpoints together. */
    public int pending() {
        int n = 0;
        for (Target t : targets) {
            synchronized (t) {
                n += t.queue.size();
            }
        }
        return n;
    }

    /**
     * Stops delivering: unregisters the listener, writes what is still queued to the dead-letter log (reason
     * {@code shutdown}) and stops the delivery threads.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        registration.close();
        for (Target t : targets) {
            List<Delivery> left;
            synchronized (t) {
                left = new ArrayList<>(t.queue);
                t.queue.clear();
            }
            for (Delivery d : left) {
                deadLetter(t.endpoint, d, "shutdown: not delivered before the peer stopped");
            }
        }
        scheduler.shutdownNow();
        httpExecutor.shutdownNow();
    }

    // ================================================================== enqueueing

    private void appended(ThreadId thread, AppendResult r) {
        if (closed) {
            return;
        }
        byte[] body = null;
        for (Target t : targets) {
            if (t.endpoint.accepts(thread)) {
                if (body == null) {
                    body = body(thread, r);
                }
                t.offer(new Delivery(UUID.randomUUID().toString(), thread, r.record().id().toString(), body));
            }
        }
    }

    private byte[] body(ThreadId thread, AppendResult r) {
        ObjectNode o = json.createObjectNode();
        o.put("threadId", thread.toString());
        o.put("logId", r.log().toString());
        o.put("recordId", r.record().id().toString());
        o.put("counter", r.counter());
        o.put("time", clock.instant().toString());
        try {
            return json.writeValueAsBytes(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("JSON encoding failed", e);
        }
    }

    /** One record's notification to one endpoint. Mutable fields are touched by one attempt at a time. */
    private static final class Delivery {
        final String id;
        final ThreadId thread;
        final String recordId;
        final byte[] body;
        int attempts;
        int lastStatus = -1;
        String lastError;

        Delivery(String id, ThreadId thread, String recordId, byte[] body) {
            this.id = id;
            this.thread = thread;
            this.recordId = recordId;
            this.body = body;
        }
    }

    /** One endpoint: a bounded FIFO whose head is being delivered while {@code busy}. */
    private final class Target {
        final WebhookConfig.Endpoint endpoint;
        final ArrayDeque<Delivery> queue = new ArrayDeque<>();
        boolean busy;

        Target(WebhookConfig.Endpoint endpoint) {
            this.endpoint = endpoint;
        }

        void offer(Delivery d) {
            boolean start = false;
            boolean full;
            synchronized (this) {
                full = queue.size() >= config.queueCapacity();
                if (!full) {
                    queue.addLast(d);
                    start = !busy;
                    busy = true;
                }
            }
            if (full) {
                // file I/O off the appending thread
                String reason = "queue full: more than " + config.queueCapacity() + " deliveries waiting";
                try {
                    scheduler.execute(() -> deadLetter(endpoint, d, reason));
                } catch (RejectedExecutionException e) {
                    deadLetter(endpoint, d, reason);
                }
            } else if (start) {
                dispatch(d, 0);
            }
        }

        void dispatch(Delivery d, long delayMillis) {
            try {
                scheduler.schedule(() -> attempt(d), delayMillis, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // closed: close() dead-letters what is queued
            }
        }

        void attempt(Delivery d) {
            if (closed) {
                return;
            }
            d.attempts++;
            try {
                HttpRequest.Builder b = HttpRequest.newBuilder(endpoint.url())
                        .timeout(config.timeout())
                        .header("Content-Type", "application/json")
                        .header("User-Agent", "weft-webhooks/1")
                        .header(DELIVERY_HEADER, d.id)
                        .header(ATTEMPT_HEADER, Integer.toString(d.attempts))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(d.body));
                if (endpoint.secret() != null) {
                    b.header(SIGNATURE_HEADER, signature(endpoint.secret(), d.body));
                }
                client.sendAsync(b.build(), HttpResponse.BodyHandlers.discarding())
                        .whenComplete((resp, err) -> done(d, resp == null ? -1 : resp.statusCode(), err));
            } catch (RuntimeException e) {
                done(d, -1, e); // counts as a failed attempt; never leaves the endpoint stuck
            }
        }

        void done(Delivery d, int status, Throwable err) {
            if (closed) {
                return;
            }
            if (err == null && status >= 200 && status < 300) {
                delivered.increment();
                next();
                return;
            }
            failedAttempts.increment();
            d.lastStatus = status;
            d.lastError = err == null ? "HTTP " + status : describe(err);
            if (d.attempts >= config.maxAttempts()) {
                deadLetter(endpoint, d, "failed after " + d.attempts + " attempts");
                next();
            } else {
                long delay = backoffMillis(d.attempts);
                LOG.debug("webhook {} attempt {} of delivery {} failed ({}); retrying in {} ms",
                        endpoint.redactedUrl(), d.attempts, d.id, d.lastError, delay);
                dispatch(d, delay);
            }
        }

        /** Drops the delivered (or dead-lettered) head and starts the next one. */
        void next() {
            Delivery n;
            synchronized (this) {
                queue.pollFirst();
                n = queue.peekFirst();
                if (n == null) {
                    busy = false;
                }
            }
            if (n != null) {
                dispatch(n, 0);
            }
        }
    }

    /** Delay after {@code attempts} failed attempts: base·2^(attempts−1), capped, with jitter in [d/2, d]. */
    long backoffMillis(int attempts) {
        long base = config.backoffBase().toMillis();
        long max = config.backoffMax().toMillis();
        long d = base;
        for (int i = 1; i < attempts && d < max; i++) {
            d *= 2;
        }
        d = Math.min(d, max);
        if (d <= 1) {
            return d;
        }
        long half = d / 2;
        return half + ThreadLocalRandom.current().nextLong(d - half + 1);
    }

    private static String describe(Throwable err) {
        Throwable e = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }

    /** {@code sha256=<hex>} of HMAC-SHA256 over {@code body} with the UTF-8 bytes of {@code secret}. */
    public static String signature(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    // ================================================================== dead letters

    private void deadLetter(WebhookConfig.Endpoint endpoint, Delivery d, String reason) {
        try {
            writeDeadLetter(endpoint, d, reason);
        } finally {
            deadLettered.increment();
        }
    }

    private void writeDeadLetter(WebhookConfig.Endpoint endpoint, Delivery d, String reason) {
        LOG.warn("webhook {}: delivery {} of record {} (thread {}) given up: {}{}; see {}", endpoint.redactedUrl(),
                d.id, d.recordId, d.thread, reason, d.lastError == null ? "" : " (last error: " + d.lastError + ")",
                config.deadLetterFile());
        ObjectNode o = json.createObjectNode();
        o.put("time", clock.instant().toString());
        o.put("url", endpoint.redactedUrl());
        o.put("deliveryId", d.id);
        o.put("reason", reason);
        o.put("attempts", d.attempts);
        if (d.lastStatus >= 0) {
            o.put("lastStatus", d.lastStatus);
        }
        if (d.lastError != null) {
            o.put("lastError", d.lastError);
        }
        try {
            o.set("payload", json.readTree(d.body));
            byte[] line = (json.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8);
            Path file = config.deadLetterFile();
            synchronized (deadLetterLock) {
                Path parent = file.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                Files.write(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            }
        } catch (IOException e) {
            LOG.error("webhook {}: could not write delivery {} to the dead-letter log {}: {}", endpoint.redactedUrl(),
                    d.id, config.deadLetterFile(), e.toString());
        }
    }

    /** The effective dead-letter log. */
    public Path deadLetterFile() {
        return config.deadLetterFile();
    }
}
