package io.weft.transport.libp2p.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.weft.api.net.PubSubMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A subscriber that records what it is given. */
final class Inbox implements Consumer<PubSubMessage> {
    final List<PubSubMessage> all = new CopyOnWriteArrayList<>();
    /** Deliveries per payload text. */
    final Map<String, Integer> counts = new ConcurrentHashMap<>();
    private final BlockingQueue<PubSubMessage> queue = new LinkedBlockingQueue<>();

    @Override
    public void accept(PubSubMessage m) {
        all.add(m);
        counts.merge(text(m), 1, Integer::sum);
        queue.add(m);
    }

    static String text(PubSubMessage m) {
        return new String(m.data(), StandardCharsets.UTF_8);
    }

    /** The next message, waiting for it. */
    PubSubMessage next() throws InterruptedException {
        PubSubMessage m = queue.poll(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (m == null) {
            fail("no message arrived");
        }
        return m;
    }

    /** Waits for the next message and checks its payload. */
    PubSubMessage expect(String text) throws InterruptedException {
        PubSubMessage m = next();
        assertEquals(text, text(m));
        return m;
    }

    boolean has(String text) {
        return counts.containsKey(text);
    }
}
