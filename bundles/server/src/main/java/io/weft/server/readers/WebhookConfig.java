package io.weft.server.readers;

import io.weft.api.InvalidInputException;
import io.weft.api.thread.ThreadId;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Settings of {@link Webhooks}; {@link #defaults(Path)} documents the defaults. Configuration keys as the server
 * component exposes them:
 *
 * @param endpoints      {@code webhooks.endpoints}: where to POST, one {@link Endpoint#parse spec} per value (default
 *                       none: webhooks off)
 * @param timeout        {@code webhooks.timeout.seconds}: connect and response timeout of one attempt (default 10 s)
 * @param maxAttempts    {@code webhooks.max.attempts}: attempts per delivery before it goes to the dead-letter log
 *                       (default 8)
 * @param backoffBase    {@code webhooks.backoff.base.millis}: delay before the second attempt; doubles per attempt,
 *                       with jitter (a random delay between half and all of it; default 1000 ms)
 * @param backoffMax     {@code webhooks.backoff.max.millis}: the longest delay between attempts (default 300000 ms)
 * @param queueCapacity  {@code webhooks.queue}: deliveries waiting per endpoint; more go straight to the dead-letter
 *                       log (default 10000)
 * @param deadLetterFile {@code webhooks.dead.letter.file}: the JSON-lines file of deliveries that failed for good
 *                       (default {@code <repo>/webhooks-dead-letter.jsonl})
 */
public record WebhookConfig(List<Endpoint> endpoints, Duration timeout, int maxAttempts, Duration backoffBase,
                            Duration backoffMax, int queueCapacity, Path deadLetterFile) {
    public WebhookConfig {
        endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new InvalidInputException("webhooks.timeout.seconds must be positive");
        }
        if (maxAttempts < 1) {
            throw new InvalidInputException("webhooks.max.attempts must be at least 1, got " + maxAttempts);
        }
        if (backoffBase == null || backoffBase.isNegative() || backoffMax == null || backoffMax.compareTo(backoffBase) < 0) {
            throw new InvalidInputException("webhooks.backoff.base.millis must be >= 0 and <= webhooks.backoff.max.millis");
        }
        if (queueCapacity < 1) {
            throw new InvalidInputException("webhooks.queue must be at least 1, got " + queueCapacity);
        }
        if (deadLetterFile == null) {
            throw new InvalidInputException("webhooks.dead.letter.file is required");
        }
    }

    /** The defaults listed on the record, no endpoints, the dead-letter log in {@code repo}. */
    public static WebhookConfig defaults(Path repo) {
        return new WebhookConfig(List.of(), Duration.ofSeconds(10), 8, Duration.ofSeconds(1), Duration.ofMinutes(5),
                10_000, repo.resolve("webhooks-dead-letter.jsonl"));
    }

    /**
     * The defaults changed by the {@code webhooks.*} keys present in {@code props}: {@code webhooks.endpoints} takes
     * an array (one endpoint spec per element) or a string with one spec per line.
     *
     * @param repo the repository directory (where the dead-letter log goes by default)
     * @throws InvalidInputException if a value is malformed or out of range
     */
    public static WebhookConfig fromProperties(Map<String, ?> props, Path repo) {
        Props p = new Props(props);
        WebhookConfig d = defaults(repo);
        return new WebhookConfig(Endpoint.parseAll(p.list("webhooks.endpoints", "\\R")),
                Duration.ofSeconds(p.number("webhooks.timeout.seconds", d.timeout().toSeconds())),
                p.integer("webhooks.max.attempts", d.maxAttempts()),
                Duration.ofMillis(p.number("webhooks.backoff.base.millis", d.backoffBase().toMillis())),
                Duration.ofMillis(p.number("webhooks.backoff.max.millis", d.backoffMax().toMillis())),
                p.integer("webhooks.queue", d.queueCapacity()),
                p.has("webhooks.dead.letter.file") ? Path.of(p.string("webhooks.dead.letter.file", null)) : d.deadLetterFile());
    }

    public WebhookConfig withEndpoints(List<Endpoint> v) {
        return new WebhookConfig(v, timeout, maxAttempts, backoffBase, backoffMax, queueCapacity, deadLetterFile);
    }

    public WebhookConfig withRetries(int attempts, Duration base, Duration max) {
        return new WebhookConfig(endpoints, timeout, attempts, base, max, queueCapacity, deadLetterFile);
    }

    public WebhookConfig withTimeout(Duration v) {
        return new WebhookConfig(endpoints, v, maxAttempts, backoffBase, backoffMax, queueCapacity, deadLetterFile);
    }

    public WebhookConfig withQueueCapacity(int v) {
        return new WebhookConfig(endpoints, timeout, maxAttempts, backoffBase, backoffMax, v, deadLetterFile);
    }

    /**
     * One webhook receiver. {@link #toString()} never prints the secret.
     *
     * @param url     an absolute {@code http} or {@code https} URL
     * @param threads the threads whose records are sent; empty means every thread
     * @param secret  the HMAC-SHA256 key of the {@code X-Weft-Signature} header (its UTF-8 bytes), or {@code null}
     *                to send unsigned bodies
     */
    public record Endpoint(URI url, Set<ThreadId> threads, String secret) {
        public Endpoint {
            if (url == null || !url.isAbsolute() || url.getHost() == null
                    || !("http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme()))) {
                throw new InvalidInputException("webhook url must be an absolute http or https URL");
            }
            if (url.getRawUserInfo() != null) {
                throw new InvalidInputException("webhook url must not carry user info; authenticate the receiver "
                        + "with the endpoint's secret (X-Weft-Signature)");
            }
            threads = threads == null ? Set.of() : Set.copyOf(threads);
            if (secret != null && secret.isEmpty()) {
                secret = null;
            }
        }

        /** Whether records of {@code thread} go to this endpoint. */
        public boolean accepts(ThreadId thread) {
            return threads.isEmpty() || threads.contains(thread);
        }

        /** The URL without user info and query, safe for logs. */
        public String redactedUrl() {
            return url.getScheme() + "://" + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "")
                    + (url.getRawPath() == null ? "" : url.getRawPath());
        }

        /**
         * Parses an endpoint spec: the URL, then optional space-separated settings
         * {@code threads=<id>,<id>…}, {@code secret=<text>} or {@code secret.file=<path>} (the file's content,
         * trimmed). Example: {@code https://example.org/hook threads=bafk… secret.file=/etc/weft/hook.secret}.
         */
        public static Endpoint parse(String spec) {
            if (spec == null || spec.isBlank()) {
                throw new InvalidInputException("webhook endpoint: empty spec");
            }
            String[] parts = spec.strip().split("\\s+");
            URI url;
            try {
                url = new URI(parts[0]);
            } catch (URISyntaxException e) {
                throw new InvalidInputException("webhook endpoint: not a URL: " + e.getReason());
            }
            Set<ThreadId> threads = new LinkedHashSet<>();
            String secret = null;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i];
                int eq = p.indexOf('=');
                String k = eq < 0 ? p : p.substring(0, eq);
                String v = eq < 0 ? "" : p.substring(eq + 1);
                switch (k) {
                    case "threads" -> {
                        for (String t : v.split(",")) {
                            if (!t.isBlank()) {
                                threads.add(ThreadId.parse(t.strip()));
                            }
                        }
                    }
                    case "secret" -> secret = v;
                    case "secret.file" -> {
                        try {
                            secret = Files.readString(Path.of(v), StandardCharsets.UTF_8).strip();
                        } catch (IOException e) {
                            throw new InvalidInputException("webhook endpoint: cannot read the secret file " + v);
                        }
                    }
                    default -> throw new InvalidInputException("webhook endpoint: unknown setting '" + k
                            + "' (expected threads=, secret= or secret.file=)");
                }
            }
            return new Endpoint(url, threads, secret);
        }

        /** Parses several specs. */
        public static List<Endpoint> parseAll(List<String> specs) {
            List<Endpoint> out = new ArrayList<>();
            for (String s : specs) {
                if (s != null && !s.isBlank()) {
                    out.add(parse(s));
                }
            }
            return out;
        }

        @Override
        public String toString() {
            return "Endpoint[url=" + redactedUrl() + ", threads=" + threads + ", secret=" + (secret == null ? "none" : "<redacted>") + "]";
        }
    }
}
