package io.weft.api.net;

import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Multiaddr;
import io.weft.api.thread.PeerId;
import java.util.List;
import java.util.Optional;

/**
 * What a peer said about itself in the identify exchange, after checking that its public key derives to the peer
 * id of the connection.
 *
 * @param peerId the peer
 * @param publicKey its public key, if it is an Ed25519 key (other key types are accepted but not kept)
 * @param protocolVersion e.g. {@code ipfs/0.1.0}
 * @param agentVersion e.g. {@code js-libp2p/3.3.11 node/20.20.2}
 * @param protocols the protocols it serves
 * @param listenAddresses where it says it listens
 * @param observedAddress how it sees this peer's address, if it said
 */
public record PeerInfo(PeerId peerId, Optional<PublicKey> publicKey, String protocolVersion, String agentVersion,
        List<String> protocols, List<Multiaddr> listenAddresses, Optional<Multiaddr> observedAddress) {

    public PeerInfo {
        protocols = List.copyOf(protocols);
        listenAddresses = List.copyOf(listenAddresses);
    }
}
