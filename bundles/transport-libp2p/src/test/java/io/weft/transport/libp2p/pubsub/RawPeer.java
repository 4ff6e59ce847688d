package io.weft.transport.libp2p.pubsub;

import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.InvalidProtocolBufferException;
import io.weft.api.net.Stream;
import io.weft.api.thread.PeerId;
import io.weft.transport.libp2p.proto.Libp2pProto.Message;
import io.weft.transport.libp2p.proto.Libp2pProto.RPC;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A hand-driven pubsub peer on a {@link MemNetwork}: sends raw RPCs and records the ones it receives. */
final class RawPeer {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    final MemNetwork.Node node;
    final String protocol;
    /** Every RPC received, in order. */
    final List<RPC> history = new CopyOnWriteArrayList<>();
    private final BlockingQueue<RPC> received = new LinkedBlockingQueue<>();
    /** Every outbound stream opened. */
    final List<Stream> opened = new CopyOnWriteArrayList<>();
    private Stream out;

    RawPeer(MemNetwork net, String protocol) {
        this.node = net.node();
        this.protocol = protocol;
        node.protocols = List.of(protocol);
        node.inbound = this::read;
    }

    PeerId id() {
        return node.id;
    }

    private void read(Stream s) {
        s.readMessage(1 << 22).whenComplete((bytes, e) -> {
            if (e != null || bytes == null) {
                return;
            }
            try {
                RPC rpc = RPC.parseFrom(bytes);
                history.add(rpc);
                received.add(rpc);
            } catch (InvalidProtocolBufferException ex) {
                fail("router sent an undecodable RPC");
            }
            read(s);
        });
    }

    /** Our outbound stream to {@code to}, (re)opened if needed. */
    synchronized Stream stream(PeerId to) {
        if (out == null || !out.isOpen()) {
            out = node.newStream(to, protocol).join();
            opened.add(out);
        }
        return out;
    }

    /** Half-closes our outbound stream; the next send opens a new one. */
    synchronized void endStream() {
        if (out != null) {
            out.closeWrite();
            out = null;
        }
    }

    void send(PeerId to, RPC rpc) {
        sendRaw(to, rpc.toByteArray());
    }

    void sendRaw(PeerId to, byte[] frame) {
        stream(to).writeMessage(frame).join();
    }

    void publish(PeerId to, Message m) {
        send(to, RPC.newBuilder().addPublish(m).build());
    }

    void subscribe(PeerId to, String topic) {
        send(to, RPC.newBuilder().addSubscriptions(RPC.SubOpts.newBuilder().setSubscribe(true).setTopicid(topic)).build());
    }

    /** Waits for the next received RPC matching {@code p}, skipping others. */
    RPC await(Predicate<RPC> p, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            RPC rpc = left > 0 ? received.poll(left, TimeUnit.NANOSECONDS) : null;
            if (rpc == null) {
                fail("timed out waiting for " + what);
            }
            if (p.test(rpc)) {
                return rpc;
            }
        }
    }

    /** Forgets what was received so far (for {@link #await}). */
    void drain() {
        received.clear();
    }
}
