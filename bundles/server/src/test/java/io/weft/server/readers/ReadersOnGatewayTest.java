package io.weft.server.readers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.log.AppendResult;
import io.weft.api.thread.ThreadId;
import io.weft.core.cbor.CborValue;
import io.weft.core.cbor.DagCbor;
import io.weft.core.crypto.Ed25519;
import io.weft.logstore.LocalLogService;
import io.weft.server.Await;
import io.weft.server.web.WebConfig;
import io.weft.server.web.WebGateway;
import io.weft.store.memory.MemoryDatastore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The readers mounted on the real web gateway: its pipeline, its idle timer, its request tracking. */
class ReadersOnGatewayTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void pagesAndPushesWorkThroughTheGatewayAndIdleSocketsArePingedNotClosed() throws Exception {
        MemoryDatastore store = new MemoryDatastore();
        LocalLogService logs = new LocalLogService(store);
        ManagedChannel none = InProcessChannelBuilder.forName("no-grpc-here").build();
        ReadersRoute route = new ReadersRoute(logs, ReadersConfig.defaults());
        WebGateway gateway = new WebGateway(WebConfig.defaults().withPort(0).withIdleTimeout(Duration.ofMillis(300)),
                none, name -> null, List.of(route));
        try {
            gateway.start();
            PrivateKey writer = Ed25519.generate();
            ThreadId t = logs.createThread(ThreadId.newRandom(), null).id();
            String token = ReaderTokens.token(t, logs.getThread(t).key());
            logs.createRecord(t, writer, DagCbor.encode(CborValue.map("n", CborValue.integer(1))));
            String base = "127.0.0.1:" + gateway.port() + "/threads/" + t;

            HttpClient http = HttpClient.newHttpClient();
            // two requests on one keep-alive connection: the gateway's exchange tracking sees both answered
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + base + "/logs"))
                        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                assertEquals(1, JSON.readTree(r.body()).get("logs").get(0).get("counter").asLong());
            }
            assertEquals(401, http.send(HttpRequest.newBuilder(URI.create("http://" + base + "/logs")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());

            BlockingQueue<String> frames = new LinkedBlockingQueue<>();
            AtomicInteger pings = new AtomicInteger();
            WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://" + base + "/ws?token=" + token),
                    new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                            frames.add(data.toString());
                            w.request(1);
                            return null;
                        }

                        @Override
                        public CompletionStage<?> onPing(WebSocket w, ByteBuffer message) {
                            pings.incrementAndGet(); // the JDK client answers with a pong
                            w.request(1);
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            await(() -> route.pushing(t));
            await(() -> pings.get() >= 3); // several idle periods: pinged each time, answered, kept open
            assertEquals(1, route.openWebSockets());

            AppendResult r2 = logs.createRecord(t, writer, DagCbor.encode(CborValue.map("n", CborValue.integer(2))));
            String f = frames.poll(10, TimeUnit.SECONDS);
            assertNotNull(f);
            JsonNode n = JSON.readTree(f);
            assertEquals(r2.record().id().toString(), n.get("cid").asText());
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
            await(() -> route.openWebSockets() == 0);
        } finally {
            gateway.close();
            route.close();
            none.shutdownNow();
            store.close();
        }
    }

    private static void await(java.util.function.BooleanSupplier condition) {
        Await.until("the condition", Duration.ofSeconds(20), condition);
    }
}
