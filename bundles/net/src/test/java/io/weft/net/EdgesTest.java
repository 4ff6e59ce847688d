package io.weft.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.weft.api.format.Cid;
import io.weft.api.log.Head;
import io.weft.api.thread.LogId;
import io.weft.api.thread.PeerId;
import io.weft.core.crypto.Ed25519;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EdgesTest {
    private final LogId l1 = LogId.of(Ed25519.generate().publicKey());
    private final LogId l2 = LogId.of(Ed25519.generate().publicKey());
    private final PeerId p1 = PeerId.of(Ed25519.generate().publicKey());
    private final PeerId p2 = PeerId.of(Ed25519.generate().publicKey());
    private final Head h1 = new Head(Cid.dagCbor(new byte[] {1}), 1);
    private final Head h2 = new Head(Cid.dagCbor(new byte[] {2}), 5);

    @Test
    void headsEdgeIsOrderIndependentAndSeesEveryChange() {
        Map<LogId, Head> a = new LinkedHashMap<>();
        a.put(l1, h1);
        a.put(l2, h2);
        Map<LogId, Head> b = new LinkedHashMap<>();
        b.put(l2, h2);
        b.put(l1, h1);
        assertEquals(Edges.heads(a), Edges.heads(b));
        b.put(l1, new Head(Cid.dagCbor(new byte[] {3}), 2));
        assertNotEquals(Edges.heads(a), Edges.heads(b));
        assertEquals(Edges.EMPTY, Edges.heads(Map.of()));
        assertEquals(Edges.EMPTY, Edges.heads(Map.of(l1, Head.EMPTY)), "an empty log has no head to compare");
    }

    @Test
    void addressEdgeCoversHostingPeersOnly() {
        Map<LogId, List<PeerId>> a = new HashMap<>(Map.of(l1, List.of(p1, p2), l2, List.of(p2)));
        Map<LogId, List<PeerId>> b = new HashMap<>(Map.of(l2, List.of(p2), l1, List.of(p2, p1, p1)));
        assertEquals(Edges.addrs(a), Edges.addrs(b));
        b.put(l2, List.of(p1));
        assertNotEquals(Edges.addrs(a), Edges.addrs(b));
        assertEquals(Edges.EMPTY, Edges.addrs(Map.of()));
    }

    @Test
    void fnv1aMatchesTheReferenceValueOfOneItem() {
        // FNV-1a 64 of the bytes of (log id || head id), computed independently of Edges
        byte[] item = new byte[l1.bytes().length + h1.cid().bytes().length];
        System.arraycopy(l1.bytes(), 0, item, 0, l1.bytes().length);
        System.arraycopy(h1.cid().bytes(), 0, item, l1.bytes().length, h1.cid().bytes().length);
        long h = 0xcbf29ce484222325L;
        for (byte x : item) {
            h = (h ^ (x & 0xff)) * 0x100000001b3L;
        }
        assertEquals(h, Edges.heads(Map.of(l1, h1)));
    }
}
