package io.weft.itests.libp2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The harness itself, JS ↔ JS, driven through {@link JsPeer}: a baseline for {@link Libp2pInteropIT} (if this fails,
 * the js side or Node is broken, not the Java transport) and a check that {@link StreamLoops#pattern} is the harness's
 * data.
 */
class JsHarnessIT {
    static final Duration T = Duration.ofSeconds(30);

    @Test
    void twoJsPeersDialEchoPingAndPublish() throws Exception {
        try (JsPeer a = JsPeer.start("--topic", "harness"); JsPeer b = JsPeer.start("--pubsub", "floodsub", "--topic", "harness",
                "--seed-hex", "0000000000000000000000000000000000000000000000000000000000000000")) {
            assertEquals("12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN", b.peerIdText(), "seed 00…00 gives the known id");
            JsonNode dial = a.callOk("dial " + b.address(), T);
            assertEquals("/noise", dial.path("encryption").asText());
            assertEquals("/yamux/1.0.0", dial.path("muxer").asText());

            int size = 64 * 1024 + 3;
            JsonNode echo = a.callOk("echo " + b.peerIdText() + " /echo/1.0.0 " + size, T);
            assertEquals(StreamLoops.sha256(StreamLoops.pattern(size)), echo.path("sentSha256").asText());
            assertEquals(echo.path("sentSha256").asText(), echo.path("receivedSha256").asText());

            assertTrue(b.callOk("ping " + a.peerIdText(), T).path("rtt").isNumber());
            assertTrue(a.callOk("identify-info " + b.peerIdText(), T).path("publicKeyMatches").asBoolean());

            b.awaitEvent(e -> e.path("event").asText().equals("subscription-change") && e.path("peerId").asText().equals(a.peerIdText()), T);
            a.awaitEvent(e -> e.path("event").asText().equals("subscription-change") && e.path("peerId").asText().equals(b.peerIdText()), T);
            b.callOk("publish harness floodsub to gossipsub", T);
            JsonNode m = a.awaitEvent(e -> e.path("event").asText().equals("message"), T);
            assertEquals("signed", m.path("type").asText());
            assertEquals("floodsub to gossipsub", m.path("text").asText());
            assertEquals(b.peerIdText(), m.path("from").asText());
        }
    }
}
