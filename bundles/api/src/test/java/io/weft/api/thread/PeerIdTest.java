package io.weft.api.thread;

import static io.weft.api.format.TestVectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.api.InvalidInputException;
import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Cid;
import io.weft.api.format.Fuzz;
import io.weft.api.format.Multibase;
import io.weft.api.format.Multibase.Base;
import io.weft.api.format.Multihash;
import io.weft.api.format.TestVectors;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class PeerIdTest {

    private static final String LOG_PEER_LINE = "log peer ID bytes =";

    /** records.txt: "log ed25519 seed = … pub = …" and "log peer ID bytes = … string = 12D3KooW…". */
    @Test
    void recordsLogPeerId() {
        PublicKey pub = new PublicKey(hex(TestVectors.after(TestVectors.recordsLine("log ed25519 seed"), "pub =")));
        String line = TestVectors.recordsLine(LOG_PEER_LINE);
        String bytesHex = TestVectors.after(line, "bytes =");
        String text = TestVectors.after(line, "string =");

        PeerId peer = PeerId.of(pub);
        assertEquals(bytesHex, hex(peer.bytes()));
        assertEquals(text, peer.toString());
        assertEquals(peer, PeerId.parse(text));
        assertEquals(peer, new PeerId(hex(bytesHex)));
        assertEquals(pub, peer.publicKey());

        LogId log = LogId.of(pub);
        assertEquals(bytesHex, hex(log.bytes()));
        assertEquals(text, log.toString());
        assertEquals(log, LogId.parse(text));
        assertEquals(log, new LogId(hex(bytesHex)));
        assertEquals(pub, log.publicKey());
    }

    @Test
    void cidFormRoundTrips() {
        String text = TestVectors.after(TestVectors.recordsLine(LOG_PEER_LINE), "string =");
        PeerId peer = PeerId.parse(text);
        String cid = peer.toCidString();
        assertTrue(cid.startsWith("bafzaajaiaejc"), cid); // 01 72 00 24 08 01 12 20 in base32
        assertEquals(peer, PeerId.parse(cid));
        Cid parsed = Cid.parse(cid);
        assertEquals(Cid.LIBP2P_KEY, parsed.codec());
        assertArrayEquals(peer.bytes(), parsed.multihash().bytes());
        // any multibase of the CID form is accepted
        for (Base b : Base.values()) {
            assertEquals(peer, PeerId.parse(parsed.toString(b)), b.name());
        }
        LogId log = LogId.parse(text);
        assertEquals(log, LogId.parse(log.toCidString()));
        assertEquals(cid, log.toCidString());
    }

    @Test
    void otherLibp2pPeerIds() {
        // sha2-256 id (RSA host, like the IPFS bootstrap peers): accepted, but carries no inlined key
        PeerId rsa = PeerId.parse("QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN");
        assertEquals(Multihash.SHA2_256, Multihash.decode(rsa.bytes()).code());
        assertEquals("QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN", rsa.toString());
        assertThrows(InvalidInputException.class, rsa::publicKey);

        // identity id of a secp256k1 key (08 02 12 21 || 33 bytes): a valid peer id, not a valid log id
        byte[] secp = new byte[37];
        secp[0] = 0x08;
        secp[1] = 0x02;
        secp[2] = 0x12;
        secp[3] = 0x21;
        secp[4] = 0x02;
        byte[] id = Multihash.identity(secp).bytes();
        PeerId k1 = new PeerId(id);
        assertTrue(k1.toString().startsWith("16Uiu2"), k1.toString());
        assertEquals(k1, PeerId.parse(k1.toString()));
        assertThrows(InvalidInputException.class, k1::publicKey);
        assertThrows(InvalidInputException.class, () -> new LogId(id));
    }

    @Test
    void rejectsMalformed() {
        String good = TestVectors.after(TestVectors.recordsLine(LOG_PEER_LINE), "string =");
        byte[] goodBytes = PeerId.parse(good).bytes();
        for (String bad : new String[] {"", "1", "12D3KooW", good.substring(0, good.length() - 1), good + "1",
                good.replace('W', '0'), "bafyreieuo4edy3t6wft744mmy7osu7nosg6tiyhl3eptlqp6w3kxgw5fvm" /* dag-cbor CID */,
                "Qm", "QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJ", Multibase.encode(goodBytes)}) {
            assertThrows(InvalidInputException.class, () -> PeerId.parse(bad), bad);
            assertThrows(InvalidInputException.class, () -> LogId.parse(bad), bad);
        }
        assertThrows(InvalidInputException.class, () -> PeerId.parse(null));
        assertThrows(InvalidInputException.class, () -> new PeerId(null));
        assertThrows(InvalidInputException.class, () -> new PeerId(new byte[0]));
        // unsupported hash function
        assertThrows(InvalidInputException.class, () -> new PeerId(new Multihash(0x13, new byte[64]).bytes()));
        // identity of something that is not a key
        assertThrows(InvalidInputException.class, () -> new PeerId(Multihash.identity(new byte[] {1, 2, 3}).bytes()));
        // Ed25519 framing with a short key
        byte[] shortKey = Arrays.copyOf(PublicKey.unmarshal(Arrays.copyOfRange(goodBytes, 2, 38)).marshal(), 35);
        shortKey[3] = 31;
        assertThrows(InvalidInputException.class, () -> new PeerId(Multihash.identity(shortKey).bytes()));
        // unknown key type 9
        byte[] type9 = Arrays.copyOfRange(goodBytes, 2, 38);
        type9[1] = 9;
        assertThrows(InvalidInputException.class, () -> new PeerId(Multihash.identity(type9).bytes()));
        // trailing byte
        assertThrows(InvalidInputException.class, () -> new PeerId(Arrays.copyOf(goodBytes, goodBytes.length + 1)));
    }

    @Test
    void bytesAreCopied() {
        PeerId p = PeerId.of(new PublicKey(new byte[32]));
        p.bytes()[10] ^= 1;
        assertEquals(p, PeerId.of(new PublicKey(new byte[32])));
    }

    @Property
    void roundTrips(@ForAll @Size(32) byte[] raw) {
        PublicKey key = new PublicKey(raw);
        PeerId peer = PeerId.of(key);
        assertTrue(peer.toString().startsWith("12D3KooW"), peer.toString());
        assertEquals(peer, PeerId.parse(peer.toString()));
        assertEquals(peer, PeerId.parse(peer.toCidString()));
        assertEquals(peer, new PeerId(peer.bytes()));
        assertEquals(key, peer.publicKey());
        LogId log = LogId.of(key);
        assertArrayEquals(peer.bytes(), log.bytes());
        assertEquals(log, LogId.parse(log.toString()));
        assertEquals(log, LogId.parse(log.toCidString()));
        assertEquals(key, log.publicKey());
    }

    @Property
    void sha256IdsRoundTrip(@ForAll @Size(max = 300) byte[] key) {
        PeerId peer = new PeerId(Multihash.sha256(key).bytes());
        assertTrue(peer.toString().startsWith("Qm"));
        assertEquals(peer, PeerId.parse(peer.toString()));
        assertEquals(peer, PeerId.parse(peer.toCidString()));
    }

    @Property
    void everyTruncationIsRejected(@ForAll @Size(32) byte[] raw) {
        byte[] b = PeerId.of(new PublicKey(raw)).bytes();
        for (int n = 0; n < b.length; n++) {
            byte[] cut = Arrays.copyOf(b, n);
            assertThrows(InvalidInputException.class, () -> new PeerId(cut));
            assertThrows(InvalidInputException.class, () -> new LogId(cut));
        }
    }

    @Property
    void garbageOnlyThrowsInvalidInput(@ForAll @Size(max = 60) byte[] garbage) {
        Fuzz.onlyInvalidInput(() -> new PeerId(garbage));
        Fuzz.onlyInvalidInput(() -> new LogId(garbage));
    }

    @Property
    void garbageFramedAsIdentityOnlyThrowsInvalidInput(@ForAll @Size(max = 42) byte[] garbage) {
        byte[] framed = Multihash.identity(garbage).bytes();
        Fuzz.onlyInvalidInput(() -> new PeerId(framed).toString());
        Fuzz.onlyInvalidInput(() -> new LogId(framed).publicKey());
    }

    @Property
    void garbageTextOnlyThrowsInvalidInput(@ForAll @Size(max = 80) String garbage) {
        Fuzz.onlyInvalidInput(() -> PeerId.parse(garbage));
        Fuzz.onlyInvalidInput(() -> LogId.parse(garbage));
        Fuzz.onlyInvalidInput(() -> PeerId.parse("12D3KooW" + garbage));
        Fuzz.onlyInvalidInput(() -> PeerId.parse("Qm" + garbage));
        Fuzz.onlyInvalidInput(() -> PeerId.parse("bafzaajaiaejc" + garbage));
    }
}
