package io.weft.api.log;

import io.weft.api.InvalidInputException;
import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Multiaddr;
import io.weft.api.thread.LogId;
import java.util.List;

/**
 * What the logstore knows about one log of a thread (go-threads {@code thread.LogInfo}).
 *
 * @param id            the log id (the identity multihash of {@code pubKey})
 * @param pubKey        the log's Ed25519 public key, which verifies its records' signatures
 * @param hasPrivateKey whether this peer holds the log's private key, i.e. is the log's single writer
 * @param addrs         the log's current (unexpired) addresses
 * @param head          the log's head, {@link Head#EMPTY} without records
 */
public record LogInfo(LogId id, PublicKey pubKey, boolean hasPrivateKey, List<Multiaddr> addrs, Head head) {
    public LogInfo {
        if (id == null || pubKey == null || head == null) {
            throw new InvalidInputException("log info: id, public key and head are required");
        }
        if (!LogId.of(pubKey).equals(id)) {
            throw new InvalidInputException("log info: log id " + id + " is not the id of its public key");
        }
        addrs = addrs == null ? List.of() : List.copyOf(addrs);
    }
}
