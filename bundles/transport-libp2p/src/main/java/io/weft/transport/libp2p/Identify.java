package io.weft.transport.libp2p;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.weft.api.InvalidInputException;
import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Multiaddr;
import io.weft.api.format.Multihash;
import io.weft.api.net.PeerInfo;
import io.weft.api.net.Stream;
import io.weft.api.net.TransportException;
import io.weft.api.net.TransportException.Kind;
import io.weft.api.thread.PeerId;
import io.weft.transport.libp2p.proto.Libp2pProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identify protocol ({@code /ipfs/id/1.0.0}): the responder writes one length-prefixed {@code Identify} message
 * and closes; the opener reads it and checks that its public key derives to the connection's peer id.
 */
final class Identify {

    static final String PROTOCOL = "/ipfs/id/1.0.0";
    static final String PROTOCOL_VERSION = "ipfs/0.1.0";
    private static final Logger LOG = LoggerFactory.getLogger(Identify.class);

    private Identify() {
    }

    /** The message this peer sends to {@code remote} on {@code stream}. */
    static byte[] message(PublicKey localKey, String agentVersion, List<String> protocols, List<Multiaddr> listen,
            Multiaddr observed) {
        Libp2pProto.Identify.Builder b = Libp2pProto.Identify.newBuilder()
                .setProtocolVersion(PROTOCOL_VERSION)
                .setAgentVersion(agentVersion)
                .setPublicKey(ByteString.copyFrom(localKey.marshal()))
                .addAllProtocols(protocols);
        for (Multiaddr a : listen) {
            b.addListenAddrs(ByteString.copyFrom(a.bytes()));
        }
        if (observed != null && !observed.isEmpty()) {
            b.setObservedAddr(ByteString.copyFrom(observed.bytes()));
        }
        return b.build().toByteArray();
    }

    /** Serves one identify request: writes the message and closes the stream. */
    static void respond(Stream stream, byte[] message) {
        stream.writeMessage(message).thenCompose(v -> stream.closeWrite()).whenComplete((v, e) -> {
            if (e != null) {
                LOG.debug("identify: answering {} failed: {}", stream.remotePeer(), e.getMessage());
                stream.reset();
            } else {
                stream.close();
            }
        });
    }

    /** Reads and verifies the remote's identify message from {@code stream} (opened by this side). */
    static CompletableFuture<PeerInfo> request(Stream stream, int maxSize) {
        return stream.readMessage(maxSize).thenApply(bytes -> {
            stream.close();
            if (bytes == null) {
                throw new TransportException(Kind.PROTOCOL_ERROR, "identify: " + stream.remotePeer() + " sent no message");
            }
            return parse(stream.remotePeer(), bytes);
        });
    }

    /** Parses and verifies an identify message from {@code peer}. */
    static PeerInfo parse(PeerId peer, byte[] bytes) {
        Libp2pProto.Identify msg;
        try {
            msg = Libp2pProto.Identify.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new TransportException(Kind.PROTOCOL_ERROR, "identify: malformed message from " + peer + ": " + e.getMessage());
        }
        if (!msg.hasPublicKey()) {
            throw new TransportException(Kind.PROTOCOL_ERROR, "identify: " + peer + " sent no public key");
        }
        byte[] keyBytes = msg.getPublicKey().toByteArray();
        PeerId derived = peerIdOfKey(keyBytes);
        if (!derived.equals(peer)) {
            throw new TransportException(Kind.PEER_ID_MISMATCH,
                    "identify: the public key of " + peer + " derives to another peer id " + derived);
        }
        Optional<PublicKey> key;
        try {
            key = Optional.of(PublicKey.unmarshal(keyBytes));
        } catch (InvalidInputException e) {
            key = Optional.empty();
        }
        List<Multiaddr> listen = new ArrayList<>();
        for (ByteString a : msg.getListenAddrsList()) {
            decode(a).ifPresent(listen::add);
        }
        Optional<Multiaddr> observed = msg.hasObservedAddr() ? decode(msg.getObservedAddr()) : Optional.empty();
        return new PeerInfo(peer, key, msg.getProtocolVersion(), msg.getAgentVersion(), msg.getProtocolsList(), listen,
                observed);
    }

    private static Optional<Multiaddr> decode(ByteString bytes) {
        try {
            return Optional.of(Multiaddr.decode(bytes.toByteArray()));
        } catch (InvalidInputException e) {
            LOG.debug("identify: skipping an address that does not decode: {}", e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * The peer id of a libp2p public key protobuf of any key type: the identity multihash if the protobuf is at most
     * 42 bytes, else its sha2-256 multihash.
     */
    static PeerId peerIdOfKey(byte[] keyProtobuf) {
        Multihash hash = keyProtobuf.length <= 42 ? Multihash.identity(keyProtobuf) : Multihash.sha256(keyProtobuf);
        try {
            return new PeerId(hash.bytes());
        } catch (InvalidInputException e) {
            throw new TransportException(Kind.PROTOCOL_ERROR, "identify: unusable public key: " + e.getMessage());
        }
    }
}
