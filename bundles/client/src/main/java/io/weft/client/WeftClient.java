package io.weft.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.WeftException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.DatabaseInfo;
import io.weft.api.db.IndexConfig;
import io.weft.api.db.ListenFilter;
import io.weft.api.db.Query;
import io.weft.api.format.Multiaddr;
import io.weft.api.thread.HostIdentity;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadInvite;
import io.weft.api.thread.ThreadKey;
import io.weft.grpc.pb.APIGrpc;
import io.weft.grpc.pb.CreateReply;
import io.weft.grpc.pb.CreateRequest;
import io.weft.grpc.pb.DeleteCollectionRequest;
import io.weft.grpc.pb.DeleteDBRequest;
import io.weft.grpc.pb.DeleteRequest;
import io.weft.grpc.pb.FindByIDReply;
import io.weft.grpc.pb.FindByIDRequest;
import io.weft.grpc.pb.FindReply;
import io.weft.grpc.pb.FindRequest;
import io.weft.grpc.pb.GetCollectionIndexesRequest;
import io.weft.grpc.pb.GetCollectionInfoReply;
import io.weft.grpc.pb.GetCollectionInfoRequest;
import io.weft.grpc.pb.GetDBInfoRequest;
import io.weft.grpc.pb.HasReply;
import io.weft.grpc.pb.HasRequest;
import io.weft.grpc.pb.ListCollectionsRequest;
import io.weft.grpc.pb.ListDBsReply;
import io.weft.grpc.pb.ListDBsRequest;
import io.weft.grpc.pb.ListenReply;
import io.weft.grpc.pb.ListenRequest;
import io.weft.grpc.pb.NewCollectionRequest;
import io.weft.grpc.pb.NewDBFromAddrRequest;
import io.weft.grpc.pb.NewDBRequest;
import io.weft.grpc.pb.SaveRequest;
import io.weft.grpc.pb.UpdateCollectionRequest;
import io.weft.grpc.pb.VerifyRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of a remote peer's database API ({@code threads.pb.API}) and, through {@link #threads()}, its thread
 * API ({@code threads.net.pb.API}), over native gRPC (HTTP/2, plaintext; the peer listens on
 * {@code 127.0.0.1:6006} by default).
 *
 * <p>With an identity ({@link Builder#identity(HostIdentity)}), the client first runs the GetToken challenge
 * flow (it signs the peer's challenge with the identity's Ed25519 key) and then sends
 * {@code authorization: bearer <token>} on every call; the token is renewed before it expires or when the peer
 * rejects it. Writes are then made with that identity. Without one, the peer decides (by default it accepts
 * loopback callers and writes with its own host identity).
 *
 * <p>Every unary call has a deadline ({@link Builder#timeout(Duration)}, default 30 s; {@link #withTimeout}
 * for one-off changes). Failures are thrown as the {@code io.weft.api} exceptions: {@link InvalidInputException}
 * (bad input), {@link NotFoundException}, {@link io.weft.api.ConflictException} (already exists, failed
 * precondition), {@link io.weft.api.UnauthorizedException} (not authenticated or not allowed), and
 * {@link PeerUnavailableException} when the peer cannot be reached or does not answer in time; each carries the
 * peer's message. The client is thread-safe; transactions and event streams are not.
 *
 * <pre>{@code
 * try (WeftClient client = WeftClient.connect("127.0.0.1:6006")) {
 *     ThreadId db = client.newDB("people");
 *     client.newCollection(db, new CollectionConfig("Person", schema));
 *     String id = client.create(db, "Person", person);
 *     List<ObjectNode> old = client.find(db, "Person", Query.where("age").ge(60).orderBy("age"));
 * }
 * }</pre>
 */
public final class WeftClient implements AutoCloseable {
    /** The address go-threads and Weft peers serve the native gRPC API on by default. */
    public static final String DEFAULT_ADDRESS = "127.0.0.1:6006";
    /** The default deadline of a call. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** The default largest message accepted from the peer (find results can be large). */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(WeftClient.class);

    private final ManagedChannel owned;
    private final String address;
    private final Calls calls;
    private final ObjectMapper mapper;
    private final APIGrpc.APIBlockingStub blocking;
    private final ThreadsClient threads;

    private WeftClient(ManagedChannel owned, String address, Calls calls, ObjectMapper mapper) {
        this.owned = owned;
        this.address = address;
        this.calls = calls;
        this.mapper = mapper;
        this.blocking = APIGrpc.newBlockingStub(calls.channel);
        this.threads = new ThreadsClient(calls);
    }

    /** A client of the peer at {@link #DEFAULT_ADDRESS}, without an identity. */
    public static WeftClient connect() {
        return builder().build();
    }

    /** A client of the peer at {@code address} ({@code host:port}, see {@link Builder#address(String)}), without an identity. */
    public static WeftClient connect(String address) {
        return builder().address(address).build();
    }

    /** A builder of a client. */
    public static Builder builder() {
        return new Builder();
    }

    /** The peer address this client talks to ({@code host:port}), or a description for a caller-supplied channel. */
    public String address() {
        return address;
    }

    /** The deadline of each call. */
    public Duration timeout() {
        return calls.timeout;
    }

    /** The JSON mapper used for instances; use it to convert between your types and {@link JsonNode}. */
    public ObjectMapper mapper() {
        return mapper;
    }

    /**
     * A view of this client with another deadline per call. It shares the connection and the token; closing the
     * view does nothing (close the original).
     */
    public WeftClient withTimeout(Duration timeout) {
        return new WeftClient(null, address, calls.withTimeout(checkTimeout(timeout)), mapper);
    }

    /** The thread API ({@code threads.net.pb.API}) of the same peer. */
    public ThreadsClient threads() {
        return threads;
    }

    /** Closes the connection (if this client opened it), waiting briefly for calls in flight. Idempotent. */
    @Override
    public void close() {
        if (owned != null && !owned.isShutdown()) {
            owned.shutdown();
            try {
                if (!owned.awaitTermination(2, TimeUnit.SECONDS)) {
                    owned.shutdownNow();
                }
            } catch (InterruptedException e) {
                owned.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------ databases

    /** Creates a database with a new random id and no collections; returns its id. */
    public ThreadId newDB(String name) {
        return newDB(ThreadId.newRandom(), name, null, List.of());
    }

    /** Creates a database with a new random id and these collections; returns its id. */
    public ThreadId newDB(String name, List<CollectionConfig> collections) {
        return newDB(ThreadId.newRandom(), name, null, collections);
    }

    /**
     * Creates a database.
     *
     * @param id the database (thread) id
     * @param name a name for it (may be empty)
     * @param key its thread key, or {@code null} to let the peer create one
     * @param collections collections to create with it (may be empty)
     * @return {@code id}
     */
    public ThreadId newDB(ThreadId id, String name, ThreadKey key, List<CollectionConfig> collections) {
        NewDBRequest.Builder b = NewDBRequest.newBuilder().setDbID(Convert.id(id)).setName(name == null ? "" : name)
                .addAllCollections(Convert.toProto(collections));
        if (key != null) {
            b.setKey(ByteString.copyFrom(key.bytes()));
        }
        calls.unary("NewDB", blocking, s -> s.newDB(b.build()));
        return id;
    }

    /**
     * Joins a database served by another peer ({@code NewDBFromAddr}).
     *
     * @param addr a thread address {@code /ip4/…/tcp/…/p2p/<peer>/thread/<id>}
     * @param key the database's thread key (with the read key to read it; the service key only to replicate it)
     * @param name a name for it here (may be empty)
     * @param collections collections to create locally (usually empty: they come with the database)
     * @param block whether the peer should fetch the database before answering
     * @return the database id (from {@code addr})
     */
    public ThreadId newDBFromAddr(Multiaddr addr, ThreadKey key, String name, List<CollectionConfig> collections,
            boolean block) {
        if (addr == null || key == null) {
            throw new InvalidInputException("a thread address and the thread key are required");
        }
        ThreadId id = addr.threadId().orElseThrow(() -> new InvalidInputException(
                "address " + addr + " has no /thread/ component"));
        NewDBFromAddrRequest request = NewDBFromAddrRequest.newBuilder()
                .setAddr(ByteString.copyFrom(addr.bytes()))
                .setKey(ByteString.copyFrom(key.bytes()))
                .setName(name == null ? "" : name)
                .addAllCollections(Convert.toProto(collections))
                .setBlock(block)
                .build();
        calls.unary("NewDBFromAddr", blocking, s -> s.newDBFromAddr(request));
        return id;
    }

    /**
     * Joins the database of an invite ({@code <addr>[,<addr>…]#<key>}, as {@link #invite} makes it), trying its
     * addresses in order until the peer accepts one.
     *
     * @param invite the invite
     * @param name a name for the database here (may be empty)
     * @param block whether the peer should fetch the database before answering
     * @return the database id
     */
    public ThreadId joinDB(ThreadInvite invite, String name, boolean block) {
        Objects.requireNonNull(invite, "invite");
        WeftException last = null;
        for (Multiaddr addr : invite.addrs()) {
            try {
                return newDBFromAddr(addr, invite.key(), name, List.of(), block);
            } catch (PeerUnavailableException e) {
                last = e;
                LOG.debug("joining {} through {} failed: {}", invite.threadId(), addr, e.getMessage());
            }
        }
        throw last;
    }

    /** {@link #joinDB(ThreadInvite, String, boolean)} from invite text. */
    public ThreadId joinDB(String invite, String name, boolean block) {
        return joinDB(ThreadInvite.parse(invite), name, block);
    }

    /** Every database of the peer. */
    public List<DatabaseInfo> listDBs() {
        ListDBsReply r = calls.unary("ListDBs", blocking, s -> s.listDBs(ListDBsRequest.getDefaultInstance()));
        List<DatabaseInfo> out = new ArrayList<>();
        for (ListDBsReply.DB db : r.getDbsList()) {
            out.add(Convert.fromProto(Convert.threadId(db.getDbID(), "database id"), db.getInfo()));
        }
        return out;
    }

    /**
     * A database's name, key and addresses.
     *
     * @throws NotFoundException if the peer has no such database
     */
    public DatabaseInfo getDBInfo(ThreadId db) {
        GetDBInfoRequest request = GetDBInfoRequest.newBuilder().setDbID(Convert.id(db)).build();
        return Convert.fromProto(db, calls.unary("GetDBInfo", blocking, s -> s.getDBInfo(request)));
    }

    /**
     * An invite to a database: its thread addresses at the peer and its key ({@code replicaOnly}: the service key
     * only, which makes the receiver a replica that cannot read). Addresses lacking {@code /thread/<id>} get it
     * appended; unspecified listen addresses ({@code 0.0.0.0}, {@code ::}) are left out when others exist.
     *
     * <p><b>The invite text carries secret keys.</b>
     *
     * @throws NotFoundException if the peer has no such database
     * @throws WeftException if the peer reports no address with a peer id
     */
    public ThreadInvite invite(ThreadId db, boolean replicaOnly) {
        DatabaseInfo info = getDBInfo(db);
        List<Multiaddr> addrs = new ArrayList<>();
        List<Multiaddr> unspecified = new ArrayList<>();
        for (Multiaddr a : info.addrs()) {
            Multiaddr t = a.threadId().isPresent() ? a
                    : a.encapsulate(Multiaddr.Component.of(Multiaddr.Protocol.THREAD, db.bytes()));
            if (t.peerId().isEmpty()) {
                continue;
            }
            if (unspecified(t)) {
                unspecified.add(t);
            } else if (!addrs.contains(t)) {
                addrs.add(t);
            }
        }
        if (addrs.isEmpty()) {
            addrs.addAll(unspecified);
        }
        if (addrs.isEmpty()) {
            throw new WeftException("the peer reports no address for database " + db + " to invite to");
        }
        ThreadInvite invite = new ThreadInvite(addrs, info.key());
        return replicaOnly ? invite.replicaOnly() : invite;
    }

    /** Whether the address's IP is the unspecified address (a listen address, not a dialable one). */
    private static boolean unspecified(Multiaddr a) {
        Multiaddr.Component ip = a.first(Multiaddr.Protocol.IP4).orElse(a.first(Multiaddr.Protocol.IP6).orElse(null));
        if (ip == null) {
            return false;
        }
        for (byte b : ip.value()) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** Deletes a database from the peer. */
    public void deleteDB(ThreadId db) {
        DeleteDBRequest request = DeleteDBRequest.newBuilder().setDbID(Convert.id(db)).build();
        calls.unary("DeleteDB", blocking, s -> s.deleteDB(request));
    }

    // ------------------------------------------------------------------ collections

    /** Adds a collection to a database. */
    public void newCollection(ThreadId db, CollectionConfig config) {
        NewCollectionRequest request = NewCollectionRequest.newBuilder().setDbID(Convert.id(db))
                .setConfig(Convert.toProto(config)).build();
        calls.unary("NewCollection", blocking, s -> s.newCollection(request));
    }

    /** Changes a collection's schema, indexes or hooks. */
    public void updateCollection(ThreadId db, CollectionConfig config) {
        UpdateCollectionRequest request = UpdateCollectionRequest.newBuilder().setDbID(Convert.id(db))
                .setConfig(Convert.toProto(config)).build();
        calls.unary("UpdateCollection", blocking, s -> s.updateCollection(request));
    }

    /** Deletes a collection and its instances. */
    public void deleteCollection(ThreadId db, String name) {
        DeleteCollectionRequest request = DeleteCollectionRequest.newBuilder().setDbID(Convert.id(db))
                .setName(Convert.name(name)).build();
        calls.unary("DeleteCollection", blocking, s -> s.deleteCollection(request));
    }

    /**
     * A collection's configuration.
     *
     * @throws NotFoundException if there is no such database or collection
     */
    public CollectionConfig getCollectionInfo(ThreadId db, String name) {
        GetCollectionInfoRequest request = GetCollectionInfoRequest.newBuilder().setDbID(Convert.id(db))
                .setName(Convert.name(name)).build();
        return Convert.fromProto(calls.unary("GetCollectionInfo", blocking, s -> s.getCollectionInfo(request)), mapper);
    }

    /** A collection's indexes (the deprecated {@code GetCollectionIndexes} call; prefer {@link #getCollectionInfo}). */
    @SuppressWarnings("deprecation")
    public List<IndexConfig> getCollectionIndexes(ThreadId db, String name) {
        GetCollectionIndexesRequest request = GetCollectionIndexesRequest.newBuilder().setDbID(Convert.id(db))
                .setName(Convert.name(name)).build();
        List<IndexConfig> out = new ArrayList<>();
        for (io.weft.grpc.pb.Index i : calls.unary("GetCollectionIndexes", blocking,
                s -> s.getCollectionIndexes(request)).getIndexesList()) {
            out.add(new IndexConfig(i.getPath(), i.getUnique()));
        }
        return out;
    }

    /** Every collection of a database. */
    public List<CollectionConfig> listCollections(ThreadId db) {
        ListCollectionsRequest request = ListCollectionsRequest.newBuilder().setDbID(Convert.id(db)).build();
        List<CollectionConfig> out = new ArrayList<>();
        for (GetCollectionInfoReply c : calls.unary("ListCollections", blocking, s -> s.listCollections(request))
                .getCollectionsList()) {
            out.add(Convert.fromProto(c, mapper));
        }
        return out;
    }

    // ------------------------------------------------------------------ instances

    /** Creates instances (the peer assigns an {@code _id} where missing); returns their ids in order. */
    public List<String> create(ThreadId db, String collection, List<? extends JsonNode> instances) {
        CreateRequest request = CreateRequest.newBuilder().setDbID(Convert.id(db))
                .setCollectionName(Convert.name(collection))
                .addAllInstances(Convert.instances(instances, mapper)).build();
        CreateReply r = calls.unary("Create", blocking, s -> s.create(request));
        Convert.checkTransactionError(r.getTransactionError());
        return List.copyOf(r.getInstanceIDsList());
    }

    /** Creates one instance; returns its id. */
    public String create(ThreadId db, String collection, JsonNode instance) {
        List<String> ids = create(db, collection, List.of(instance));
        return ids.isEmpty() ? null : ids.get(0);
    }

    /** Creates one instance from any value Jackson can map to a JSON object; returns its id. */
    public String createObject(ThreadId db, String collection, Object instance) {
        return create(db, collection, toJson(instance));
    }

    /** Replaces existing instances, each identified by its {@code _id}. */
    public void save(ThreadId db, String collection, List<? extends JsonNode> instances) {
        SaveRequest request = SaveRequest.newBuilder().setDbID(Convert.id(db))
                .setCollectionName(Convert.name(collection))
                .addAllInstances(Convert.instances(instances, mapper)).build();
        Convert.checkTransactionError(calls.unary("Save", blocking, s -> s.save(request)).getTransactionError());
    }

    /** Replaces one existing instance. */
    public void save(ThreadId db, String collection, JsonNode instance) {
        save(db, collection, List.of(instance));
    }

    /** Deletes instances by id. */
    public void delete(ThreadId db, String collection, List<String> ids) {
        DeleteRequest request = DeleteRequest.newBuilder().setDbID(Convert.id(db))
                .setCollectionName(Convert.name(collection))
                .addAllInstanceIDs(Convert.ids(ids)).build();
        Convert.checkTransactionError(calls.unary("Delete", blocking, s -> s.delete(request)).getTransactionError());
    }

    /** Deletes one instance. */
    public void delete(ThreadId db, String collection, String id) {
        delete(db, collection, List.of(id));
    }

    /** Whether all of {@code ids} exist. */
    public boolean has(ThreadId db, String collection, List<String> ids) {
        HasRequest request = HasRequest.newBuilder().setDbID(Convert.id(db))
                .setCollectionName(Convert.name(collection))
                .addAllInstanceIDs(Convert.ids(ids)).build();
        HasReply r = calls.unary("Has", blocking, s -> s.has(request));
        Convert.checkTransactionError(r.getTransactionError());
        return r.getExists();
    }

    /** Whether the instance exists. */
    public boolean has(ThreadId db, String collection, String id) {
        return has(db, collection, List.of(id));
    }

    /**
     * Checks that a save of these instances (each with its {@code _id}) would be accepted (schema, write
     * validator), without writing them.
     *
     * @throws InvalidInputException with the peer's list of problems if one would be rejected
     */
    public void verify(ThreadId db, String collection, List<? extends JsonNode> instances) {
        VerifyRequest request = VerifyRequest.newBuilder().setDbID(Convert.id(db))
                .setCollectionName(Convert.name(collection))
                .addAllInstances(Convert.instances(instances, mapper)).build();
        Convert.checkVerifyError(calls.unary("Verify", blocking, s -> s.verify(request)).getTransactionError());
    }

    /**
     * The instance with this id.
     *
     * @throws NotFoundException if there is none
     */
    public ObjectNode findById(ThreadId db, String collection, String id) {
        FindByIDRequest request = FindByIDRequest.newBuilder().setDbID(Convert.id(db))
                .setCollectionName(Convert.name(collection))
                .setInstanceID(Convert.ids(Arrays.asList(id)).get(0)).build();
        FindByIDReply r = calls.unary("FindByID", blocking, s -> s.findByID(request));
        Convert.checkTransactionError(r.getTransactionError());
        if (r.getInstance().isEmpty()) {
            throw new NotFoundException("instance " + id + " not found in collection " + collection);
        }
        return Convert.object(r.getInstance(), mapper, "instance");
    }

    /** The instance with this id, mapped to {@code type}. */
    public <T> T findById(ThreadId db, String collection, String id, Class<T> type) {
        return fromJson(findById(db, collection, id), type);
    }

    /**
     * The instances matching a query, built with {@link Query}'s fluent builder
     * ({@code Query.where("age").ge(60).orderBy("age").limit(10)}) or parsed from go-threads query JSON.
     */
    public List<ObjectNode> find(ThreadId db, String collection, Query query) {
        Objects.requireNonNull(query, "query");
        FindRequest request = FindRequest.newBuilder().setDbID(Convert.id(db))
                .setCollectionName(Convert.name(collection))
                .setQueryJSON(ByteString.copyFromUtf8(query.toString())).build();
        FindReply r = calls.unary("Find", blocking, s -> s.find(request));
        Convert.checkTransactionError(r.getTransactionError());
        return Convert.objects(r.getInstancesList(), mapper);
    }

    /** {@link #find(ThreadId, String, Query)} with each instance mapped to {@code type}. */
    public <T> List<T> find(ThreadId db, String collection, Query query, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (ObjectNode n : find(db, collection, query)) {
            out.add(fromJson(n, type));
        }
        return out;
    }

    // ------------------------------------------------------------------ transactions

    /** Starts a read transaction on one collection. */
    public RemoteReadTransaction readTransaction(ThreadId db, String collection) {
        return new RemoteReadTransaction(calls, db, collection, mapper);
    }

    /** Starts a write transaction on one collection; commit it with {@link RemoteWriteTransaction#commit()}. */
    public RemoteWriteTransaction writeTransaction(ThreadId db, String collection) {
        return new RemoteWriteTransaction(calls, db, collection, mapper);
    }

    // ------------------------------------------------------------------ changes

    /**
     * The changes of a database from now on, as a blocking iterator; close it to stop. With no filter every change
     * is reported; with several, a change matching any of them.
     */
    public EventStream<ListenEvent> listen(ThreadId db, List<ListenFilter> filters) {
        ListenRequest request = listenRequest(db, filters);
        return EventStream.start(calls.newStreamCall(APIGrpc.getListenMethod(), "Listen"), request, "Listen",
                (ListenReply r) -> Convert.event(r, mapper));
    }

    /** {@link #listen(ThreadId, List)} with filters as varargs. */
    public EventStream<ListenEvent> listen(ThreadId db, ListenFilter... filters) {
        return listen(db, Arrays.asList(filters));
    }

    /**
     * The changes of a database from now on, delivered to {@code onEvent} on a gRPC thread, in order. When the
     * stream fails (the peer went away, the database was deleted), {@code onError} gets the mapped exception once;
     * {@link Cancellable#close()} stops it quietly.
     */
    public Cancellable listen(ThreadId db, List<ListenFilter> filters, Consumer<ListenEvent> onEvent,
            Consumer<WeftException> onError) {
        Objects.requireNonNull(onEvent, "onEvent");
        ListenRequest request = listenRequest(db, filters);
        return CallbackStream.start(calls.newStreamCall(APIGrpc.getListenMethod(), "Listen"), request, "Listen",
                (ListenReply r) -> Convert.event(r, mapper), onEvent, onError);
    }

    private static ListenRequest listenRequest(ThreadId db, List<ListenFilter> filters) {
        ListenRequest.Builder b = ListenRequest.newBuilder().setDbID(Convert.id(db));
        if (filters != null) {
            for (ListenFilter f : filters) {
                b.addFilters(Convert.toProto(Objects.requireNonNull(f, "filter")));
            }
        }
        return b.build();
    }

    // ------------------------------------------------------------------ JSON helpers

    /** Any value Jackson can map, as a JSON object. */
    public ObjectNode toJson(Object value) {
        JsonNode n = value instanceof JsonNode j ? j : mapper.valueToTree(value);
        if (n == null || !n.isObject()) {
            throw new InvalidInputException("an instance must map to a JSON object");
        }
        return (ObjectNode) n;
    }

    private <T> T fromJson(ObjectNode n, Class<T> type) {
        try {
            return mapper.treeToValue(n, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw new InvalidInputException("cannot map the instance to " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static Duration checkTimeout(Duration timeout) {
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            throw new InvalidInputException("the timeout must be positive");
        }
        return timeout;
    }

    // ------------------------------------------------------------------ builder

    /** Builds a {@link WeftClient}. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 6006;
        private PrivateKey identity;
        private Duration timeout = DEFAULT_TIMEOUT;
        private Channel channel;
        private ObjectMapper mapper;
        private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /**
         * The peer's API address: {@code host:port}, {@code [ipv6]:port}, a bare host (port 6006), or a multiaddr
         * {@code /ip4/127.0.0.1/tcp/6006} ({@code /ip6/…}, {@code /dns4/…}, {@code /dns6/…}, {@code /dns/…}).
         *
         * @throws InvalidInputException if it is none of these
         */
        public Builder address(String address) {
            HostPort hp = HostPort.parse(address);
            this.host = hp.host();
            this.port = hp.port();
            return this;
        }

        /** The peer's API host and port. */
        public Builder address(String host, int port) {
            return address(HostPort.format(host, port));
        }

        /** Authenticate as this identity (GetToken flow); {@code null}: no token. */
        public Builder identity(HostIdentity identity) {
            this.identity = identity == null ? null : identity.privateKey();
            return this;
        }

        /** Authenticate as this Ed25519 key (GetToken flow); {@code null}: no token. */
        public Builder identity(PrivateKey key) {
            this.identity = key;
            return this;
        }

        /** The deadline of each call (default 30 s). */
        public Builder timeout(Duration timeout) {
            this.timeout = checkTimeout(timeout);
            return this;
        }

        /** The largest message accepted from the peer (default 64 MiB). */
        public Builder maxMessageBytes(int bytes) {
            if (bytes < 1024) {
                throw new InvalidInputException("maxMessageBytes must be at least 1024");
            }
            this.maxMessageBytes = bytes;
            return this;
        }

        /** The JSON mapper for instances (default: a plain {@link ObjectMapper}). */
        public Builder mapper(ObjectMapper mapper) {
            this.mapper = mapper;
            return this;
        }

        /**
         * Use this channel (e.g. in-process, or with TLS) instead of opening one to the address; the caller keeps
         * ownership and closes it.
         */
        public Builder channel(Channel channel) {
            this.channel = channel;
            return this;
        }

        /** The clock that decides when a token is about to expire (tests). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Opens the connection lazily: the first call connects, so this never fails for an absent peer. */
        public WeftClient build() {
            ManagedChannel owned = null;
            Channel base = channel;
            String addr;
            if (base == null) {
                // a socket address, not a target string: no name resolver needed (the embedded grpc may lack DNS)
                owned = NettyChannelBuilder.forAddress(new java.net.InetSocketAddress(host, port))
                        .usePlaintext()
                        .maxInboundMessageSize(maxMessageBytes)
                        .build();
                base = owned;
                addr = HostPort.format(host, port);
            } else {
                addr = base.authority();
            }
            TokenAuth auth = new TokenAuth(base, identity, timeout, clock);
            Channel intercepted = ClientInterceptors.intercept(base, auth);
            return new WeftClient(owned, addr, new Calls(intercepted, auth, timeout),
                    mapper == null ? new ObjectMapper() : mapper);
        }
    }
}
