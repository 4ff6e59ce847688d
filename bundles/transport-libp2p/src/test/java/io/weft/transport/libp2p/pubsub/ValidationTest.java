package io.weft.transport.libp2p.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.thread.PeerId;
import io.weft.core.crypto.Ed25519;
import io.weft.transport.libp2p.proto.Libp2pProto.ControlIHave;
import io.weft.transport.libp2p.proto.Libp2pProto.ControlMessage;
import io.weft.transport.libp2p.proto.Libp2pProto.Message;
import io.weft.transport.libp2p.proto.Libp2pProto.RPC;
import io.weft.transport.libp2p.testing.PipeStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A router between a hand-driven peer r and a router c: what r sends that is invalid reaches neither a's subscribers nor c. */
class ValidationTest {
    private final MemNetwork net = new MemNetwork();
    private PubSubRouter a;
    private PubSubRouter c;
    private PeerId aId;
    private RawPeer r;
    private final Inbox atA = new Inbox();
    private final Inbox atC = new Inbox();
    private long seqno = 1000;

    @AfterEach
    void tearDown() throws InterruptedException {
        net.close();
    }

    private void setUp(boolean gossip) {
        a = net.router(gossip, true);
        c = net.router(gossip, true);
        aId = net.idOf(a);
        a.subscribe("t", atA);
        c.subscribe("t", atC);
        net.connect(a, c);
        r = new RawPeer(net, gossip ? PubSubRouter.MESHSUB_1_1 : PubSubRouter.FLOODSUB);
        net.connect(net.nodeOf(a), r.node);
        r.subscribe(aId, "t");
        Await.until(() -> a.peers("t").contains(r.id()) && a.peers("t").contains(net.idOf(c))
                && c.peers("t").contains(aId), "subscriptions");
        if (gossip) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!a.meshPeers("t").contains(net.idOf(c)) && System.nanoTime() - deadline < 0) {
                a.heartbeat();
                Await.within(() -> a.meshPeers("t").contains(net.idOf(c)), Duration.ofMillis(100));
            }
            assertTrue(a.meshPeers("t").contains(net.idOf(c)), "c in a's mesh");
        }
    }

    private Message signed(String text) {
        return StrictSign.sign(r.node.key, r.id(), "t", text.getBytes(StandardCharsets.UTF_8), seqno++);
    }

    /** Sends a valid message after everything else and waits for it at a and c: all that came before was handled. */
    private void fence(String text) throws InterruptedException {
        r.publish(aId, signed(text));
        Await.until(() -> atA.has(text) && atC.has(text), "fence " + text);
    }

    @ParameterizedTest(name = "gossip={0}")
    @ValueSource(booleans = {false, true})
    void invalidMessagesAreDroppedAndNotForwarded(boolean gossip) throws Exception {
        setUp(gossip);
        PrivateKey other = Ed25519.generate();
        Message good = signed("good");
        List<Message> invalid = List.of(
                good.toBuilder().setData(ByteString.copyFromUtf8("tampered")).build(),
                good.toBuilder().setSignature(good.getSignature().substring(1).concat(ByteString.copyFrom(new byte[1]))).build(),
                good.toBuilder().clearSignature().build(),
                // the other key's valid signature, claimed to be r's
                StrictSign.sign(other, PeerId.of(other.publicKey()), "t", new byte[] {1}, 5).toBuilder().setFrom(good.getFrom()).build(),
                good.toBuilder().setKey(ByteString.copyFrom(other.publicKey().marshal())).build(),
                resigned(good.toBuilder().clearSeqno()),
                resigned(good.toBuilder().setSeqno(ByteString.copyFrom(new byte[7]))),
                resigned(good.toBuilder().setFrom(ByteString.copyFromUtf8("not a multihash"))),
                resigned(good.toBuilder().clearFrom()),
                resigned(good.toBuilder().clearTopic()));
        for (Message m : invalid) {
            r.publish(aId, m);
        }
        fence("after");
        assertEquals(List.of("after"), atA.all.stream().map(Inbox::text).toList());
        assertEquals(List.of("after"), atC.all.stream().map(Inbox::text).toList());
        assertEquals(invalid.size(), a.invalidMessages(r.id()));
        // the tampered copies did not poison the seen cache: the genuine message still goes through
        r.publish(aId, good);
        atA.expect("after");
        atA.expect("good");
        atC.expect("after");
        atC.expect("good");
    }

    /** Signs {@code b} as r would, so that only the field under test is wrong. */
    private Message resigned(Message.Builder b) {
        Message unsigned = b.clearSignature().build();
        byte[] sig = Ed25519.sign(r.node.key, StrictSign.signedBytes(unsigned));
        return unsigned.toBuilder().setSignature(ByteString.copyFrom(sig)).build();
    }

    @ParameterizedTest(name = "gossip={0}")
    @ValueSource(booleans = {false, true})
    void duplicatesAreSuppressed(boolean gossip) throws Exception {
        setUp(gossip);
        Message m = signed("once");
        r.publish(aId, m);
        r.send(aId, RPC.newBuilder().addPublish(m).addPublish(m).build());
        r.publish(aId, m.toBuilder().clearKey().build());
        // c sending it back to a is a duplicate too
        c.publish("t", "from c".getBytes(StandardCharsets.UTF_8)).join();
        Await.until(() -> atA.has("from c"), "c's message at a");
        fence("fence");
        assertEquals(1, atA.counts.get("once"));
        assertEquals(1, atC.counts.get("once"));
        assertEquals(1, atA.counts.get("from c"));
        assertEquals(0, a.invalidMessages(r.id()));
        // r, the author, is not sent its own message back; c's message reaches r once
        long fromC = r.history.stream().flatMap(x -> x.getPublishList().stream())
                .filter(x -> x.getData().toStringUtf8().equals("from c")).count();
        assertTrue(fromC <= 1, "c's message reached r " + fromC + " times");
        assertTrue(r.history.stream().flatMap(x -> x.getPublishList().stream()).noneMatch(x -> x.getFrom().equals(m.getFrom())));
    }

    @ParameterizedTest(name = "gossip={0}")
    @ValueSource(booleans = {false, true})
    void randomBytesAreDroppedAndTheRouterStaysHealthy(boolean gossip) throws Exception {
        setUp(gossip);
        net.nodeOf(a).maxMessageSize = 4096;
        Random random = new Random(42);
        for (int i = 0; i < 400; i++) {
            byte[] frame;
            switch (i % 4) {
                case 0 -> frame = new byte[random.nextInt(64)];
                case 1 -> frame = new byte[random.nextInt(600)];
                case 2 -> {
                    // well-formed RPCs with random content
                    byte[] junk = new byte[random.nextInt(80)];
                    random.nextBytes(junk);
                    frame = RPC.newBuilder()
                            .addSubscriptions(RPC.SubOpts.newBuilder().setSubscribe(random.nextBoolean()).setTopicid("x" + random.nextInt(5)))
                            .addPublish(Message.newBuilder().setFrom(ByteString.copyFrom(junk)).setData(ByteString.copyFrom(junk))
                                    .setSeqno(ByteString.copyFrom(junk, 0, Math.min(8, junk.length))).setTopic("t")
                                    .setSignature(ByteString.copyFrom(junk)).setKey(ByteString.copyFrom(junk)))
                            .setControl(ControlMessage.newBuilder().addIhave(ControlIHave.newBuilder().setTopicID("t")
                                    .addMessageIDs(ByteString.copyFrom(junk))))
                            .build().toByteArray();
                }
                default -> frame = new byte[4097 + random.nextInt(100)]; // over the limit
            }
            if (i % 4 != 2) {
                random.nextBytes(frame);
            }
            try {
                if (i % 16 == 3) {
                    r.stream(aId).write(frame).join(); // unframed: a bad length prefix, or a message cut short
                    r.endStream();
                } else {
                    r.sendRaw(aId, frame);
                }
            } catch (CompletionException e) {
                // the router reset the stream after an earlier frame; the next send opens a new one
            }
        }
        r.endStream();
        // every stream r opened ends: reset by a (bad frames) or closed by a after r closed it
        Await.until(() -> r.opened.stream().noneMatch(s -> s.isOpen()), "all fuzzed streams ended");
        assertTrue(r.opened.stream().filter(s -> ((PipeStream) s).wasReset()).count() > 10,
                "undecodable and oversized RPCs reset the stream");
        r.subscribe(aId, "t");
        fence("still alive");
        c.publish("t", "from c".getBytes(StandardCharsets.UTF_8)).join();
        atA.expect("still alive");
        atA.expect("from c");
        assertTrue(a.peers("t").contains(r.id()));
    }
}
