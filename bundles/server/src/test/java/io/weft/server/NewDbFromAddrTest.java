package io.weft.server;

import static org.junit.jupiter.api.Assertions.*;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.format.Multiaddr;
import io.weft.api.net.Transport;
import io.weft.api.net.TransportConfig;
import io.weft.api.thread.ThreadId;
import io.weft.codec.jsonpatch.JsonPatchCodec;
import io.weft.core.crypto.Ed25519;
import io.weft.db.Manager;
import io.weft.grpc.pb.APIGrpc;
import io.weft.grpc.pb.CollectionConfig;
import io.weft.grpc.pb.CreateRequest;
import io.weft.grpc.pb.FindRequest;
import io.weft.grpc.pb.GetDBInfoReply;
import io.weft.grpc.pb.GetDBInfoRequest;
import io.weft.grpc.pb.ListCollectionsRequest;
import io.weft.grpc.pb.NewDBFromAddrRequest;
import io.weft.grpc.pb.NewDBRequest;
import io.weft.logstore.LocalLogService;
import io.weft.net.NetConfig;
import io.weft.net.ThreadNet;
import io.weft.store.memory.MemoryDatastore;
import io.weft.transport.libp2p.Libp2pHost;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** NewDBFromAddr joins a database served by a second peer over libp2p, both reached through their client APIs. */
class NewDbFromAddrTest {

    /** A networked peer: store, log service, libp2p on loopback, thread sync, databases, client API. */
    static final class Peer implements AutoCloseable {
        final PrivateKey key = Ed25519.generate();
        final MemoryDatastore store = new MemoryDatastore();
        final LocalLogService logs = new LocalLogService(store);
        final Transport transport = Libp2pHost.start(key, TransportConfig.defaults()
                .withListen(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))));
        final ThreadNet net = ThreadNet.start(transport, logs, NetConfig.defaults()
                .withPullInterval(Duration.ofMillis(500)).withCallTimeout(Duration.ofSeconds(5)));
        final Manager manager = Manager.builder(logs, store, key).codecs(new JsonPatchCodec()).threadService(net).build();
        final WeftServer server = WeftServer.builder(ServerConfig.defaults().withAddress("127.0.0.1", 0), manager,
                () -> key).threadService(net).start();
        final ManagedChannel channel = NettyChannelBuilder.forAddress(new InetSocketAddress("127.0.0.1",
                server.grpcPort())).usePlaintext().build();
        final APIGrpc.APIBlockingStub api = APIGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);

        @Override
        public void close() {
            channel.shutdownNow();
            server.close();
            manager.close();
            net.close();
            transport.close();
            store.close();
        }
    }

    @Test
    void aDatabaseJoinedFromItsAddressHasItsCollectionsAndInstances() {
        try (Peer a = new Peer(); Peer b = new Peer()) {
            ByteString db = ByteString.copyFrom(ThreadId.newRandom().bytes());
            a.api.newDB(NewDBRequest.newBuilder().setDbID(db).setName("shared").addCollections(CollectionConfig
                    .newBuilder().setName("Person").setSchema(ServerFixture.bytes(ServerFixture.PERSON_SCHEMA))).build());
            a.api.create(CreateRequest.newBuilder().setDbID(db).setCollectionName("Person")
                    .addInstances(ServerFixture.bytes("{\"_id\":\"ada\",\"name\":\"Ada\"}")).build());

            GetDBInfoReply info = a.api.getDBInfo(GetDBInfoRequest.newBuilder().setDbID(db).build());
            ByteString loopback = info.getAddrsList().stream()
                    .filter(x -> Multiaddr.decode(x.toByteArray()).toString().startsWith("/ip4/127.0.0.1/"))
                    .findFirst().orElseThrow();
            b.api.newDBFromAddr(NewDBFromAddrRequest.newBuilder().setAddr(loopback).setKey(info.getKey())
                    .setName("joined").addCollections(CollectionConfig.newBuilder().setName("Extra")
                            .setSchema(ServerFixture.bytes("{\"type\":\"object\"}")))
                    .build());
            // the join returns with the data in
            assertEquals("joined", b.api.getDBInfo(GetDBInfoRequest.newBuilder().setDbID(db).build()).getName());
            assertEquals(1, b.api.find(FindRequest.newBuilder().setDbID(db).setCollectionName("Person").build())
                    .getInstancesCount());
            assertEquals(List.of("Extra", "Person"), b.api.listCollections(ListCollectionsRequest.newBuilder()
                    .setDbID(db).build()).getCollectionsList().stream().map(c -> c.getName()).toList());
            // writes on b reach a
            b.api.create(CreateRequest.newBuilder().setDbID(db).setCollectionName("Person")
                    .addInstances(ServerFixture.bytes("{\"_id\":\"bob\",\"name\":\"Bob\"}")).build());
            ServerFixture.await("b's instance on a", Duration.ofSeconds(20), () -> a.api.find(FindRequest.newBuilder()
                    .setDbID(db).setCollectionName("Person").build()).getInstancesCount() == 2);
            // joining again: the database is here
            ServerFixture.assertStatus(Status.Code.ALREADY_EXISTS, () -> b.api.newDBFromAddr(NewDBFromAddrRequest
                    .newBuilder().setAddr(loopback).setKey(info.getKey()).build()));
        }
    }
}
