package io.weft.transport.libp2p;

import io.weft.api.format.Multiaddr;
import io.weft.api.net.PeerInfo;
import io.weft.api.net.PeerStore;
import io.weft.api.thread.PeerId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The transport's peer store, in memory: addresses with expiry and the last identify result per peer. Bounded: at
 * most {@link #MAX_ADDRESSES_PER_PEER} addresses per peer and {@code maxPeers} peers (the least recently updated
 * peer is dropped first), so a peer advertising endless addresses cannot grow it without limit.
 */
final class MemoryPeerStore implements PeerStore {

    static final int MAX_ADDRESSES_PER_PEER = 32;

    private final Clock clock;
    private final int maxPeers;
    private final Map<PeerId, Entry> peers = new LinkedHashMap<>(16, 0.75f, true);

    private static final class Entry {
        final Map<Multiaddr, Instant> addresses = new LinkedHashMap<>();
        PeerInfo info;
    }

    MemoryPeerStore(Clock clock, int maxPeers) {
        this.clock = clock;
        this.maxPeers = maxPeers;
    }

    @Override
    public synchronized void addAddresses(PeerId peer, List<Multiaddr> addresses, Duration ttl) {
        Entry e = entry(peer);
        Instant until = clock.instant().plus(ttl);
        for (Multiaddr a : addresses) {
            Multiaddr plain = a.decapsulate(Multiaddr.Protocol.P2P);
            if (plain.isEmpty()) {
                continue;
            }
            e.addresses.merge(plain, until, (x, y) -> x.isAfter(y) ? x : y);
        }
        while (e.addresses.size() > MAX_ADDRESSES_PER_PEER) {
            e.addresses.remove(e.addresses.keySet().iterator().next());
        }
    }

    @Override
    public synchronized List<Multiaddr> addresses(PeerId peer) {
        Entry e = peers.get(peer);
        if (e == null) {
            return List.of();
        }
        Instant now = clock.instant();
        e.addresses.values().removeIf(until -> until.isBefore(now));
        return List.copyOf(e.addresses.keySet());
    }

    @Override
    public synchronized Optional<PeerInfo> info(PeerId peer) {
        Entry e = peers.get(peer);
        return e == null ? Optional.empty() : Optional.ofNullable(e.info);
    }

    synchronized void putInfo(PeerInfo info) {
        entry(info.peerId()).info = info;
    }

    @Override
    public synchronized List<PeerId> peers() {
        Instant now = clock.instant();
        List<PeerId> out = new ArrayList<>();
        peers.forEach((id, e) -> {
            e.addresses.values().removeIf(until -> until.isBefore(now));
            if (!e.addresses.isEmpty() || e.info != null) {
                out.add(id);
            }
        });
        return out;
    }

    private Entry entry(PeerId peer) {
        Entry e = peers.computeIfAbsent(peer, p -> new Entry());
        while (peers.size() > maxPeers) {
            peers.remove(peers.keySet().iterator().next());
        }
        return e;
    }

    /** The number of peers held. */
    synchronized int size() {
        return peers.size();
    }
}
