package io.weft.net;

import com.google.protobuf.ByteString;
import io.weft.api.InvalidInputException;
import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Cid;
import io.weft.api.format.Multiaddr;
import io.weft.api.log.Head;
import io.weft.api.log.LogInfo;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.net.pb.Log;
import java.util.ArrayList;
import java.util.List;

/** Conversions between the peer protocol's protobuf messages and Weft's value types; every decode validates. */
final class Wire {
    private Wire() {
    }

    static ByteString bytes(byte[] b) {
        return ByteString.copyFrom(b);
    }

    static ThreadId threadId(ByteString b) {
        if (b.isEmpty()) {
            throw new InvalidInputException("thread id is missing");
        }
        return ThreadId.decode(b.toByteArray());
    }

    static LogId logId(ByteString b) {
        if (b.isEmpty()) {
            throw new InvalidInputException("log id is missing");
        }
        return new LogId(b.toByteArray());
    }

    /** A CID, or null for empty bytes. */
    static Cid cidOrNull(ByteString b) {
        return b.isEmpty() ? null : Cid.decode(b.toByteArray());
    }

    static Log.Record record(RecordEnvelope e) {
        return Log.Record.newBuilder()
                .setRecordNode(bytes(e.recordNode()))
                .setEventNode(bytes(e.eventNode()))
                .setHeaderNode(bytes(e.headerNode()))
                .setBodyNode(bytes(e.bodyNode()))
                .build();
    }

    static RecordEnvelope envelope(Log.Record r) {
        return new RecordEnvelope(r.getRecordNode().toByteArray(), r.getEventNode().toByteArray(),
                r.getHeaderNode().toByteArray(), r.getBodyNode().toByteArray());
    }


    /** A log as sent: id, public key, the given addresses, head and counter. */
    static Log log(LogInfo info, List<Multiaddr> addrs) {
        Log.Builder b = Log.newBuilder()
                .setID(bytes(info.id().bytes()))
                .setPubKey(bytes(info.pubKey().marshal()))
                .setCounter(info.head().counter());
        for (Multiaddr a : addrs) {
            b.addAddrs(bytes(a.bytes()));
        }
        if (!info.head().isEmpty()) {
            b.setHead(bytes(info.head().cid().bytes()));
        }
        return b.build();
    }

    /** A received log's description, validated: the id must be the id of the public key. */
    record RemoteLog(LogId id, PublicKey pubKey, List<Multiaddr> addrs, Head head) {
    }

    static RemoteLog remoteLog(Log l) {
        LogId id = logId(l.getID());
        if (l.getPubKey().isEmpty()) {
            throw new InvalidInputException("log " + id + ": public key is missing");
        }
        PublicKey pub = PublicKey.unmarshal(l.getPubKey().toByteArray());
        if (!LogId.of(pub).equals(id)) {
            throw new InvalidInputException("log " + id + ": the public key does not match the log id");
        }
        List<Multiaddr> addrs = new ArrayList<>(l.getAddrsCount());
        for (ByteString a : l.getAddrsList()) {
            addrs.add(Multiaddr.decode(a.toByteArray()));
        }
        Cid head = cidOrNull(l.getHead());
        if (l.getCounter() < 0 || (head == null) != (l.getCounter() == 0)) {
            throw new InvalidInputException("log " + id + ": head and counter disagree");
        }
        return new RemoteLog(id, pub, addrs, head == null ? Head.EMPTY : new Head(head, l.getCounter()));
    }

    /** Constant-time comparison of a received key with the stored one. */
    static boolean sameKey(byte[] stored, ByteString received) {
        return java.security.MessageDigest.isEqual(stored, received.toByteArray());
    }
}
