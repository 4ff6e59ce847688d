package io.weft.transport.libp2p;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.weft.api.crypto.PrivateKey;
import io.weft.api.net.PeerInfo;
import io.weft.api.net.TransportException;
import io.weft.api.net.TransportException.Kind;
import io.weft.api.thread.PeerId;
import io.weft.core.crypto.Ed25519;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Peer ids and keys against the libp2p vectors collected in {@code ../shared/notes/libp2p.md} §5 (libp2p/specs
 * peer-ids test vectors, ids computed with @libp2p/peer-id 6.0.15), and the identify key check.
 */
class PeerIdVectorsTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void specEd25519KeyDerivesTheJsPeerId() {
        PrivateKey key = Ed25519.unmarshal(HEX.parseHex("080112407e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d"
                + "1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e"));
        assertArrayEquals(HEX.parseHex("080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e"),
                key.publicKey().marshal());
        PeerId id = PeerId.of(key.publicKey());
        assertEquals("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq", id.toString());
        assertEquals("bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6", id.toCidString());
        assertEquals(id, PeerId.parse("bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6"));
        assertEquals(id, Identify.peerIdOfKey(key.publicKey().marshal()));
        assertEquals("4ca0bc70e79622eaec28ea3f707909fae2d1e7102fec1f49de10feaaa4ddfc35352caecba9360da297196840d59ac7f9d2afcbed787ed5648b654a63534fe20d",
                HEX.formatHex(Ed25519.sign(key, "libp2p".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void seedsDeriveTheHarnessPeerIds() {
        PeerId zero = PeerId.of(Ed25519.fromSeed(new byte[32]).publicKey());
        assertEquals("12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN", zero.toString());
        assertEquals("bafzaajaiaejcao3ke66m5nvefvrkhkgqfjxq243fgikxohpciotdvqciugfvtwrj", zero.toCidString());
        byte[] ones = new byte[32];
        java.util.Arrays.fill(ones, (byte) 1);
        assertEquals("12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5",
                PeerId.of(Ed25519.fromSeed(ones).publicKey()).toString());
    }

    @Test
    void largeKeysHashToSha256Ids() {
        byte[] rsaLike = new byte[300];
        new Random(1).nextBytes(rsaLike);
        PeerId id = Identify.peerIdOfKey(rsaLike);
        assertEquals(0x12, id.bytes()[0]);
        assertEquals(34, id.bytes().length);
        assertEquals(id, PeerId.parse(id.toString()));
        PeerId.parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
    }

    @Test
    void identifyRejectsAKeyOfAnotherPeer() {
        PrivateKey a = Ed25519.generate();
        PeerId b = PeerId.of(Ed25519.generate().publicKey());
        byte[] message = Identify.message(a.publicKey(), "x/1", List.of("/ipfs/ping/1.0.0"), List.of(), null);
        TransportException e = assertThrows(TransportException.class, () -> Identify.parse(b, message));
        assertEquals(Kind.PEER_ID_MISMATCH, e.kind());
        PeerInfo ok = Identify.parse(PeerId.of(a.publicKey()), message);
        assertEquals("x/1", ok.agentVersion());
        assertEquals(List.of("/ipfs/ping/1.0.0"), ok.protocols());
    }

    @Test
    void identifyParserOnlyEverThrowsTransportExceptions() {
        PeerId peer = PeerId.of(Ed25519.generate().publicKey());
        Random random = new Random(3);
        byte[] valid = Identify.message(Ed25519.generate().publicKey(), "weft/0.1.0", List.of("/a", "/b"), List.of(), null);
        for (int i = 0; i < 5000; i++) {
            byte[] input;
            if (i % 2 == 0) {
                input = new byte[random.nextInt(200)];
                random.nextBytes(input);
            } else {
                input = valid.clone();
                input[random.nextInt(input.length)] ^= (byte) (1 + random.nextInt(255));
                input = java.util.Arrays.copyOf(input, random.nextInt(input.length + 1));
            }
            final byte[] bytes = input;
            try {
                Identify.parse(peer, bytes);
            } catch (RuntimeException e) {
                assertInstanceOf(TransportException.class, e, "input " + HEX.formatHex(bytes));
            }
        }
    }
}
