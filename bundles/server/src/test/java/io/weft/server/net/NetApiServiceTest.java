package io.weft.server.net;

import static io.weft.server.net.ApiPeer.await;
import static io.weft.server.net.ApiPeer.body;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.format.Cid;
import io.weft.api.format.Multiaddr;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.LogId;
import io.weft.api.thread.PeerId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import io.weft.core.crypto.Ed25519;
import io.weft.core.record.Records;
import io.weft.grpc.netpb.AddRecordRequest;
import io.weft.grpc.netpb.AddReplicatorRequest;
import io.weft.grpc.netpb.AddThreadRequest;
import io.weft.grpc.netpb.CreateRecordRequest;
import io.weft.grpc.netpb.CreateThreadRequest;
import io.weft.grpc.netpb.DeleteThreadRequest;
import io.weft.grpc.netpb.GetHostIDRequest;
import io.weft.grpc.netpb.GetRecordRequest;
import io.weft.grpc.netpb.GetThreadRequest;
import io.weft.grpc.netpb.GetTokenReply;
import io.weft.grpc.netpb.GetTokenRequest;
import io.weft.grpc.netpb.Keys;
import io.weft.grpc.netpb.LogInfo;
import io.weft.grpc.netpb.NewRecordReply;
import io.weft.grpc.netpb.PullThreadRequest;
import io.weft.grpc.netpb.SubscribeRequest;
import io.weft.grpc.netpb.ThreadInfoReply;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Every RPC of {@code threads.net.pb.API} through the generated stubs, against real peers. */
class NetApiServiceTest {
    private static final Duration WITHIN = Duration.ofSeconds(20);

    private static ByteString bs(byte[] b) {
        return ByteString.copyFrom(b);
    }

    private static Status.Code code(Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        return e.getStatus().getCode();
    }

    private static ThreadInfoReply create(ApiPeer p, ThreadId id, ThreadKey key) {
        CreateThreadRequest.Builder b = CreateThreadRequest.newBuilder().setThreadID(bs(id.bytes()));
        if (key != null) {
            b.setKeys(Keys.newBuilder().setThreadKey(bs(key.bytes())));
        }
        return p.stub.createThread(b.build());
    }

    private static NewRecordReply write(ApiPeer p, ThreadId id, String text) {
        return p.stub.createRecord(CreateRecordRequest.newBuilder().setThreadID(bs(id.bytes()))
                .setBody(bs(body(text))).build());
    }

    @Test
    void hostIdIsThePeerId() {
        try (ApiPeer a = new ApiPeer()) {
            byte[] id = a.stub.getHostID(GetHostIDRequest.getDefaultInstance()).getPeerID().toByteArray();
            assertEquals(a.net.hostId(), new PeerId(id));
        }
    }

    @Test
    void createAndGetThreadNeverReturnLogPrivateKeys() {
        try (ApiPeer a = new ApiPeer()) {
            ThreadId id = ThreadId.newRandom();
            ThreadKey key = ThreadKey.generate(true);
            ThreadInfoReply created = create(a, id, key);
            assertArrayEquals(id.bytes(), created.getThreadID().toByteArray());
            assertArrayEquals(key.bytes(), created.getThreadKey().toByteArray());
            assertEquals(1, created.getLogsCount(), "the writer's own log is created with the thread");
            LogInfo log = created.getLogs(0);
            assertArrayEquals(LogId.of(io.weft.api.crypto.PublicKey.unmarshal(log.getPubKey().toByteArray())).bytes(),
                    log.getID().toByteArray());
            assertTrue(log.getPrivKey().isEmpty(), "a log's private key is never returned");
            assertTrue(log.getHead().isEmpty());
            assertArrayEquals(new byte[8], log.getCounter().toByteArray());
            assertTrue(created.getAddrsCount() >= 1);
            Multiaddr addr = Multiaddr.decode(created.getAddrs(0).toByteArray());
            assertEquals(id, addr.threadId().orElseThrow());
            assertEquals(a.net.hostId(), addr.peerId().orElseThrow());

            assertEquals(created, a.stub.getThread(GetThreadRequest.newBuilder().setThreadID(bs(id.bytes())).build()));

            // a fresh key when none is given
            ThreadInfoReply fresh = create(a, ThreadId.newRandom(), null);
            assertEquals(64, fresh.getThreadKey().size());

            // a log known by its public key only
            PrivateKey device = Ed25519.generate();
            ThreadId ext = ThreadId.newRandom();
            ThreadInfoReply withLog = a.stub.createThread(CreateThreadRequest.newBuilder().setThreadID(bs(ext.bytes()))
                    .setKeys(Keys.newBuilder().setLogKey(bs(device.publicKey().marshal()))).build());
            assertEquals(1, withLog.getLogsCount());
            assertArrayEquals(LogId.of(device.publicKey()).bytes(), withLog.getLogs(0).getID().toByteArray());
        }
    }

    @Test
    void badThreadRequestsGetTypedErrorsAndChangeNothing() {
        try (ApiPeer a = new ApiPeer()) {
            ThreadId id = ThreadId.newRandom();
            create(a, id, null);
            assertEquals(Status.Code.ALREADY_EXISTS, code(() -> create(a, id, null)));
            assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> a.stub.createThread(CreateThreadRequest.newBuilder()
                    .setThreadID(bs(new byte[] {1, 2, 3})).build())));
            assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> a.stub.createThread(CreateThreadRequest.getDefaultInstance())));

            ThreadId other = ThreadId.newRandom();
            assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> a.stub.createThread(CreateThreadRequest.newBuilder()
                    .setThreadID(bs(other.bytes())).setKeys(Keys.newBuilder().setThreadKey(bs(new byte[31]))).build())));
            StatusRuntimeException privateLogKey = assertThrows(StatusRuntimeException.class, () -> a.stub.createThread(
                    CreateThreadRequest.newBuilder().setThreadID(bs(other.bytes()))
                            .setKeys(Keys.newBuilder().setLogKey(bs(Ed25519.generate().marshal()))).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, privateLogKey.getStatus().getCode());
            assertFalse(a.logService.logstore().hasThread(other), "rejected creates store nothing");

            assertEquals(Status.Code.NOT_FOUND, code(() -> a.stub.getThread(GetThreadRequest.newBuilder()
                    .setThreadID(bs(other.bytes())).build())));
            assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> a.stub.getThread(GetThreadRequest.newBuilder()
                    .setThreadID(bs(new byte[] {9})).build())));
            assertEquals(Status.Code.NOT_FOUND, code(() -> a.stub.pullThread(PullThreadRequest.newBuilder()
                    .setThreadID(bs(other.bytes())).build())));
            assertEquals(Status.Code.NOT_FOUND, code(() -> a.stub.deleteThread(DeleteThreadRequest.newBuilder()
                    .setThreadID(bs(other.bytes())).build())));
        }
    }

    @Test
    void recordsAreCreatedReadAndCountedWithTypedErrors() {
        try (ApiPeer a = new ApiPeer()) {
            ThreadId id = ThreadId.newRandom();
            create(a, id, null);
            NewRecordReply r1 = write(a, id, "one");
            NewRecordReply r2 = write(a, id, "two");
            assertArrayEquals(id.bytes(), r2.getThreadID().toByteArray());
            LogId log = new LogId(r2.getLogID().toByteArray());
            assertEquals(a.logService.ownLog(id, a.hostKey.publicKey()).orElseThrow().id(), log);

            Cid c2 = Cid.dagCbor(r2.getRecord().getRecordNode().toByteArray());
            var got = a.stub.getRecord(GetRecordRequest.newBuilder().setThreadID(bs(id.bytes()))
                    .setRecordID(bs(c2.bytes())).build());
            assertEquals(r2.getRecord(), got.getRecord());
            assertArrayEquals(body("two"), a.logService.openRecord(id, c2).body());

            LogInfo info = a.stub.getThread(GetThreadRequest.newBuilder().setThreadID(bs(id.bytes())).build()).getLogs(0);
            assertArrayEquals(c2.bytes(), info.getHead().toByteArray());
            assertArrayEquals(new byte[] {4, 0, 0, 0, 0, 0, 0, 0}, info.getCounter().toByteArray(), "zig-zag 2");
            assertFalse(r1.getRecord().equals(r2.getRecord()));

            // bad input and unknown things
            assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> a.stub.createRecord(CreateRecordRequest.newBuilder()
                    .setThreadID(bs(id.bytes())).setBody(bs(new byte[] {(byte) 0xff, 0x00})).build())));
            assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> a.stub.createRecord(CreateRecordRequest.newBuilder()
                    .setThreadID(bs(id.bytes())).build())));
            assertEquals(Status.Code.NOT_FOUND, code(() -> write(a, ThreadId.newRandom(), "x")));
            assertEquals(2, a.logService.logstore().headBook().head(id, log).counter());
            assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> a.stub.getRecord(GetRecordRequest.newBuilder()
                    .setThreadID(bs(id.bytes())).setRecordID(bs(new byte[] {1, 2})).build())));
            assertEquals(Status.Code.NOT_FOUND, code(() -> a.stub.getRecord(GetRecordRequest.newBuilder()
                    .setThreadID(bs(id.bytes())).setRecordID(bs(Cid.dagCbor(new byte[] {1}).bytes())).build())));
        }
    }

    @Test
    void recordsAreWrittenAsTheCallersIdentityInItsOwnLog() {
        try (ApiPeer a = new ApiPeer()) {
            ThreadId id = ThreadId.newRandom();
            create(a, id, null);
            PrivateKey client = Ed25519.generate(); // a client that proved its identity; its private key stays with it
            a.author.set(client.publicKey());
            NewRecordReply r = write(a, id, "from the client");
            LogId clientLog = a.logService.ownLog(id, client.publicKey()).orElseThrow().id();
            assertEquals(clientLog, new LogId(r.getLogID().toByteArray()));
            Cid cid = Cid.dagCbor(r.getRecord().getRecordNode().toByteArray());
            io.weft.api.record.Record rec = Records.verify(a.logService.getRecord(id, cid),
                    a.logService.logstore().logInfo(id, clientLog).pubKey(), a.logService.getThread(id).key());
            assertEquals(client.publicKey(), rec.author(), "the record names the caller as its author");
            assertArrayEquals(body("from the client"), a.logService.openRecord(id, cid).body());
            assertEquals(2, a.stub.getThread(GetThreadRequest.newBuilder().setThreadID(bs(id.bytes())).build())
                    .getLogsCount(), "the host's log and the client's log");

            a.author.set(null);
            assertEquals(Status.Code.UNAUTHENTICATED, code(() -> write(a, id, "nobody")));
            assertEquals(1, a.logService.logstore().headBook().head(id, clientLog).counter());
        }
    }

    @Test
    void recordsSignedElsewhereAreAddedAndTamperedOnesRejected() {
        try (ApiPeer a = new ApiPeer()) {
            ThreadId id = ThreadId.newRandom();
            ThreadKey key = ThreadKey.generate(true);
            PrivateKey device = Ed25519.generate();
            a.stub.createThread(CreateThreadRequest.newBuilder().setThreadID(bs(id.bytes()))
                    .setKeys(Keys.newBuilder().setThreadKey(bs(key.bytes())).setLogKey(bs(device.publicKey().marshal())))
                    .build());
            LogId log = LogId.of(device.publicKey());
            RecordEnvelope e1 = Records.create(body("elsewhere 1"), device, device.publicKey(), null, key);
            a.stub.addRecord(add(id, log, e1));
            assertEquals(1, a.logService.logstore().headBook().head(id, log).counter());

            RecordEnvelope e2 = Records.create(body("elsewhere 2"), device, device.publicKey(), e1.id(), key);
            for (int node = 0; node < 4; node++) {
                AddRecordRequest tampered = tamper(add(id, log, e2), node);
                StatusRuntimeException ex = assertThrows(StatusRuntimeException.class, () -> a.stub.addRecord(tampered));
                assertEquals(Status.Code.INVALID_ARGUMENT, ex.getStatus().getCode(), "node " + node);
                assertEquals(1, a.logService.logstore().headBook().head(id, log).counter(), "nothing stored");
            }
            RecordEnvelope wrongSigner = Records.create(body("x"), Ed25519.generate(), device.publicKey(), e1.id(), key);
            assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> a.stub.addRecord(add(id, log, wrongSigner))));
            RecordEnvelope fork = Records.create(body("fork"), device, device.publicKey(), null, key);
            assertEquals(Status.Code.FAILED_PRECONDITION, code(() -> a.stub.addRecord(add(id, log, fork))));
            LogId unknownLog = LogId.of(Ed25519.generate().publicKey());
            assertEquals(Status.Code.NOT_FOUND, code(() -> a.stub.addRecord(add(id, unknownLog, e2))));
            assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> a.stub.addRecord(AddRecordRequest.newBuilder()
                    .setThreadID(bs(id.bytes())).setLogID(bs(log.bytes())).build())));
            assertEquals(1, a.logService.logstore().headBook().head(id, log).counter());

            a.stub.addRecord(add(id, log, e2));
            assertEquals(2, a.logService.logstore().headBook().head(id, log).counter());
            assertArrayEquals(body("elsewhere 2"), a.logService.openRecord(id, e2.id()).body());
        }
    }

    private static AddRecordRequest add(ThreadId id, LogId log, RecordEnvelope e) {
        return AddRecordRequest.newBuilder().setThreadID(bs(id.bytes())).setLogID(bs(log.bytes()))
                .setRecord(NetApiService.record(e)).build();
    }

    /** Flips one byte in the middle of node {@code which} (0 record, 1 event, 2 header, 3 body). */
    private static AddRecordRequest tamper(AddRecordRequest r, int which) {
        io.weft.grpc.netpb.Record rec = r.getRecord();
        ByteString[] nodes = {rec.getRecordNode(), rec.getEventNode(), rec.getHeaderNode(), rec.getBodyNode()};
        byte[] b = nodes[which].toByteArray();
        b[b.length / 2] ^= 0x01;
        nodes[which] = bs(b);
        return r.toBuilder().setRecord(io.weft.grpc.netpb.Record.newBuilder().setRecordNode(nodes[0])
                .setEventNode(nodes[1]).setHeaderNode(nodes[2]).setBodyNode(nodes[3])).build();
    }

    @Test
    void threadsAreAddedPulledReplicatedAndDeletedBetweenPeers() {
        try (ApiPeer a = new ApiPeer(); ApiPeer b = new ApiPeer()) {
            ThreadId id = ThreadId.newRandom();
            ThreadInfoReply created = create(a, id, null);
            write(a, id, "before join");
            ByteString addr = created.getAddrs(0);

            ThreadInfoReply joined = b.stub.addThread(AddThreadRequest.newBuilder().setAddr(addr)
                    .setKeys(Keys.newBuilder().setThreadKey(created.getThreadKey())).build());
            assertArrayEquals(id.bytes(), joined.getThreadID().toByteArray());
            LogId aLog = a.logService.ownLog(id, a.hostKey.publicKey()).orElseThrow().id();
            assertEquals(1, b.logService.logstore().headBook().head(id, aLog).counter(), "AddThread pulls");

            // pull on demand: when PullThread returns, b has everything a had
            write(a, id, "second");
            b.stub.pullThread(PullThreadRequest.newBuilder().setThreadID(bs(id.bytes())).build());
            assertEquals(2, b.logService.logstore().headBook().head(id, aLog).counter(), "PullThread pulls");

            // typed errors for bad joins
            assertEquals(Status.Code.ALREADY_EXISTS, code(() -> b.stub.addThread(AddThreadRequest.newBuilder()
                    .setAddr(addr).setKeys(Keys.newBuilder().setThreadKey(bs(ThreadKey.generate(true).bytes()))).build())));
            assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> b.stub.addThread(AddThreadRequest.newBuilder()
                    .setAddr(bs(a.p2pAddr().bytes())).setKeys(Keys.newBuilder().setThreadKey(created.getThreadKey())).build())));
            assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> b.stub.addThread(AddThreadRequest.newBuilder()
                    .setAddr(addr).build())));

            // a replicator for a second thread
            ThreadId t2 = ThreadId.newRandom();
            create(a, t2, null);
            write(a, t2, "replicated");
            ByteString replicaPeer = a.stub.addReplicator(AddReplicatorRequest.newBuilder().setThreadID(bs(t2.bytes()))
                    .setAddr(bs(b.p2pAddr().bytes())).build()).getPeerID();
            assertEquals(b.net.hostId(), new PeerId(replicaPeer.toByteArray()));
            LogId t2Log = a.logService.ownLog(t2, a.hostKey.publicKey()).orElseThrow().id();
            await("the replica has the thread's record", WITHIN, () -> b.logService.logstore().hasThread(t2)
                    && b.logService.logstore().headBook().head(t2, t2Log).counter() == 1);
            assertFalse(b.logService.getThread(t2).key().canRead(), "a replica gets the service key only");
            assertEquals(Status.Code.NOT_FOUND, code(() -> a.stub.addReplicator(AddReplicatorRequest.newBuilder()
                    .setThreadID(bs(ThreadId.newRandom().bytes())).setAddr(bs(b.p2pAddr().bytes())).build())));
            assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> a.stub.addReplicator(AddReplicatorRequest.newBuilder()
                    .setThreadID(bs(t2.bytes())).setAddr(bs(Multiaddr.parse("/ip4/127.0.0.1/tcp/1").bytes())).build())));

            // delete
            b.stub.deleteThread(DeleteThreadRequest.newBuilder().setThreadID(bs(id.bytes())).build());
            assertFalse(b.logService.logstore().hasThread(id));
            assertEquals(Status.Code.NOT_FOUND, code(() -> b.stub.getThread(GetThreadRequest.newBuilder()
                    .setThreadID(bs(id.bytes())).build())));
        }
    }

    @Test
    void subscribeStreamsNewRecordsOfTheChosenThreadsAndStopsOnCancel() throws Exception {
        try (ApiPeer a = new ApiPeer()) {
            ThreadId t1 = ThreadId.newRandom();
            ThreadId t2 = ThreadId.newRandom();
            create(a, t1, null);
            create(a, t2, null);

            Collector one = new Collector();
            a.async.subscribe(SubscribeRequest.newBuilder().addThreadIDs(bs(t1.bytes())).build(), one);
            Collector all = new Collector();
            a.async.subscribe(SubscribeRequest.getDefaultInstance(), all);
            await("both subscriptions are registered", WITHIN, () -> a.service.activeSubscriptions() == 2);

            NewRecordReply w1 = write(a, t2, "t2 first");
            NewRecordReply w2 = write(a, t1, "t1 second");
            NewRecordReply w3 = write(a, t1, "t1 third");

            assertEquals(w2, one.next());
            assertEquals(w3, one.next());
            assertEquals(w1, all.next());
            assertEquals(w2, all.next());
            assertEquals(w3, all.next());

            one.call.get(5, TimeUnit.SECONDS).cancel("done", null);
            await("the cancelled subscription's listener is removed", WITHIN, () -> a.service.activeSubscriptions() == 1);
            NewRecordReply w4 = write(a, t1, "t1 fourth");
            assertEquals(w4, all.next());
            assertTrue(one.messages.isEmpty(), "nothing after cancel");

            all.call.get(5, TimeUnit.SECONDS).cancel("done", null);
            await("no subscriptions left", WITHIN, () -> a.service.activeSubscriptions() == 0);

            Collector bad = new Collector();
            a.async.subscribe(SubscribeRequest.newBuilder().addThreadIDs(bs(ThreadId.newRandom().bytes())).build(), bad);
            assertEquals(Status.Code.NOT_FOUND, Status.fromThrowable(bad.error.get(5, TimeUnit.SECONDS)).getCode());
            Collector bad2 = new Collector();
            a.async.subscribe(SubscribeRequest.newBuilder().addThreadIDs(bs(new byte[] {7})).build(), bad2);
            assertEquals(Status.Code.INVALID_ARGUMENT, Status.fromThrowable(bad2.error.get(5, TimeUnit.SECONDS)).getCode());
            assertEquals(0, a.service.activeSubscriptions());
        }
    }

    @Test
    void aSubscriberThatDoesNotReadIsCutOffWithResourceExhausted() throws Exception {
        try (ApiPeer a = new ApiPeer(4, null)) {
            ThreadId t = ThreadId.newRandom();
            create(a, t, null);
            Collector slow = new Collector(c -> c.disableAutoRequestWithInitial(0));
            a.async.subscribe(SubscribeRequest.getDefaultInstance(), slow);
            await("subscribed", WITHIN, () -> a.service.activeSubscriptions() == 1);
            for (int i = 0; i < 5; i++) {
                write(a, t, "r" + i); // never blocks the writer
            }
            Throwable err = slow.error.get(10, TimeUnit.SECONDS);
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, Status.fromThrowable(err).getCode());
            await("the listener is removed", WITHIN, () -> a.service.activeSubscriptions() == 0);
            write(a, t, "after the cut");
        }
    }

    @Test
    void getTokenIsForwardedToTheIssuerOrUnimplemented() throws Exception {
        try (ApiPeer a = new ApiPeer()) {
            TokenCollector c = new TokenCollector();
            StreamObserver<GetTokenRequest> req = a.async.getToken(c);
            req.onNext(GetTokenRequest.newBuilder().setKey("k").build());
            assertEquals(Status.Code.UNIMPLEMENTED, Status.fromThrowable(c.error.get(5, TimeUnit.SECONDS)).getCode());
        }
        TokenIssuer echo = replies -> new StreamObserver<>() {
            @Override
            public void onNext(GetTokenRequest r) {
                if (r.hasKey()) {
                    replies.onNext(GetTokenReply.newBuilder().setChallenge(bs(new byte[32])).build());
                } else {
                    replies.onNext(GetTokenReply.newBuilder().setToken("token-for-" + r.getSignature().size()).build());
                    replies.onCompleted();
                }
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        };
        try (ApiPeer a = new ApiPeer(16, echo)) {
            TokenCollector c = new TokenCollector();
            StreamObserver<GetTokenRequest> req = a.async.getToken(c);
            req.onNext(GetTokenRequest.newBuilder().setKey("k").build());
            assertEquals(32, c.replies.poll(5, TimeUnit.SECONDS).getChallenge().size());
            req.onNext(GetTokenRequest.newBuilder().setSignature(bs(new byte[64])).build());
            assertEquals("token-for-64", c.replies.poll(5, TimeUnit.SECONDS).getToken());
            req.onCompleted();
        }
    }

    @Test
    void counterBytesAreGoZigZagVarintsInEightBytes() {
        assertArrayEquals(new byte[8], NetApiService.counterBytes(0));
        assertArrayEquals(new byte[] {2, 0, 0, 0, 0, 0, 0, 0}, NetApiService.counterBytes(1));
        assertArrayEquals(new byte[] {(byte) 0xd8, 0x04, 0, 0, 0, 0, 0, 0}, NetApiService.counterBytes(300));
        assertEquals(10, NetApiService.counterBytes(Long.MAX_VALUE).length);
    }

    /** Collects a server stream; can switch off automatic flow control. */
    private static final class Collector implements ClientResponseObserver<SubscribeRequest, NewRecordReply> {
        final BlockingQueue<NewRecordReply> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Throwable> error = new CompletableFuture<>();
        final CompletableFuture<ClientCallStreamObserver<SubscribeRequest>> call = new CompletableFuture<>();
        private final Consumer<ClientCallStreamObserver<SubscribeRequest>> setup;

        Collector() {
            this(c -> { });
        }

        Collector(Consumer<ClientCallStreamObserver<SubscribeRequest>> setup) {
            this.setup = setup;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<SubscribeRequest> requestStream) {
            setup.accept(requestStream);
            call.complete(requestStream);
        }

        NewRecordReply next() throws InterruptedException {
            NewRecordReply r = messages.poll(10, TimeUnit.SECONDS);
            if (r == null) {
                throw new AssertionError("no record received");
            }
            return r;
        }

        @Override
        public void onNext(NewRecordReply value) {
            messages.add(value);
        }

        @Override
        public void onError(Throwable t) {
            error.complete(t);
        }

        @Override
        public void onCompleted() {
            error.complete(null);
        }
    }

    private static final class TokenCollector implements StreamObserver<GetTokenReply> {
        final BlockingQueue<GetTokenReply> replies = new LinkedBlockingQueue<>();
        final CompletableFuture<Throwable> error = new CompletableFuture<>();

        @Override
        public void onNext(GetTokenReply value) {
            replies.add(value);
        }

        @Override
        public void onError(Throwable t) {
            error.complete(t);
        }

        @Override
        public void onCompleted() {
            error.complete(null);
        }
    }
}
