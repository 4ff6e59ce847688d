package io.weft.transport.libp2p.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.weft.api.thread.PeerId;
import io.weft.core.crypto.Ed25519;
import io.weft.transport.libp2p.proto.Libp2pProto.ControlIWant;
import io.weft.transport.libp2p.proto.Libp2pProto.ControlMessage;
import io.weft.transport.libp2p.proto.Libp2pProto.Message;
import io.weft.transport.libp2p.proto.Libp2pProto.RPC;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Messages from js-libp2p floodsub (11.0.28) whose random seqno has a leading zero byte: js sends, and signs, the
 * seqno without it (7 bytes, or fewer). One such message in 256 used to be dropped as invalid: deterministic here.
 */
class JsFloodsubSeqnoTest {
    private static final long SEQNO = 0x00C0FFEE12345678L;

    private final MemNetwork net = new MemNetwork();

    @AfterEach
    void tearDown() throws InterruptedException {
        net.close();
    }

    /** A message as js floodsub builds it: the seqno without its leading zero bytes, signed as sent. */
    private static Message jsFloodsubMessage(RawPeer author, String text, long seqno) {
        byte[] full = ByteBuffer.allocate(8).putLong(seqno).array();
        int skip = 0;
        while (skip < 7 && full[skip] == 0) {
            skip++;
        }
        Message unsigned = Message.newBuilder().setFrom(ByteString.copyFrom(author.id().bytes()))
                .setData(ByteString.copyFromUtf8(text)).setSeqno(ByteString.copyFrom(Arrays.copyOfRange(full, skip, 8)))
                .setTopic("t").build();
        byte[] signature = Ed25519.sign(author.node.key, StrictSign.signedBytes(unsigned));
        return unsigned.toBuilder().setSignature(ByteString.copyFrom(signature))
                .setKey(ByteString.copyFrom(author.node.key.publicKey().marshal())).build();
    }

    private static boolean carries(RPC rpc, String text) {
        return rpc.getPublishList().stream().anyMatch(m -> m.getData().toStringUtf8().equals(text));
    }

    private static RawPeer floodsubPeer(MemNetwork net, PubSubRouter to) {
        RawPeer r = new RawPeer(net, PubSubRouter.FLOODSUB);
        net.connect(net.nodeOf(to), r.node);
        r.subscribe(net.idOf(to), "t");
        return r;
    }

    @Test
    void floodsubRouterDeliversAndRelaysThem() throws Exception {
        PubSubRouter a = net.router(false, true);
        PubSubRouter c = net.router(false, true);
        Inbox atA = new Inbox();
        Inbox atC = new Inbox();
        a.subscribe("t", atA);
        c.subscribe("t", atC);
        net.connect(a, c);
        RawPeer js = floodsubPeer(net, a);
        PeerId aId = net.idOf(a);
        Await.until(() -> a.peers("t").contains(js.id()) && a.peers("t").contains(net.idOf(c))
                && c.peers("t").contains(aId), "subscriptions");

        Message short7 = jsFloodsubMessage(js, "short seqno", SEQNO);
        assertEquals(7, short7.getSeqno().size());
        js.publish(aId, short7);
        assertEquals(js.id(), atA.expect("short seqno").from());
        assertEquals(SEQNO, atC.expect("short seqno").seqno());
        // the same seqno again, in the spec's 8-byte form, is the same message: not delivered twice
        js.publish(aId, StrictSign.sign(js.node.key, js.id(), "t", "short seqno".getBytes(StandardCharsets.UTF_8), SEQNO));
        js.publish(aId, jsFloodsubMessage(js, "fence", SEQNO + 1));
        atA.expect("fence");
        atC.expect("fence");
        assertEquals(1, atA.counts.get("short seqno"));
        assertEquals(1, atC.counts.get("short seqno"));
        assertEquals(0, a.invalidMessages(js.id()));

        // and ours never start with a zero byte (js floodsub would fail to verify them)
        a.publish("t", "from a".getBytes(StandardCharsets.UTF_8)).join();
        Message ours = js.await(rpc -> carries(rpc, "from a"), "a's message").getPublish(0);
        assertEquals(8, ours.getSeqno().size());
        assertNotEquals(0, ours.getSeqno().byteAt(0));
    }

    @Test
    void gossipsubRouterDeliversThemAndPassesThemOnToFloodsubPeersOnly() throws Exception {
        PubSubRouter a = net.router(true, true);
        PubSubRouter c = net.router(true, true);
        Inbox atA = new Inbox();
        Inbox atC = new Inbox();
        a.subscribe("t", atA);
        c.subscribe("t", atC);
        net.connect(a, c);
        PeerId aId = net.idOf(a);
        RawPeer js = floodsubPeer(net, a);
        RawPeer otherJs = floodsubPeer(net, a);
        RawPeer gossiper = new RawPeer(net, PubSubRouter.MESHSUB_1_1);
        net.connect(net.nodeOf(a), gossiper.node);
        gossiper.subscribe(aId, "t");
        Await.until(() -> a.peers("t").containsAll(List.of(js.id(), otherJs.id(), gossiper.id(), net.idOf(c)))
                && c.peers("t").contains(aId) && a.outboundOpen(gossiper.id()) && a.outboundOpen(net.idOf(c)), "subscriptions");
        for (int i = 0; i < 50 && !a.meshPeers("t").containsAll(List.of(net.idOf(c), gossiper.id())); i++) {
            a.heartbeat();
            c.heartbeat();
            Await.within(() -> a.meshPeers("t").containsAll(List.of(net.idOf(c), gossiper.id())), Duration.ofMillis(100));
        }
        assertEquals(Set.of(net.idOf(c), gossiper.id()), a.meshPeers("t"));

        Message short7 = jsFloodsubMessage(js, "short seqno", SEQNO);
        js.publish(aId, short7);
        atA.expect("short seqno");
        // floodsub peers get it; gossipsub peers do not (they reject seqnos that are not 8 bytes): a spec-conform
        // message after it reaches the mesh, and the short one did not come before it on the same stream
        otherJs.await(rpc -> carries(rpc, "short seqno"), "the short-seqno message at the other floodsub peer");
        Message fence = StrictSign.sign(js.node.key, js.id(), "t", "fence".getBytes(StandardCharsets.UTF_8), SEQNO + 1);
        js.publish(aId, fence);
        atA.expect("fence");
        atC.expect("fence");
        gossiper.await(rpc -> carries(rpc, "fence"), "fence at the gossipsub peer");
        otherJs.await(rpc -> carries(rpc, "fence"), "fence at the other floodsub peer");
        assertFalse(atC.has("short seqno"));
        assertTrue(gossiper.history.stream().noneMatch(rpc -> carries(rpc, "short seqno")));
        // nor is it in the message cache: of an IWANT for both, only the fence is answered
        gossiper.drain();
        gossiper.send(aId, RPC.newBuilder().setControl(ControlMessage.newBuilder().addIwant(ControlIWant.newBuilder()
                .addMessageIDs(StrictSign.verify(short7).id()).addMessageIDs(StrictSign.verify(fence).id()))).build());
        RPC answer = gossiper.await(rpc -> rpc.getPublishCount() > 0, "IWANT answer");
        assertEquals(List.of(fence), answer.getPublishList());
        assertEquals(0, a.invalidMessages(js.id()));
    }
}
