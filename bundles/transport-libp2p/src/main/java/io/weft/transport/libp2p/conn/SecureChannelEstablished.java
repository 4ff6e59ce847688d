package io.weft.transport.libp2p.conn;

import io.weft.api.crypto.PublicKey;
import io.weft.api.thread.PeerId;
import java.util.List;

/**
 * Netty user event fired by the security handler after a successful handshake: the remote proved it holds
 * {@code remoteKey} (so it is {@code remotePeer}). From then on the handler decrypts inbound bytes and encrypts
 * outbound ones.
 *
 * @param remoteMuxers stream muxers the remote offered inside the handshake (inlined muxer negotiation); may be empty
 */
public record SecureChannelEstablished(PeerId remotePeer, PublicKey remoteKey, List<String> remoteMuxers) {
    public SecureChannelEstablished {
        remoteMuxers = List.copyOf(remoteMuxers);
    }
}
