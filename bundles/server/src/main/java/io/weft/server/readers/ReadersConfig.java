package io.weft.server.readers;

import io.weft.api.InvalidInputException;
import io.weft.api.thread.ThreadId;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Settings of the web readers ({@link ReadersRoute}); {@link #defaults()} documents the defaults. Configuration keys
 * (as the server component exposes them) are given per component.
 *
 * @param enabled          {@code readers.enabled}: whether the gateway mounts the readers at all (default {@code true})
 * @param prefix           {@code readers.prefix}: the path prefix, starting and ending with {@code /} (default
 *                         {@code /threads/})
 * @param publicThreads    {@code readers.public.threads}: threads served to anyone who can reach the port, without a
 *                         reader token (default none: every thread needs its token)
 * @param pageDefault      {@code readers.page.default}: records per page when {@code limit} is not given (default 100)
 * @param pageMax          {@code readers.page.max}: the largest {@code limit}; larger values are clamped (default 1000)
 * @param pageMaxBytes     {@code readers.page.max.bytes}: a page stops growing once its records' nodes reach this
 *                         many bytes (at least one record is always returned; default 4 MiB)
 * @param feedEntries      {@code readers.feed.entries}: entries in an Atom feed (default 50)
 * @param wsMaxSockets     {@code readers.ws.max.sockets}: open WebSocket pushes, all threads together; more are
 *                         refused with 503 (default 1024)
 * @param wsMaxPendingBytes {@code readers.ws.max.pending.bytes}: bytes written to one WebSocket but not yet sent; a
 *                         client that lets more pile up is disconnected (close code 1008; default 4 MiB)
 * @param workers          {@code readers.workers}: threads that read the store for requests, off the network event
 *                         loop (default 2)
 * @param queue            {@code readers.queue}: requests waiting for a worker; more are refused with 503 (default 256)
 * @param allowedOrigins   {@code readers.allowed.origins}: browser origins ({@code scheme://host[:port]}) that get CORS
 *                         headers and may open WebSockets; {@code *} allows every origin (default {@code [*]}: access
 *                         rests on the reader token, which a browser never sends on its own, so a foreign page gains
 *                         nothing it could not get without the browser)
 */
public record ReadersConfig(boolean enabled, String prefix, Set<ThreadId> publicThreads, int pageDefault, int pageMax,
                            int pageMaxBytes, int feedEntries, int wsMaxSockets, int wsMaxPendingBytes, int workers,
                            int queue, List<String> allowedOrigins) {
    public ReadersConfig {
        if (prefix == null || !prefix.startsWith("/") || !prefix.endsWith("/") || prefix.length() < 2) {
            throw new InvalidInputException("readers.prefix must start and end with '/', e.g. /threads/");
        }
        publicThreads = publicThreads == null ? Set.of() : Set.copyOf(publicThreads);
        allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
        positive("readers.page.default", pageDefault);
        positive("readers.page.max", pageMax);
        positive("readers.page.max.bytes", pageMaxBytes);
        positive("readers.feed.entries", feedEntries);
        positive("readers.ws.max.sockets", wsMaxSockets);
        positive("readers.ws.max.pending.bytes", wsMaxPendingBytes);
        positive("readers.workers", workers);
        positive("readers.queue", queue);
        if (pageDefault > pageMax) {
            throw new InvalidInputException("readers.page.default (" + pageDefault + ") exceeds readers.page.max (" + pageMax + ")");
        }
    }

    private static void positive(String name, int v) {
        if (v < 1) {
            throw new InvalidInputException(name + " must be at least 1, got " + v);
        }
    }

    /** The defaults listed on the record. */
    public static ReadersConfig defaults() {
        return new ReadersConfig(true, "/threads/", Set.of(), 100, 1000, 4 << 20, 50, 1024, 4 << 20, 2, 256,
                List.of("*"));
    }

    /**
     * The defaults changed by the {@code readers.*} keys present in {@code props} (values as strings, numbers,
     * booleans, arrays; list keys also take one comma-separated string), e.g. an OSGi configuration's properties.
     *
     * @throws InvalidInputException if a value is malformed or out of range
     */
    public static ReadersConfig fromProperties(Map<String, ?> props) {
        Props p = new Props(props);
        ReadersConfig d = defaults();
        Set<ThreadId> open = new LinkedHashSet<>();
        for (String t : p.list("readers.public.threads", ",")) {
            open.add(ThreadId.parse(t));
        }
        List<String> origins = p.has("readers.allowed.origins") ? p.list("readers.allowed.origins", ",") : d.allowedOrigins();
        return new ReadersConfig(p.bool("readers.enabled", d.enabled()), p.string("readers.prefix", d.prefix()), open,
                p.integer("readers.page.default", d.pageDefault()), p.integer("readers.page.max", d.pageMax()),
                p.integer("readers.page.max.bytes", d.pageMaxBytes()), p.integer("readers.feed.entries", d.feedEntries()),
                p.integer("readers.ws.max.sockets", d.wsMaxSockets()),
                p.integer("readers.ws.max.pending.bytes", d.wsMaxPendingBytes()),
                p.integer("readers.workers", d.workers()), p.integer("readers.queue", d.queue()), origins);
    }

    public ReadersConfig withPublicThreads(Set<ThreadId> v) {
        return new ReadersConfig(enabled, prefix, v, pageDefault, pageMax, pageMaxBytes, feedEntries, wsMaxSockets,
                wsMaxPendingBytes, workers, queue, allowedOrigins);
    }

    public ReadersConfig withPaging(int defaultLimit, int maxLimit, int maxBytes) {
        return new ReadersConfig(enabled, prefix, publicThreads, defaultLimit, maxLimit, maxBytes, feedEntries,
                wsMaxSockets, wsMaxPendingBytes, workers, queue, allowedOrigins);
    }

    public ReadersConfig withFeedEntries(int v) {
        return new ReadersConfig(enabled, prefix, publicThreads, pageDefault, pageMax, pageMaxBytes, v, wsMaxSockets,
                wsMaxPendingBytes, workers, queue, allowedOrigins);
    }

    public ReadersConfig withWebSockets(int maxSockets, int maxPendingBytes) {
        return new ReadersConfig(enabled, prefix, publicThreads, pageDefault, pageMax, pageMaxBytes, feedEntries,
                maxSockets, maxPendingBytes, workers, queue, allowedOrigins);
    }

    public ReadersConfig withAllowedOrigins(List<String> v) {
        return new ReadersConfig(enabled, prefix, publicThreads, pageDefault, pageMax, pageMaxBytes, feedEntries,
                wsMaxSockets, wsMaxPendingBytes, workers, queue, v);
    }

    /** Whether a request from {@code origin} (an {@code Origin} header value) is allowed. */
    public boolean allowsOrigin(String origin) {
        return allowedOrigins.contains("*") || allowedOrigins.contains(origin);
    }

    public ReadersConfig withWorkers(int workerThreads, int queueLength) {
        return new ReadersConfig(enabled, prefix, publicThreads, pageDefault, pageMax, pageMaxBytes, feedEntries,
                wsMaxSockets, wsMaxPendingBytes, workerThreads, queueLength, allowedOrigins);
    }
}
