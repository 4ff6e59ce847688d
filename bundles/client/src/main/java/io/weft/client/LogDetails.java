package io.weft.client;

import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Cid;
import io.weft.api.format.Multiaddr;
import io.weft.api.thread.LogId;
import java.util.List;

/**
 * A log of a thread as {@link ThreadsClient#getThread} reports it: its id and public key, whether the peer holds
 * its private key (it is the peer's own log; the key itself is never returned to the caller), where it is
 * served, and its head record and record count ({@code head} is {@code null} for an empty log).
 */
public record LogDetails(LogId id, PublicKey pubKey, boolean hasPrivateKey, List<Multiaddr> addrs, Cid head,
        long counter) {
    public LogDetails {
        addrs = addrs == null ? List.of() : List.copyOf(addrs);
    }
}
