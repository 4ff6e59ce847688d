package io.weft.server.component;

import static org.junit.jupiter.api.Assertions.*;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.weft.api.InvalidInputException;
import io.weft.api.WeftException;
import io.weft.api.crypto.PrivateKey;
import io.weft.codec.jsonpatch.JsonPatchCodec;
import io.weft.core.crypto.Ed25519;
import io.weft.db.Manager;
import io.weft.grpc.pb.APIGrpc;
import io.weft.grpc.pb.ListDBsRequest;
import io.weft.logstore.LocalLogService;
import io.weft.server.ServerConfig;
import io.weft.store.memory.MemoryDatastore;
import java.lang.annotation.Annotation;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The DS component, constructed as SCR would: settings to config, a running server, stop on deactivate. */
class ServerComponentTest {
    private final MemoryDatastore store = new MemoryDatastore();
    private final PrivateKey host = Ed25519.generate();
    private final Manager manager = Manager.builder(new LocalLogService(store), store, host)
            .codecs(new JsonPatchCodec()).build();

    @AfterEach
    void close() {
        manager.close();
        store.close();
    }

    /** Settings with the defaults but the given address and host-identity policy. */
    static ServerSettings settings(String address, String hostIdentity) {
        return new ServerSettings() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return ServerSettings.class;
            }

            @Override
            public String grpc_address() {
                return address;
            }

            @Override
            public int grpc_max_message_size() {
                return 8 * 1024 * 1024;
            }

            @Override
            public int grpc_transaction_idle_timeout_seconds() {
                return 60;
            }

            @Override
            public int auth_token_lifetime_seconds() {
                return 3600;
            }

            @Override
            public String auth_host_identity() {
                return hostIdentity;
            }

            @Override
            public int auth_challenge_timeout_seconds() {
                return 30;
            }
        };
    }

    @Test
    void settingsBecomeTheServerConfig() {
        ServerConfig c = ServerComponent.toConfig(settings("[::1]:7000", "NEVER"));
        assertEquals("::1", c.host());
        assertEquals(7000, c.port());
        assertEquals(ServerConfig.HostIdentityPolicy.NEVER, c.hostIdentity());
        assertEquals(Duration.ofHours(1), c.tokenLifetime());
        assertThrows(InvalidInputException.class, () -> ServerComponent.toConfig(settings("6006", "loopback")));
        assertThrows(InvalidInputException.class, () -> ServerComponent.toConfig(settings("127.0.0.1:6006", "maybe")));
        assertEquals(ServerConfig.defaults(), ServerConfig.fromProperties(java.util.Map.of()));
        assertEquals(ServerConfig.defaults().withAddress("0.0.0.0", 1234).withTokenLifetime(Duration.ofSeconds(60)),
                ServerConfig.fromProperties(java.util.Map.of("grpc.address", ":1234", "auth.token.lifetime.seconds", 60)));
    }

    @Test
    void theComponentServesUntilDeactivated() {
        ServerComponent c = new ServerComponent(settings("127.0.0.1:0", "loopback"), manager, () -> host);
        ManagedChannel ch = NettyChannelBuilder.forAddress(new InetSocketAddress("127.0.0.1", c.grpcPort()))
                .usePlaintext().build();
        try {
            APIGrpc.APIBlockingStub api = APIGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
            assertEquals(0, api.listDBs(ListDBsRequest.getDefaultInstance()).getDbsCount());
            assertEquals(1, c.services().size());
            assertNotNull(c.inProcessName());
            // a port in use: activation fails with a clear error
            WeftException e = assertThrows(WeftException.class,
                    () -> new ServerComponent(settings("127.0.0.1:" + c.grpcPort(), "loopback"), manager, () -> host));
            assertTrue(e.getMessage().contains("cannot listen"), e.getMessage());
            c.deactivate();
            StatusRuntimeException down = assertThrows(StatusRuntimeException.class,
                    () -> APIGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
                            .listDBs(ListDBsRequest.getDefaultInstance()));
            assertEquals(Status.Code.UNAVAILABLE, down.getStatus().getCode());
        } finally {
            ch.shutdownNow();
        }
    }
}
