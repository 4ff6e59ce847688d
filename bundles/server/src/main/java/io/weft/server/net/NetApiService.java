package io.weft.server.net;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.weft.api.InvalidInputException;
import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Cid;
import io.weft.api.format.Multiaddr;
import io.weft.api.log.AppendHook;
import io.weft.api.log.AppendListener;
import io.weft.api.log.AppendResult;
import io.weft.api.log.Head;
import io.weft.api.log.LogInfo;
import io.weft.api.log.LogService;
import io.weft.api.log.ThreadInfo;
import io.weft.api.log.ThreadService;
import io.weft.api.net.Registration;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadInvite;
import io.weft.api.thread.ThreadKey;
import io.weft.grpc.netpb.APIGrpc;
import io.weft.grpc.netpb.AddRecordReply;
import io.weft.grpc.netpb.AddRecordRequest;
import io.weft.grpc.netpb.AddReplicatorReply;
import io.weft.grpc.netpb.AddReplicatorRequest;
import io.weft.grpc.netpb.AddThreadRequest;
import io.weft.grpc.netpb.CreateRecordRequest;
import io.weft.grpc.netpb.CreateThreadRequest;
import io.weft.grpc.netpb.DeleteThreadReply;
import io.weft.grpc.netpb.DeleteThreadRequest;
import io.weft.grpc.netpb.GetHostIDReply;
import io.weft.grpc.netpb.GetHostIDRequest;
import io.weft.grpc.netpb.GetRecordReply;
import io.weft.grpc.netpb.GetRecordRequest;
import io.weft.grpc.netpb.GetThreadRequest;
import io.weft.grpc.netpb.GetTokenReply;
import io.weft.grpc.netpb.GetTokenRequest;
import io.weft.grpc.netpb.Keys;
import io.weft.grpc.netpb.NewRecordReply;
import io.weft.grpc.netpb.PullThreadReply;
import io.weft.grpc.netpb.PullThreadRequest;
import io.weft.grpc.netpb.SubscribeRequest;
import io.weft.grpc.netpb.ThreadInfoReply;
import io.weft.server.GrpcErrors;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread (log) API {@code threads.net.pb.API} of go-threads, served over a {@link ThreadService}: threads,
 * replicators, records and a live record stream, for clients that work with threads directly rather than with
 * databases.
 *
 * <p><b>Keys.</b> {@code GetThread}, {@code CreateThread} and {@code AddThread} return the thread key (as go-threads
 * does: a client needs it to decrypt records and to invite others) but <b>never a log's private key</b>: the
 * {@code privKey} field of every {@code LogInfo} is left empty, whoever asks. Records of the caller's own log are
 * signed here ({@code CreateRecord}); records of a log whose key the caller holds are signed by the caller and added
 * with {@code AddRecord}, so no client ever needs a log private key from the peer. Which callers may call at all is
 * the business of the server's auth interceptor in front of this service.
 *
 * <p><b>Writer identity.</b> {@code CreateRecord} (and {@code CreateThread}, which creates the writer's log) write
 * as the identity the {@code author} supplier returns: the record's {@code pubKey}, appended to that identity's log
 * of the thread, whose log key this peer keeps. The supplier is called on the call's thread, so it can read the
 * caller's identity from the current {@code io.grpc.Context} (e.g. the auth interceptor's caller).
 *
 * <p><b>Subscribe.</b> Each subscriber gets a bounded buffer of records; a client that does not keep up (the buffer
 * fills while the transport is not ready) is cut off with {@code RESOURCE_EXHAUSTED} instead of growing memory.
 * The append listener is removed when the call ends or is cancelled.
 *
 * <p>Errors are typed statuses ({@code INVALID_ARGUMENT}, {@code NOT_FOUND}, {@code ALREADY_EXISTS},
 * {@code FAILED_PRECONDITION}, {@code PERMISSION_DENIED}, {@code UNAVAILABLE}); a rejected request changes nothing.
 */
public final class NetApiService extends APIGrpc.APIImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(NetApiService.class);

    /** Records buffered per subscriber by default. */
    public static final int DEFAULT_SUBSCRIBE_BUFFER = 1024;

    private final ThreadService threads;
    private final LogService logs;
    private final Supplier<PublicKey> author;
    private final TokenIssuer tokens;
    private final int subscribeBuffer;
    private final Set<Subscription> subscriptions = new CopyOnWriteArraySet<>();

    /**
     * @param threads the thread service to serve
     * @param author  the identity that writes {@code CreateRecord}s (the records' {@code pubKey}, whose log this peer
     *                keeps): the caller's proven identity, or the host identity; {@code null} from it means
     *                {@code UNAUTHENTICATED}
     * @param tokens  the GetToken flow, or {@code null} to answer GetToken with {@code UNIMPLEMENTED}
     */
    public NetApiService(ThreadService threads, Supplier<PublicKey> author, TokenIssuer tokens) {
        this(threads, author, tokens, DEFAULT_SUBSCRIBE_BUFFER);
    }

    /**
     * @param subscribeBuffer records buffered per {@code Subscribe} call before a slow client is cut off (>= 1)
     */
    public NetApiService(ThreadService threads, Supplier<PublicKey> author, TokenIssuer tokens, int subscribeBuffer) {
        this.threads = Objects.requireNonNull(threads, "threads");
        this.logs = Objects.requireNonNull(threads.logService(), "threads.logService()");
        this.author = Objects.requireNonNull(author, "author");
        this.tokens = tokens;
        if (subscribeBuffer < 1) {
            throw new IllegalArgumentException("subscribeBuffer must be at least 1, got " + subscribeBuffer);
        }
        this.subscribeBuffer = subscribeBuffer;
    }

    /** How many {@code Subscribe} calls are open. */
    public int activeSubscriptions() {
        return subscriptions.size();
    }

    // ================================================================== RPCs

    @Override
    public void getHostID(GetHostIDRequest request, StreamObserver<GetHostIDReply> out) {
        unary("GetHostID", out, GrpcErrors.Conflict.FAILED_PRECONDITION,
                () -> GetHostIDReply.newBuilder().setPeerID(bytes(threads.hostId().bytes())).build());
    }

    @Override
    public StreamObserver<GetTokenRequest> getToken(StreamObserver<GetTokenReply> out) {
        if (tokens == null) {
            out.onError(Status.UNIMPLEMENTED.withDescription("GetToken: tokens are not issued by this peer")
                    .asRuntimeException());
            return new StreamObserver<>() {
                @Override
                public void onNext(GetTokenRequest value) {
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            };
        }
        return tokens.getToken(out);
    }

    @Override
    public void createThread(CreateThreadRequest request, StreamObserver<ThreadInfoReply> out) {
        unary("CreateThread", out, GrpcErrors.Conflict.ALREADY_EXISTS, () -> {
            ThreadId id = threadId(request.getThreadID());
            ThreadKey key = request.getKeys().getThreadKey().isEmpty() ? null : threadKey(request.getKeys());
            PublicKey logKey = logKey(request.getKeys());
            PublicKey identity = logKey == null && (key == null || key.canRead()) ? author() : null;
            ThreadInfo info = threads.createThread(id, key);
            if (logKey != null) {
                threads.addLog(id, logKey);
            } else if (identity != null) {
                logs.getOrCreateOwnLog(id, identity);
            }
            return threadInfo(info.id());
        });
    }

    @Override
    public void addThread(AddThreadRequest request, StreamObserver<ThreadInfoReply> out) {
        unary("AddThread", out, GrpcErrors.Conflict.ALREADY_EXISTS, () -> {
            if (request.getAddr().isEmpty()) {
                throw new InvalidInputException("addr: the thread address is missing");
            }
            Multiaddr addr = Multiaddr.decode(request.getAddr().toByteArray());
            if (request.getKeys().getThreadKey().isEmpty()) {
                throw new InvalidInputException("keys.threadKey: the thread key is missing");
            }
            ThreadKey key = threadKey(request.getKeys());
            PublicKey logKey = logKey(request.getKeys());
            ThreadInvite invite = new ThreadInvite(List.of(addr), key);
            ThreadInfo info = threads.addThread(invite);
            if (logKey != null) {
                threads.addLog(info.id(), logKey);
            }
            return threadInfo(info.id());
        });
    }

    @Override
    public void getThread(GetThreadRequest request, StreamObserver<ThreadInfoReply> out) {
        unary("GetThread", out, GrpcErrors.Conflict.FAILED_PRECONDITION, () -> threadInfo(threadId(request.getThreadID())));
    }

    @Override
    public void pullThread(PullThreadRequest request, StreamObserver<PullThreadReply> out) {
        unary("PullThread", out, GrpcErrors.Conflict.FAILED_PRECONDITION, () -> {
            threads.pullThread(threadId(request.getThreadID()));
            return PullThreadReply.getDefaultInstance();
        });
    }

    @Override
    public void deleteThread(DeleteThreadRequest request, StreamObserver<DeleteThreadReply> out) {
        unary("DeleteThread", out, GrpcErrors.Conflict.FAILED_PRECONDITION, () -> {
            ThreadId id = threadId(request.getThreadID());
            if (!threads.deleteThread(id)) {
                throw new io.weft.api.NotFoundException("thread " + id + " not found");
            }
            return DeleteThreadReply.getDefaultInstance();
        });
    }

    @Override
    public void addReplicator(AddReplicatorRequest request, StreamObserver<AddReplicatorReply> out) {
        unary("AddReplicator", out, GrpcErrors.Conflict.FAILED_PRECONDITION, () -> {
            ThreadId id = threadId(request.getThreadID());
            if (request.getAddr().isEmpty()) {
                throw new InvalidInputException("addr: the replicator address is missing");
            }
            Multiaddr addr = Multiaddr.decode(request.getAddr().toByteArray());
            if (addr.peerId().isEmpty()) {
                throw new InvalidInputException("addr: the replicator address " + addr + " has no /p2p/ component");
            }
            logs.getThread(id); // NOT_FOUND before any network work
            return AddReplicatorReply.newBuilder().setPeerID(bytes(threads.addReplicator(id, addr).bytes())).build();
        });
    }

    @Override
    public void createRecord(CreateRecordRequest request, StreamObserver<NewRecordReply> out) {
        unary("CreateRecord", out, GrpcErrors.Conflict.FAILED_PRECONDITION, () -> {
            ThreadId id = threadId(request.getThreadID());
            if (request.getBody().isEmpty()) {
                throw new InvalidInputException("body: the dag-cbor body node is missing");
            }
            logs.getThread(id); // NOT_FOUND before resolving the author
            AppendResult r = logs.createRecord(id, author(), request.getBody().toByteArray(), AppendHook.NONE);
            return newRecordReply(id, r);
        });
    }

    @Override
    public void addRecord(AddRecordRequest request, StreamObserver<AddRecordReply> out) {
        String method = "AddRecord";
        try {
            ThreadId id = threadId(request.getThreadID());
            if (request.getLogID().isEmpty()) {
                throw new InvalidInputException("logID: the log id is missing");
            }
            LogId log = new LogId(request.getLogID().toByteArray());
            if (!request.hasRecord()) {
                throw new InvalidInputException("record: the record is missing");
            }
            io.weft.grpc.netpb.Record r = request.getRecord();
            RecordEnvelope envelope = new RecordEnvelope(r.getRecordNode().toByteArray(), r.getEventNode().toByteArray(),
                    r.getHeaderNode().toByteArray(), r.getBodyNode().toByteArray());
            threads.addRecord(id, log, envelope);
            out.onNext(AddRecordReply.getDefaultInstance());
            out.onCompleted();
        } catch (io.weft.api.CorruptDataException | io.weft.api.UnauthorizedException e) {
            // a record that does not verify or decrypt is a bad argument here, not a damaged store
            out.onError(Status.INVALID_ARGUMENT.withDescription("record rejected: " + e.getMessage()).asRuntimeException());
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(method, e, GrpcErrors.Conflict.FAILED_PRECONDITION));
        }
    }

    @Override
    public void getRecord(GetRecordRequest request, StreamObserver<GetRecordReply> out) {
        unary("GetRecord", out, GrpcErrors.Conflict.FAILED_PRECONDITION, () -> {
            ThreadId id = threadId(request.getThreadID());
            if (request.getRecordID().isEmpty()) {
                throw new InvalidInputException("recordID: the record id is missing");
            }
            Cid cid = Cid.decode(request.getRecordID().toByteArray());
            return GetRecordReply.newBuilder().setRecord(record(logs.getRecord(id, cid))).build();
        });
    }

    @Override
    public void subscribe(SubscribeRequest request, StreamObserver<NewRecordReply> out) {
        Set<ThreadId> filter = new HashSet<>();
        try {
            for (ByteString b : request.getThreadIDsList()) {
                ThreadId id = threadId(b);
                if (!logs.logstore().hasThread(id)) {
                    throw new io.weft.api.NotFoundException("thread " + id + " not found");
                }
                filter.add(id);
            }
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus("Subscribe", e, GrpcErrors.Conflict.FAILED_PRECONDITION));
            return;
        }
        ServerCallStreamObserver<NewRecordReply> call = (ServerCallStreamObserver<NewRecordReply>) out;
        Subscription s = new Subscription(call, Set.copyOf(filter));
        call.setOnCancelHandler(s::close);
        call.setOnReadyHandler(s::drain);
        subscriptions.add(s);
        s.start(logs.addAppendListener(s));
    }

    // ================================================================== subscriptions

    /** One Subscribe call: a bounded queue drained while the transport is ready, serialized by {@code wip}. */
    private final class Subscription implements AppendListener {
        private final ServerCallStreamObserver<NewRecordReply> call;
        private final Set<ThreadId> filter;
        private final ArrayBlockingQueue<NewRecordReply> queue = new ArrayBlockingQueue<>(subscribeBuffer);
        private final AtomicInteger wip = new AtomicInteger();
        private volatile boolean closed;
        private volatile Status failure;
        private volatile Registration registration;

        Subscription(ServerCallStreamObserver<NewRecordReply> call, Set<ThreadId> filter) {
            this.call = call;
            this.filter = filter;
        }

        void start(Registration r) {
            registration = r;
            if (closed) {
                r.close(); // cancelled while registering
            }
        }

        @Override
        public void appended(ThreadId thread, AppendResult result) {
            if (closed || (!filter.isEmpty() && !filter.contains(thread))) {
                return;
            }
            if (!queue.offer(newRecordReply(thread, result))) {
                failure = Status.RESOURCE_EXHAUSTED.withDescription(
                        "Subscribe: the client did not keep up; more than " + subscribeBuffer + " records were pending");
            }
            drain();
        }

        void drain() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            do {
                try {
                    if (!closed) {
                        Status f = failure;
                        if (f != null) {
                            queue.clear();
                            close();
                            LOG.info("Subscribe: cutting off a slow subscriber ({} records pending)", subscribeBuffer);
                            call.onError(f.asRuntimeException());
                        } else {
                            NewRecordReply next;
                            while (!closed && call.isReady() && (next = queue.poll()) != null) {
                                call.onNext(next);
                            }
                        }
                    }
                } catch (RuntimeException e) {
                    LOG.debug("Subscribe: sending failed, closing the subscription", e);
                    close();
                }
            } while (wip.decrementAndGet() != 0);
        }

        void close() {
            closed = true;
            subscriptions.remove(this);
            Registration r = registration;
            if (r != null) {
                r.close();
            }
            queue.clear();
        }
    }

    // ================================================================== conversions

    @FunctionalInterface
    private interface Body<T> {
        T get();
    }

    private static <T> void unary(String method, StreamObserver<T> out, GrpcErrors.Conflict conflict, Body<T> body) {
        T reply;
        try {
            reply = body.get();
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(method, e, conflict));
            return;
        }
        out.onNext(reply);
        out.onCompleted();
    }

    private PublicKey author() {
        PublicKey k = author.get();
        if (k == null) {
            throw Status.UNAUTHENTICATED.withDescription("no writer identity for this call").asRuntimeException();
        }
        return k;
    }

    private static ByteString bytes(byte[] b) {
        return ByteString.copyFrom(b);
    }

    private static ThreadId threadId(ByteString b) {
        if (b.isEmpty()) {
            throw new InvalidInputException("threadID: the thread id is missing");
        }
        return ThreadId.decode(b.toByteArray());
    }

    private static ThreadKey threadKey(Keys keys) {
        try {
            return ThreadKey.decode(keys.getThreadKey().toByteArray());
        } catch (InvalidInputException e) {
            throw new InvalidInputException("keys.threadKey: expected 32 or 64 bytes, got " + keys.getThreadKey().size());
        }
    }

    /** A public log key from {@code keys.logKey}, or null if absent; a private key is refused (see the class doc). */
    private static PublicKey logKey(Keys keys) {
        ByteString b = keys.getLogKey();
        if (b.isEmpty()) {
            return null;
        }
        try {
            return PublicKey.unmarshal(b.toByteArray());
        } catch (InvalidInputException e) {
            throw new InvalidInputException("keys.logKey: expected a libp2p-marshaled Ed25519 public key ("
                    + "records of such a log are signed by the caller and added with AddRecord); private log keys "
                    + "are not accepted");
        }
    }

    private ThreadInfoReply threadInfo(ThreadId id) {
        ThreadInfo info = logs.getThread(id);
        ThreadInfoReply.Builder b = ThreadInfoReply.newBuilder()
                .setThreadID(bytes(id.bytes()))
                .setThreadKey(bytes(info.key().bytes()));
        for (LogInfo log : info.logs()) {
            io.weft.grpc.netpb.LogInfo.Builder l = io.weft.grpc.netpb.LogInfo.newBuilder()
                    .setID(bytes(log.id().bytes()))
                    .setPubKey(bytes(log.pubKey().marshal()))
                    .setCounter(bytes(counterBytes(log.head().counter())));
            Head head = log.head();
            if (!head.isEmpty()) {
                l.setHead(bytes(head.cid().bytes()));
            }
            for (Multiaddr a : log.addrs()) {
                l.addAddrs(bytes(a.bytes()));
            }
            b.addLogs(l);
        }
        for (Multiaddr a : threadAddrs(id)) {
            b.addAddrs(bytes(a.bytes()));
        }
        return b.build();
    }

    /** This peer's addresses for the thread ({@code …/p2p/<host>/thread/<id>}); empty without a transport. */
    private List<Multiaddr> threadAddrs(ThreadId id) {
        try {
            return threads.invite(id, true).addrs();
        } catch (IllegalStateException | InvalidInputException e) {
            return new ArrayList<>();
        }
    }

    /**
     * The {@code counter} field as go-threads fills it: an 8-byte buffer holding the zig-zag varint of the counter
     * (Go's {@code binary.PutVarint}), zero-padded.
     */
    static byte[] counterBytes(long counter) {
        long zz = (counter << 1) ^ (counter >> 63);
        byte[] tmp = new byte[10];
        int n = 0;
        while ((zz & ~0x7FL) != 0) {
            tmp[n++] = (byte) ((zz & 0x7F) | 0x80);
            zz >>>= 7;
        }
        tmp[n++] = (byte) zz;
        byte[] out = new byte[Math.max(8, n)];
        System.arraycopy(tmp, 0, out, 0, n);
        return out;
    }

    static io.weft.grpc.netpb.Record record(RecordEnvelope e) {
        return io.weft.grpc.netpb.Record.newBuilder()
                .setRecordNode(bytes(e.recordNode()))
                .setEventNode(bytes(e.eventNode()))
                .setHeaderNode(bytes(e.headerNode()))
                .setBodyNode(bytes(e.bodyNode()))
                .build();
    }

    private static NewRecordReply newRecordReply(ThreadId thread, AppendResult r) {
        return NewRecordReply.newBuilder()
                .setThreadID(bytes(thread.bytes()))
                .setLogID(bytes(r.log().bytes()))
                .setRecord(record(r.record().envelope()))
                .build();
    }
}
