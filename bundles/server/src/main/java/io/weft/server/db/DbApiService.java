package io.weft.server.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.WeftException;
import io.weft.api.crypto.PublicKey;
import io.weft.api.db.Change;
import io.weft.api.db.ChangeType;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.Database;
import io.weft.api.db.DatabaseInfo;
import io.weft.api.db.DatabaseManager;
import io.weft.api.db.IndexConfig;
import io.weft.api.db.ListenFilter;
import io.weft.api.db.Names;
import io.weft.api.db.Query;
import io.weft.api.db.ReadTransaction;
import io.weft.api.db.Subscription;
import io.weft.api.db.WriteProblem;
import io.weft.api.format.Multiaddr;
import io.weft.api.log.ThreadService;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadInvite;
import io.weft.api.thread.ThreadKey;
import io.weft.grpc.pb.APIGrpc;
import io.weft.grpc.pb.DeleteCollectionReply;
import io.weft.grpc.pb.DeleteCollectionRequest;
import io.weft.grpc.pb.DeleteDBReply;
import io.weft.grpc.pb.DeleteDBRequest;
import io.weft.grpc.pb.DeleteReply;
import io.weft.grpc.pb.DeleteRequest;
import io.weft.grpc.pb.CreateReply;
import io.weft.grpc.pb.CreateRequest;
import io.weft.grpc.pb.FindByIDReply;
import io.weft.grpc.pb.FindByIDRequest;
import io.weft.grpc.pb.FindReply;
import io.weft.grpc.pb.FindRequest;
import io.weft.grpc.pb.GetCollectionIndexesReply;
import io.weft.grpc.pb.GetCollectionIndexesRequest;
import io.weft.grpc.pb.GetCollectionInfoReply;
import io.weft.grpc.pb.GetCollectionInfoRequest;
import io.weft.grpc.pb.GetDBInfoReply;
import io.weft.grpc.pb.GetDBInfoRequest;
import io.weft.grpc.pb.GetTokenReply;
import io.weft.grpc.pb.GetTokenRequest;
import io.weft.grpc.pb.HasReply;
import io.weft.grpc.pb.HasRequest;
import io.weft.grpc.pb.Index;
import io.weft.grpc.pb.ListCollectionsReply;
import io.weft.grpc.pb.ListCollectionsRequest;
import io.weft.grpc.pb.ListDBsReply;
import io.weft.grpc.pb.ListDBsRequest;
import io.weft.grpc.pb.ListenReply;
import io.weft.grpc.pb.ListenRequest;
import io.weft.grpc.pb.NewCollectionReply;
import io.weft.grpc.pb.NewCollectionRequest;
import io.weft.grpc.pb.NewDBFromAddrRequest;
import io.weft.grpc.pb.NewDBReply;
import io.weft.grpc.pb.NewDBRequest;
import io.weft.grpc.pb.ReadTransactionReply;
import io.weft.grpc.pb.ReadTransactionRequest;
import io.weft.grpc.pb.SaveReply;
import io.weft.grpc.pb.SaveRequest;
import io.weft.grpc.pb.UpdateCollectionReply;
import io.weft.grpc.pb.UpdateCollectionRequest;
import io.weft.grpc.pb.VerifyReply;
import io.weft.grpc.pb.VerifyRequest;
import io.weft.grpc.pb.WriteTransactionReply;
import io.weft.grpc.pb.WriteTransactionRequest;
import io.weft.server.GrpcErrors;
import io.weft.server.GrpcErrors.Conflict;
import io.weft.server.auth.Caller;
import io.weft.server.auth.TokenService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database API {@code threads.pb.API} of go-threads (all 22 RPCs) over a {@link DatabaseManager}.
 *
 * <p><b>Identity.</b> Every call runs as the {@link Caller} the auth interceptor put in the context: writes of a
 * client with a token are write transactions {@linkplain Database#writeTransaction(PublicKey) on behalf of} its
 * identity (write validators see it; the record is the client's, in its own log of the database's thread), reads
 * pass it to read filters. Calls without a token act as this peer's host identity. Database and collection
 * definitions are written by the host identity.
 *
 * <p><b>Errors.</b> Unary calls end with a typed status ({@link GrpcErrors}); {@code Verify} reports what a save
 * would run into in {@code transactionError} with status OK. Inside {@code ReadTransaction} and
 * {@code WriteTransaction}, a failing operation is answered with its {@code transactionError} and the stream goes on
 * (as the JS client expects); a failing write rolls the whole write transaction back, so ending it then fails with
 * {@code ABORTED}. A request that is rejected changes nothing.
 */
public final class DbApiService extends APIGrpc.APIImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(DbApiService.class);
    /** The name a database gets when {@code NewDB} or {@code NewDBFromAddr} names none (go-threads allows that). */
    public static final String DEFAULT_DB_NAME = "unnamed";
    /** What a write validator or read filter name may look like (a service name, not JavaScript). */
    private static final Pattern HOOK_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,255}");

    private final DatabaseManager databases;
    private final Supplier<ThreadService> threads;
    private final TokenService tokens;
    private final ScheduledExecutorService timer;
    private final Duration transactionIdleTimeout;

    /**
     * @param databases              the databases to serve
     * @param threads                the network's thread service, or a supplier of {@code null} (no network:
     *                               {@code NewDBFromAddr} fails with {@code FAILED_PRECONDITION})
     * @param tokens                 issues the tokens of {@code GetToken}
     * @param timer                  runs transaction idle timeouts
     * @param transactionIdleTimeout how long a transaction call may stay silent
     */
    public DbApiService(DatabaseManager databases, Supplier<ThreadService> threads, TokenService tokens,
            ScheduledExecutorService timer, Duration transactionIdleTimeout) {
        this.databases = Objects.requireNonNull(databases, "databases");
        this.threads = Objects.requireNonNull(threads, "threads");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.transactionIdleTimeout = Objects.requireNonNull(transactionIdleTimeout, "transactionIdleTimeout");
    }

    // ================================================================== helpers

    /** Runs a unary call: replies with {@code work}'s result or ends with the mapped status. */
    private static <R> void unary(String method, StreamObserver<R> out, Conflict conflict, Supplier<R> work) {
        R reply;
        try {
            reply = work.get();
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(method, e, conflict));
            return;
        }
        out.onNext(reply);
        out.onCompleted();
    }

    private static <R> void unary(String method, StreamObserver<R> out, Supplier<R> work) {
        unary(method, out, Conflict.ALREADY_EXISTS, work);
    }

    /** The identity the current call writes and reads as; {@code null} for the host. */
    private static PublicKey caller() {
        return Caller.current().identity();
    }

    static ThreadId dbId(ByteString bytes) {
        if (bytes.isEmpty()) {
            throw new InvalidInputException("dbID is required");
        }
        try {
            return ThreadId.decode(bytes.toByteArray());
        } catch (InvalidInputException e) {
            throw new InvalidInputException("dbID is not a thread id: " + e.getMessage());
        }
    }

    private Database db(ByteString dbId) {
        return databases.database(dbId(dbId));
    }

    static String collectionName(String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidInputException("collectionName is required");
        }
        return name;
    }

    private static String dbName(String name) {
        return name == null || name.isEmpty() ? DEFAULT_DB_NAME : Names.check("database", name);
    }

    private static ThreadKey threadKey(ByteString bytes) {
        try {
            return ThreadKey.decode(bytes.toByteArray());
        } catch (InvalidInputException e) {
            throw new InvalidInputException("key is not a thread key: " + e.getMessage());
        }
    }

    static CollectionConfig config(io.weft.grpc.pb.CollectionConfig c) {
        if (c == null || c.getName().isEmpty()) {
            throw new InvalidInputException("a collection config needs a name");
        }
        Names.check("collection", c.getName());
        if (c.getSchema().isEmpty()) {
            throw new InvalidInputException("collection " + c.getName() + ": the schema (JSON Schema) is required");
        }
        JsonNode schema = WireJson.parse(c.getSchema(), "collection " + c.getName() + " schema");
        List<IndexConfig> indexes = new ArrayList<>();
        for (Index i : c.getIndexesList()) {
            indexes.add(new IndexConfig(i.getPath(), i.getUnique()));
        }
        return new CollectionConfig(c.getName(), schema, indexes, hook(c.getName(), "writeValidator", c.getWriteValidator()),
                hook(c.getName(), "readFilter", c.getReadFilter()));
    }

    private static String hook(String collection, String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (!HOOK_NAME.matcher(value).matches()) {
            throw new InvalidInputException("collection " + collection + ": " + field + " must name a " + field
                    + " service registered with this peer (letters, digits, '.', '_', '-'); JavaScript function"
                    + " bodies are not supported");
        }
        return value;
    }

    private static List<CollectionConfig> configs(List<io.weft.grpc.pb.CollectionConfig> list) {
        List<CollectionConfig> out = new ArrayList<>(list.size());
        for (io.weft.grpc.pb.CollectionConfig c : list) {
            out.add(config(c));
        }
        return out;
    }

    static GetCollectionInfoReply info(CollectionConfig c) {
        GetCollectionInfoReply.Builder b = GetCollectionInfoReply.newBuilder()
                .setName(c.name())
                .setSchema(WireJson.bytes(c.schema()))
                .addAllIndexes(indexes(c));
        if (c.writeValidator() != null) {
            b.setWriteValidator(c.writeValidator());
        }
        if (c.readFilter() != null) {
            b.setReadFilter(c.readFilter());
        }
        return b.build();
    }

    private static List<Index> indexes(CollectionConfig c) {
        List<Index> out = new ArrayList<>();
        for (IndexConfig i : c.indexes()) {
            out.add(Index.newBuilder().setPath(i.path()).setUnique(i.unique()).build());
        }
        return out;
    }

    static List<ObjectNode> instances(List<ByteString> list) {
        List<ObjectNode> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            out.add(WireJson.parseObject(list.get(i), "instance " + i));
        }
        return out;
    }

    static Query query(ByteString json) {
        if (json.isEmpty()) {
            return Query.all();
        }
        return Query.parse(WireJson.text(json, "queryJSON"));
    }

    private GetDBInfoReply dbInfo(DatabaseInfo info) {
        GetDBInfoReply.Builder b = GetDBInfoReply.newBuilder()
                .setName(info.name())
                .setKey(ByteString.copyFrom(info.key().bytes()));
        for (Multiaddr a : addrs(info)) {
            b.addAddrs(ByteString.copyFrom(a.bytes()));
        }
        return b.build();
    }

    /** This peer's addresses of the database's thread ({@code …/p2p/<peer>/thread/<id>}). */
    private List<Multiaddr> addrs(DatabaseInfo info) {
        ThreadService net = threads.get();
        if (net != null) {
            try {
                return net.invite(info.id(), false).addrs();
            } catch (RuntimeException e) {
                LOG.debug("no thread addresses for database {} from the thread service: {}", info.id(), e.toString());
            }
        }
        return info.addrs();
    }

    // ================================================================== auth

    @Override
    public StreamObserver<GetTokenRequest> getToken(StreamObserver<GetTokenReply> out) {
        return tokens.getToken(out, TokenService.THREADS_API);
    }

    // ================================================================== databases

    @Override
    public void newDB(NewDBRequest req, StreamObserver<NewDBReply> out) {
        unary("NewDB", out, () -> {
            ThreadId id = dbId(req.getDbID());
            if (!req.getLogKey().isEmpty()) {
                throw new InvalidInputException("logKey is not supported: this peer creates the log keys of its"
                        + " databases");
            }
            ThreadKey key = req.getKey().isEmpty() ? null : threadKey(req.getKey());
            String name = dbName(req.getName());
            List<CollectionConfig> cols = configs(req.getCollectionsList());
            databases.createDatabase(id, key, name, cols);
            return NewDBReply.getDefaultInstance();
        });
    }

    @Override
    public void newDBFromAddr(NewDBFromAddrRequest req, StreamObserver<NewDBReply> out) {
        unary("NewDBFromAddr", out, () -> {
            if (req.getAddr().isEmpty()) {
                throw new InvalidInputException("addr is required: a thread address …/p2p/<peer>/thread/<id>");
            }
            Multiaddr addr = Multiaddr.decode(req.getAddr().toByteArray());
            ByteString keyBytes = !req.getKey().isEmpty() ? req.getKey() : req.getThreadKey();
            if (keyBytes.isEmpty()) {
                throw new InvalidInputException("key is required");
            }
            if (!req.getLogKey().isEmpty()) {
                throw new InvalidInputException("logKey is not supported: this peer creates the log keys of its"
                        + " databases");
            }
            ThreadInvite invite = new ThreadInvite(List.of(addr), threadKey(keyBytes));
            String name = dbName(req.getName());
            List<CollectionConfig> cols = configs(req.getCollectionsList());
            if (threads.get() == null) {
                throw Status.FAILED_PRECONDITION.withDescription("this peer has no network (no thread service): it"
                        + " cannot join a database from an address").asRuntimeException();
            }
            Database d = databases.joinDatabase(invite, name);
            for (CollectionConfig c : cols) {
                try {
                    d.collection(c.name());
                } catch (NotFoundException e) {
                    d.newCollection(c);
                }
            }
            return NewDBReply.getDefaultInstance();
        });
    }

    @Override
    public void listDBs(ListDBsRequest req, StreamObserver<ListDBsReply> out) {
        unary("ListDBs", out, () -> {
            ListDBsReply.Builder b = ListDBsReply.newBuilder();
            for (DatabaseInfo info : databases.listDatabases()) {
                b.addDbs(ListDBsReply.DB.newBuilder()
                        .setDbID(ByteString.copyFrom(info.id().bytes()))
                        .setInfo(dbInfo(info)));
            }
            return b.build();
        });
    }

    @Override
    public void getDBInfo(GetDBInfoRequest req, StreamObserver<GetDBInfoReply> out) {
        unary("GetDBInfo", out, () -> dbInfo(databases.databaseInfo(dbId(req.getDbID()))));
    }

    @Override
    public void deleteDB(DeleteDBRequest req, StreamObserver<DeleteDBReply> out) {
        unary("DeleteDB", out, () -> {
            ThreadId id = dbId(req.getDbID());
            if (!databases.deleteDatabase(id)) {
                throw new NotFoundException("database " + id + " not found");
            }
            ThreadService net = threads.get();
            if (net != null) {
                try {
                    net.deleteThread(id); // stop syncing it (its data is gone already)
                } catch (RuntimeException e) {
                    LOG.debug("thread service did not forget thread {}: {}", id, e.toString());
                }
            }
            return DeleteDBReply.getDefaultInstance();
        });
    }

    // ================================================================== collections

    @Override
    public void newCollection(NewCollectionRequest req, StreamObserver<NewCollectionReply> out) {
        unary("NewCollection", out, () -> {
            Database d = db(req.getDbID());
            d.newCollection(config(req.getConfig()));
            return NewCollectionReply.getDefaultInstance();
        });
    }

    @Override
    public void updateCollection(UpdateCollectionRequest req, StreamObserver<UpdateCollectionReply> out) {
        unary("UpdateCollection", out, Conflict.FAILED_PRECONDITION, () -> {
            Database d = db(req.getDbID());
            d.updateCollection(config(req.getConfig()));
            return UpdateCollectionReply.getDefaultInstance();
        });
    }

    @Override
    public void deleteCollection(DeleteCollectionRequest req, StreamObserver<DeleteCollectionReply> out) {
        unary("DeleteCollection", out, () -> {
            Database d = db(req.getDbID());
            d.deleteCollection(collectionName(req.getName()));
            return DeleteCollectionReply.getDefaultInstance();
        });
    }

    @Override
    public void getCollectionInfo(GetCollectionInfoRequest req, StreamObserver<GetCollectionInfoReply> out) {
        unary("GetCollectionInfo", out,
                () -> info(db(req.getDbID()).collection(collectionName(req.getName())).config()));
    }

    @Override
    public void getCollectionIndexes(GetCollectionIndexesRequest req, StreamObserver<GetCollectionIndexesReply> out) {
        unary("GetCollectionIndexes", out, () -> GetCollectionIndexesReply.newBuilder()
                .addAllIndexes(indexes(db(req.getDbID()).collection(collectionName(req.getName())).config()))
                .build());
    }

    @Override
    public void listCollections(ListCollectionsRequest req, StreamObserver<ListCollectionsReply> out) {
        unary("ListCollections", out, () -> {
            ListCollectionsReply.Builder b = ListCollectionsReply.newBuilder();
            for (CollectionConfig c : db(req.getDbID()).listCollections()) {
                b.addCollections(info(c));
            }
            return b.build();
        });
    }

    // ================================================================== instances

    @Override
    public void create(CreateRequest req, StreamObserver<CreateReply> out) {
        unary("Create", out, () -> {
            Database d = db(req.getDbID());
            String c = collectionName(req.getCollectionName());
            List<ObjectNode> docs = instances(req.getInstancesList());
            List<String> ids = d.write(caller(), t -> t.createMany(c, docs));
            return CreateReply.newBuilder().addAllInstanceIDs(ids).build();
        });
    }

    @Override
    public void verify(VerifyRequest req, StreamObserver<VerifyReply> out) {
        unary("Verify", out, () -> {
            Database d = db(req.getDbID());
            String c = collectionName(req.getCollectionName());
            d.collection(c); // NOT_FOUND for an unknown collection
            List<JsonNode> docs = new ArrayList<>();
            for (int i = 0; i < req.getInstancesCount(); i++) {
                docs.add(WireJson.parseObject(req.getInstances(i), "instance " + i));
            }
            List<WriteProblem> problems;
            try (var t = d.writeTransaction(caller())) {
                problems = t.verify(c, docs);
            } // never committed
            if (!problems.isEmpty()) {
                // as go-threads: a unary Verify with problems fails with the status of the first one (the JS client
                // only reports a failed status), naming all of them
                throw rethrowAs(problems.get(0), joined(problems));
            }
            return VerifyReply.getDefaultInstance();
        });
    }

    private static String joined(List<WriteProblem> problems) {
        return problems.stream().map(WriteProblem::message).collect(java.util.stream.Collectors.joining("; "));
    }

    /** The exception of {@code first}'s kind, with {@code message}. */
    private static WeftException rethrowAs(WriteProblem first, String message) {
        return new WriteProblem(first.collection(), first.instanceId(), first.kind(), message).toException();
    }

    @Override
    public void save(SaveRequest req, StreamObserver<SaveReply> out) {
        unary("Save", out, () -> {
            Database d = db(req.getDbID());
            String c = collectionName(req.getCollectionName());
            List<ObjectNode> docs = instances(req.getInstancesList());
            d.write(caller(), t -> {
                TxnOps.save(t, c, docs);
                return null;
            });
            return SaveReply.getDefaultInstance();
        });
    }

    @Override
    public void delete(DeleteRequest req, StreamObserver<DeleteReply> out) {
        unary("Delete", out, () -> {
            Database d = db(req.getDbID());
            String c = collectionName(req.getCollectionName());
            List<String> ids = req.getInstanceIDsList();
            d.write(caller(), t -> {
                t.deleteMany(c, ids);
                return null;
            });
            return DeleteReply.getDefaultInstance();
        });
    }

    @Override
    public void has(HasRequest req, StreamObserver<HasReply> out) {
        unary("Has", out, () -> {
            Database d = db(req.getDbID());
            String c = collectionName(req.getCollectionName());
            try (ReadTransaction t = d.readTransaction(caller())) {
                return HasReply.newBuilder().setExists(t.hasAll(c, req.getInstanceIDsList())).build();
            }
        });
    }

    @Override
    public void find(FindRequest req, StreamObserver<FindReply> out) {
        unary("Find", out, () -> {
            Database d = db(req.getDbID());
            String c = collectionName(req.getCollectionName());
            Query q = query(req.getQueryJSON());
            try (ReadTransaction t = d.readTransaction(caller())) {
                return TxnOps.findReply(t.find(c, q));
            }
        });
    }

    @Override
    public void findByID(FindByIDRequest req, StreamObserver<FindByIDReply> out) {
        unary("FindByID", out, () -> {
            Database d = db(req.getDbID());
            String c = collectionName(req.getCollectionName());
            try (ReadTransaction t = d.readTransaction(caller())) {
                return FindByIDReply.newBuilder().setInstance(WireJson.bytes(t.findById(c, req.getInstanceID()))).build();
            }
        });
    }

    // ================================================================== transactions

    @Override
    public StreamObserver<ReadTransactionRequest> readTransaction(StreamObserver<ReadTransactionReply> out) {
        return new ReadTxnCall(databases, (ServerCallStreamObserver<ReadTransactionReply>) out, caller(), timer,
                transactionIdleTimeout);
    }

    @Override
    public StreamObserver<WriteTransactionRequest> writeTransaction(StreamObserver<WriteTransactionReply> out) {
        return new WriteTxnCall(databases, (ServerCallStreamObserver<WriteTransactionReply>) out, caller(), timer,
                transactionIdleTimeout);
    }

    // ================================================================== listen

    @Override
    public void listen(ListenRequest req, StreamObserver<ListenReply> out) {
        ServerCallStreamObserver<ListenReply> call = (ServerCallStreamObserver<ListenReply>) out;
        Database d;
        List<ListenFilter> filters = new ArrayList<>();
        try {
            d = db(req.getDbID());
            for (ListenRequest.Filter f : req.getFiltersList()) {
                ChangeType type = switch (f.getAction()) {
                    case ALL -> null;
                    case CREATE -> ChangeType.CREATE;
                    case SAVE -> ChangeType.SAVE;
                    case DELETE -> ChangeType.DELETE;
                    default -> throw new InvalidInputException("listen filter: unknown action " + f.getActionValue());
                };
                filters.add(new ListenFilter(f.getCollectionName().isEmpty() ? null : f.getCollectionName(),
                        f.getInstanceID().isEmpty() ? null : f.getInstanceID(), type));
            }
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus("Listen", e));
            return;
        }
        ListenCall listener = new ListenCall(d, call, caller());
        Subscription sub;
        try {
            sub = d.listen(d.lastSequence(), filters, listener);
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus("Listen", e));
            return;
        }
        listener.started(sub);
    }
}
