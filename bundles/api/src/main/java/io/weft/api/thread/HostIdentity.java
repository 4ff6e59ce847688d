package io.weft.api.thread;

import io.weft.api.crypto.PrivateKey;
import io.weft.api.crypto.PublicKey;

/**
 * The peer's host identity as a service: the Ed25519 key with which this peer writes its logs (its
 * {@link PeerId} is the id of the public half). The peer bundle registers one; the database and the network
 * service consume it.
 */
public interface HostIdentity {

    /** The private key. Secret: never log it. */
    PrivateKey privateKey();

    /** The public key. */
    default PublicKey publicKey() {
        return privateKey().publicKey();
    }

    /** The peer id. */
    default PeerId peerId() {
        return PeerId.of(publicKey());
    }
}
