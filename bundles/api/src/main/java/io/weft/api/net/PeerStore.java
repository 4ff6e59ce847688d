package io.weft.api.net;

import io.weft.api.format.Multiaddr;
import io.weft.api.thread.PeerId;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Addresses and identify results known for other peers; addresses expire after their time to live. */
public interface PeerStore {

    /** Adds addresses (without {@code /p2p}) for {@code peer}, kept for {@code ttl}. */
    void addAddresses(PeerId peer, List<Multiaddr> addresses, Duration ttl);

    /** The unexpired addresses of {@code peer}. */
    List<Multiaddr> addresses(PeerId peer);

    /** The last identify result of {@code peer}, if any. */
    Optional<PeerInfo> info(PeerId peer);

    /** The peers with unexpired addresses or identify results. */
    List<PeerId> peers();
}
