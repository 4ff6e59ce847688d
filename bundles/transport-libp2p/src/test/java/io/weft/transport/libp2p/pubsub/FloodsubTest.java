package io.weft.transport.libp2p.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.api.net.PubSubMessage;
import io.weft.api.net.Registration;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FloodsubTest {
    private final MemNetwork net = new MemNetwork();

    @AfterEach
    void tearDown() throws InterruptedException {
        net.close();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void twoPeersExchangeSignedMessages() throws Exception {
        PubSubRouter a = net.router(false, false);
        PubSubRouter b = net.router(false, false);
        assertEquals(List.of(PubSubRouter.FLOODSUB), a.protocols());
        Inbox atA = new Inbox();
        Inbox atB = new Inbox();
        a.subscribe("t", atA);
        b.subscribe("t", atB);
        net.connect(a, b);
        Await.until(() -> a.peers("t").contains(net.idOf(b)) && b.peers("t").contains(net.idOf(a)), "subscriptions");
        assertEquals(Set.of("t"), a.topics());

        a.publish("t", utf8("from a")).join();
        PubSubMessage m = atB.expect("from a");
        assertEquals(net.idOf(a), m.from());
        assertEquals("t", m.topic());
        b.publish("t", utf8("from b")).join();
        atA.expect("from b");
        // a later message has a higher seqno (counter seeded from the clock)
        a.publish("t", utf8("again")).join();
        assertTrue(atB.expect("again").seqno() > m.seqno());
        assertTrue(atA.all.stream().noneMatch(x -> x.from().equals(net.idOf(a))), "no delivery to own subscribers");
    }

    @Test
    void threePeerChainRelays() throws Exception {
        PubSubRouter a = net.router(false, false);
        PubSubRouter b = net.router(false, false);
        PubSubRouter c = net.router(false, false);
        Inbox atB = new Inbox();
        Inbox atC = new Inbox();
        b.subscribe("t", atB);
        c.subscribe("t", atC);
        net.connect(a, b);
        net.connect(b, c);
        Await.until(() -> a.peers("t").contains(net.idOf(b)) && b.peers("t").contains(net.idOf(c)), "subscriptions");

        a.publish("t", utf8("one")).join();
        atB.expect("one");
        PubSubMessage m = atC.expect("one");
        assertEquals(net.idOf(a), m.from(), "from is the author, not the relay");
        c.publish("t", utf8("two")).join();
        atB.expect("two");
        // a is not subscribed: nothing goes to it, and b's and c's inboxes saw each message once
        a.publish("t", utf8("fence")).join();
        atC.expect("fence");
        assertEquals(1, atC.counts.get("one"));
        assertEquals(1, atB.counts.get("two"));
        assertEquals(Set.of(), a.peers("u"));
    }

    @Test
    void unsubscribeStopsDelivery() throws Exception {
        PubSubRouter a = net.router(false, false);
        PubSubRouter b = net.router(false, false);
        net.connect(a, b);
        Inbox first = new Inbox();
        Registration reg = b.subscribe("t", first);
        Inbox fence = new Inbox();
        b.subscribe("fence", fence);
        Await.until(() -> a.peers("t").contains(net.idOf(b)) && a.peers("fence").contains(net.idOf(b)), "subscriptions");
        a.publish("t", utf8("m1")).join();
        first.expect("m1");

        reg.close();
        reg.close();
        assertEquals(Set.of("fence"), b.topics());
        Await.until(() -> a.peers("t").isEmpty(), "unsubscription reaches a");
        a.publish("t", utf8("m2")).join();
        a.publish("fence", utf8("f")).join();
        fence.expect("f");
        assertEquals(List.of("m1"), first.all.stream().map(Inbox::text).toList());
    }

    @Test
    void throwingHandlerDoesNotBreakTheRouter() throws Exception {
        PubSubRouter a = net.router(false, false);
        PubSubRouter b = net.router(false, false);
        b.subscribe("t", m -> {
            throw new IllegalStateException("subscriber bug");
        });
        Inbox ok = new Inbox();
        b.subscribe("t", ok);
        net.connect(a, b);
        Await.until(() -> a.peers("t").contains(net.idOf(b)), "subscription");
        a.publish("t", utf8("1")).join();
        a.publish("t", utf8("2")).join();
        ok.expect("1");
        ok.expect("2");
    }

    @Test
    void disconnectForgetsThePeer() throws Exception {
        PubSubRouter a = net.router(false, false);
        PubSubRouter b = net.router(false, false);
        b.subscribe("t", new Inbox());
        net.connect(a, b);
        Await.until(() -> a.peers("t").contains(net.idOf(b)), "subscription");
        net.disconnect(net.nodeOf(a), net.nodeOf(b));
        assertEquals(Set.of(), a.peers("t"));
        // reconnecting works again
        Inbox again = new Inbox();
        b.subscribe("u", again);
        net.connect(a, b);
        Await.until(() -> a.peers("u").contains(net.idOf(b)), "subscription after reconnect");
        a.publish("u", utf8("back")).join();
        again.expect("back");
    }
}
