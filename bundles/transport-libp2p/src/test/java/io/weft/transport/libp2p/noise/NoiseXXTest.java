package io.weft.transport.libp2p.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.api.net.TransportException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class NoiseXXTest {
    private static final HexFormat HEX = HexFormat.of();
    /** The Cacophony vector (copied from /work/shared/vectors so the test is self-contained). */
    private static final String VECTOR = """
            {
             "protocol_name": "Noise_XX_25519_ChaChaPoly_SHA256",
             "init_prologue": "4a6f686e2047616c74",
             "init_static": "e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1",
             "init_ephemeral": "893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a",
             "resp_prologue": "4a6f686e2047616c74",
             "resp_static": "4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893",
             "resp_ephemeral": "bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b",
             "handshake_hash": "c8e5f64e846193be2a834104c2a009868d6c9f3bd3c186299888b488b2f1f58e",
             "messages": [
              {"payload": "4c756477696720766f6e204d69736573",
               "ciphertext": "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79444c756477696720766f6e204d69736573"},
              {"payload": "4d757272617920526f746862617264",
               "ciphertext": "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f14480884381cbad1f276e038c48378ffce2b65285e08d6b68aaa3629a5a8639392490e5b9bd5269c2f1e4f488ed8831161f19b7815528f8982ffe09be9b5c412f8a0db50f8814c7194e83f23dbd8d162c9326ad"},
              {"payload": "462e20412e20486179656b",
               "ciphertext": "c7195ffacac1307ff99046f219750fc47693e23c3cb08b89c2af808b444850a80ae475b9df0f169ae80a89be0865b57f58c9fea0d4ec82a286427402f113e4b6ae769a1d95941d49b25030"},
              {"payload": "4361726c204d656e676572",
               "ciphertext": "96763ed773f8e47bb3712f0e29b3060ffc956ffc146cee53d5e1df"},
              {"payload": "4a65616e2d426170746973746520536179",
               "ciphertext": "3e40f15f6f3a46ae446b253bf8b1d9ffb6ed9b174d272328ff91a7e2e5c79c07f5"},
              {"payload": "457567656e2042f6686d20766f6e2042617765726b",
               "ciphertext": "eb3f3515110702e047a6c9da4478b6ead94873c11c0f2d710ddb3f09fce024b3a58502ae3f"}
             ]
            }
            """;

    private static JsonNode vector() throws Exception {
        Path shared = Path.of("/work/shared/vectors/noise-xx-25519-chachapoly-sha256.cacophony.json");
        String text = Files.isReadable(shared) ? Files.readString(shared) : VECTOR;
        return new ObjectMapper().readTree(text);
    }

    private static byte[] hex(JsonNode n, String field) {
        return HEX.parseHex(n.get(field).asText());
    }

    @Test
    void reproducesCacophonyVectorByteForByte() throws Exception {
        JsonNode v = vector();
        assertEquals(NoiseXX.PROTOCOL_NAME, v.get("protocol_name").asText());
        NoiseXX init = NoiseXX.withEphemeral(true, hex(v, "init_prologue"), hex(v, "init_static"), hex(v, "init_ephemeral"));
        NoiseXX resp = NoiseXX.withEphemeral(false, hex(v, "resp_prologue"), hex(v, "resp_static"), hex(v, "resp_ephemeral"));
        JsonNode messages = v.get("messages");
        assertEquals(6, messages.size());
        for (int i = 0; i < 3; i++) {
            NoiseXX writer = i % 2 == 0 ? init : resp;
            NoiseXX reader = i % 2 == 0 ? resp : init;
            byte[] payload = hex(messages.get(i), "payload");
            byte[] ct = writer.writeMessage(payload);
            assertEquals(messages.get(i).get("ciphertext").asText(), HEX.formatHex(ct), "handshake message " + i);
            assertArrayEquals(payload, reader.readMessage(ct), "handshake payload " + i);
        }
        assertTrue(init.isComplete());
        assertTrue(resp.isComplete());
        assertEquals(v.get("handshake_hash").asText(), HEX.formatHex(init.handshakeHash()));
        assertEquals(v.get("handshake_hash").asText(), HEX.formatHex(resp.handshakeHash()));
        assertArrayEquals(NoiseXX.publicKey(hex(v, "resp_static")), init.remoteStaticPublicKey());
        assertArrayEquals(NoiseXX.publicKey(hex(v, "init_static")), resp.remoteStaticPublicKey());
        for (int i = 3; i < 6; i++) {
            NoiseXX writer = i % 2 == 0 ? init : resp;
            NoiseXX reader = i % 2 == 0 ? resp : init;
            byte[] payload = hex(messages.get(i), "payload");
            byte[] ct = writer.sendCipher().encrypt(null, payload);
            assertEquals(messages.get(i).get("ciphertext").asText(), HEX.formatHex(ct), "transport message " + i);
            assertArrayEquals(payload, reader.receiveCipher().decrypt(null, ct), "transport payload " + i);
        }
    }

    @Test
    void randomKeysAgreeAndTamperingIsDetected() throws Exception {
        NoiseXX init = NoiseXX.initiator(NoiseXX.generatePrivateKey(), null);
        NoiseXX resp = NoiseXX.responder(NoiseXX.generatePrivateKey(), new byte[0]);
        assertTrue(init.isWriteTurn());
        assertFalse(resp.isWriteTurn());
        resp.readMessage(init.writeMessage(new byte[0]));
        init.readMessage(resp.writeMessage("two".getBytes()));
        resp.readMessage(init.writeMessage("three".getBytes()));
        assertArrayEquals(init.handshakeHash(), resp.handshakeHash());
        byte[] ct = init.sendCipher().encrypt(null, "hello".getBytes());
        ct[3] ^= 1;
        TransportException e = assertThrows(TransportException.class, () -> resp.receiveCipher().decrypt(null, ct));
        assertEquals(TransportException.Kind.PROTOCOL_ERROR, e.kind());
        assertEquals(0, resp.receiveCipher().nonce(), "a failed decryption must not advance the counter");
    }

    @Test
    void prologueMismatchFailsTheHandshake() throws Exception {
        NoiseXX init = NoiseXX.initiator(NoiseXX.generatePrivateKey(), "a".getBytes());
        NoiseXX resp = NoiseXX.responder(NoiseXX.generatePrivateKey(), "b".getBytes());
        resp.readMessage(init.writeMessage(new byte[0]));
        byte[] m2 = resp.writeMessage(new byte[0]);
        assertEquals(TransportException.Kind.PROTOCOL_ERROR, assertThrows(TransportException.class, () -> init.readMessage(m2)).kind());
    }

    @Test
    void shortAndLowOrderMessagesAreProtocolErrors() throws Exception {
        NoiseXX resp = NoiseXX.responder(NoiseXX.generatePrivateKey(), null);
        assertThrows(TransportException.class, () -> resp.readMessage(new byte[31]));
        NoiseXX resp2 = NoiseXX.responder(NoiseXX.generatePrivateKey(), null);
        resp2.readMessage(new byte[32]); // the all-zero point: accepted as bytes, rejected at DH
        TransportException e = assertThrows(TransportException.class, () -> resp2.writeMessage(new byte[0]));
        assertEquals(TransportException.Kind.PROTOCOL_ERROR, e.kind());
        NoiseXX init = NoiseXX.initiator(NoiseXX.generatePrivateKey(), null);
        init.writeMessage(new byte[0]);
        assertThrows(TransportException.class, () -> init.readMessage(new byte[95]));
    }
}
