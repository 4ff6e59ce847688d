package io.weft.server.readers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.format.Cid;
import io.weft.api.format.Multiaddr;
import io.weft.api.log.AppendResult;
import io.weft.api.log.Head;
import io.weft.api.log.LogInfo;
import io.weft.api.log.LogService;
import io.weft.api.log.ThreadInfo;
import io.weft.api.net.Registration;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import io.weft.server.web.HttpRoute;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Web readers (paper §3.2.3): read-only HTTP access to a thread's encrypted records for web clients that hold the
 * thread key and decrypt in the browser. Served under {@link ReadersConfig#prefix()} ({@code /threads/}):
 * <ul>
 *   <li>{@code GET <prefix><thread>/logs}: the thread's logs (id, public key, head, counter, addresses) as JSON;</li>
 *   <li>{@code GET <prefix><thread>/logs/<log>/records?offset=N&limit=M}: records {@code N+1 … N+M} of the log, in
 *       log order, each with its id and its four nodes (record, event, header, body) in base64, exactly as peers
 *       exchange them, plus {@code next} (the offset of the following page);</li>
 *   <li>{@code GET <prefix><thread>/feed.atom}: an Atom feed of the thread's newest record ids;</li>
 *   <li>{@code GET <prefix><thread>/ws}: a WebSocket that receives every new record of the thread as a JSON text
 *       frame (same fields as a page entry, plus {@code threadId}, {@code logId}, {@code time}).</li>
 * </ul>
 *
 * <p><b>Access.</b> A thread is served only to a caller that presents its reader token ({@link ReaderTokens}, derived
 * from the thread's service key) as {@code Authorization: Bearer <token>} or as the {@code token} query parameter
 * (for WebSockets and feed readers, which cannot set headers), or if it is listed in
 * {@link ReadersConfig#publicThreads()}. Without a token: 401; a wrong token: 403; an unknown thread or log: 404;
 * malformed ids or parameters: 400. Errors are JSON {@code {"error": "…"}}.
 *
 * <p>Requests are served by a small worker pool (never on the network event loop); when it is saturated requests get
 * 503. Responses carry CORS headers for {@link ReadersConfig#allowedOrigins() allowed origins}, which may also open
 * the WebSockets; preflights are answered here. An idle WebSocket is pinged when the gateway's idle timer fires and
 * closed if the previous ping went unanswered. Construct, hand to the web gateway, {@link #close()} on shutdown.
 */
public final class ReadersRoute implements HttpRoute, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReadersRoute.class);
    /** Records a feed request may scan to list a log's tail; beyond, the log is represented by its head. */
    static final long FEED_MAX_SCAN = 4096;
    private static final int WS_MAX_FRAME = 64 * 1024;

    private final LogService logs;
    private final ReadersConfig config;
    private final Clock clock;
    private final Instant started;
    private final ObjectMapper json = new ObjectMapper();
    private final LogPositions positions;
    private final RecentRecords recent;
    private final WebSocketHub hub;
    private final ThreadPoolExecutor workers;
    private final Registration registration;

    /** Readers over {@code logs} with the system clock. */
    public ReadersRoute(LogService logs, ReadersConfig config) {
        this(logs, config, Clock.systemUTC());
    }

    /**
     * @param logs   the log service whose threads are served (and whose appends are pushed and listed)
     * @param config limits and access
     * @param clock  the time stamped on appended records
     */
    public ReadersRoute(LogService logs, ReadersConfig config, Clock clock) {
        this.logs = Objects.requireNonNull(logs, "logs");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.started = clock.instant();
        this.positions = new LogPositions(logs);
        this.recent = new RecentRecords(config.feedEntries());
        this.hub = new WebSocketHub(config.wsMaxSockets(), config.wsMaxPendingBytes());
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(config.workers(), config.workers(), 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(config.queue()), r -> {
                    Thread t = new Thread(r, "weft-readers-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.workers.allowCoreThreadTimeOut(true);
        this.registration = logs.addAppendListener(this::appended);
    }

    @Override
    public String prefix() {
        return config.prefix();
    }

    /** Open WebSocket pushes. */
    public int openWebSockets() {
        return hub.openSockets();
    }

    /** WebSockets closed because their client did not keep up, since start. */
    public long droppedSlowWebSockets() {
        return hub.droppedSlowSockets();
    }

    /** Whether a WebSocket currently receives the thread's records (for tests). */
    boolean pushing(ThreadId thread) {
        return hub.hasSessions(thread);
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        Req req;
        try {
            req = new Req(request.protocolVersion(), request.method(), request.uri(), request.headers().copy(),
                    HttpUtil.isKeepAlive(request));
        } finally {
            request.release();
        }
        try {
            workers.execute(() -> serve(ctx, req));
        } catch (RejectedExecutionException e) {
            error(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, "the web readers are busy, try again later", Map.of());
        }
    }

    @Override
    public void close() {
        registration.close();
        hub.closeAll(null);
        workers.shutdownNow();
    }

    // ================================================================== requests

    /** What the workers need of a request (the request itself is released on the event loop). */
    private record Req(HttpVersion version, HttpMethod method, String uri, HttpHeaders headers, boolean keepAlive) {
    }

    /** A response other than 200, with a message for the client. */
    private static final class HttpError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient HttpResponseStatus status;
        final transient Map<String, String> headers;

        HttpError(HttpResponseStatus status, String message) {
            this(status, message, Map.of());
        }

        HttpError(HttpResponseStatus status, String message, Map<String, String> headers) {
            super(message, null, false, false);
            this.status = status;
            this.headers = headers;
        }
    }

    private void serve(ChannelHandlerContext ctx, Req req) {
        try {
            if (HttpMethod.OPTIONS.equals(req.method())
                    && req.headers().contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD)) {
                preflight(ctx, req);
                return;
            }
            if (!HttpMethod.GET.equals(req.method())) {
                throw new HttpError(HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET is served here",
                        Map.of(HttpHeaderNames.ALLOW.toString(), "GET"));
            }
            QueryStringDecoder q = new QueryStringDecoder(req.uri());
            String path = q.path();
            if (!path.startsWith(config.prefix())) {
                throw new HttpError(HttpResponseStatus.NOT_FOUND, "no such reader endpoint");
            }
            List<String> segs = new ArrayList<>();
            for (String s : path.substring(config.prefix().length()).split("/")) {
                if (!s.isEmpty()) {
                    segs.add(s);
                }
            }
            if (segs.isEmpty()) {
                throw new HttpError(HttpResponseStatus.NOT_FOUND, "no such reader endpoint");
            }
            ThreadId thread;
            try {
                thread = ThreadId.parse(segs.get(0));
            } catch (InvalidInputException e) {
                throw new HttpError(HttpResponseStatus.BAD_REQUEST, "not a thread id: " + e.getMessage());
            }
            String endpoint = segs.size() >= 2 ? segs.get(1) : "";
            boolean known = (segs.size() == 2 && (endpoint.equals("logs") || endpoint.equals("feed.atom")
                    || endpoint.equals("ws"))) || (segs.size() == 4 && endpoint.equals("logs") && segs.get(3).equals("records"));
            if (!known) {
                throw new HttpError(HttpResponseStatus.NOT_FOUND, "no such reader endpoint");
            }
            authorize(thread, req, q);
            switch (endpoint) {
                case "logs" -> {
                    if (segs.size() == 2) {
                        ok(ctx, req, "application/json; charset=utf-8", logsJson(thread));
                    } else {
                        ok(ctx, req, "application/json; charset=utf-8", page(thread, segs.get(2), q));
                    }
                }
                case "feed.atom" -> ok(ctx, req, "application/atom+xml; charset=utf-8", feed(thread));
                default -> ctx.executor().execute(() -> upgrade(ctx, req, thread));
            }
        } catch (HttpError e) {
            error(ctx, req, e.status, e.getMessage(), e.headers);
        } catch (NotFoundException e) {
            error(ctx, req, HttpResponseStatus.NOT_FOUND, e.getMessage(), Map.of());
        } catch (InvalidInputException e) {
            error(ctx, req, HttpResponseStatus.BAD_REQUEST, e.getMessage(), Map.of());
        } catch (RuntimeException e) {
            LOG.warn("readers: request failed", e);
            error(ctx, req, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error", Map.of());
        }
    }

    private void authorize(ThreadId thread, Req req, QueryStringDecoder q) {
        Optional<ThreadKey> key = logs.logstore().keyBook().threadKey(thread);
        if (config.publicThreads().contains(thread)) {
            if (key.isEmpty()) {
                throw new HttpError(HttpResponseStatus.NOT_FOUND, "thread " + thread + " not found");
            }
            return;
        }
        String token = bearer(req.headers());
        if (token == null) {
            List<String> t = q.parameters().get("token");
            token = t == null || t.isEmpty() ? null : t.get(0);
        }
        if (token == null || token.isBlank()) {
            throw new HttpError(HttpResponseStatus.UNAUTHORIZED,
                    "a reader token is required (Authorization: Bearer <token> or ?token=)",
                    Map.of(HttpHeaderNames.WWW_AUTHENTICATE.toString(), "Bearer realm=\"weft-readers\""));
        }
        if (key.isEmpty()) {
            throw new HttpError(HttpResponseStatus.NOT_FOUND, "thread " + thread + " not found");
        }
        if (!ReaderTokens.verify(thread, key.get(), token)) {
            throw new HttpError(HttpResponseStatus.FORBIDDEN, "the reader token does not grant access to thread " + thread);
        }
    }

    private static String bearer(HttpHeaders headers) {
        String h = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (h == null) {
            return null;
        }
        h = h.strip();
        return h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).strip() : null;
    }

    // ================================================================== endpoints

    private byte[] logsJson(ThreadId thread) {
        ThreadInfo info = logs.getThread(thread);
        ObjectNode root = json.createObjectNode();
        root.put("threadId", thread.toString());
        ArrayNode arr = root.putArray("logs");
        for (LogInfo log : info.logs()) {
            ObjectNode l = arr.addObject();
            l.put("id", log.id().toString());
            l.put("pubKey", log.pubKey().toString());
            Head h = log.head();
            if (h.isEmpty()) {
                l.putNull("head");
            } else {
                l.put("head", h.cid().toString());
            }
            l.put("counter", h.counter());
            ArrayNode addrs = l.putArray("addrs");
            for (Multiaddr a : log.addrs()) {
                addrs.add(a.toString());
            }
        }
        return bytes(root);
    }

    private byte[] page(ThreadId thread, String logText, QueryStringDecoder q) {
        LogId log;
        try {
            log = LogId.parse(logText);
        } catch (InvalidInputException e) {
            throw new HttpError(HttpResponseStatus.BAD_REQUEST, "not a log id: " + e.getMessage());
        }
        long offset = longParam(q, "offset", 0, 0);
        long limit = Math.min(longParam(q, "limit", config.pageDefault(), 1), config.pageMax());
        if (logs.logstore().keyBook().pubKey(thread, log).isEmpty()) {
            throw new HttpError(HttpResponseStatus.NOT_FOUND, "log " + log + " not found in thread " + thread);
        }
        Head head = logs.logstore().headBook().head(thread, log);
        List<RecordEnvelope> records = List.of();
        if (offset < head.counter()) {
            Cid after = offset == 0 ? null : positions.at(thread, log, offset, Long.MAX_VALUE).orElseThrow();
            records = logs.records(thread, log, after, (int) limit);
        }
        ObjectNode root = json.createObjectNode();
        root.put("threadId", thread.toString());
        root.put("logId", log.toString());
        root.put("offset", offset);
        root.put("limit", limit);
        ObjectNode h = root.putObject("head");
        if (head.isEmpty()) {
            h.putNull("cid");
        } else {
            h.put("cid", head.cid().toString());
        }
        h.put("counter", head.counter());
        ArrayNode arr = root.putArray("records");
        long bytes = 0;
        long counter = offset;
        Cid last = null;
        for (RecordEnvelope r : records) {
            if (!arr.isEmpty() && bytes + r.size() > config.pageMaxBytes()) {
                break;
            }
            bytes += r.size();
            counter++;
            last = r.id();
            ObjectNode o = arr.addObject();
            o.put("counter", counter);
            o.put("cid", last.toString());
            nodes(o, r);
        }
        if (last != null) {
            positions.remember(thread, log, counter, last);
        }
        root.put("next", counter);
        root.put("more", counter < Math.max(head.counter(), logs.logstore().headBook().head(thread, log).counter()));
        return bytes(root);
    }

    private static long longParam(QueryStringDecoder q, String name, long dflt, long min) {
        List<String> v = q.parameters().get(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        long n;
        try {
            n = Long.parseLong(v.get(0).strip());
        } catch (NumberFormatException e) {
            throw new HttpError(HttpResponseStatus.BAD_REQUEST, name + " must be an integer");
        }
        if (n < min) {
            throw new HttpError(HttpResponseStatus.BAD_REQUEST, name + " must be at least " + min);
        }
        return n;
    }

    private byte[] feed(ThreadId thread) {
        int max = config.feedEntries();
        List<RecentRecords.Entry> entries = new ArrayList<>(recent.newest(thread));
        Set<Cid> seen = new HashSet<>();
        entries.forEach(e -> seen.add(e.id()));
        if (entries.size() < max) {
            // fill from the logs' tails; their time is unknown here, so they carry the time this peer started
            // (they were stored no later than that)
            List<RecentRecords.Entry> older = new ArrayList<>();
            for (LogInfo log : logs.getThread(thread).logs()) {
                older.addAll(tail(thread, log, max, seen));
            }
            older.sort(Comparator.comparingLong(RecentRecords.Entry::counter).reversed()
                    .thenComparing(e -> e.log().toString()));
            for (RecentRecords.Entry e : older) {
                if (entries.size() >= max) {
                    break;
                }
                entries.add(e);
            }
        } else if (!logs.logstore().hasThread(thread)) {
            throw new NotFoundException("thread " + thread + " not found");
        }
        if (entries.size() > max) {
            entries = entries.subList(0, max);
        }
        Instant updated = entries.stream().map(RecentRecords.Entry::time).max(Comparator.naturalOrder()).orElse(started);
        String base = config.prefix() + thread;
        return AtomFeed.write(thread, entries, updated, base + "/feed.atom", l -> base + "/logs/" + l + "/records");
    }

    private List<RecentRecords.Entry> tail(ThreadId thread, LogInfo log, int max, Set<Cid> seen) {
        Head head = log.head();
        if (head.isEmpty()) {
            return List.of();
        }
        long from = Math.max(0, head.counter() - max);
        Optional<Cid> after = from == 0 ? Optional.empty() : positions.at(thread, log.id(), from, FEED_MAX_SCAN);
        List<RecentRecords.Entry> out = new ArrayList<>();
        if (from > 0 && after.isEmpty()) {
            if (!seen.contains(head.cid())) {
                out.add(new RecentRecords.Entry(log.id(), head.cid(), head.counter(), started));
            }
            return out;
        }
        long counter = from;
        for (RecordEnvelope r : logs.records(thread, log.id(), after.orElse(null), (int) (head.counter() - from))) {
            counter++;
            if (!seen.contains(r.id())) {
                out.add(new RecentRecords.Entry(log.id(), r.id(), counter, started));
            }
        }
        return out;
    }

    private void upgrade(ChannelHandlerContext ctx, Req req, ThreadId thread) {
        if (!"websocket".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE, ""))) {
            error(ctx, req, HttpResponseStatus.BAD_REQUEST, "expected a WebSocket upgrade", Map.of());
            return;
        }
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && !config.allowsOrigin(origin)) {
            error(ctx, req, HttpResponseStatus.FORBIDDEN, "origin not allowed", Map.of());
            return;
        }
        if (!hub.reserve()) {
            error(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, "too many open WebSockets", Map.of());
            return;
        }
        String url = "ws://" + req.headers().get(HttpHeaderNames.HOST, "localhost") + req.uri();
        FullHttpRequest copy = new DefaultFullHttpRequest(req.version(), req.method(), req.uri(), Unpooled.EMPTY_BUFFER,
                req.headers(), EmptyHttpHeaders.INSTANCE);
        WebSocketServerHandshaker hs = new WebSocketServerHandshakerFactory(url, null, false, WS_MAX_FRAME)
                .newHandshaker(copy);
        if (hs == null) {
            hub.release();
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return;
        }
        WebSocketHub.Session session = hub.newSession(thread, ctx.channel(), hs);
        try {
            // before the gateway's handler, so that frames reach the session whatever that handler does with them
            ctx.pipeline().addBefore(ctx.name(), "weft-readers-ws", session.handler());
            hs.handshake(ctx.channel(), copy).addListener((ChannelFuture f) -> {
                if (f.isSuccess()) {
                    session.register();
                } else {
                    session.detach();
                    f.channel().close();
                }
            });
        } catch (RuntimeException e) {
            session.detach();
            LOG.debug("readers: WebSocket upgrade failed: {}", e.toString());
            ctx.close();
        }
    }

    // ================================================================== pushes

    private void appended(ThreadId thread, AppendResult r) {
        Instant now = clock.instant();
        positions.appended(thread, r);
        recent.add(thread, new RecentRecords.Entry(r.log(), r.record().id(), r.counter(), now));
        hub.push(thread, () -> {
            ObjectNode o = json.createObjectNode();
            o.put("threadId", thread.toString());
            o.put("logId", r.log().toString());
            o.put("counter", r.counter());
            o.put("cid", r.record().id().toString());
            o.put("time", now.toString());
            nodes(o, r.record().envelope());
            return bytes(o);
        });
    }

    private static void nodes(ObjectNode o, RecordEnvelope r) {
        Base64.Encoder b64 = Base64.getEncoder();
        o.put("recordNode", b64.encodeToString(r.recordNode()));
        o.put("eventNode", b64.encodeToString(r.eventNode()));
        o.put("headerNode", b64.encodeToString(r.headerNode()));
        o.put("bodyNode", b64.encodeToString(r.bodyNode()));
    }

    // ================================================================== responses

    private byte[] bytes(ObjectNode node) {
        try {
            return json.writeValueAsBytes(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("JSON encoding failed", e);
        }
    }

    private void ok(ChannelHandlerContext ctx, Req req, String type, byte[] body) {
        respond(ctx, req, HttpResponseStatus.OK, type, body, Map.of());
    }

    private void error(ChannelHandlerContext ctx, Req req, HttpResponseStatus status, String message,
                       Map<String, String> headers) {
        ObjectNode o = json.createObjectNode();
        o.put("error", message);
        o.put("status", status.code());
        respond(ctx, req, status, "application/json; charset=utf-8", bytes(o), headers);
    }

    /** Answers a CORS preflight: GET with an {@code Authorization} header, from allowed origins. */
    private void preflight(ChannelHandlerContext ctx, Req req) {
        FullHttpResponse resp = new DefaultFullHttpResponse(req.version(), HttpResponseStatus.NO_CONTENT);
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && config.allowsOrigin(origin)) {
            resp.headers()
                    .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin)
                    .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET")
                    .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "Authorization")
                    .set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
        }
        resp.headers().set(HttpHeaderNames.VARY, "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
        HttpUtil.setContentLength(resp, 0);
        HttpUtil.setKeepAlive(resp, req.keepAlive());
        ChannelFuture f = ctx.writeAndFlush(resp);
        if (!req.keepAlive()) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void respond(ChannelHandlerContext ctx, Req req, HttpResponseStatus status, String type, byte[] body,
                         Map<String, String> headers) {
        FullHttpResponse resp = new DefaultFullHttpResponse(req.version(), status, Unpooled.wrappedBuffer(body));
        resp.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, type)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set("X-Content-Type-Options", "nosniff");
        headers.forEach((k, v) -> resp.headers().set(k, v));
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && config.allowsOrigin(origin)) {
            resp.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin).set(HttpHeaderNames.VARY, "Origin");
        }
        HttpUtil.setKeepAlive(resp, req.keepAlive());
        ChannelFuture f = ctx.writeAndFlush(resp);
        if (!req.keepAlive()) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
