package io.weft.server.web;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.weft.grpc.pb.APIGrpc;
import io.weft.grpc.pb.CreateReply;
import io.weft.grpc.pb.CreateRequest;
import io.weft.grpc.pb.FindReply;
import io.weft.grpc.pb.FindRequest;
import io.weft.grpc.pb.GetTokenReply;
import io.weft.grpc.pb.GetTokenRequest;
import io.weft.grpc.pb.ListenReply;
import io.weft.grpc.pb.ListenRequest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A small threads.pb.API for the gateway tests: Create echoes its instances as ids (collection {@code fail} answers
 * NOT_FOUND), Find echoes the query, Listen streams as its first filter's collection name says ({@code count:N},
 * {@code forever}, {@code flood:N:size}), GetToken runs a challenge/response. The request metadata of the last call is
 * kept in {@link #lastHeaders}.
 */
final class TestApi extends APIGrpc.APIImplBase {
    static final String FAIL_MESSAGE = "no such collection: fail – 100% ✓\nline 2";

    final AtomicReference<Metadata> lastHeaders = new AtomicReference<>();
    final CountDownLatch listenCancelled = new CountDownLatch(1);
    final AtomicInteger floodSent = new AtomicInteger();

    /** Records the request metadata of every call. */
    final ServerInterceptor headerCapture = new ServerInterceptor() {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                ServerCallHandler<Q, R> next) {
            lastHeaders.set(headers);
            return next.startCall(call, headers);
        }
    };

    @Override
    public void create(CreateRequest request, StreamObserver<CreateReply> out) {
        if (request.getCollectionName().equals("fail")) {
            out.onError(Status.NOT_FOUND.withDescription(FAIL_MESSAGE).asRuntimeException());
            return;
        }
        CreateReply.Builder reply = CreateReply.newBuilder();
        for (ByteString instance : request.getInstancesList()) {
            reply.addInstanceIDs(instance.toStringUtf8());
        }
        out.onNext(reply.build());
        out.onCompleted();
    }

    @Override
    public void find(FindRequest request, StreamObserver<FindReply> out) {
        out.onNext(FindReply.newBuilder().addInstances(request.getQueryJSON()).build());
        out.onCompleted();
    }

    @Override
    public void listen(ListenRequest request, StreamObserver<ListenReply> out) {
        String mode = request.getFilters(0).getCollectionName();
        ServerCallStreamObserver<ListenReply> so = (ServerCallStreamObserver<ListenReply>) out;
        if (mode.startsWith("count:")) {
            int n = Integer.parseInt(mode.substring(6));
            for (int i = 0; i < n; i++) {
                out.onNext(event(i, 0));
            }
            out.onCompleted();
        } else if (mode.equals("forever")) {
            so.setOnCancelHandler(listenCancelled::countDown);
            for (int i = 0; i < 3; i++) {
                out.onNext(event(i, 0));
            }
        } else if (mode.startsWith("flood:")) {
            String[] parts = mode.split(":");
            int n = Integer.parseInt(parts[1]);
            int size = Integer.parseInt(parts[2]);
            so.setOnCancelHandler(listenCancelled::countDown);
            so.setOnReadyHandler(() -> {
                while (so.isReady() && floodSent.get() < n) {
                    so.onNext(event(floodSent.getAndIncrement(), size));
                }
                if (floodSent.get() == n && !so.isCancelled()) {
                    floodSent.incrementAndGet();
                    so.onCompleted();
                }
            });
        } else {
            out.onError(Status.INVALID_ARGUMENT.withDescription("bad mode").asRuntimeException());
        }
    }

    static ListenReply event(int i, int size) {
        byte[] instance = new byte[size];
        Arrays.fill(instance, (byte) 'x');
        return ListenReply.newBuilder().setCollectionName("c").setInstanceID("id-" + i)
                .setAction(ListenReply.Action.SAVE).setInstance(ByteString.copyFrom(instance)).build();
    }

    @Override
    public StreamObserver<GetTokenRequest> getToken(StreamObserver<GetTokenReply> out) {
        return new StreamObserver<>() {
            byte[] challenge;

            @Override
            public void onNext(GetTokenRequest r) {
                if (r.hasKey()) {
                    challenge = ("challenge:" + r.getKey()).getBytes(StandardCharsets.UTF_8);
                    out.onNext(GetTokenReply.newBuilder().setChallenge(ByteString.copyFrom(challenge)).build());
                } else if (challenge != null && r.getSignature().equals(ByteString.copyFrom(reverse(challenge)))) {
                    out.onNext(GetTokenReply.newBuilder().setToken("token-ok").build());
                } else {
                    out.onError(Status.UNAUTHENTICATED.withDescription("bad signature").asRuntimeException());
                }
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
                out.onCompleted();
            }
        };
    }

    static byte[] reverse(byte[] b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            r[i] = b[b.length - 1 - i];
        }
        return r;
    }
}
