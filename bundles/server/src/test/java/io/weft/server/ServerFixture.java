package io.weft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.crypto.PublicKey;
import io.weft.api.db.ChangeType;
import io.weft.api.db.spi.WriteValidator;
import io.weft.api.format.Multiaddr;
import io.weft.api.thread.ThreadId;
import io.weft.codec.jsonpatch.JsonPatchCodec;
import io.weft.core.crypto.Ed25519;
import io.weft.db.Manager;
import io.weft.grpc.pb.APIGrpc;
import io.weft.grpc.pb.CollectionConfig;
import io.weft.grpc.pb.GetTokenReply;
import io.weft.grpc.pb.GetTokenRequest;
import io.weft.grpc.pb.Index;
import io.weft.grpc.pb.NewDBRequest;
import io.weft.logstore.LocalLogService;
import io.weft.store.memory.MemoryDatastore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A real database manager (memory store, jsonpatch codec) behind a {@link WeftServer} on an ephemeral loopback port,
 * reached through the generated stubs over a real Netty channel.
 */
abstract class ServerFixture {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PERSON_SCHEMA = """
            {"type":"object","properties":{"_id":{"type":"string"},"name":{"type":"string"},
             "age":{"type":"integer","minimum":0}},"required":["name"]}""";

    final PrivateKey hostKey = Ed25519.generate();
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    /** Writes seen by the "audit" write validator: writer and instance id. */
    final List<String> audited = new CopyOnWriteArrayList<>();
    /** Identities the "owner" validator lets write (empty: everyone). */
    final Map<PublicKey, Boolean> owners = new ConcurrentHashMap<>();
    MemoryDatastore store;
    LocalLogService logs;
    Manager manager;
    WeftServer server;
    ManagedChannel channel;
    APIGrpc.APIBlockingStub api;
    APIGrpc.APIStub async;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void startPeer() {
        store = new MemoryDatastore();
        logs = new LocalLogService(store);
        WriteValidator audit = new WriteValidator() {
            @Override
            public String name() {
                return "audit";
            }

            @Override
            public String validate(PublicKey writer, String collection, ChangeType type, JsonNode before, JsonNode after) {
                JsonNode doc = after != null ? after : before;
                audited.add(writer + " " + type + " " + doc.path("_id").asText());
                if (!owners.isEmpty() && !owners.containsKey(writer)) {
                    return "not an owner";
                }
                return null;
            }
        };
        manager = Manager.builder(logs, store, hostKey)
                .codecs(new JsonPatchCodec())
                .writeValidators(n -> n.equals("audit") ? audit : null)
                .hostAddresses(() -> List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/4006")))
                .build();
        startServer(ServerConfig.defaults().withAddress("127.0.0.1", 0));
    }

    void startServer(ServerConfig config) {
        stopServer();
        server = WeftServer.builder(config, manager, () -> hostKey).clock(clock).start();
        channel = NettyChannelBuilder.forAddress(new java.net.InetSocketAddress("127.0.0.1", server.grpcPort())).usePlaintext().build();
        api = APIGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        async = APIGrpc.newStub(channel);
    }

    void stopServer() {
        if (channel != null) {
            channel.shutdownNow();
            channel = null;
        }
        if (server != null) {
            server.close();
            server = null;
        }
    }

    void closeLater(AutoCloseable c) {
        closeables.add(c);
    }

    @AfterEach
    void stopPeer() throws Exception {
        stopServer();
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        manager.close();
        store.close();
    }

    // ------------------------------------------------------------------ helpers

    /** A stub that sends {@code authorization: bearer <token>}. */
    static <S extends AbstractStub<S>> S withToken(S stub, String token) {
        return withHeader(stub, "authorization", "bearer " + token);
    }

    static <S extends AbstractStub<S>> S withHeader(S stub, String name, String value) {
        Metadata md = new Metadata();
        md.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    }

    /** Runs the GetToken flow for {@code identity}; the signature is made by {@code signer}. */
    String token(PrivateKey identity, PrivateKey signer) {
        Replies<GetTokenReply> replies = new Replies<>();
        StreamObserver<GetTokenRequest> requests = async.getToken(replies);
        requests.onNext(GetTokenRequest.newBuilder().setKey(identity.publicKey().toString()).build());
        GetTokenReply challenge = replies.next();
        assertEquals(GetTokenReply.PayloadCase.CHALLENGE, challenge.getPayloadCase());
        assertEquals(32, challenge.getChallenge().size());
        requests.onNext(GetTokenRequest.newBuilder()
                .setSignature(ByteString.copyFrom(Ed25519.sign(signer, challenge.getChallenge().toByteArray())))
                .build());
        requests.onCompleted();
        GetTokenReply token = replies.next();
        assertEquals(GetTokenReply.PayloadCase.TOKEN, token.getPayloadCase());
        assertEquals(Status.Code.OK, replies.awaitEnd().getCode());
        return token.getToken();
    }

    String token(PrivateKey identity) {
        return token(identity, identity);
    }

    static ByteString bytes(String json) {
        return ByteString.copyFrom(json, StandardCharsets.UTF_8);
    }

    static JsonNode json(ByteString bytes) {
        try {
            return JSON.readTree(bytes.toByteArray());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    static CollectionConfig person() {
        return CollectionConfig.newBuilder().setName("Person").setSchema(bytes(PERSON_SCHEMA))
                .addIndexes(Index.newBuilder().setPath("name").setUnique(true))
                .addIndexes(Index.newBuilder().setPath("age"))
                .build();
    }

    /** A new database with a Person collection through NewDB; returns its id. */
    ByteString newDb(String name) {
        ThreadId id = ThreadId.newRandom();
        api.newDB(NewDBRequest.newBuilder().setDbID(ByteString.copyFrom(id.bytes())).setName(name)
                .addCollections(person()).build());
        return ByteString.copyFrom(id.bytes());
    }

    /** Asserts that {@code call} fails with {@code code}; returns the description. */
    static String assertStatus(Status.Code code, Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        if (e.getStatus().getCode() != code) {
            fail("expected " + code + " but got " + e.getStatus());
        }
        return e.getStatus().getDescription();
    }

    /** Waits for a condition, polling, up to a deadline. */
    static void await(String what, Duration within, BooleanSupplier condition) {
        Await.until(what, within, condition);
    }

    /** The replies of a streaming call, and how it ended. */
    static final class Replies<T> implements StreamObserver<T> {
        private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        private volatile Status end;

        @Override
        public void onNext(T value) {
            queue.add(value);
        }

        @Override
        public void onError(Throwable t) {
            end = Status.fromThrowable(t);
            queue.add(end);
        }

        @Override
        public void onCompleted() {
            end = Status.OK;
            queue.add(end);
        }

        /** The next reply (fails if the call ends instead, or nothing comes within 10 s). */
        @SuppressWarnings("unchecked")
        T next() {
            Object o = poll(Duration.ofSeconds(10));
            if (o == null) {
                throw new AssertionError("no reply within 10 s");
            }
            if (o instanceof Status s) {
                throw new AssertionError("the call ended instead of replying: " + s);
            }
            return (T) o;
        }

        /** The next reply within {@code d}, or {@code null} (fails if the call ends). */
        @SuppressWarnings("unchecked")
        T nextWithin(Duration d) {
            Object o = poll(d);
            if (o instanceof Status s) {
                throw new AssertionError("the call ended instead of replying: " + s);
            }
            return (T) o;
        }

        /** Nothing arrives within {@code d}. */
        void assertQuiet(Duration d) {
            Object o = poll(d);
            if (o != null) {
                throw new AssertionError("expected nothing, got " + o);
            }
        }

        /** How the call ended (waits up to 10 s; replies not taken yet are skipped). */
        Status awaitEnd() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                Object o = poll(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                if (o == null) {
                    throw new AssertionError("the call did not end within 10 s");
                }
                if (o instanceof Status s) {
                    return s;
                }
            }
        }

        private Object poll(Duration d) {
            try {
                return queue.poll(d.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** A clock tests move by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
