package io.weft.transport.libp2p.pubsub;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.weft.api.InvalidInputException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.net.PubSub;
import io.weft.api.net.PubSubMessage;
import io.weft.api.net.Registration;
import io.weft.api.net.Stream;
import io.weft.api.net.TransportException;
import io.weft.api.thread.PeerId;
import io.weft.transport.libp2p.proto.Libp2pProto.ControlGraft;
import io.weft.transport.libp2p.proto.Libp2pProto.ControlIHave;
import io.weft.transport.libp2p.proto.Libp2pProto.ControlIWant;
import io.weft.transport.libp2p.proto.Libp2pProto.ControlMessage;
import io.weft.transport.libp2p.proto.Libp2pProto.ControlPrune;
import io.weft.transport.libp2p.proto.Libp2pProto.Message;
import io.weft.transport.libp2p.proto.Libp2pProto.RPC;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libp2p pubsub router: floodsub, or gossipsub v1.1 that also speaks floodsub to floodsub-only peers, with StrictSign
 * messages (as js-libp2p gossipsub 17 and floodsub 11).
 *
 * <p>Per peer it writes only on its own outbound stream (opened once, on {@link #peerConnected} or on the first
 * inbound stream) and reads only inbound streams handed over by {@link #handleInbound}. Each RPC is a
 * varint-length-prefixed {@code RPC} protobuf.
 *
 * <p>Seqnos: ours are 8 bytes, counting up from the wall clock in nanoseconds (never below 2^56, so their first byte
 * is never 0: js floodsub drops its leading zero bytes before checking a signature). We also accept js floodsub's
 * seqnos of fewer than 8 bytes (see {@link StrictSign}) and pass such messages on to floodsub peers only.
 *
 * <p>Gossipsub: mesh per topic (D=6, D_low=4, D_high=12), 1 s heartbeat, GRAFT/PRUNE with backoff (1 min, or what
 * a PRUNE asks for), fanout (TTL 60 s), message cache (5 windows, gossip over 3), IHAVE to D_lazy=6 (or 25 %) non-mesh
 * peers, IWANT answered from the cache, flood publishing. Not implemented: peer scoring and everything that depends
 * on it (opportunistic grafting, score thresholds), peer exchange (PX is neither sent nor followed), direct peers,
 * outbound-peer quotas (D_out), IDONTWANT.
 *
 * <p>Threading: all routing state is guarded by one lock; no I/O and no handler call happens under it. Subscriber
 * handlers run on the thread that read the message (a transport I/O thread) and must not block.
 */
public final class PubSubRouter implements PubSub, AutoCloseable {
    public static final String FLOODSUB = "/floodsub/1.0.0", MESHSUB_1_0 = "/meshsub/1.0.0", MESHSUB_1_1 = "/meshsub/1.1.0";

    private static final Logger LOG = LoggerFactory.getLogger(PubSubRouter.class);

    static final int D = 6;
    static final int D_LOW = 4;
    static final int D_HIGH = 12;
    static final int D_LAZY = 6;
    static final double GOSSIP_FACTOR = 0.25;
    static final long HEARTBEAT_MILLIS = 1000;
    static final long HEARTBEAT_INITIAL_DELAY_MILLIS = 100;
    static final long BACKOFF_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_MILLIS);
    static final long FANOUT_TTL_NANOS = TimeUnit.SECONDS.toNanos(60);
    static final long PRUNE_BACKOFF_SECONDS = 60;
    static final long UNSUBSCRIBE_BACKOFF_SECONDS = 10;
    /** Upper bound on a backoff a remote PRUNE may ask for. */
    static final long MAX_BACKOFF_SECONDS = TimeUnit.HOURS.toSeconds(24);
    static final int MCACHE_LEN = 5;
    static final int MCACHE_GOSSIP = 3;
    static final int MAX_IHAVE_LENGTH = 5000;
    static final int MAX_IHAVE_MESSAGES = 10;
    static final int GOSSIP_RETRANSMISSION = 3;
    static final long SEEN_TTL_NANOS = TimeUnit.MINUTES.toNanos(2);
    static final int SEEN_MAX = 50_000;
    static final int MAX_QUEUED_RPCS = 1024;
    static final int MAX_TOPICS_PER_PEER = 10_000;
    /**
     * Lowest first seqno: js floodsub (11.0.28) checks a signature over the seqno re-encoded without leading zero
     * bytes, so a seqno below 2^56 (first byte 0) would never verify there. The clock is far above it since 1972.
     */
    static final long MIN_SEQNO = 1L << 56;

    private final PubSubNetwork network;
    private final boolean gossip;
    private final LongSupplier clock;
    private final PeerId self;
    private final PrivateKey identity;
    private final AtomicLong seqno;
    private final List<String> protocols;
    private final ScheduledFuture<?> heartbeatTask;
    private final Set<Stream> inbound = ConcurrentHashMap.newKeySet();

    private final Object lock = new Object();
    // guarded by lock
    private final Map<PeerId, Peer> peers = new HashMap<>();
    private final Map<String, List<Subscription>> subscriptions = new LinkedHashMap<>();
    private final Map<String, Set<PeerId>> mesh = new HashMap<>();
    private final Map<String, Set<PeerId>> fanout = new HashMap<>();
    private final Map<String, Long> fanoutLastPublish = new HashMap<>();
    private final Map<String, Map<PeerId, Long>> backoff = new HashMap<>();
    private final SeenCache seen = new SeenCache(SEEN_TTL_NANOS, SEEN_MAX);
    private final MessageCache mcache = new MessageCache(MCACHE_LEN, MCACHE_GOSSIP);
    private boolean closed;

    /**
     * A router on {@code network}; starts the heartbeat on the network's scheduler.
     *
     * @param gossip true: gossipsub v1.1 that also speaks floodsub to floodsub-only peers; false: floodsub only
     */
    public PubSubRouter(PubSubNetwork network, boolean gossip) {
        this(network, gossip, System::nanoTime, true);
    }

    /** For tests: a clock, and whether to schedule heartbeats (otherwise the test calls {@link #heartbeat()}). */
    PubSubRouter(PubSubNetwork network, boolean gossip, LongSupplier clock, boolean scheduleHeartbeat) {
        this.network = Objects.requireNonNull(network, "network");
        this.gossip = gossip;
        this.clock = clock;
        this.self = network.localPeer();
        this.identity = network.identity();
        Instant now = Instant.now();
        this.seqno = new AtomicLong(Math.max(MIN_SEQNO, now.getEpochSecond() * 1_000_000_000L + now.getNano()));
        this.protocols = gossip ? List.of(MESHSUB_1_1, MESHSUB_1_0, FLOODSUB) : List.of(FLOODSUB);
        this.heartbeatTask = scheduleHeartbeat
                ? network.scheduler().scheduleAtFixedRate(this::heartbeatSafely, HEARTBEAT_INITIAL_DELAY_MILLIS,
                        HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS)
                : null;
    }

    /** The protocols the host registers for inbound streams and advertises, most preferred first. */
    public List<String> protocols() {
        return protocols;
    }

    // ---------------------------------------------------------------------------------------------- host events

    /**
     * Takes an inbound pubsub stream (already negotiated) and reads RPCs from it until it ends. Opens our outbound
     * stream to the peer if there is none yet.
     */
    public void handleInbound(Stream stream) {
        if (!protocols.contains(stream.protocol())) {
            LOG.debug("pubsub: inbound stream from {} with unexpected protocol {}", stream.remotePeer(), stream.protocol());
            stream.reset();
            return;
        }
        Outbox out = new Outbox();
        boolean accepted;
        synchronized (lock) {
            accepted = !closed;
            if (accepted) {
                inbound.add(stream);
                ensurePeer(stream.remotePeer(), List.of(stream.protocol()), out);
                out.commit();
            }
        }
        if (!accepted) {
            stream.reset();
            return;
        }
        out.run();
        readNext(stream);
    }

    /**
     * Tells the router that {@code peer} is connected and speaks {@code remoteProtocols} (from identify); if one of
     * them is ours, opens our outbound stream (once) and announces our subscriptions.
     */
    public void peerConnected(PeerId peer, Collection<String> remoteProtocols) {
        List<String> common = new ArrayList<>();
        for (String p : protocols) {
            if (remoteProtocols.contains(p)) {
                common.add(p);
            }
        }
        if (common.isEmpty() || peer.equals(self)) {
            return;
        }
        Outbox out = new Outbox();
        synchronized (lock) {
            if (closed) {
                return;
            }
            ensurePeer(peer, common, out);
            out.commit();
        }
        out.run();
    }

    /** Forgets {@code peer}: its subscriptions, mesh membership and outbound stream. */
    public void peerDisconnected(PeerId peer) {
        Peer p;
        synchronized (lock) {
            p = peers.get(peer);
            if (p != null) {
                removePeer(p);
            }
        }
        if (p != null) {
            p.out.close();
        }
    }

    /** Stops the heartbeat and closes all pubsub streams. */
    @Override
    public void close() {
        List<Peer> all;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(peers.values());
            peers.clear();
            mesh.clear();
            fanout.clear();
            fanoutLastPublish.clear();
        }
        if (heartbeatTask != null) {
            heartbeatTask.cancel(false);
        }
        for (Peer p : all) {
            p.out.close();
        }
        for (Stream s : inbound) {
            s.reset();
        }
        inbound.clear();
    }

    // ---------------------------------------------------------------------------------------------- PubSub API

    @Override
    public Registration subscribe(String topic, Consumer<PubSubMessage> handler) {
        if (topic == null || handler == null) {
            throw new InvalidInputException("pubsub: topic and handler are required");
        }
        Subscription sub = new Subscription(topic, handler);
        Outbox out = new Outbox();
        synchronized (lock) {
            if (closed) {
                throw new TransportException(TransportException.Kind.CLOSED, "pubsub: router is closed");
            }
            List<Subscription> subs = subscriptions.computeIfAbsent(topic, t -> new ArrayList<>());
            subs.add(sub);
            if (subs.size() == 1) {
                announce(topic, true, out);
                if (gossip) {
                    join(topic, out);
                }
            }
            out.commit();
        }
        out.run();
        return sub;
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] data) {
        if (topic == null || data == null) {
            return CompletableFuture.failedFuture(new InvalidInputException("pubsub: topic and data are required"));
        }
        Message message = StrictSign.sign(identity, self, topic, data, seqno.incrementAndGet());
        int size = RPC.newBuilder().addPublish(message).build().getSerializedSize();
        if (size > network.maxMessageSize()) {
            return CompletableFuture.failedFuture(new TransportException(TransportException.Kind.LIMIT_EXCEEDED,
                    "pubsub: message of " + size + " bytes exceeds the limit of " + network.maxMessageSize()));
        }
        ByteString id = StrictSign.messageId(identity.publicKey(), message.getSeqno());
        Outbox out = new Outbox();
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(
                        new TransportException(TransportException.Kind.CLOSED, "pubsub: router is closed"));
            }
            long now = clock.getAsLong();
            seen.add(id, now);
            Set<PeerId> targets = new LinkedHashSet<>();
            for (Peer p : peers.values()) {
                if (p.topics.contains(topic)) {
                    targets.add(p.id); // floodsub, and gossipsub's flood publishing
                }
            }
            if (gossip) {
                mcache.put(id, topic, message);
                Set<PeerId> meshPeers = mesh.get(topic);
                if (meshPeers != null) {
                    targets.addAll(meshPeers);
                } else {
                    Set<PeerId> fan = fanout.computeIfAbsent(topic, t -> new HashSet<>());
                    if (fan.isEmpty()) {
                        fan.addAll(pick(eligible(topic, fan, false, now), D));
                    }
                    fanoutLastPublish.put(topic, now);
                    targets.addAll(fan);
                }
            }
            for (PeerId target : targets) {
                Peer p = peers.get(target);
                if (p != null) {
                    out.rpc(p).addPublish(message);
                }
            }
            if (targets.isEmpty()) {
                LOG.debug("pubsub: no peers subscribed to {}; message not sent", topic);
            }
            out.commit();
        }
        out.run();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public Set<PeerId> peers(String topic) {
        synchronized (lock) {
            Set<PeerId> result = new HashSet<>();
            for (Peer p : peers.values()) {
                if (p.topics.contains(topic)) {
                    result.add(p.id);
                }
            }
            return Collections.unmodifiableSet(result);
        }
    }

    @Override
    public Set<String> topics() {
        synchronized (lock) {
            return Set.copyOf(subscriptions.keySet());
        }
    }

    // ---------------------------------------------------------------------------------------------- test views

    /** Our mesh peers for {@code topic} (gossipsub). */
    Set<PeerId> meshPeers(String topic) {
        synchronized (lock) {
            return Set.copyOf(mesh.getOrDefault(topic, Set.of()));
        }
    }

    /** Our fanout peers for {@code topic} (gossipsub). */
    Set<PeerId> fanoutPeers(String topic) {
        synchronized (lock) {
            return Set.copyOf(fanout.getOrDefault(topic, Set.of()));
        }
    }

    /** Whether we are in backoff towards {@code peer} on {@code topic}. */
    boolean backedOff(PeerId peer, String topic) {
        synchronized (lock) {
            return isBackedOff(peer, topic, clock.getAsLong());
        }
    }

    /** How many invalid messages {@code peer} sent us. */
    int invalidMessages(PeerId peer) {
        synchronized (lock) {
            Peer p = peers.get(peer);
            return p == null ? 0 : p.invalid;
        }
    }

    /** Whether our outbound stream to {@code peer} is open. */
    boolean outboundOpen(PeerId peer) {
        synchronized (lock) {
            Peer p = peers.get(peer);
            return p != null && p.out.isOpen();
        }
    }

    // ---------------------------------------------------------------------------------------------- peers

    /** Under the lock: the peer's state, created (with our outbound stream being opened) if new. */
    private Peer ensurePeer(PeerId id, List<String> remoteProtocols, Outbox out) {
        Peer p = peers.get(id);
        if (p != null) {
            return p;
        }
        p = new Peer(id, remoteProtocols);
        peers.put(id, p);
        // hello: our subscriptions
        RPC.Builder hello = out.rpc(p);
        for (String topic : subscriptions.keySet()) {
            hello.addSubscriptions(RPC.SubOpts.newBuilder().setSubscribe(true).setTopicid(topic));
        }
        Peer opened = p;
        out.later(() -> openOutbound(opened));
        return p;
    }

    private void openOutbound(Peer p) {
        List<String> order = new ArrayList<>();
        for (String proto : protocols) {
            if (p.remoteProtocols.contains(proto)) {
                order.add(proto);
            }
        }
        for (String proto : protocols) {
            if (!order.contains(proto)) {
                order.add(proto);
            }
        }
        CompletableFuture<Stream> opening;
        try {
            opening = network.newStream(p.id, order.toArray(String[]::new));
        } catch (RuntimeException e) {
            opening = CompletableFuture.failedFuture(e);
        }
        opening.whenComplete((stream, error) -> {
            if (error != null || stream == null) {
                LOG.debug("pubsub: cannot open a pubsub stream to {}: {}", p.id, String.valueOf(error));
                dropPeer(p);
                return;
            }
            boolean keep;
            synchronized (lock) {
                keep = !closed && peers.get(p.id) == p && protocols.contains(stream.protocol());
                if (keep) {
                    p.protocol = stream.protocol();
                }
            }
            if (!keep) {
                stream.close();
                return;
            }
            p.out.attach(stream);
        });
    }

    /** Removes {@code p} (if still current) and closes its outbound stream. */
    private void dropPeer(Peer p) {
        synchronized (lock) {
            if (peers.get(p.id) == p) {
                removePeer(p);
            }
        }
        p.out.close();
    }

    /** Under the lock: forgets the peer. */
    private void removePeer(Peer p) {
        peers.remove(p.id);
        for (Set<PeerId> m : mesh.values()) {
            m.remove(p.id);
        }
        for (Set<PeerId> f : fanout.values()) {
            f.remove(p.id);
        }
    }

    // ---------------------------------------------------------------------------------------------- reading

    private void readNext(Stream stream) {
        while (true) {
            CompletableFuture<byte[]> next;
            try {
                next = stream.readMessage(network.maxMessageSize());
            } catch (RuntimeException e) {
                next = CompletableFuture.failedFuture(e);
            }
            if (!next.isDone()) {
                next.whenComplete((bytes, error) -> {
                    if (onRead(stream, bytes, error)) {
                        readNext(stream);
                    }
                });
                return;
            }
            byte[] bytes = null;
            Throwable error = null;
            try {
                bytes = next.join();
            } catch (CompletionException | CancellationException e) {
                error = e.getCause() != null ? e.getCause() : e;
            }
            if (!onRead(stream, bytes, error)) {
                return;
            }
        }
    }

    /** Handles one read; returns whether to read on. */
    private boolean onRead(Stream stream, byte[] bytes, Throwable error) {
        if (error != null) {
            LOG.debug("pubsub: inbound stream from {} failed: {}", stream.remotePeer(), error.toString());
            inbound.remove(stream);
            stream.reset();
            return false;
        }
        if (bytes == null) {
            inbound.remove(stream);
            stream.close();
            return false;
        }
        try {
            return handleRpc(stream, bytes);
        } catch (RuntimeException e) {
            LOG.warn("pubsub: failed to handle an RPC from {}", stream.remotePeer(), e);
            return true;
        }
    }

    private boolean handleRpc(Stream stream, byte[] bytes) {
        PeerId from = stream.remotePeer();
        RPC rpc;
        try {
            rpc = RPC.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            LOG.debug("pubsub: undecodable RPC from {} ({} bytes); resetting its stream", from, bytes.length);
            inbound.remove(stream);
            stream.reset();
            return false;
        }
        Outbox out = new Outbox();
        synchronized (lock) {
            if (closed) {
                return false;
            }
            Peer p = ensurePeer(from, List.of(stream.protocol()), out);
            long now = clock.getAsLong();
            for (RPC.SubOpts sub : rpc.getSubscriptionsList()) {
                handleSubscription(p, sub);
            }
            for (Message m : rpc.getPublishList()) {
                handleMessage(p, m, now, out);
            }
            if (gossip && rpc.hasControl() && p.gossipsub()) {
                handleControl(p, rpc.getControl(), now, out);
            }
            out.commit();
        }
        out.run();
        return true;
    }

    private void handleSubscription(Peer p, RPC.SubOpts sub) {
        if (!sub.hasTopicid()) {
            return;
        }
        String topic = sub.getTopicid();
        if (sub.getSubscribe()) {
            if (p.topics.size() < MAX_TOPICS_PER_PEER) {
                p.topics.add(topic);
            } else {
                LOG.debug("pubsub: {} subscribed to more than {} topics; ignoring {}", p.id, MAX_TOPICS_PER_PEER, topic);
            }
        } else {
            p.topics.remove(topic);
            Set<PeerId> m = mesh.get(topic);
            if (m != null) {
                m.remove(p.id);
            }
            Set<PeerId> f = fanout.get(topic);
            if (f != null) {
                f.remove(p.id);
            }
        }
    }

    private void handleMessage(Peer source, Message m, long now, Outbox out) {
        ByteString claimed = StrictSign.claimedId(m);
        if (claimed != null && seen.contains(claimed, now)) {
            return;
        }
        StrictSign.Verified v;
        try {
            v = StrictSign.verify(m);
        } catch (StrictSign.InvalidMessageException e) {
            if (source.invalid++ == 0) { // the first one from a peer is worth seeing; more would flood the log
                LOG.info("pubsub: dropped an invalid message from {}: {} (more are logged at DEBUG)", source.id,
                        e.getMessage());
            } else {
                LOG.debug("pubsub: dropped invalid message from {}: {}", source.id, e.getMessage());
            }
            return;
        }
        if (v.from().equals(self)) {
            return; // our own message coming back
        }
        if (!seen.add(v.id(), now)) {
            return;
        }
        String topic = v.topic();
        // a seqno in js floodsub's short form is valid for floodsub only: gossipsub peers reject it (js gossipsub
        // InvalidSeqno, rust-libp2p InvalidSequenceNumber), so it is neither gossiped nor sent to them
        boolean toGossipsubPeers = v.canonicalSeqno();
        if (gossip && toGossipsubPeers) {
            mcache.put(v.id(), topic, m);
        }
        List<Subscription> subs = subscriptions.get(topic);
        if (subs != null && !subs.isEmpty()) {
            PubSubMessage delivered = new PubSubMessage(v.from(), topic, m.getData().toByteArray(), v.seqno());
            for (Subscription sub : List.copyOf(subs)) {
                out.later(() -> sub.deliver(delivered));
            }
        }
        Set<PeerId> targets = new LinkedHashSet<>();
        if (gossip) {
            Set<PeerId> meshPeers = mesh.get(topic);
            if (meshPeers != null) {
                targets.addAll(meshPeers);
            }
            for (Peer p : peers.values()) {
                if (!p.gossipsub() && p.topics.contains(topic)) {
                    targets.add(p.id);
                }
            }
        } else {
            for (Peer p : peers.values()) {
                if (p.topics.contains(topic)) {
                    targets.add(p.id);
                }
            }
        }
        targets.remove(source.id);
        targets.remove(v.from());
        for (PeerId target : targets) {
            Peer p = peers.get(target);
            if (p != null && (toGossipsubPeers || !p.gossipsub())) {
                out.rpc(p).addPublish(m);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- gossipsub

    private void handleControl(Peer p, ControlMessage control, long now, Outbox out) {
        // IHAVE: ask for what we have not seen, on topics we are in
        List<ByteString> want = new ArrayList<>();
        for (ControlIHave ihave : control.getIhaveList()) {
            if (++p.ihaves > MAX_IHAVE_MESSAGES) {
                LOG.debug("pubsub: too many IHAVEs from {} in this heartbeat", p.id);
                break;
            }
            if (!mesh.containsKey(ihave.getTopicID())) {
                continue;
            }
            for (ByteString id : ihave.getMessageIDsList()) {
                if (p.asked >= MAX_IHAVE_LENGTH) {
                    break;
                }
                if (!seen.contains(id, now) && !want.contains(id)) {
                    want.add(id);
                    p.asked++;
                }
            }
        }
        if (!want.isEmpty()) {
            out.control(p).addIwant(ControlIWant.newBuilder().addAllMessageIDs(want));
        }
        // IWANT: answer from the message cache
        for (ControlIWant iwant : control.getIwantList()) {
            for (ByteString id : iwant.getMessageIDsList()) {
                MessageCache.Entry e = mcache.get(id);
                if (e != null && e.requested(p.id) <= GOSSIP_RETRANSMISSION) {
                    out.rpc(p).addPublish(e.message);
                }
            }
        }
        // GRAFT
        for (ControlGraft graft : control.getGraftList()) {
            String topic = graft.getTopicID();
            Set<PeerId> meshPeers = mesh.get(topic);
            if (!graft.hasTopicID() || meshPeers == null || meshPeers.contains(p.id)) {
                continue; // unknown topics are ignored (spam hardening, as js)
            }
            if (isBackedOff(p.id, topic, now)) {
                LOG.debug("pubsub: {} grafted {} during backoff", p.id, topic);
                prune(p, topic, PRUNE_BACKOFF_SECONDS, now, out);
            } else if (meshPeers.size() >= D_HIGH) {
                prune(p, topic, PRUNE_BACKOFF_SECONDS, now, out);
            } else {
                meshPeers.add(p.id);
            }
        }
        // PRUNE
        for (ControlPrune prune : control.getPruneList()) {
            String topic = prune.getTopicID();
            Set<PeerId> meshPeers = mesh.get(topic);
            if (meshPeers != null) {
                meshPeers.remove(p.id);
            }
            long seconds = prune.hasBackoff() && prune.getBackoff() > 0
                    ? Math.min(prune.getBackoff(), MAX_BACKOFF_SECONDS) : PRUNE_BACKOFF_SECONDS;
            addBackoff(p.id, topic, seconds, now);
        }
    }

    /** Under the lock: sends PRUNE to {@code p} and backs off from it for {@code seconds}. */
    private void prune(Peer p, String topic, long seconds, long now, Outbox out) {
        ControlPrune.Builder prune = ControlPrune.newBuilder().setTopicID(topic);
        if (!MESHSUB_1_0.equals(p.protocol)) {
            prune.setBackoff(seconds);
        }
        out.control(p).addPrune(prune);
        addBackoff(p.id, topic, seconds, now);
    }

    private void graft(Peer p, String topic, Outbox out) {
        out.control(p).addGraft(ControlGraft.newBuilder().setTopicID(topic));
    }

    private void addBackoff(PeerId peer, String topic, long seconds, long now) {
        long expiry = now + TimeUnit.SECONDS.toNanos(seconds);
        backoff.computeIfAbsent(topic, t -> new HashMap<>()).merge(peer, expiry, (a, b) -> a - b > 0 ? a : b);
    }

    private boolean isBackedOff(PeerId peer, String topic, long now) {
        Map<PeerId, Long> byPeer = backoff.get(topic);
        Long expiry = byPeer == null ? null : byPeer.get(peer);
        return expiry != null && expiry - now > 0;
    }

    /** Under the lock: on our first subscription to {@code topic}, builds its mesh (from fanout first) and grafts. */
    private void join(String topic, Outbox out) {
        long now = clock.getAsLong();
        Set<PeerId> meshPeers = new HashSet<>();
        Set<PeerId> fan = fanout.remove(topic);
        fanoutLastPublish.remove(topic);
        if (fan != null) {
            for (PeerId id : fan) {
                Peer p = peers.get(id);
                if (p != null && p.topics.contains(topic) && !isBackedOff(id, topic, now) && meshPeers.size() < D) {
                    meshPeers.add(id);
                }
            }
        }
        if (meshPeers.size() < D) {
            meshPeers.addAll(pick(eligible(topic, meshPeers, true, now), D - meshPeers.size()));
        }
        mesh.put(topic, meshPeers);
        for (PeerId id : meshPeers) {
            graft(peers.get(id), topic, out);
        }
    }

    /** Under the lock: on our last unsubscription from {@code topic}, prunes its mesh. */
    private void leave(String topic, Outbox out) {
        Set<PeerId> meshPeers = mesh.remove(topic);
        if (meshPeers == null) {
            return;
        }
        long now = clock.getAsLong();
        for (PeerId id : meshPeers) {
            Peer p = peers.get(id);
            if (p != null) {
                prune(p, topic, UNSUBSCRIBE_BACKOFF_SECONDS, now, out);
            }
        }
    }

    /**
     * Under the lock: gossipsub peers with an open stream, subscribed to {@code topic}, not in {@code exclude} and
     * (if {@code respectBackoff}) not in backoff.
     */
    private List<PeerId> eligible(String topic, Set<PeerId> exclude, boolean respectBackoff, long now) {
        List<PeerId> result = new ArrayList<>();
        for (Peer p : peers.values()) {
            // as js, our own grafting waits one heartbeat beyond the backoff, so that it does not arrive early
            if (p.gossipsub() && p.out.isOpen() && p.topics.contains(topic) && !exclude.contains(p.id)
                    && !(respectBackoff && isBackedOff(p.id, topic, now - BACKOFF_SLACK_NANOS))) {
                result.add(p.id);
            }
        }
        return result;
    }

    /** {@code n} random elements of {@code candidates} (shuffled in place), or all of them if fewer. */
    private static <T> List<T> pick(List<T> candidates, int n) {
        Collections.shuffle(candidates, ThreadLocalRandom.current());
        return candidates.size() <= n ? candidates : new ArrayList<>(candidates.subList(0, n));
    }

    private void heartbeatSafely() {
        try {
            heartbeat();
        } catch (RuntimeException e) {
            LOG.warn("pubsub: heartbeat failed", e);
        }
    }

    /** One heartbeat: expires caches; for gossipsub maintains meshes and fanout, emits gossip, shifts the cache. */
    void heartbeat() {
        Outbox out = new Outbox();
        synchronized (lock) {
            if (closed) {
                return;
            }
            long now = clock.getAsLong();
            seen.expire(now);
            if (gossip) {
                maintain(now, out);
            }
            out.commit();
        }
        out.run();
    }

    private void maintain(long now, Outbox out) {
        for (Peer p : peers.values()) {
            p.ihaves = 0;
            p.asked = 0;
        }
        for (Iterator<Map<PeerId, Long>> it = backoff.values().iterator(); it.hasNext(); ) {
            Map<PeerId, Long> byPeer = it.next();
            byPeer.values().removeIf(expiry -> expiry + BACKOFF_SLACK_NANOS - now <= 0);
            if (byPeer.isEmpty()) {
                it.remove();
            }
        }
        // mesh
        for (Map.Entry<String, Set<PeerId>> e : mesh.entrySet()) {
            String topic = e.getKey();
            Set<PeerId> meshPeers = e.getValue();
            meshPeers.removeIf(id -> {
                Peer p = peers.get(id);
                return p == null || !p.topics.contains(topic);
            });
            if (meshPeers.size() < D_LOW) {
                for (PeerId id : pick(eligible(topic, meshPeers, true, now), D - meshPeers.size())) {
                    meshPeers.add(id);
                    graft(peers.get(id), topic, out);
                }
            } else if (meshPeers.size() > D_HIGH) {
                List<PeerId> shuffled = pick(new ArrayList<>(meshPeers), meshPeers.size());
                for (PeerId id : shuffled.subList(D, shuffled.size())) {
                    meshPeers.remove(id);
                    prune(peers.get(id), topic, PRUNE_BACKOFF_SECONDS, now, out);
                }
            }
        }
        // fanout
        for (Iterator<Map.Entry<String, Set<PeerId>>> it = fanout.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Set<PeerId>> e = it.next();
            String topic = e.getKey();
            Long last = fanoutLastPublish.get(topic);
            if (last == null || now - last > FANOUT_TTL_NANOS) {
                it.remove();
                fanoutLastPublish.remove(topic);
                continue;
            }
            Set<PeerId> fan = e.getValue();
            fan.removeIf(id -> {
                Peer p = peers.get(id);
                return p == null || !p.topics.contains(topic);
            });
            if (fan.size() < D) {
                fan.addAll(pick(eligible(topic, fan, false, now), D - fan.size()));
            }
        }
        // gossip
        Map<String, Set<PeerId>> gossipTopics = new HashMap<>(fanout);
        gossipTopics.putAll(mesh);
        for (Map.Entry<String, Set<PeerId>> e : gossipTopics.entrySet()) {
            List<ByteString> ids = mcache.gossipIds(e.getKey());
            if (ids.isEmpty()) {
                continue;
            }
            List<PeerId> candidates = eligible(e.getKey(), e.getValue(), false, now);
            int n = Math.max(D_LAZY, (int) Math.ceil(GOSSIP_FACTOR * candidates.size()));
            for (PeerId id : pick(candidates, n)) {
                List<ByteString> announced = ids;
                if (ids.size() > MAX_IHAVE_LENGTH) {
                    announced = pick(new ArrayList<>(ids), MAX_IHAVE_LENGTH);
                }
                out.control(peers.get(id)).addIhave(
                        ControlIHave.newBuilder().setTopicID(e.getKey()).addAllMessageIDs(announced));
            }
        }
        mcache.shift();
    }

    // ---------------------------------------------------------------------------------------------- subscriptions

    /** Under the lock: tells every peer that we (un)subscribed {@code topic}. */
    private void announce(String topic, boolean subscribe, Outbox out) {
        for (Peer p : peers.values()) {
            out.rpc(p).addSubscriptions(RPC.SubOpts.newBuilder().setSubscribe(subscribe).setTopicid(topic));
        }
    }

    private void unsubscribe(Subscription sub) {
        Outbox out = new Outbox();
        synchronized (lock) {
            List<Subscription> subs = subscriptions.get(sub.topic);
            if (subs == null || !subs.remove(sub)) {
                return;
            }
            if (subs.isEmpty()) {
                subscriptions.remove(sub.topic);
                if (!closed) {
                    if (gossip) {
                        leave(sub.topic, out);
                    }
                    announce(sub.topic, false, out);
                }
            }
            out.commit();
        }
        out.run();
    }

    private final class Subscription implements Registration {
        final String topic;
        final Consumer<PubSubMessage> handler;
        final AtomicBoolean open = new AtomicBoolean(true);

        Subscription(String topic, Consumer<PubSubMessage> handler) {
            this.topic = topic;
            this.handler = handler;
        }

        void deliver(PubSubMessage message) {
            if (!open.get()) {
                return;
            }
            try {
                handler.accept(message);
            } catch (RuntimeException e) {
                LOG.warn("pubsub: subscriber of {} failed", topic, e);
            }
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                unsubscribe(this);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- state

    /** What we know of one peer speaking pubsub. */
    private final class Peer {
        final PeerId id;
        final List<String> remoteProtocols;
        final OutboundQueue out;
        final Set<String> topics = new HashSet<>();
        /** The protocol of our outbound stream once negotiated; until then the best one the peer advertised. */
        String protocol;
        int invalid;
        int ihaves;
        int asked;

        Peer(PeerId id, List<String> remoteProtocols) {
            this.id = id;
            this.remoteProtocols = List.copyOf(remoteProtocols);
            this.protocol = remoteProtocols.get(0);
            this.out = new OutboundQueue(id, MAX_QUEUED_RPCS, e -> dropPeer(this));
        }

        boolean gossipsub() {
            return !FLOODSUB.equals(protocol);
        }
    }

    /**
     * RPCs and handler calls produced while holding the lock. {@link #commit()} (under the lock, so that RPCs to a
     * peer are queued in the order the state changed) encodes and queues the RPCs; {@link #run()} (after releasing
     * the lock) starts the writes and calls handlers.
     */
    private final class Outbox {
        private final Map<Peer, RPC.Builder> rpcs = new LinkedHashMap<>();
        private final List<OutboundQueue> toPump = new ArrayList<>();
        private final List<Runnable> later = new ArrayList<>();

        RPC.Builder rpc(Peer p) {
            return rpcs.computeIfAbsent(p, k -> RPC.newBuilder());
        }

        ControlMessage.Builder control(Peer p) {
            return rpc(p).getControlBuilder();
        }

        void later(Runnable r) {
            later.add(r);
        }

        void commit() {
            int max = network.maxMessageSize();
            for (Map.Entry<Peer, RPC.Builder> e : rpcs.entrySet()) {
                RPC rpc = e.getValue().build();
                if (rpc.getSerializedSize() == 0) {
                    continue; // e.g. the hello of a router without subscriptions
                }
                OutboundQueue queue = e.getKey().out;
                for (RPC part : split(rpc, max)) {
                    if (queue.offer(part.toByteArray()) && !toPump.contains(queue)) {
                        toPump.add(queue);
                    }
                }
            }
            rpcs.clear();
        }

        void run() {
            for (OutboundQueue q : toPump) {
                q.pump();
            }
            toPump.clear();
            for (Runnable r : later) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.warn("pubsub: callback failed", e);
                }
            }
            later.clear();
        }
    }

    /** {@code rpc} itself if it fits in {@code max} bytes, else one RPC of subscriptions and control and one per message. */
    private static List<RPC> split(RPC rpc, int max) {
        if (rpc.getSerializedSize() <= max) {
            return List.of(rpc);
        }
        List<RPC> parts = new ArrayList<>();
        RPC head = rpc.toBuilder().clearPublish().build();
        if (head.getSerializedSize() > 0) {
            if (head.getSerializedSize() <= max) {
                parts.add(head);
            } else {
                LOG.warn("pubsub: dropping control/subscriptions of {} bytes above the limit", head.getSerializedSize());
            }
        }
        for (Message m : rpc.getPublishList()) {
            RPC one = RPC.newBuilder().addPublish(m).build();
            if (one.getSerializedSize() <= max) {
                parts.add(one);
            } else {
                LOG.debug("pubsub: dropping a message of {} bytes above the limit", one.getSerializedSize());
            }
        }
        return parts;
    }
}
