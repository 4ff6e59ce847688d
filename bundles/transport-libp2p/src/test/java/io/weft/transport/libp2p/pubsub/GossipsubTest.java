package io.weft.transport.libp2p.pubsub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.weft.api.net.PubSubMessage;
import io.weft.api.thread.PeerId;
import io.weft.transport.libp2p.proto.Libp2pProto.ControlGraft;
import io.weft.transport.libp2p.proto.Libp2pProto.ControlIHave;
import io.weft.transport.libp2p.proto.Libp2pProto.ControlIWant;
import io.weft.transport.libp2p.proto.Libp2pProto.ControlMessage;
import io.weft.transport.libp2p.proto.Libp2pProto.ControlPrune;
import io.weft.transport.libp2p.proto.Libp2pProto.Message;
import io.weft.transport.libp2p.proto.Libp2pProto.RPC;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GossipsubTest {
    private final MemNetwork net = new MemNetwork();

    @AfterEach
    void tearDown() throws InterruptedException {
        net.close();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Runs heartbeats on {@code routers} until {@code condition} holds. */
    private static void converge(List<PubSubRouter> routers, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() - deadline < 0) {
            routers.forEach(PubSubRouter::heartbeat);
            if (Await.within(condition, Duration.ofMillis(200))) {
                return;
            }
        }
        fail("timed out waiting for " + what);
    }

    private boolean meshesWithinBounds(List<PubSubRouter> routers, String topic, int min, int max) {
        for (PubSubRouter r : routers) {
            int size = r.meshPeers(topic).size();
            if (size < min || size > max) {
                return false;
            }
            for (PeerId p : r.meshPeers(topic)) {
                PubSubRouter other = routers.stream().filter(x -> net.idOf(x).equals(p)).findFirst().orElseThrow();
                if (!other.meshPeers(topic).contains(net.idOf(r))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Each router but the publisher receives each message exactly once. */
    private void publishAndCheckExactlyOnce(List<PubSubRouter> routers, List<Inbox> inboxes, int messages)
            throws InterruptedException {
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            int from = (i * 7) % routers.size();
            String text = "m" + i + "@" + from;
            routers.get(from).publish("t", utf8(text)).join();
            sent.add(text);
        }
        for (int i = 0; i < routers.size(); i++) {
            Inbox inbox = inboxes.get(i);
            int self = i;
            List<String> expected = sent.stream().filter(s -> !s.endsWith("@" + self)).toList();
            Await.until(() -> expected.stream().allMatch(inbox::has), "all messages at router " + i);
        }
        // gossip rounds after delivery must not bring duplicates
        for (int round = 0; round < 3; round++) {
            routers.forEach(PubSubRouter::heartbeat);
        }
        routers.get(0).publish("t", utf8("fence")).join();
        for (int i = 1; i < routers.size(); i++) {
            Inbox inbox = inboxes.get(i);
            Await.until(() -> inbox.has("fence"), "fence at router " + i);
        }
        for (int i = 0; i < routers.size(); i++) {
            for (var e : inboxes.get(i).counts.entrySet()) {
                assertEquals(1, e.getValue(), "router " + i + " got " + e.getKey() + " " + e.getValue() + " times");
            }
            String own = "@" + i;
            assertTrue(inboxes.get(i).all.stream().noneMatch(m -> Inbox.text(m).endsWith(own)),
                    "router " + i + " got its own message");
        }
    }

    private List<PubSubRouter> routers(int n, List<Inbox> inboxes) {
        List<PubSubRouter> routers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            PubSubRouter r = net.router(true, true);
            Inbox inbox = new Inbox();
            r.subscribe("t", inbox);
            routers.add(r);
            inboxes.add(inbox);
        }
        return routers;
    }

    @Test
    void fullyConnectedMeshesConvergeWithinBoundsAndDeliverExactlyOnce() throws Exception {
        List<Inbox> inboxes = new ArrayList<>();
        List<PubSubRouter> routers = routers(16, inboxes);
        assertEquals(List.of(PubSubRouter.MESHSUB_1_1, PubSubRouter.MESHSUB_1_0, PubSubRouter.FLOODSUB),
                routers.get(0).protocols());
        for (int i = 0; i < routers.size(); i++) {
            for (int j = i + 1; j < routers.size(); j++) {
                net.connect(routers.get(i), routers.get(j));
            }
        }
        Await.until(() -> routers.stream().allMatch(r -> r.peers("t").size() == 15), "subscriptions");
        converge(routers, () -> meshesWithinBounds(routers, "t", PubSubRouter.D_LOW, PubSubRouter.D_HIGH),
                "meshes within D_low..D_high");
        // more heartbeats keep them within bounds
        for (int round = 0; round < 5; round++) {
            routers.forEach(PubSubRouter::heartbeat);
        }
        converge(routers, () -> meshesWithinBounds(routers, "t", PubSubRouter.D_LOW, PubSubRouter.D_HIGH),
                "meshes still within bounds");
        publishAndCheckExactlyOnce(routers, inboxes, 12);
    }

    @Test
    void sparseNetworkRelaysThroughMeshesExactlyOnce() throws Exception {
        List<Inbox> inboxes = new ArrayList<>();
        List<PubSubRouter> routers = routers(10, inboxes);
        for (int i = 0; i < routers.size(); i++) {
            net.connect(routers.get(i), routers.get((i + 1) % routers.size()));
            net.connect(routers.get(i), routers.get((i + 2) % routers.size()));
        }
        // every router has exactly 4 neighbours: all of them end up in its mesh
        converge(routers, () -> meshesWithinBounds(routers, "t", 4, 4), "meshes of the 4 neighbours");
        publishAndCheckExactlyOnce(routers, inboxes, 8);
    }

    @Test
    void gossipsubAndFloodsubOnlyRoutersExchangeBothWays() throws Exception {
        PubSubRouter g1 = net.router(true, true);
        PubSubRouter g2 = net.router(true, true);
        PubSubRouter f = net.router(false, true);
        Inbox atG1 = new Inbox();
        Inbox atG2 = new Inbox();
        Inbox atF = new Inbox();
        g1.subscribe("t", atG1);
        g2.subscribe("t", atG2);
        f.subscribe("t", atF);
        net.connect(f, g1);
        net.connect(g1, g2);
        converge(List.of(g1, g2), () -> g1.meshPeers("t").contains(net.idOf(g2)) && g2.meshPeers("t").contains(net.idOf(g1))
                && g1.peers("t").contains(net.idOf(f)) && f.peers("t").contains(net.idOf(g1)), "mesh g1-g2");
        assertFalse(g1.meshPeers("t").contains(net.idOf(f)), "a floodsub peer is never grafted");

        f.publish("t", utf8("from floodsub")).join();
        atG1.expect("from floodsub");
        atG2.expect("from floodsub");
        g2.publish("t", utf8("from gossipsub")).join();
        atG1.expect("from gossipsub");
        PubSubMessage m = atF.expect("from gossipsub");
        assertEquals(net.idOf(g2), m.from());
    }

    @Test
    void fanoutForTopicsPublishedToWithoutJoiningExpires() throws Exception {
        PubSubRouter a = net.router(true, true);
        PubSubRouter b = net.router(true, true);
        Inbox atB = new Inbox();
        b.subscribe("t", atB);
        net.connect(a, b);
        Await.until(() -> a.peers("t").contains(net.idOf(b)) && a.outboundOpen(net.idOf(b)), "subscription");
        a.publish("t", utf8("x")).join();
        atB.expect("x");
        assertEquals(Set.of(net.idOf(b)), a.fanoutPeers("t"));
        assertTrue(a.meshPeers("t").isEmpty());
        a.heartbeat();
        assertEquals(Set.of(net.idOf(b)), a.fanoutPeers("t"));
        net.clock.addAndGet(TimeUnit.SECONDS.toNanos(61));
        a.heartbeat();
        assertTrue(a.fanoutPeers("t").isEmpty(), "fanout expired after its TTL");
        // subscribing later joins the topic (the fanout peers would seed the mesh)
        a.subscribe("t", new Inbox());
        converge(List.of(a, b), () -> a.meshPeers("t").contains(net.idOf(b)), "mesh after subscribing");
    }

    private static boolean hasGraft(RPC rpc, String topic) {
        return rpc.getControl().getGraftList().stream().anyMatch(g -> g.getTopicID().equals(topic));
    }

    @Test
    void pruneBackoffIsRespectedAndGossipIsServed() throws Exception {
        PubSubRouter a = net.router(true, true);
        PeerId aId = net.idOf(a);
        a.subscribe("t", new Inbox());
        RawPeer r = new RawPeer(net, PubSubRouter.MESHSUB_1_1);
        net.connect(net.nodeOf(a), r.node);
        // a's hello carries its subscription
        r.await(rpc -> rpc.getSubscriptionsList().stream().anyMatch(s -> s.getSubscribe() && s.getTopicid().equals("t")),
                "a's subscription");
        r.subscribe(aId, "t");
        Await.until(() -> a.peers("t").contains(r.id()) && a.outboundOpen(r.id()), "r known as subscribed");
        a.heartbeat();
        r.await(rpc -> hasGraft(rpc, "t"), "GRAFT from a");
        assertEquals(Set.of(r.id()), a.meshPeers("t"));

        // r prunes a with a 30 s backoff
        r.send(aId, RPC.newBuilder().setControl(ControlMessage.newBuilder().addPrune(
                ControlPrune.newBuilder().setTopicID("t").setBackoff(30))).build());
        Await.until(() -> a.meshPeers("t").isEmpty() && a.backedOff(r.id(), "t"), "a drops r from its mesh");
        int before = r.history.size();

        // a publishes: r gets it by flood publishing; at the next heartbeat a gossips it to r (not in the mesh)
        a.publish("t", utf8("gossiped")).join();
        Message published = r.await(rpc -> rpc.getPublishCount() > 0, "the published message").getPublish(0);
        a.heartbeat();
        RPC ihaveRpc = r.await(rpc -> rpc.getControl().getIhaveCount() > 0, "IHAVE");
        ControlIHave ihave = ihaveRpc.getControl().getIhave(0);
        assertEquals("t", ihave.getTopicID());
        byte[] from = aId.bytes();
        byte[] expectedId = ByteString.copyFrom(Arrays.copyOfRange(from, 2, from.length)).concat(published.getSeqno()).toByteArray();
        assertEquals(1, ihave.getMessageIDsCount());
        assertArrayEquals(expectedId, ihave.getMessageIDs(0).toByteArray());
        // announced while in the last mcache_gossip = 3 windows
        for (int i = 0; i < PubSubRouter.MCACHE_GOSSIP - 1; i++) {
            a.heartbeat();
            r.await(rpc -> rpc.getControl().getIhaveCount() > 0, "IHAVE " + i);
        }
        assertTrue(r.history.subList(before, r.history.size()).stream().noneMatch(rpc -> hasGraft(rpc, "t")),
                "no GRAFT during the backoff");

        // IWANT is answered from the message cache (an unknown id is ignored)
        r.drain();
        r.send(aId, RPC.newBuilder().setControl(ControlMessage.newBuilder().addIwant(ControlIWant.newBuilder()
                .addMessageIDs(ByteString.copyFromUtf8("unknown")).addMessageIDs(ByteString.copyFrom(expectedId)))).build());
        RPC answer = r.await(rpc -> rpc.getPublishCount() > 0, "IWANT answer");
        assertEquals(List.of(published), answer.getPublishList());

        // a GRAFT from r during the backoff is answered with PRUNE
        r.drain();
        r.send(aId, RPC.newBuilder().setControl(ControlMessage.newBuilder().addGraft(ControlGraft.newBuilder().setTopicID("t"))).build());
        RPC pruned = r.await(rpc -> rpc.getControl().getPruneCount() > 0, "PRUNE");
        assertEquals("t", pruned.getControl().getPrune(0).getTopicID());
        assertEquals(PubSubRouter.PRUNE_BACKOFF_SECONDS, pruned.getControl().getPrune(0).getBackoff());
        assertTrue(a.meshPeers("t").isEmpty());

        // once the backoff is over a grafts r again
        net.clock.addAndGet(TimeUnit.SECONDS.toNanos(PubSubRouter.PRUNE_BACKOFF_SECONDS + 2));
        a.heartbeat();
        r.await(rpc -> hasGraft(rpc, "t"), "GRAFT after the backoff");
        assertEquals(Set.of(r.id()), a.meshPeers("t"));
    }

    @Test
    void graftsAreAcceptedForJoinedTopicsOnlyAndLeavingPrunes() throws Exception {
        PubSubRouter a = net.router(true, true);
        PeerId aId = net.idOf(a);
        var registration = a.subscribe("t", new Inbox());
        RawPeer r = new RawPeer(net, PubSubRouter.MESHSUB_1_0);
        net.connect(net.nodeOf(a), r.node);
        r.subscribe(aId, "t");
        r.send(aId, RPC.newBuilder().setControl(ControlMessage.newBuilder()
                .addGraft(ControlGraft.newBuilder().setTopicID("t"))
                .addGraft(ControlGraft.newBuilder().setTopicID("other"))).build());
        Await.until(() -> a.meshPeers("t").contains(r.id()), "r grafted");
        assertTrue(a.meshPeers("other").isEmpty(), "GRAFT for a topic a is not in is ignored");

        // leaving t prunes the mesh and announces the unsubscription; a meshsub/1.0.0 peer gets no backoff field
        registration.close();
        RPC left = r.await(rpc -> rpc.getControl().getPruneCount() > 0, "PRUNE on leaving");
        assertEquals("t", left.getControl().getPrune(0).getTopicID());
        assertFalse(left.getControl().getPrune(0).hasBackoff());
        assertTrue(left.getSubscriptionsList().stream().anyMatch(sub -> !sub.getSubscribe() && sub.getTopicid().equals("t")));
        assertTrue(a.meshPeers("t").isEmpty());
        assertTrue(a.backedOff(r.id(), "t"));
    }
}
