package io.weft.net;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.weft.api.ConflictException;
import io.weft.api.CorruptDataException;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.UnauthorizedException;
import io.weft.api.WeftException;
import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Cid;
import io.weft.api.format.Multiaddr;
import io.weft.api.log.AddrBook;
import io.weft.api.log.AppendResult;
import io.weft.api.log.Head;
import io.weft.api.log.LogInfo;
import io.weft.api.log.LogService;
import io.weft.api.log.Logstore;
import io.weft.api.log.SyncStats;
import io.weft.api.log.ThreadInfo;
import io.weft.api.log.ThreadService;
import io.weft.api.net.Connection;
import io.weft.api.net.ConnectionListener;
import io.weft.api.net.PubSubMessage;
import io.weft.api.net.Registration;
import io.weft.api.net.Stream;
import io.weft.api.net.Transport;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.LogId;
import io.weft.api.thread.PeerId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadInvite;
import io.weft.api.thread.ThreadKey;
import io.weft.net.pb.Call;
import io.weft.net.pb.ExchangeEdgesReply;
import io.weft.net.pb.ExchangeEdgesRequest;
import io.weft.net.pb.GetLogsReply;
import io.weft.net.pb.GetLogsRequest;
import io.weft.net.pb.GetRecordsReply;
import io.weft.net.pb.GetRecordsRequest;
import io.weft.net.pb.Log;
import io.weft.net.pb.PushLogReply;
import io.weft.net.pb.PushLogRequest;
import io.weft.net.pb.PushRecordReply;
import io.weft.net.pb.PushRecordRequest;
import io.weft.net.pb.Result;
import io.weft.net.pb.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ThreadService} over a {@link Transport} and a {@link LogService}: serves the peer protocol, pushes this
 * peer's new records, pulls its threads periodically and on demand, and applies what arrives strictly in log order
 * through the log service (whose append listeners, such as the database, take it from there). Works with plain
 * {@code new}-style construction ({@link #start}); the DS component only adapts it.
 *
 * <p>The transport can be swapped while running ({@link #bind}/{@link #unbind}): without one, nothing is sent and
 * the threads are pulled again once one is bound.
 */
public final class ThreadNet implements ThreadService, AutoCloseable {
    /** The libp2p protocol id of the peer protocol: one length-prefixed Call and one Result per stream. */
    public static final String PROTOCOL = "/weft/thread/1.0.0";

    private static final Logger LOG = LoggerFactory.getLogger(ThreadNet.class);
    private static final Duration PEER_ADDR_TTL = Duration.ofHours(24);
    private static final Duration FOLLOWER_TTL = Duration.ofHours(24);

    private final LogService logService;
    private final Logstore logstore;
    private final NetConfig config;
    private final ScheduledExecutorService scheduler;
    /** Outbound work: pushes, pulls, edge exchanges (these block on calls to peers). */
    private final ExecutorService workers;
    /** Next-page requests issued while a page is applied (never queued behind other outbound work). */
    private final ExecutorService prefetcher;
    /** Inbound calls and pubsub messages; separate from {@link #workers} so that peers calling each other never
     * wait on one another's busy outbound threads. */
    private final ExecutorService servers;
    private final Registration appendRegistration;
    private final Object bindLock = new Object();
    private volatile Bound bound;
    private volatile PeerId hostId;
    private volatile boolean closed;
    private ScheduledFuture<?> rounds;

    private final Map<ThreadId, Registration> topics = new ConcurrentHashMap<>();
    private final Map<ThreadId, ReentrantLock> pullLocks = new ConcurrentHashMap<>();
    private final Map<PeerId, Backoff> backoffs = new ConcurrentHashMap<>();
    private final Map<ThreadId, Map<PeerId, Long>> followers = new ConcurrentHashMap<>();
    /** Per thread, the peers to pull from next, and whether to fetch their logs first. */
    private final Map<ThreadId, Map<PeerId, Boolean>> queuedPulls = new ConcurrentHashMap<>();
    /** Threads with a drain task queued. */
    private final Set<ThreadId> drains = ConcurrentHashMap.newKeySet();
    private final Map<PeerId, Map<LogKey, PendingPush>> pendingPushes = new ConcurrentHashMap<>();
    private final Set<PeerId> pushDrains = ConcurrentHashMap.newKeySet();
    private final Map<LogKey, Boolean> ownLogs = new ConcurrentHashMap<>();
    private final Map<ThreadId, List<Multiaddr>> invitePeers = new ConcurrentHashMap<>();

    private final LongAdder received = new LongAdder();
    private final LongAdder appended = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder gaps = new LongAdder();
    private final LongAdder pushesSent = new LongAdder();
    private final LongAdder pushesFailed = new LongAdder();
    private final LongAdder pulls = new LongAdder();
    private final LongAdder edgeExchanges = new LongAdder();

    /** The transport currently in use, with what was registered on it. */
    private record Bound(Transport transport, NetClient client, List<Registration> registrations) {
    }

    private record LogKey(ThreadId thread, LogId log) {
    }

    /** Failures of calls to one peer: no calls until {@code until} (nanoTime). */
    private record Backoff(int failures, long until) {
    }

    private ThreadNet(LogService logService, NetConfig config) {
        this.logService = Objects.requireNonNull(logService, "logService");
        this.logstore = logService.logstore();
        this.config = Objects.requireNonNull(config, "config");
        AtomicInteger n = new AtomicInteger();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "weft-net-scheduler"));
        this.workers = Executors.newFixedThreadPool(16, r -> daemon(r, "weft-net-" + n.incrementAndGet()));
        this.prefetcher = Executors.newCachedThreadPool(r -> daemon(r, "weft-net-prefetch-" + n.incrementAndGet()));
        this.servers = Executors.newFixedThreadPool(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()),
                r -> daemon(r, "weft-net-serve-" + n.incrementAndGet()));
        this.appendRegistration = logService.addAppendListener(this::onAppended);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Starts syncing the threads of {@code logService} over {@code transport} (which may be null: bind one later).
     */
    public static ThreadNet start(Transport transport, LogService logService, NetConfig config) {
        ThreadNet net = new ThreadNet(logService, config);
        if (transport != null) {
            net.bind(transport);
        }
        synchronized (net.bindLock) {
            net.rounds = net.scheduler.scheduleWithFixedDelay(net::round, config.pullStartDelay().toMillis(),
                    config.pullInterval().toMillis(), TimeUnit.MILLISECONDS);
        }
        return net;
    }

    // ================================================================== transport binding

    /**
     * Uses {@code transport} from now on (replacing any other): serves the protocol on it, subscribes to the thread
     * topics, and pulls every thread soon. Its peer id must stay the same across transports.
     */
    public void bind(Transport transport) {
        Objects.requireNonNull(transport, "transport");
        synchronized (bindLock) {
            ensureOpen();
            PeerId id = transport.localPeer();
            if (hostId != null && !hostId.equals(id)) {
                throw new InvalidInputException("transport peer id " + id + " differs from this service's " + hostId);
            }
            unbindLocked();
            hostId = id;
            List<Registration> regs = new ArrayList<>();
            NetClient client = new NetClient(transport, config.callTimeout(), config.maxMessageSize());
            Bound b = new Bound(transport, client, regs);
            regs.add(transport.handle(PROTOCOL, stream -> serve(b, stream)));
            regs.add(transport.addConnectionListener(new ConnectionListener() {
                @Override
                public void connected(Connection connection) {
                    onConnected(connection.remotePeer());
                }
            }));
            bound = b;
            for (ThreadId t : logstore.threads()) {
                subscribe(t);
                hostOwnLogs(t);
                // after a restart the transport knows no addresses: give it those of every host of every log
                for (LogId log : logstore.logs(t)) {
                    for (Multiaddr a : logstore.addrBook().addrs(t, log)) {
                        learnAddress(a);
                    }
                }
                for (Multiaddr a : invitePeers(t)) {
                    learnAddress(a);
                }
            }
            backoffs.clear();
        }
        scheduler.schedule(this::round, config.pullStartDelay().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops using the current transport (the transport itself is the caller's to close). */
    public void unbind() {
        synchronized (bindLock) {
            unbindLocked();
        }
    }

    private void unbindLocked() {
        Bound b = bound;
        bound = null;
        for (Registration r : topics.values()) {
            r.close();
        }
        topics.clear();
        if (b != null) {
            for (Registration r : b.registrations()) {
                r.close();
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("thread service is closed");
        }
    }

    private Bound requireBound() {
        Bound b = bound;
        if (b == null) {
            throw new PeerCallException(hostId, PeerCallException.UNAVAILABLE, "no transport is bound");
        }
        return b;
    }

    @Override
    public void close() {
        synchronized (bindLock) {
            if (closed) {
                return;
            }
            closed = true;
            if (rounds != null) {
                rounds.cancel(false);
            }
            unbindLocked();
        }
        appendRegistration.close();
        scheduler.shutdownNow();
        for (ExecutorService e : List.of(workers, servers, prefetcher)) {
            e.shutdown(); // running calls finish (pulls stop at their next page), so no store write is interrupted
        }
        try {
            for (ExecutorService e : List.of(workers, servers, prefetcher)) {
                if (!e.awaitTermination(5, TimeUnit.SECONDS)) {
                    e.shutdownNow();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ================================================================== ThreadService

    @Override
    public PeerId hostId() {
        PeerId id = hostId;
        if (id == null) {
            throw new IllegalStateException("no transport was bound yet");
        }
        return id;
    }

    @Override
    public LogService logService() {
        return logService;
    }

    @Override
    public ThreadInfo createThread(ThreadId id, ThreadKey key) {
        ensureOpen();
        ThreadInfo info = logService.createThread(id, key);
        subscribe(info.id());
        return info;
    }

    @Override
    public ThreadInfo addThread(ThreadInvite invite) {
        ensureOpen();
        Objects.requireNonNull(invite, "invite");
        ThreadId thread = invite.threadId();
        logService.addThread(thread, invite.key()); // conflicts if stored with other keys
        rememberInvitePeers(thread, invite.addrs());
        subscribe(thread);
        for (Multiaddr a : invite.addrs()) {
            learnAddress(a);
        }
        WeftException last = null;
        for (PeerId peer : invite.peers()) {
            if (peer.equals(hostId)) {
                continue;
            }
            try {
                getLogs(peer, thread);
                pull(peer, thread);
                return logService.getThread(thread);
            } catch (PeerCallException e) {
                last = e;
                LOG.info("thread {}: could not fetch it from {} yet: {}", thread, peer, e.getMessage());
            }
        }
        if (last != null) {
            LOG.warn("thread {} added, but none of the invite's peers answered; it will be pulled later", thread);
        }
        return logService.getThread(thread);
    }

    @Override
    public ThreadInvite invite(ThreadId thread, boolean replicaOnly) {
        ThreadInfo info = logService.getThread(thread);
        Bound b = requireBound();
        List<Multiaddr> addrs = new ArrayList<>();
        Multiaddr threadPart = Multiaddr.of(Multiaddr.Component.of(Multiaddr.Protocol.THREAD, thread.bytes()));
        for (Multiaddr a : hostAddrs(b)) {
            addrs.add(a.encapsulate(threadPart));
        }
        // the other hosts of the thread's logs (replicas, other writers), so the invite works while this peer is off
        for (LogInfo log : info.logs()) {
            for (Multiaddr a : log.addrs()) {
                Optional<PeerId> p = a.peerId();
                if (p.isPresent() && !p.get().equals(hostId) && a.components().size() > 1) {
                    Multiaddr full = a.encapsulate(threadPart);
                    if (!addrs.contains(full)) {
                        addrs.add(full);
                    }
                }
            }
        }
        ThreadKey key = replicaOnly ? info.key().serviceOnly() : info.key();
        return new ThreadInvite(addrs, key);
    }

    @Override
    public void pullThread(ThreadId thread) {
        ensureOpen();
        if (!logstore.hasThread(thread)) {
            throw new NotFoundException("thread " + thread + " not found");
        }
        for (PeerId peer : peers(thread)) {
            try {
                pull(peer, thread);
            } catch (PeerCallException e) {
                LOG.info("thread {}: pull from {} failed: {}", thread, peer, e.getMessage());
            }
        }
    }

    @Override
    public boolean deleteThread(ThreadId thread) {
        Registration r = topics.remove(thread);
        if (r != null) {
            r.close();
        }
        followers.remove(thread);
        queuedPulls.remove(thread);
        invitePeers.remove(thread);
        ownLogs.keySet().removeIf(k -> k.thread().equals(thread));
        return logService.deleteThread(thread);
    }

    @Override
    public PeerId addReplicator(ThreadId thread, Multiaddr address) {
        ensureOpen();
        ThreadInfo info = logService.getThread(thread);
        PeerId replica = address.peerId().orElseThrow(
                () -> new InvalidInputException("replicator address " + address + " has no /p2p/ component"));
        if (replica.equals(hostId)) {
            throw new InvalidInputException("this peer cannot be its own replicator");
        }
        learnAddress(address);
        // the replica becomes a host of every log this peer hosts, so every peer of the thread pushes to it
        Multiaddr replicaAddr = address.decapsulate(Multiaddr.Protocol.THREAD);
        for (LogInfo log : info.logs()) {
            if (hosts(log.addrs()).contains(hostId)) {
                logstore.addrBook().addAddr(thread, log.id(), replicaAddr, AddrBook.PERMANENT);
            }
        }
        Bound b = requireBound();
        byte[] sk = info.key().serviceKey();
        for (LogInfo log : logService.getThread(thread).logs()) {
            PushLogRequest.Body.Builder body = PushLogRequest.Body.newBuilder()
                    .setThreadID(Wire.bytes(thread.bytes()))
                    .setServiceKey(ByteString.copyFrom(sk))
                    .setLog(Wire.log(log, advertised(b, log.addrs())));
            b.client().call(replica, Call.newBuilder().setPushLog(PushLogRequest.newBuilder().setBody(body)).build());
        }
        return replica;
    }

    @Override
    public LogInfo addLog(ThreadId thread, PublicKey logKey) {
        ensureOpen();
        Objects.requireNonNull(logKey, "logKey");
        if (!logstore.hasThread(thread)) {
            throw new NotFoundException("thread " + thread + " not found");
        }
        LogInfo info = logstore.addLog(thread, logKey, List.of(selfAddr()), AddrBook.PERMANENT);
        ownLogs.put(new LogKey(thread, info.id()), Boolean.TRUE);
        Bound b = bound;
        if (b != null) {
            for (PeerId peer : pushTargets(thread)) {
                workers.execute(() -> {
                    try {
                        pushLog(b, peer, thread, info.id());
                    } catch (PeerCallException e) {
                        LOG.debug("thread {}: announcing log {} to {} failed: {}", thread, info.id(), peer, e.getMessage());
                    }
                });
            }
        }
        return info;
    }

    @Override
    public AppendResult addRecord(ThreadId thread, LogId log, RecordEnvelope envelope) {
        ensureOpen();
        AppendResult r = logService.addRecord(thread, log, envelope);
        if (r.added() && !isOwnLog(thread, log)) {
            push(thread, r); // an own log's records are pushed by the append listener
        }
        return r;
    }

    @Override
    public List<PeerId> peers(ThreadId thread) {
        return new ArrayList<>(pushTargets(thread));
    }

    @Override
    public SyncStats stats() {
        return new SyncStats(received.sum(), appended.sum(), duplicates.sum(), rejected.sum(), gaps.sum(),
                pushesSent.sum(), pushesFailed.sum(), pulls.sum(), edgeExchanges.sum());
    }


    // ================================================================== addresses and peers

    private Multiaddr selfAddr() {
        return Multiaddr.of(Multiaddr.Component.of(Multiaddr.Protocol.P2P, hostId().bytes()));
    }

    /** This host's announced addresses, each ending in {@code /p2p/<host id>}. */
    private List<Multiaddr> hostAddrs(Bound b) {
        List<Multiaddr> out = new ArrayList<>();
        for (Multiaddr a : b.transport().announceAddresses()) {
            out.add(a.has(Multiaddr.Protocol.P2P) ? a : a.encapsulate(selfAddr()));
        }
        if (out.isEmpty()) {
            out.add(selfAddr());
        }
        return out;
    }

    /** A log's addresses as sent to peers: this host's bare {@code /p2p/<id>} becomes its announced addresses. */
    private List<Multiaddr> advertised(Bound b, List<Multiaddr> addrs) {
        LinkedHashSet<Multiaddr> out = new LinkedHashSet<>();
        Multiaddr self = selfAddr();
        for (Multiaddr a : addrs) {
            if (a.equals(self)) {
                out.addAll(hostAddrs(b));
            } else {
                out.add(a);
            }
        }
        return new ArrayList<>(out);
    }

    private static Set<PeerId> hosts(Collection<Multiaddr> addrs) {
        Set<PeerId> out = new LinkedHashSet<>();
        for (Multiaddr a : addrs) {
            a.peerId().ifPresent(out::add);
        }
        return out;
    }

    /** Tells the transport where a peer named in {@code addr} ({@code …/p2p/<id>…}) can be dialled. */
    private void learnAddress(Multiaddr addr) {
        Bound b = bound;
        Optional<PeerId> peer = addr.peerId();
        if (b == null || peer.isEmpty() || peer.get().equals(hostId)) {
            return;
        }
        Multiaddr dial = addr.decapsulate(Multiaddr.Protocol.P2P);
        if (!dial.isEmpty()) {
            b.transport().peerStore().addAddresses(peer.get(), List.of(dial), PEER_ADDR_TTL);
        }
    }

    /** Metadata key of the addresses a thread was joined from (no secrets: the key is stored elsewhere). */
    static final String INVITE_PEERS = "weft.net.invite-peers";

    /** Stores the invite's addresses (without /thread/), so a peer that stopped before its first pull finds them. */
    private void rememberInvitePeers(ThreadId thread, List<Multiaddr> addrs) {
        LinkedHashSet<Multiaddr> all = new LinkedHashSet<>(invitePeers(thread));
        for (Multiaddr a : addrs) {
            all.add(a.decapsulate(Multiaddr.Protocol.THREAD));
        }
        StringBuilder text = new StringBuilder();
        for (Multiaddr a : all) {
            text.append(text.length() == 0 ? "" : ",").append(a);
        }
        logstore.metadata().putString(thread, INVITE_PEERS, text.toString());
        invitePeers.put(thread, List.copyOf(all));
    }

    private List<Multiaddr> invitePeers(ThreadId thread) {
        return invitePeers.computeIfAbsent(thread, t -> {
            List<Multiaddr> out = new ArrayList<>();
            for (String part : logstore.metadata().getString(t, INVITE_PEERS).orElse("").split(",")) {
                if (!part.isBlank()) {
                    try {
                        out.add(Multiaddr.parse(part));
                    } catch (InvalidInputException e) {
                        LOG.warn("thread {}: ignoring a stored invite address: {}", t, e.getMessage());
                    }
                }
            }
            return List.copyOf(out);
        });
    }

    /** Peers that host a log of the thread, invited us to it, or recently pulled it from us; never this host. */
    private Set<PeerId> pushTargets(ThreadId thread) {
        Set<PeerId> out = new LinkedHashSet<>();
        out.addAll(hosts(invitePeers(thread)));
        out.addAll(logHosts(thread));
        Map<PeerId, Long> f = followers.get(thread);
        if (f != null) {
            long now = System.nanoTime();
            f.entrySet().removeIf(e -> e.getValue() - now < 0);
            out.addAll(f.keySet());
        }
        out.remove(hostId);
        return out;
    }

    /** The peers named in the addresses of the thread's logs (this host included, if it hosts one). */
    private Set<PeerId> logHosts(ThreadId thread) {
        Set<PeerId> out = new LinkedHashSet<>();
        for (LogId log : logstore.logs(thread)) {
            out.addAll(hosts(logstore.addrBook().addrs(thread, log)));
        }
        return out;
    }

    /**
     * Remembers that {@code peer} fetched {@code thread} with its service key (a reader or replica that hosts no
     * log of it), so new records are pushed to it too, for a day after its last such call.
     */
    private void follow(PeerId peer, ThreadId thread) {
        long until = System.nanoTime() + FOLLOWER_TTL.toNanos();
        followers.computeIfAbsent(thread, t -> new ConcurrentHashMap<>()).put(peer, until);
    }

    /** Makes sure every log this peer writes in {@code thread} lists this host, so peers know where to get it. */
    private void hostOwnLogs(ThreadId thread) {
        for (LogId log : logstore.logs(thread)) {
            if (isOwnLog(thread, log)) {
                ensureHosted(thread, log);
            }
        }
    }

    private void ensureHosted(ThreadId thread, LogId log) {
        Multiaddr self = selfAddr();
        if (!logstore.addrBook().addrs(thread, log).contains(self)) {
            logstore.addrBook().addAddr(thread, log, self, AddrBook.PERMANENT);
        }
    }

    private boolean isOwnLog(ThreadId thread, LogId log) {
        return ownLogs.computeIfAbsent(new LogKey(thread, log),
                k -> logstore.keyBook().privKey(thread, log).isPresent());
    }

    // ================================================================== backoff

    private boolean inBackoff(PeerId peer) {
        Backoff b = backoffs.get(peer);
        return b != null && b.until() - System.nanoTime() > 0;
    }

    private void failed(PeerId peer, PeerCallException e) {
        if (e.code() != PeerCallException.UNAVAILABLE && e.code() != PeerCallException.DEADLINE_EXCEEDED) {
            return;
        }
        backoffs.compute(peer, (p, old) -> {
            int failures = old == null ? 1 : old.failures() + 1;
            long base = config.backoffBase().toNanos();
            long max = config.backoffMax().toNanos();
            long pause = failures >= 62 ? max : Math.min(max, base << Math.min(failures - 1, 40));
            pause = pause / 2 + ThreadLocalRandom.current().nextLong(pause / 2 + 1); // jitter
            return new Backoff(failures, System.nanoTime() + pause);
        });
    }

    private void succeeded(PeerId peer) {
        backoffs.remove(peer);
    }

    private void onConnected(PeerId peer) {
        boolean wasBackingOff = backoffs.remove(peer) != null;
        if (wasBackingOff && !closed) {
            // a peer that was unreachable is back: compare threads with it now rather than at the next round
            workers.execute(() -> exchangeEdges(peer, threadsWith(peer)));
        }
    }

    private Result call(Bound b, PeerId peer, Call call) {
        try {
            Result r = b.client().call(peer, call);
            succeeded(peer);
            return r;
        } catch (PeerCallException e) {
            failed(peer, e);
            throw e;
        }
    }

    // ================================================================== push

    /** The log service's append listener: pushes this peer's own new records (called after each commit). */
    private void onAppended(ThreadId thread, AppendResult r) {
        if (closed) {
            return;
        }
        subscribe(thread); // threads created straight on the log service (e.g. by the database) are synced too
        if (isOwnLog(thread, r.log())) {
            push(thread, r);
        } else {
            relay(thread, r);
        }
    }

    private void push(ThreadId thread, AppendResult r) {
        Bound b = bound;
        if (b == null) {
            return;
        }
        PushRecordRequest req = PushRecordRequest.newBuilder()
                .setBody(PushRecordRequest.Body.newBuilder()
                        .setThreadID(Wire.bytes(thread.bytes()))
                        .setLogID(Wire.bytes(r.log().bytes()))
                        .setRecord(Wire.record(r.record().envelope())))
                .setCounter(r.counter())
                .build();
        boolean first = r.counter() == 1;
        if (first) {
            ensureHosted(thread, r.log());
        }
        Set<PeerId> targets = pushTargets(thread);
        for (PeerId peer : targets) {
            if (inBackoff(peer)) {
                continue;
            }
            queuePush(b, peer, thread, r.log(), req, first);
        }
        if (config.pubsub() && !pushedDirectly(b, thread, targets)) {
            b.transport().pubsub().publish(topic(thread), req.toByteArray()).exceptionally(e -> {
                LOG.debug("thread {}: publishing record {} failed: {}", thread, r.record().id(), e.getMessage());
                return null;
            });
        }
    }

    /**
     * Passes a record received from the network on to the peers that follow this thread through this peer (readers
     * that fetched it from here, e.g. from a replica while the writer is offline) and host none of its logs: they
     * would otherwise see it only at their next pull. A follower that has it already treats it as a duplicate,
     * which appends nothing and so relays nothing further.
     */
    private void relay(ThreadId thread, AppendResult r) {
        Bound b = bound;
        Map<PeerId, Long> f = followers.get(thread);
        if (b == null || f == null || f.isEmpty()) {
            return;
        }
        Set<PeerId> hosts = logHosts(thread);
        PushRecordRequest req = null;
        long now = System.nanoTime();
        for (Map.Entry<PeerId, Long> e : f.entrySet()) {
            PeerId peer = e.getKey();
            if (e.getValue() - now < 0 || hosts.contains(peer) || peer.equals(hostId) || inBackoff(peer)) {
                continue;
            }
            if (req == null) {
                req = PushRecordRequest.newBuilder()
                        .setBody(PushRecordRequest.Body.newBuilder()
                                .setThreadID(Wire.bytes(thread.bytes()))
                                .setLogID(Wire.bytes(r.log().bytes()))
                                .setRecord(Wire.record(r.record().envelope())))
                        .setCounter(r.counter())
                        .build();
            }
            queuePush(b, peer, thread, r.log(), req, false);
        }
    }

    /**
     * Whether every peer subscribed to the thread's topic gets the record by a direct push anyway: then publishing
     * would only deliver it twice (and often out of order, which costs a gap pull).
     */
    private static boolean pushedDirectly(Bound b, ThreadId thread, Set<PeerId> targets) {
        return targets.containsAll(b.transport().pubsub().peers(topic(thread)));
    }

    /** A record waiting to be pushed to a peer, and whether its log must be announced first. */
    private record PendingPush(PushRecordRequest request, boolean newLog) {
    }

    /**
     * Pushes to a peer run one at a time, in order. When a peer falls behind (a burst of writes), only the newest
     * record of each log waiting for it is pushed: the peer sees the gap and pulls everything in between in one page,
     * instead of one call per record.
     */
    private void queuePush(Bound b, PeerId peer, ThreadId thread, LogId log, PushRecordRequest req, boolean newLog) {
        pendingPushes.computeIfAbsent(peer, p -> new ConcurrentHashMap<>()).merge(new LogKey(thread, log),
                new PendingPush(req, newLog), (old, nu) -> new PendingPush(nu.request(), old.newLog() || nu.newLog()));
        if (pushDrains.add(peer)) {
            workers.execute(() -> drainPushes(b, peer));
        }
    }

    private void drainPushes(Bound b, PeerId peer) {
        Map<LogKey, PendingPush> queue = pendingPushes.get(peer);
        while (true) {
            while (!queue.isEmpty() && !closed) {
                for (LogKey key : new ArrayList<>(queue.keySet())) {
                    PendingPush p = queue.remove(key);
                    if (p != null) {
                        pushTo(b, peer, key.thread(), key.log(), p.request(), p.newLog());
                    }
                }
            }
            pushDrains.remove(peer);
            if (queue.isEmpty() || closed || !pushDrains.add(peer)) {
                return; // nothing left, or a new drain took over
            }
        }
    }


    private void pushTo(Bound b, PeerId peer, ThreadId thread, LogId log, PushRecordRequest req, boolean newLog) {
        if (bound != b || inBackoff(peer)) {
            return;
        }
        Call call = Call.newBuilder().setPushRecord(req).build();
        try {
            if (newLog) {
                pushLog(b, peer, thread, log); // a new log is announced before its first record
            }
            try {
                call(b, peer, call);
            } catch (PeerCallException e) {
                if (e.code() != PeerCallException.NOT_FOUND) {
                    throw e;
                }
                pushLog(b, peer, thread, log); // the peer does not know the log (or thread) yet
                call(b, peer, call);
            }
            pushesSent.increment();
        } catch (PeerCallException e) {
            pushesFailed.increment();
            LOG.debug("thread {}: push to {} failed: {}", thread, peer, e.getMessage());
        }
    }

    /** Announces one log to a peer (with the service key only: read keys travel in invites, never here). */
    private void pushLog(Bound b, PeerId peer, ThreadId thread, LogId log) {
        LogInfo info = logstore.logInfo(thread, log);
        byte[] sk = logstore.keyBook().threadKey(thread).orElseThrow(
                () -> new NotFoundException("thread " + thread + " not found")).serviceKey();
        PushLogRequest.Body body = PushLogRequest.Body.newBuilder()
                .setThreadID(Wire.bytes(thread.bytes()))
                .setServiceKey(ByteString.copyFrom(sk))
                .setLog(Wire.log(info, advertised(b, info.addrs())))
                .build();
        call(b, peer, Call.newBuilder().setPushLog(PushLogRequest.newBuilder().setBody(body)).build());
    }

    // ================================================================== pull

    /**
     * Pulls soon, once per (peer, thread) however often it is asked for meanwhile. Pulls of one thread run one at a
     * time in a single drain task, so waiting pulls never hold outbound threads.
     */
    private void schedulePull(PeerId peer, ThreadId thread, boolean logsFirst) {
        if (closed || peer.equals(hostId)) {
            return;
        }
        queuedPulls.computeIfAbsent(thread, t -> new ConcurrentHashMap<>()).merge(peer, logsFirst, Boolean::logicalOr);
        if (drains.add(thread)) {
            workers.execute(() -> drainPulls(thread));
        }
    }

    private void drainPulls(ThreadId thread) {
        drains.remove(thread); // from here on, a new request queues another drain
        ReentrantLock lock = pullLocks.computeIfAbsent(thread, t -> new ReentrantLock());
        if (!lock.tryLock()) {
            // another pull of this thread runs (a caller's pullThread or addThread): try again shortly
            if (!closed) {
                scheduler.schedule(() -> {
                    if (drains.add(thread)) {
                        workers.execute(() -> drainPulls(thread));
                    }
                }, 200, TimeUnit.MILLISECONDS);
            }
            return;
        }
        try {
            Map<PeerId, Boolean> queue = queuedPulls.get(thread);
            while (queue != null && !queue.isEmpty() && !closed) {
                for (PeerId peer : new ArrayList<>(queue.keySet())) {
                    Boolean logsFirst = queue.remove(peer);
                    if (logsFirst != null) {
                        pullQuietly(peer, thread, logsFirst);
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void pullQuietly(PeerId peer, ThreadId thread, boolean logsFirst) {
        if (bound == null || inBackoff(peer) || !logstore.hasThread(thread)) {
            return;
        }
        try {
            if (logsFirst) {
                getLogs(peer, thread);
            }
            pull(peer, thread);
        } catch (PeerCallException e) {
            LOG.debug("thread {}: pull from {} failed: {}", thread, peer, e.getMessage());
        } catch (WeftException e) {
            LOG.warn("thread {}: pull from {} stopped: {}", thread, peer, e.getMessage());
        }
    }

    /** Fetches the thread's logs (ids, keys, hosts) from a peer and adds the ones missing here. */
    private void getLogs(PeerId peer, ThreadId thread) {
        Bound b = requireBound();
        byte[] sk = threadKey(thread).serviceKey();
        Result r = call(b, peer, Call.newBuilder().setGetLogs(GetLogsRequest.newBuilder().setBody(
                GetLogsRequest.Body.newBuilder().setThreadID(Wire.bytes(thread.bytes()))
                        .setServiceKey(ByteString.copyFrom(sk)))).build());
        for (Log l : r.getGetLogs().getLogsList()) {
            mergeLog(thread, parseLog(peer, thread, l));
        }
    }

    private ThreadKey threadKey(ThreadId thread) {
        return logstore.keyBook().threadKey(thread)
                .orElseThrow(() -> new NotFoundException("thread " + thread + " not found"));
    }

    /** A log description a peer sent, validated; an invalid one is counted and logged with the peer. */
    private Wire.RemoteLog parseLog(PeerId from, ThreadId thread, Log l) {
        try {
            return Wire.remoteLog(l);
        } catch (InvalidInputException e) {
            rejected.increment();
            LOG.warn("thread {}: peer {} sent an invalid log: {}", thread, from, e.getMessage());
            throw e;
        }
    }

    /** Adds a log described by a peer, or the hosts it names to a known one. */
    private void mergeLog(ThreadId thread, Wire.RemoteLog remote) {
        List<Multiaddr> addrs = new ArrayList<>();
        for (Multiaddr a : remote.addrs()) {
            Optional<PeerId> p = a.peerId();
            if (p.isPresent() && !p.get().equals(hostId)) {
                addrs.add(a);
                learnAddress(a);
            }
        }
        if (logstore.keyBook().pubKey(thread, remote.id()).isEmpty()) {
            logstore.addLog(thread, remote.pubKey(), addrs, AddrBook.PERMANENT);
        } else if (!addrs.isEmpty()) {
            logstore.addrBook().addAddrs(thread, remote.id(), addrs, AddrBook.PERMANENT);
        }
    }

    /**
     * Pulls every log of the thread from {@code peer}, page by page, until the peer has nothing newer: each page's
     * records are verified and appended in log order. One pull per thread at a time.
     */
    void pull(PeerId peer, ThreadId thread) {
        Bound b = requireBound();
        ReentrantLock lock = pullLocks.computeIfAbsent(thread, t -> new ReentrantLock());
        lock.lock();
        try {
            byte[] sk = threadKey(thread).serviceKey();
            Set<LogId> stopped = new java.util.HashSet<>();
            Map<LogId, Head> asked = logstore.headBook().heads(thread);
            CompletableFuture<Result> inflight = CompletableFuture.completedFuture(
                    call(b, peer, recordsCall(thread, sk, asked, stopped)));
            while (inflight != null) {
                if (closed) {
                    inflight.cancel(false);
                    return;
                }
                Result r = join(inflight);
                follow(peer, thread);
                // the heads this page leads to if every record applies: ask for the next page now, while applying
                Map<LogId, Head> expected = new HashMap<>(asked);
                Map<LogId, List<Log.Record>> pages = new LinkedHashMap<>();
                boolean more = false;
                for (GetRecordsReply.LogEntry entry : r.getGetRecords().getLogsList()) {
                    LogId log;
                    Head remoteHead;
                    try {
                        if (entry.hasLog()) {
                            Wire.RemoteLog remote = parseLog(peer, thread, entry.getLog());
                            mergeLog(thread, remote);
                            log = remote.id();
                            remoteHead = remote.head();
                        } else {
                            log = Wire.logId(entry.getLogID());
                            remoteHead = Head.EMPTY;
                        }
                    } catch (InvalidInputException e) {
                        continue;
                    }
                    if (stopped.contains(log) || entry.getRecordsCount() == 0) {
                        continue;
                    }
                    Head from = asked.getOrDefault(log, Head.EMPTY);
                    Log.Record last = entry.getRecords(entry.getRecordsCount() - 1);
                    Head to = new Head(Cid.dagCbor(last.getRecordNode().toByteArray()), from.counter() + entry.getRecordsCount());
                    expected.put(log, to);
                    pages.put(log, entry.getRecordsList());
                    more |= remoteHead.counter() > to.counter();
                }
                inflight = more ? prefetch(b, peer, recordsCall(thread, sk, expected, stopped)) : null;
                boolean asExpected = true;
                for (Map.Entry<LogId, List<Log.Record>> e : pages.entrySet()) {
                    if (!apply(peer, thread, e.getKey(), e.getValue())) {
                        stopped.add(e.getKey());
                    }
                    if (!logstore.headBook().head(thread, e.getKey()).equals(expected.get(e.getKey()))) {
                        asExpected = false;
                    }
                }
                if (!asExpected && inflight != null) {
                    // something did not apply as the prefetched request assumed: ask again from the real heads
                    inflight.cancel(false);
                    Map<LogId, Head> actual = logstore.headBook().heads(thread);
                    inflight = actual.equals(asked) ? null
                            : CompletableFuture.completedFuture(call(b, peer, recordsCall(thread, sk, actual, stopped)));
                    asked = actual;
                } else {
                    asked = expected;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private Call recordsCall(ThreadId thread, byte[] sk, Map<LogId, Head> heads, Set<LogId> stopped) {
        GetRecordsRequest.Body.Builder body = GetRecordsRequest.Body.newBuilder()
                .setThreadID(Wire.bytes(thread.bytes()))
                .setServiceKey(ByteString.copyFrom(sk));
        for (Map.Entry<LogId, Head> e : heads.entrySet()) {
            GetRecordsRequest.Body.LogEntry.Builder le = GetRecordsRequest.Body.LogEntry.newBuilder()
                    .setLogID(Wire.bytes(e.getKey().bytes()))
                    .setLimit(stopped.contains(e.getKey()) ? 0 : config.pageRecords())
                    .setCounter(e.getValue().counter());
            if (!e.getValue().isEmpty()) {
                le.setOffset(Wire.bytes(e.getValue().cid().bytes()));
            }
            body.addLogs(le);
        }
        pulls.increment();
        return Call.newBuilder().setGetRecords(GetRecordsRequest.newBuilder().setBody(body)).build();
    }

    private CompletableFuture<Result> prefetch(Bound b, PeerId peer, Call call) {
        CompletableFuture<Result> f = new CompletableFuture<>();
        prefetcher.execute(() -> {
            try {
                f.complete(call(b, peer, call));
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    private static Result join(CompletableFuture<Result> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }

    /** Verifies and appends one page of a log's records; false if the page was refused. */
    private boolean apply(PeerId peer, ThreadId thread, LogId log, List<Log.Record> page) {
        received.add(page.size());
        List<RecordEnvelope> envelopes = new ArrayList<>(page.size());
        try {
            for (Log.Record rec : page) {
                envelopes.add(Wire.envelope(rec));
            }
        } catch (InvalidInputException e) {
            rejected.add(page.size());
            LOG.warn("thread {}: peer {} sent a malformed record of log {}: {}", thread, peer, log, e.getMessage());
            return false;
        }
        Head before = logstore.headBook().head(thread, log);
        try {
            List<AppendResult> results = logService.addRecords(thread, log, envelopes);
            count(results);
            return true;
        } catch (WeftException e) {
            Head after = logstore.headBook().head(thread, log);
            long added = after.counter() - before.counter();
            appended.add(Math.max(0, added));
            if (e instanceof ConflictException) {
                // another pull appended meanwhile, or the peer's records fork the log: nothing applied past the head
                LOG.debug("thread {}: records of log {} from {} do not extend the head: {}", thread, log, peer,
                        e.getMessage());
            } else {
                rejected.increment();
                LOG.warn("thread {}: rejected a record of log {} from peer {}: {}", thread, log, peer, e.getMessage());
            }
            return false;
        }
    }

    private void count(List<AppendResult> results) {
        for (AppendResult r : results) {
            if (r.added()) {
                appended.increment();
            } else {
                duplicates.increment();
            }
        }
    }

    // ================================================================== periodic rounds (edges)

    /** One round: for every peer of every thread, compare edges (in batches); pull what differs. */
    private void round() {
        if (closed || bound == null) {
            return;
        }
        try {
            Map<PeerId, List<ThreadId>> byPeer = new HashMap<>();
            for (ThreadId t : logstore.threads()) {
                subscribe(t);
                for (PeerId p : pushTargets(t)) {
                    byPeer.computeIfAbsent(p, k -> new ArrayList<>()).add(t);
                }
            }
            long spread = Math.max(1, config.pullInterval().toMillis() / 2);
            for (Map.Entry<PeerId, List<ThreadId>> e : byPeer.entrySet()) {
                if (inBackoff(e.getKey())) {
                    continue;
                }
                long delay = ThreadLocalRandom.current().nextLong(spread);
                scheduler.schedule(() -> workers.execute(() -> exchangeEdges(e.getKey(), e.getValue())),
                        delay, TimeUnit.MILLISECONDS);
            }
        } catch (RuntimeException e) {
            LOG.warn("sync round failed: {}", e.toString());
        }
    }

    private List<ThreadId> threadsWith(PeerId peer) {
        List<ThreadId> out = new ArrayList<>();
        for (ThreadId t : logstore.threads()) {
            if (pushTargets(t).contains(peer)) {
                out.add(t);
            }
        }
        return out;
    }

    private void exchangeEdges(PeerId peer, List<ThreadId> threads) {
        Bound b = bound;
        if (b == null || closed) {
            return;
        }
        for (int i = 0; i < threads.size(); i += config.edgesBatch()) {
            List<ThreadId> batch = threads.subList(i, Math.min(threads.size(), i + config.edgesBatch()));
            ExchangeEdgesRequest.Body.Builder body = ExchangeEdgesRequest.Body.newBuilder();
            for (ThreadId t : batch) {
                long[] edges = edges(t);
                body.addThreads(ExchangeEdgesRequest.Body.ThreadEntry.newBuilder()
                        .setThreadID(Wire.bytes(t.bytes())).setAddressEdge(edges[0]).setHeadsEdge(edges[1]));
            }
            Result r;
            try {
                edgeExchanges.increment();
                r = call(b, peer, Call.newBuilder().setExchangeEdges(ExchangeEdgesRequest.newBuilder().setBody(body)).build());
            } catch (PeerCallException e) {
                LOG.debug("edges with {} failed: {}", peer, e.getMessage());
                return;
            }
            for (ExchangeEdgesReply.ThreadEdges te : r.getExchangeEdges().getEdgesList()) {
                ThreadId t;
                try {
                    t = Wire.threadId(te.getThreadID());
                } catch (InvalidInputException e) {
                    continue;
                }
                if (!te.getExists() || !batch.contains(t)) {
                    continue;
                }
                long[] local = edges(t);
                if (local[0] != te.getAddressEdge()) {
                    schedulePull(peer, t, true);
                } else if (local[1] != te.getHeadsEdge()) {
                    schedulePull(peer, t, false);
                }
            }
        }
    }

    /** The thread's address edge and heads edge. */
    private long[] edges(ThreadId thread) {
        Map<LogId, List<PeerId>> hosts = new HashMap<>();
        Map<LogId, Head> heads = new HashMap<>();
        for (LogId log : logstore.logs(thread)) {
            List<PeerId> h = new ArrayList<>();
            for (Multiaddr a : logstore.addrBook().addrs(thread, log)) {
                a.peerId().ifPresent(h::add);
            }
            hosts.put(log, h);
            heads.put(log, logstore.headBook().head(thread, log));
        }
        return new long[] {Edges.addrs(hosts), Edges.heads(heads)};
    }

    // ================================================================== pubsub

    static String topic(ThreadId thread) {
        return thread.toString();
    }

    private void subscribe(ThreadId thread) {
        Bound b = bound;
        if (!config.pubsub() || b == null) {
            return;
        }
        topics.computeIfAbsent(thread, t -> b.transport().pubsub().subscribe(topic(t), m -> onPubSub(t, m)));
    }

    private void onPubSub(ThreadId thread, PubSubMessage m) {
        if (m.from().equals(hostId)) {
            return;
        }
        servers.execute(() -> {
            try {
                PushRecordRequest req = PushRecordRequest.parseFrom(m.data());
                if (!thread.equals(Wire.threadId(req.getBody().getThreadID()))) {
                    rejected.increment();
                    return;
                }
                pushed(m.from(), req, true);
            } catch (InvalidProtocolBufferException | InvalidInputException e) {
                rejected.increment();
                LOG.warn("thread {}: malformed pubsub message from {}: {}", thread, m.from(), e.getMessage());
            } catch (NotFoundException e) {
                schedulePull(m.from(), thread, true); // a log not known here yet: fetch the logs, then records
            } catch (WeftException e) {
                LOG.debug("thread {}: pubsub record from {} not applied: {}", thread, m.from(), e.getMessage());
            }
        });
    }

    // ================================================================== serving

    private void serve(Bound b, Stream stream) {
        PeerId remote = stream.remotePeer();
        stream.readMessage(config.maxMessageSize()).whenCompleteAsync((bytes, error) -> {
            if (error != null) {
                LOG.debug("call from {} failed before it was read: {}", remote, error.toString());
                stream.reset();
                return;
            }
            Result result;
            try {
                result = dispatch(b, remote, Call.parseFrom(bytes));
            } catch (InvalidProtocolBufferException e) {
                result = error(PeerCallException.INVALID_ARGUMENT, "malformed call: " + e.getMessage());
            }
            stream.writeMessage(result.toByteArray()).whenComplete((v, e) -> stream.close());
        }, servers);
    }

    private static Result error(int code, String message) {
        return Result.newBuilder().setError(Status.newBuilder().setCode(code).setMessage(message)).build();
    }

    private Result dispatch(Bound b, PeerId remote, Call call) {
        try {
            return switch (call.getRequestCase()) {
                case GETLOGS -> Result.newBuilder().setGetLogs(serveGetLogs(b, remote, call.getGetLogs())).build();
                case PUSHLOG -> Result.newBuilder().setPushLog(servePushLog(remote, call.getPushLog())).build();
                case GETRECORDS -> Result.newBuilder().setGetRecords(serveGetRecords(b, remote, call.getGetRecords())).build();
                case PUSHRECORD -> {
                    pushed(remote, call.getPushRecord(), false);
                    yield Result.newBuilder().setPushRecord(PushRecordReply.getDefaultInstance()).build();
                }
                case EXCHANGEEDGES -> Result.newBuilder().setExchangeEdges(serveEdges(remote, call.getExchangeEdges())).build();
                case REQUEST_NOT_SET -> error(PeerCallException.INVALID_ARGUMENT, "empty call");
            };
        } catch (NotFoundException e) {
            return error(PeerCallException.NOT_FOUND, e.getMessage());
        } catch (UnauthorizedException e) {
            return error(PeerCallException.UNAUTHENTICATED, e.getMessage());
        } catch (InvalidInputException | CorruptDataException e) {
            return error(PeerCallException.INVALID_ARGUMENT, e.getMessage());
        } catch (ConflictException e) {
            return error(PeerCallException.FAILED_PRECONDITION, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("serving {} to {} failed", call.getRequestCase(), remote, e);
            return error(PeerCallException.INTERNAL, "internal error");
        }
    }

    /** Checks a call's service key against the thread's; the thread must be known. */
    private ThreadKey authenticate(ThreadId thread, ByteString serviceKey) {
        ThreadKey key = logstore.keyBook().threadKey(thread)
                .orElseThrow(() -> new NotFoundException("thread " + thread + " not found"));
        if (!Wire.sameKey(key.serviceKey(), serviceKey)) {
            throw new UnauthorizedException("wrong service key for thread " + thread);
        }
        return key;
    }

    private GetLogsReply serveGetLogs(Bound b, PeerId remote, GetLogsRequest req) {
        ThreadId thread = Wire.threadId(req.getBody().getThreadID());
        authenticate(thread, req.getBody().getServiceKey());
        follow(remote, thread);
        GetLogsReply.Builder out = GetLogsReply.newBuilder();
        for (LogInfo log : logService.getThread(thread).logs()) {
            out.addLogs(Wire.log(log, advertised(b, log.addrs())));
        }
        return out.build();
    }

    private PushLogReply servePushLog(PeerId remote, PushLogRequest req) {
        PushLogRequest.Body body = req.getBody();
        ThreadId thread = Wire.threadId(body.getThreadID());
        if (!body.hasLog()) {
            throw new InvalidInputException("push log: the log is missing");
        }
        Wire.RemoteLog log = Wire.remoteLog(body.getLog()); // validate before anything is stored
        if (!logstore.hasThread(thread)) {
            if (!config.adoptThreads() || body.getServiceKey().size() != ThreadKey.KEY_LENGTH) {
                throw new NotFoundException("thread " + thread + " not found");
            }
            byte[] rk = body.getReadKey().size() == ThreadKey.KEY_LENGTH ? body.getReadKey().toByteArray() : null;
            logService.addThread(thread, ThreadKey.of(body.getServiceKey().toByteArray(), rk));
            subscribe(thread);
            LOG.info("thread {}: adopted from {} ({})", thread, remote, rk == null ? "replica" : "reader");
        } else {
            authenticate(thread, body.getServiceKey());
        }
        mergeLog(thread, log);
        follow(remote, thread);
        schedulePull(remote, thread, false);
        return PushLogReply.getDefaultInstance();
    }

    private GetRecordsReply serveGetRecords(Bound b, PeerId remote, GetRecordsRequest req) {
        GetRecordsRequest.Body body = req.getBody();
        ThreadId thread = Wire.threadId(body.getThreadID());
        authenticate(thread, body.getServiceKey());
        follow(remote, thread);
        Map<LogId, GetRecordsRequest.Body.LogEntry> asked = new HashMap<>();
        for (GetRecordsRequest.Body.LogEntry e : body.getLogsList()) {
            asked.put(Wire.logId(e.getLogID()), e);
        }
        GetRecordsReply.Builder out = GetRecordsReply.newBuilder();
        int budget = config.pageBytes();
        int served = 0;
        for (LogInfo log : logService.getThread(thread).logs()) {
            GetRecordsReply.LogEntry.Builder entry = GetRecordsReply.LogEntry.newBuilder()
                    .setLogID(Wire.bytes(log.id().bytes()))
                    .setLog(Wire.log(log, advertised(b, log.addrs())));
            GetRecordsRequest.Body.LogEntry a = asked.get(log.id());
            int limit = a == null ? config.pageRecords() : Math.min(a.getLimit(), config.pageRecords());
            long theirs = a == null ? 0 : a.getCounter();
            if (limit > 0 && budget > 0 && theirs < log.head().counter()) {
                List<RecordEnvelope> page;
                try {
                    page = logService.records(thread, log.id(), a == null ? null : Wire.cidOrNull(a.getOffset()), limit);
                } catch (NotFoundException e) {
                    page = List.of(); // the caller's offset is not in this log: it is ahead, or on another branch
                }
                for (RecordEnvelope env : page) {
                    if (env.size() > budget && served > 0) {
                        budget = 0; // full: the caller asks again from where this page ends
                        break;
                    }
                    entry.addRecords(Wire.record(env));
                    budget -= env.size();
                    served++;
                }
            }
            out.addLogs(entry);
        }
        return out.build();
    }

    /** A record pushed by a peer (directly or over pubsub): verified and appended, or a gap pulled. */
    private void pushed(PeerId from, PushRecordRequest req, boolean viaPubsub) {
        PushRecordRequest.Body body = req.getBody();
        ThreadId thread = Wire.threadId(body.getThreadID());
        LogId log = Wire.logId(body.getLogID());
        if (!body.hasRecord()) {
            throw new InvalidInputException("push record: the record is missing");
        }
        if (!logstore.hasThread(thread)) {
            throw new NotFoundException("thread " + thread + " not found");
        }
        if (logstore.keyBook().pubKey(thread, log).isEmpty()) {
            throw new NotFoundException("log " + log + " not found in thread " + thread);
        }
        received.increment();
        RecordEnvelope env;
        try {
            env = Wire.envelope(body.getRecord());
        } catch (InvalidInputException e) {
            rejected.increment();
            LOG.warn("thread {}: peer {} pushed a malformed record of log {}: {}", thread, from, log, e.getMessage());
            throw e;
        }
        try {
            try {
                appendPushed(thread, log, env);
            } catch (ConflictException e) {
                if (req.getCounter() != logstore.headBook().head(thread, log).counter() + 1) {
                    throw e;
                }
                appendPushed(thread, log, env); // the head moved meanwhile (a pull appended): it may fit now
            }
        } catch (ConflictException e) {
            Head head = logstore.headBook().head(thread, log);
            if (req.getCounter() > head.counter() + 1) {
                gaps.increment();
                // records are missing between our head and this one: a direct push is the newest of a burst (pull
                // the rest now); over pubsub, records may just arrive out of order (give them a moment)
                if (viaPubsub) {
                    schedulePullSoon(from, thread);
                } else {
                    schedulePull(from, thread, false);
                }
            } else if (storedIn(thread, log, env)) {
                LOG.debug("thread {}: record {} of log {} was stored meanwhile", thread, env.id(), log);
            } else {
                rejected.increment();
                LOG.warn("thread {}: rejected a record of log {} from peer {}: {}", thread, log, from, e.getMessage());
                throw e;
            }
        } catch (CorruptDataException | UnauthorizedException | InvalidInputException e) {
            rejected.increment();
            LOG.warn("thread {}: rejected a record of log {} from peer {}: {}", thread, log, from, e.getMessage());
            throw e;
        }
    }

    /** Appends {@code env} once more: true if it is now in {@code log} (stored meanwhile, or fitting now). */
    private boolean storedIn(ThreadId thread, LogId log, RecordEnvelope env) {
        try {
            appendPushed(thread, log, env);
            return true;
        } catch (ConflictException e) {
            return false;
        }
    }

    /**
     * Pulls a gap shortly rather than at once: records pushed one after another may just arrive out of order, and
     * the ones in flight usually fill the gap before the pull starts (it then finds nothing to fetch).
     */
    private void schedulePullSoon(PeerId peer, ThreadId thread) {
        if (!closed) {
            scheduler.schedule(() -> schedulePull(peer, thread, false), 100, TimeUnit.MILLISECONDS);
        }
    }

    private void appendPushed(ThreadId thread, LogId log, RecordEnvelope env) {
        AppendResult r = logService.addRecord(thread, log, env);
        if (r.added()) {
            appended.increment();
        } else {
            duplicates.increment();
        }
    }

    private ExchangeEdgesReply serveEdges(PeerId remote, ExchangeEdgesRequest req) {
        ExchangeEdgesReply.Builder out = ExchangeEdgesReply.newBuilder();
        int n = 0;
        for (ExchangeEdgesRequest.Body.ThreadEntry te : req.getBody().getThreadsList()) {
            if (++n > Math.max(config.edgesBatch(), 1000)) {
                break;
            }
            ThreadId t = Wire.threadId(te.getThreadID());
            if (!logstore.hasThread(t)) {
                out.addEdges(ExchangeEdgesReply.ThreadEdges.newBuilder().setThreadID(te.getThreadID()).setExists(false));
                continue;
            }
            long[] local = edges(t);
            out.addEdges(ExchangeEdgesReply.ThreadEdges.newBuilder().setThreadID(te.getThreadID()).setExists(true)
                    .setAddressEdge(local[0]).setHeadsEdge(local[1]));
            if (pushTargets(t).contains(remote)) {
                if (local[0] != te.getAddressEdge()) {
                    schedulePull(remote, t, true);
                } else if (local[1] != te.getHeadsEdge()) {
                    schedulePull(remote, t, false);
                }
            }
        }
        return out.build();
    }
}
