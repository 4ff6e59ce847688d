package io.weft.client;

import com.google.protobuf.ByteString;
import io.weft.api.InvalidInputException;
import io.weft.api.WeftException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Cid;
import io.weft.api.format.Multiaddr;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.LogId;
import io.weft.api.thread.PeerId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadInvite;
import io.weft.api.thread.ThreadKey;
import io.weft.grpc.netpb.APIGrpc;
import io.weft.grpc.netpb.AddRecordRequest;
import io.weft.grpc.netpb.AddReplicatorRequest;
import io.weft.grpc.netpb.AddThreadRequest;
import io.weft.grpc.netpb.CreateRecordRequest;
import io.weft.grpc.netpb.CreateThreadRequest;
import io.weft.grpc.netpb.DeleteThreadRequest;
import io.weft.grpc.netpb.GetHostIDRequest;
import io.weft.grpc.netpb.GetRecordRequest;
import io.weft.grpc.netpb.GetThreadRequest;
import io.weft.grpc.netpb.Keys;
import io.weft.grpc.netpb.LogInfo;
import io.weft.grpc.netpb.NewRecordReply;
import io.weft.grpc.netpb.PullThreadRequest;
import io.weft.grpc.netpb.Record;
import io.weft.grpc.netpb.SubscribeRequest;
import io.weft.grpc.netpb.ThreadInfoReply;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The thread API of a peer ({@code threads.net.pb.API}): threads (logs of signed, encrypted records) below the
 * databases. Get it from {@link WeftClient#threads()}; it shares the client's connection, token and deadline.
 */
public final class ThreadsClient {
    private final Calls calls;
    private final APIGrpc.APIBlockingStub blocking;

    ThreadsClient(Calls calls) {
        this.calls = calls;
        this.blocking = APIGrpc.newBlockingStub(calls.channel);
    }

    /** The peer's host id. */
    public PeerId getHostId() {
        ByteString b = calls.unary("GetHostID", blocking, s -> s.getHostID(GetHostIDRequest.getDefaultInstance()))
                .getPeerID();
        return Convert.peerData(() -> new PeerId(b.toByteArray()), "peer id");
    }

    /**
     * Creates a thread at the peer.
     *
     * @param id the thread id
     * @param key its key, or {@code null} to let the peer make one
     * @param logKey the key of the peer's own log in it, or {@code null} to let the peer make one
     */
    public ThreadDetails createThread(ThreadId id, ThreadKey key, PrivateKey logKey) {
        CreateThreadRequest request = CreateThreadRequest.newBuilder().setThreadID(Convert.id(id))
                .setKeys(keys(key, logKey)).build();
        return details(calls.unary("CreateThread", blocking, s -> s.createThread(request)));
    }

    /** Creates a thread with a new random id and key; returns it. */
    public ThreadDetails createThread() {
        return createThread(ThreadId.newRandom(), null, null);
    }

    /**
     * Adds a thread that another peer serves, from its address and key; the peer starts pulling it.
     *
     * @param addr a thread address {@code …/p2p/<peer>/thread/<id>}
     * @param key the thread key (service key only: the peer becomes a replica)
     * @param logKey the key of the peer's own log in it, or {@code null}
     */
    public ThreadDetails addThread(Multiaddr addr, ThreadKey key, PrivateKey logKey) {
        if (addr == null) {
            throw new InvalidInputException("a thread address is required");
        }
        AddThreadRequest request = AddThreadRequest.newBuilder().setAddr(ByteString.copyFrom(addr.bytes()))
                .setKeys(keys(key, logKey)).build();
        return details(calls.unary("AddThread", blocking, s -> s.addThread(request)));
    }

    /** {@link #addThread(Multiaddr, ThreadKey, PrivateKey)} from an invite, trying its addresses in order. */
    public ThreadDetails addThread(ThreadInvite invite) {
        Objects.requireNonNull(invite, "invite");
        WeftException last = null;
        for (Multiaddr a : invite.addrs()) {
            try {
                return addThread(a, invite.key(), null);
            } catch (PeerUnavailableException e) {
                last = e;
            }
        }
        throw last;
    }

    /**
     * A thread's key, logs and addresses.
     *
     * @throws io.weft.api.NotFoundException if the peer has no such thread
     */
    public ThreadDetails getThread(ThreadId id) {
        GetThreadRequest request = GetThreadRequest.newBuilder().setThreadID(Convert.id(id)).build();
        return details(calls.unary("GetThread", blocking, s -> s.getThread(request)));
    }

    /** Asks the peer to pull the thread's new records from the other peers now. */
    public void pullThread(ThreadId id) {
        PullThreadRequest request = PullThreadRequest.newBuilder().setThreadID(Convert.id(id)).build();
        calls.unary("PullThread", blocking, s -> s.pullThread(request));
    }

    /** Deletes the thread (its logs and records) from the peer. */
    public void deleteThread(ThreadId id) {
        DeleteThreadRequest request = DeleteThreadRequest.newBuilder().setThreadID(Convert.id(id)).build();
        calls.unary("DeleteThread", blocking, s -> s.deleteThread(request));
    }

    /**
     * Makes another peer a replica of the thread: the peer sends it the service key and the logs.
     *
     * @param addr the replicator's address, with {@code /p2p/<peer id>}
     * @return the replicator's peer id
     */
    public PeerId addReplicator(ThreadId id, Multiaddr addr) {
        if (addr == null) {
            throw new InvalidInputException("the replicator's address is required");
        }
        AddReplicatorRequest request = AddReplicatorRequest.newBuilder().setThreadID(Convert.id(id))
                .setAddr(ByteString.copyFrom(addr.bytes())).build();
        ByteString b = calls.unary("AddReplicator", blocking, s -> s.addReplicator(request)).getPeerID();
        return Convert.peerData(() -> new PeerId(b.toByteArray()), "peer id");
    }

    /**
     * Appends a record with this body to the peer's own log in the thread (the peer encrypts and signs it).
     *
     * @param body the record body as dag-cbor bytes
     */
    public ThreadRecord createRecord(ThreadId id, byte[] body) {
        if (body == null || body.length == 0) {
            throw new InvalidInputException("a record body (dag-cbor) is required");
        }
        CreateRecordRequest request = CreateRecordRequest.newBuilder().setThreadID(Convert.id(id))
                .setBody(ByteString.copyFrom(body)).build();
        return record(calls.unary("CreateRecord", blocking, s -> s.createRecord(request)));
    }

    /** Adds a record made elsewhere (already encrypted and signed) to a log of the thread. */
    public void addRecord(ThreadId id, LogId log, RecordEnvelope record) {
        if (log == null || record == null) {
            throw new InvalidInputException("the log id and the record are required");
        }
        AddRecordRequest request = AddRecordRequest.newBuilder().setThreadID(Convert.id(id))
                .setLogID(ByteString.copyFrom(log.bytes())).setRecord(toProto(record)).build();
        calls.unary("AddRecord", blocking, s -> s.addRecord(request));
    }

    /**
     * A record of the thread by its id.
     *
     * @throws io.weft.api.NotFoundException if the peer does not have it
     */
    public RecordEnvelope getRecord(ThreadId id, Cid recordId) {
        if (recordId == null) {
            throw new InvalidInputException("a record id is required");
        }
        GetRecordRequest request = GetRecordRequest.newBuilder().setThreadID(Convert.id(id))
                .setRecordID(ByteString.copyFrom(recordId.bytes())).build();
        return envelope(calls.unary("GetRecord", blocking, s -> s.getRecord(request)).getRecord());
    }

    /** New records of these threads (all threads when none is given), as a blocking iterator; close it to stop. */
    public EventStream<ThreadRecord> subscribe(List<ThreadId> threads) {
        return EventStream.start(calls.newStreamCall(APIGrpc.getSubscribeMethod(), "Subscribe"),
                subscribeRequest(threads), "Subscribe", ThreadsClient::record);
    }

    /** {@link #subscribe(List)} with varargs. */
    public EventStream<ThreadRecord> subscribe(ThreadId... threads) {
        return subscribe(Arrays.asList(threads));
    }

    /** New records of these threads delivered to {@code onRecord}; {@code onError} gets a failure of the stream. */
    public Cancellable subscribe(List<ThreadId> threads, Consumer<ThreadRecord> onRecord, Consumer<WeftException> onError) {
        Objects.requireNonNull(onRecord, "onRecord");
        return CallbackStream.start(calls.newStreamCall(APIGrpc.getSubscribeMethod(), "Subscribe"),
                subscribeRequest(threads), "Subscribe", ThreadsClient::record, onRecord, onError);
    }

    private static SubscribeRequest subscribeRequest(List<ThreadId> threads) {
        SubscribeRequest.Builder b = SubscribeRequest.newBuilder();
        if (threads != null) {
            for (ThreadId t : threads) {
                b.addThreadIDs(Convert.id(t));
            }
        }
        return b.build();
    }

    // ------------------------------------------------------------------ conversions

    private static Keys keys(ThreadKey key, PrivateKey logKey) {
        Keys.Builder k = Keys.newBuilder();
        if (key != null) {
            k.setThreadKey(ByteString.copyFrom(key.bytes()));
        }
        if (logKey != null) {
            k.setLogKey(ByteString.copyFrom(logKey.marshal()));
        }
        return k.build();
    }

    static ThreadDetails details(ThreadInfoReply r) {
        ThreadId id = Convert.threadId(r.getThreadID(), "thread id");
        ThreadKey key = r.getThreadKey().isEmpty() ? null
                : Convert.peerData(() -> ThreadKey.decode(r.getThreadKey().toByteArray()), "thread key");
        List<LogDetails> logs = new ArrayList<>();
        for (LogInfo l : r.getLogsList()) {
            logs.add(log(l));
        }
        return new ThreadDetails(id, key, logs, addrs(r.getAddrsList()));
    }

    private static LogDetails log(LogInfo l) {
        LogId id = Convert.peerData(() -> new LogId(l.getID().toByteArray()), "log id");
        PublicKey pub = l.getPubKey().isEmpty() ? null
                : Convert.peerData(() -> PublicKey.unmarshal(l.getPubKey().toByteArray()), "log public key");
        Cid head = l.getHead().isEmpty() ? null : Convert.peerData(() -> Cid.decode(l.getHead().toByteArray()), "log head");
        return new LogDetails(id, pub, !l.getPrivKey().isEmpty(), addrs(l.getAddrsList()), head,
                counter(l.getCounter()));
    }

    /**
     * The log counter as go-threads fills the field: a zig-zag varint ({@code binary.PutVarint}) at the start of
     * a buffer (8 bytes, zero-padded; what follows the varint is ignored, as {@code binary.Varint} does). Empty
     * means 0.
     */
    static long counter(ByteString b) {
        if (b.isEmpty()) {
            return 0;
        }
        byte[] a = b.toByteArray();
        return Convert.peerData(() -> {
            long zz = 0;
            int shift = 0;
            for (byte x : a) {
                if (shift > 63) {
                    throw new InvalidInputException("varint too long");
                }
                zz |= (long) (x & 0x7f) << shift;
                if ((x & 0x80) == 0) {
                    return (zz >>> 1) ^ -(zz & 1);
                }
                shift += 7;
            }
            throw new InvalidInputException("truncated varint");
        }, "log counter");
    }

    private static List<Multiaddr> addrs(List<ByteString> list) {
        List<Multiaddr> out = new ArrayList<>();
        for (ByteString a : list) {
            out.add(Convert.peerData(() -> Multiaddr.decode(a.toByteArray()), "address"));
        }
        return out;
    }

    static ThreadRecord record(NewRecordReply r) {
        ThreadId thread = Convert.threadId(r.getThreadID(), "thread id");
        LogId log = Convert.peerData(() -> new LogId(r.getLogID().toByteArray()), "log id");
        return new ThreadRecord(thread, log, envelope(r.getRecord()));
    }

    private static RecordEnvelope envelope(Record r) {
        return Convert.peerData(() -> new RecordEnvelope(r.getRecordNode().toByteArray(), r.getEventNode().toByteArray(),
                r.getHeaderNode().toByteArray(), r.getBodyNode().toByteArray()), "record");
    }

    private static Record toProto(RecordEnvelope e) {
        return Record.newBuilder()
                .setRecordNode(ByteString.copyFrom(e.recordNode()))
                .setEventNode(ByteString.copyFrom(e.eventNode()))
                .setHeaderNode(ByteString.copyFrom(e.headerNode()))
                .setBodyNode(ByteString.copyFrom(e.bodyNode()))
                .build();
    }
}
