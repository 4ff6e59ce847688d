package io.weft.server;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.format.Multiaddr;
import io.weft.api.log.LogInfo;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import io.weft.core.crypto.Ed25519;
import io.weft.grpc.pb.CollectionConfig;
import io.weft.grpc.pb.CreateRequest;
import io.weft.grpc.pb.DeleteCollectionRequest;
import io.weft.grpc.pb.DeleteDBRequest;
import io.weft.grpc.pb.DeleteRequest;
import io.weft.grpc.pb.FindByIDRequest;
import io.weft.grpc.pb.FindRequest;
import io.weft.grpc.pb.GetCollectionIndexesRequest;
import io.weft.grpc.pb.GetCollectionInfoReply;
import io.weft.grpc.pb.GetCollectionInfoRequest;
import io.weft.grpc.pb.GetDBInfoReply;
import io.weft.grpc.pb.GetDBInfoRequest;
import io.weft.grpc.pb.HasRequest;
import io.weft.grpc.pb.Index;
import io.weft.grpc.pb.ListCollectionsRequest;
import io.weft.grpc.pb.ListDBsReply;
import io.weft.grpc.pb.ListDBsRequest;
import io.weft.grpc.pb.NewCollectionRequest;
import io.weft.grpc.pb.NewDBFromAddrRequest;
import io.weft.grpc.pb.NewDBRequest;
import io.weft.grpc.pb.SaveRequest;
import io.weft.grpc.pb.UpdateCollectionRequest;
import io.weft.grpc.pb.VerifyReply;
import io.weft.grpc.pb.VerifyRequest;
import io.weft.api.store.Entry;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every unary RPC of threads.pb.API over a real channel, with its errors; refused requests change nothing. */
class DbApiServiceTest extends ServerFixture {

    private static ThreadId tid(ByteString db) {
        return ThreadId.decode(db.toByteArray());
    }

    private static ByteString raw(ThreadId id) {
        return ByteString.copyFrom(id.bytes());
    }

    @Test
    void databases() {
        ThreadId id = ThreadId.newRandom();
        ThreadKey key = ThreadKey.generate(true);
        api.newDB(NewDBRequest.newBuilder().setDbID(raw(id)).setKey(ByteString.copyFrom(key.bytes())).setName("first")
                .addCollections(person()).build());
        // an unnamed database (the JS client may send no name)
        ThreadId second = ThreadId.newRandom();
        api.newDB(NewDBRequest.newBuilder().setDbID(raw(second)).build());

        GetDBInfoReply info = api.getDBInfo(GetDBInfoRequest.newBuilder().setDbID(raw(id)).build());
        assertEquals("first", info.getName());
        assertEquals(ByteString.copyFrom(key.bytes()), info.getKey());
        assertEquals(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/4006/p2p/" + io.weft.api.thread.PeerId.of(
                hostKey.publicKey()) + "/thread/" + id)), info.getAddrsList().stream()
                .map(b -> Multiaddr.decode(b.toByteArray())).toList());

        ListDBsReply list = api.listDBs(ListDBsRequest.getDefaultInstance());
        assertEquals(Set.of(raw(id), raw(second)), list.getDbsList().stream().map(ListDBsReply.DB::getDbID)
                .collect(Collectors.toSet()));
        for (ListDBsReply.DB d : list.getDbsList()) {
            assertEquals(d.getDbID().equals(raw(id)) ? "first" : "unnamed", d.getInfo().getName());
            assertEquals(64, d.getInfo().getKey().size());
        }

        // errors: duplicate id, malformed id/key/name/logKey/schema, unknown db; nothing changes
        List<Entry> before = snapshot();
        assertStatus(Status.Code.ALREADY_EXISTS, () -> api.newDB(NewDBRequest.newBuilder().setDbID(raw(id)).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.newDB(NewDBRequest.getDefaultInstance()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.newDB(NewDBRequest.newBuilder()
                .setDbID(ByteString.copyFrom(new byte[] {1, 2, 3})).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.newDB(NewDBRequest.newBuilder().setDbID(raw(ThreadId.newRandom()))
                .setKey(ByteString.copyFrom(new byte[10])).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.newDB(NewDBRequest.newBuilder().setDbID(raw(ThreadId.newRandom()))
                .setKey(ByteString.copyFrom(ThreadKey.generate(false).bytes())).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.newDB(NewDBRequest.newBuilder().setDbID(raw(ThreadId.newRandom()))
                .setName("not a name!").build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.newDB(NewDBRequest.newBuilder().setDbID(raw(ThreadId.newRandom()))
                .setLogKey(ByteString.copyFrom(Ed25519.generate().marshal())).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.newDB(NewDBRequest.newBuilder().setDbID(raw(ThreadId.newRandom()))
                .addCollections(person().toBuilder().setSchema(bytes("{not json"))).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.newDB(NewDBRequest.newBuilder().setDbID(raw(ThreadId.newRandom()))
                .addCollections(person().toBuilder().setWriteValidator("return true")).build()));
        assertStatus(Status.Code.NOT_FOUND, () -> api.getDBInfo(GetDBInfoRequest.newBuilder()
                .setDbID(raw(ThreadId.newRandom())).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.getDBInfo(GetDBInfoRequest.getDefaultInstance()));
        assertStatus(Status.Code.NOT_FOUND, () -> api.deleteDB(DeleteDBRequest.newBuilder()
                .setDbID(raw(ThreadId.newRandom())).build()));
        assertEquals(before, snapshot(), "refused requests changed the store");

        api.deleteDB(DeleteDBRequest.newBuilder().setDbID(raw(second)).build());
        assertEquals(List.of(raw(id)), api.listDBs(ListDBsRequest.getDefaultInstance()).getDbsList().stream()
                .map(ListDBsReply.DB::getDbID).toList());
        assertStatus(Status.Code.NOT_FOUND, () -> api.getDBInfo(GetDBInfoRequest.newBuilder().setDbID(raw(second)).build()));
    }

    @Test
    void newDbFromAddrWithoutANetworkIsAFailedPrecondition() {
        ThreadId id = ThreadId.newRandom();
        Multiaddr addr = Multiaddr.parse("/ip4/127.0.0.1/tcp/4006/p2p/" + io.weft.api.thread.PeerId.of(
                Ed25519.generate().publicKey()) + "/thread/" + id);
        List<Entry> before = snapshot();
        assertStatus(Status.Code.FAILED_PRECONDITION, () -> api.newDBFromAddr(NewDBFromAddrRequest.newBuilder()
                .setAddr(ByteString.copyFrom(addr.bytes())).setKey(ByteString.copyFrom(ThreadKey.generate(true).bytes()))
                .build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.newDBFromAddr(NewDBFromAddrRequest.newBuilder()
                .setAddr(ByteString.copyFrom(new byte[] {(byte) 0xff})).setKey(ByteString.copyFrom(
                        ThreadKey.generate(true).bytes())).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.newDBFromAddr(NewDBFromAddrRequest.newBuilder()
                .setAddr(ByteString.copyFrom(Multiaddr.parse("/ip4/127.0.0.1/tcp/1").bytes()))
                .setKey(ByteString.copyFrom(ThreadKey.generate(true).bytes())).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.newDBFromAddr(NewDBFromAddrRequest.newBuilder()
                .setAddr(ByteString.copyFrom(addr.bytes())).build()));
        assertEquals(before, snapshot());
    }

    @Test
    void collections() {
        ByteString db = newDb("cols");
        CollectionConfig book = CollectionConfig.newBuilder().setName("Book")
                .setSchema(bytes("{\"type\":\"object\",\"properties\":{\"title\":{\"type\":\"string\"}}}"))
                .addIndexes(Index.newBuilder().setPath("title"))
                .setWriteValidator("audit")
                .build();
        api.newCollection(NewCollectionRequest.newBuilder().setDbID(db).setConfig(book).build());
        GetCollectionInfoReply info = api.getCollectionInfo(GetCollectionInfoRequest.newBuilder().setDbID(db)
                .setName("Book").build());
        assertEquals("Book", info.getName());
        assertEquals(json(book.getSchema()), json(info.getSchema()));
        assertEquals(book.getIndexesList(), info.getIndexesList());
        assertEquals("audit", info.getWriteValidator());
        assertEquals("", info.getReadFilter());
        assertEquals(List.of("Book", "Person"), api.listCollections(ListCollectionsRequest.newBuilder().setDbID(db)
                .build()).getCollectionsList().stream().map(GetCollectionInfoReply::getName).toList());
        assertEquals(person().getIndexesList(), api.getCollectionIndexes(GetCollectionIndexesRequest.newBuilder()
                .setDbID(db).setName("Person").build()).getIndexesList());

        api.updateCollection(UpdateCollectionRequest.newBuilder().setDbID(db).setConfig(book.toBuilder()
                .clearIndexes().addIndexes(Index.newBuilder().setPath("isbn").setUnique(true))).build());
        assertEquals(List.of(Index.newBuilder().setPath("isbn").setUnique(true).build()),
                api.getCollectionIndexes(GetCollectionIndexesRequest.newBuilder().setDbID(db).setName("Book").build())
                        .getIndexesList());

        // a unique index over duplicate values cannot be added: FAILED_PRECONDITION, nothing changes
        api.create(CreateRequest.newBuilder().setDbID(db).setCollectionName("Person")
                .addInstances(bytes("{\"name\":\"A\",\"age\":3}")).addInstances(bytes("{\"name\":\"B\",\"age\":3}"))
                .build());
        List<Entry> before = snapshot();
        assertStatus(Status.Code.FAILED_PRECONDITION, () -> api.updateCollection(UpdateCollectionRequest.newBuilder()
                .setDbID(db).setConfig(person().toBuilder().addIndexes(Index.newBuilder().setPath("age").setUnique(true))
                        .clearIndexes().addIndexes(Index.newBuilder().setPath("age").setUnique(true))).build()));
        assertStatus(Status.Code.ALREADY_EXISTS, () -> api.newCollection(NewCollectionRequest.newBuilder().setDbID(db)
                .setConfig(book).build()));
        assertStatus(Status.Code.NOT_FOUND, () -> api.updateCollection(UpdateCollectionRequest.newBuilder().setDbID(db)
                .setConfig(book.toBuilder().setName("Missing")).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.newCollection(NewCollectionRequest.newBuilder().setDbID(db)
                .setConfig(book.toBuilder().setName("Bad_Name")).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.newCollection(NewCollectionRequest.newBuilder().setDbID(db)
                .setConfig(book.toBuilder().setName("NoSchema").clearSchema()).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.newCollection(NewCollectionRequest.newBuilder().setDbID(db)
                .setConfig(book.toBuilder().setName("BadSchema").setSchema(bytes("[1]"))).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.newCollection(NewCollectionRequest.newBuilder().setDbID(db)
                .setConfig(book.toBuilder().setName("JsHook").setReadFilter("return instance")).build()));
        assertStatus(Status.Code.NOT_FOUND, () -> api.getCollectionInfo(GetCollectionInfoRequest.newBuilder()
                .setDbID(db).setName("Missing").build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.getCollectionInfo(GetCollectionInfoRequest.newBuilder()
                .setDbID(db).build()));
        assertStatus(Status.Code.NOT_FOUND, () -> api.deleteCollection(DeleteCollectionRequest.newBuilder()
                .setDbID(db).setName("Missing").build()));
        assertStatus(Status.Code.NOT_FOUND, () -> api.listCollections(ListCollectionsRequest.newBuilder()
                .setDbID(raw(ThreadId.newRandom())).build()));
        assertEquals(before, snapshot());

        api.deleteCollection(DeleteCollectionRequest.newBuilder().setDbID(db).setName("Book").build());
        assertEquals(List.of("Person"), api.listCollections(ListCollectionsRequest.newBuilder().setDbID(db).build())
                .getCollectionsList().stream().map(GetCollectionInfoReply::getName).toList());
    }

    @Test
    void instances() {
        ByteString db = newDb("inst");
        var created = api.create(CreateRequest.newBuilder().setDbID(db).setCollectionName("Person")
                .addInstances(bytes("{\"_id\":\"buzz\",\"name\":\"Buzz\",\"age\":39}"))
                .addInstances(bytes("{\"name\":\"Neil\",\"age\":38}"))
                .build());
        assertEquals(2, created.getInstanceIDsCount());
        assertEquals("buzz", created.getInstanceIDs(0));
        String neil = created.getInstanceIDs(1);
        assertEquals(26, neil.length(), "a generated ULID");
        assertEquals("", created.getTransactionError());

        JsonNode buzz = json(api.findByID(FindByIDRequest.newBuilder().setDbID(db).setCollectionName("Person")
                .setInstanceID("buzz").build()).getInstance());
        assertEquals("Buzz", buzz.get("name").asText());
        assertTrue(buzz.has("_mod"));

        assertTrue(api.has(HasRequest.newBuilder().setDbID(db).setCollectionName("Person").addInstanceIDs("buzz")
                .addInstanceIDs(neil).build()).getExists());
        assertFalse(api.has(HasRequest.newBuilder().setDbID(db).setCollectionName("Person").addInstanceIDs("buzz")
                .addInstanceIDs("nobody").build()).getExists());

        // find with the go-threads query JSON (Ge = 4), sorted
        var found = api.find(FindRequest.newBuilder().setDbID(db).setCollectionName("Person")
                .setQueryJSON(bytes("{\"ands\":[{\"fieldPath\":\"age\",\"operation\":4,\"value\":{\"float\":38}}],"
                        + "\"sort\":{\"fieldPath\":\"age\",\"desc\":false}}"))
                .build());
        assertEquals(List.of("Neil", "Buzz"), found.getInstancesList().stream().map(b -> json(b).get("name").asText()).toList());
        assertEquals(2, api.find(FindRequest.newBuilder().setDbID(db).setCollectionName("Person").build())
                .getInstancesCount(), "an empty query finds all");

        // save: replace; without _id (or with the empty one the JS client sends) creates
        api.save(SaveRequest.newBuilder().setDbID(db).setCollectionName("Person")
                .addInstances(bytes("{\"_id\":\"buzz\",\"name\":\"Buzz\",\"age\":40}"))
                .addInstances(bytes("{\"_id\":\"\",\"name\":\"Mike\",\"age\":39}"))
                .build());
        assertEquals(40, json(api.findByID(FindByIDRequest.newBuilder().setDbID(db).setCollectionName("Person")
                .setInstanceID("buzz").build()).getInstance()).get("age").asInt());
        assertEquals(3, api.find(FindRequest.newBuilder().setDbID(db).setCollectionName("Person").build())
                .getInstancesCount());

        // verify: problems fail the call with the first one's status (as go-threads), nothing written
        VerifyReply ok = api.verify(VerifyRequest.newBuilder().setDbID(db).setCollectionName("Person")
                .addInstances(bytes("{\"_id\":\"buzz\",\"name\":\"Buzz\",\"age\":41}")).build());
        assertEquals("", ok.getTransactionError());
        String bad = assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.verify(VerifyRequest
                .newBuilder().setDbID(db).setCollectionName("Person").addInstances(bytes("{\"_id\":\"buzz\",\"age\":-1}"))
                .build()));
        assertTrue(bad.contains("schema"), bad);
        assertStatus(Status.Code.ALREADY_EXISTS, () -> api.verify(VerifyRequest
                .newBuilder().setDbID(db).setCollectionName("Person")
                .addInstances(bytes("{\"_id\":\"other\",\"name\":\"Buzz\",\"age\":3}")).build()));
        String notJson = assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.verify(VerifyRequest
                .newBuilder().setDbID(db).setCollectionName("Person").addInstances(bytes("{")).build()));
        assertTrue(notJson.contains("JSON"), notJson);
        assertEquals(40, json(api.findByID(FindByIDRequest.newBuilder().setDbID(db).setCollectionName("Person")
                .setInstanceID("buzz").build()).getInstance()).get("age").asInt());

        // errors; nothing changes
        List<Entry> before = snapshot();
        CreateRequest.Builder c = CreateRequest.newBuilder().setDbID(db).setCollectionName("Person");
        assertStatus(Status.Code.ALREADY_EXISTS, () -> api.create(c.clone().addInstances(bytes("{\"_id\":\"buzz\",\"name\":\"B2\"}")).build()));
        assertStatus(Status.Code.ALREADY_EXISTS, () -> api.create(c.clone().addInstances(bytes("{\"name\":\"Buzz\"}")).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.create(c.clone().addInstances(bytes("{\"name\":\"X\",\"age\":-5}")).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.create(c.clone().addInstances(bytes("{\"name\":\"X\"}"))
                .addInstances(bytes("[1,2]")).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.create(c.clone().addInstances(bytes("{\"name\":\"X\",\"name\":\"Y\"}")).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.create(c.clone().addInstances(
                ByteString.copyFrom(new byte[] {'{', '"', 'n', '"', ':', '"', (byte) 0xc3, '"', '}'})).build()));
        assertStatus(Status.Code.NOT_FOUND, () -> api.create(c.clone().setCollectionName("Missing")
                .addInstances(bytes("{}")).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.create(c.clone().setCollectionName("")
                .addInstances(bytes("{}")).build()));
        assertStatus(Status.Code.NOT_FOUND, () -> api.create(c.clone().setDbID(raw(ThreadId.newRandom()))
                .addInstances(bytes("{}")).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.save(SaveRequest.newBuilder().setDbID(db)
                .setCollectionName("Person").addInstances(bytes("{\"_id\":5,\"name\":\"N\"}")).build()));
        assertStatus(Status.Code.NOT_FOUND, () -> api.findByID(FindByIDRequest.newBuilder().setDbID(db)
                .setCollectionName("Person").setInstanceID("nobody").build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.findByID(FindByIDRequest.newBuilder().setDbID(db)
                .setCollectionName("Person").build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.find(FindRequest.newBuilder().setDbID(db)
                .setCollectionName("Person").setQueryJSON(bytes("{\"ands\":5}")).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> api.find(FindRequest.newBuilder().setDbID(db)
                .setCollectionName("Person").setQueryJSON(bytes("{\"ands\":[{\"fieldPath\":\"age\",\"operation\":9,"
                        + "\"value\":{\"float\":1}}]}")).build()));
        assertStatus(Status.Code.NOT_FOUND, () -> api.has(HasRequest.newBuilder().setDbID(db)
                .setCollectionName("Missing").addInstanceIDs("a").build()));
        assertStatus(Status.Code.NOT_FOUND, () -> api.verify(VerifyRequest.newBuilder().setDbID(db)
                .setCollectionName("Missing").addInstances(bytes("{}")).build()));
        assertEquals(before, snapshot(), "refused requests changed the store");

        api.delete(DeleteRequest.newBuilder().setDbID(db).setCollectionName("Person").addInstanceIDs("buzz")
                .addInstanceIDs("nobody").build());
        assertFalse(api.has(HasRequest.newBuilder().setDbID(db).setCollectionName("Person").addInstanceIDs("buzz")
                .build()).getExists());
        assertEquals(2, api.find(FindRequest.newBuilder().setDbID(db).setCollectionName("Person").build())
                .getInstancesCount());
    }

    @Test
    void everyQueryOperatorTheJsClientSends() {
        ByteString db = newDb("ops");
        for (int age = 1; age <= 5; age++) {
            api.create(CreateRequest.newBuilder().setDbID(db).setCollectionName("Person")
                    .addInstances(bytes("{\"_id\":\"p" + age + "\",\"name\":\"N" + age + "\",\"age\":" + age + "}")).build());
        }
        int[][] expected = {{3}, {1, 2, 4, 5}, {4, 5}, {1, 2}, {3, 4, 5}, {1, 2, 3}}; // Eq Ne Gt Lt Ge Le of 3
        for (int op = 0; op < 6; op++) {
            var found = api.find(FindRequest.newBuilder().setDbID(db).setCollectionName("Person")
                    .setQueryJSON(bytes("{\"ands\":[{\"fieldPath\":\"age\",\"operation\":" + op
                            + ",\"value\":{\"float\":3}}],\"ors\":[],\"sort\":{\"fieldPath\":\"age\",\"desc\":false}}"))
                    .build());
            assertArrayEquals(expected[op], found.getInstancesList().stream().mapToInt(b -> json(b).get("age").asInt())
                    .toArray(), "operation " + op);
        }
        var or = api.find(FindRequest.newBuilder().setDbID(db).setCollectionName("Person").setQueryJSON(bytes(
                "{\"ands\":[{\"fieldPath\":\"name\",\"operation\":0,\"value\":{\"string\":\"N1\"}}],"
                        + "\"ors\":[{\"ands\":[{\"fieldPath\":\"age\",\"operation\":0,\"value\":{\"float\":5}}]}],"
                        + "\"sort\":{\"fieldPath\":\"age\",\"desc\":true},\"limit\":10}"))
                .build());
        assertEquals(List.of(5, 1), or.getInstancesList().stream().map(b -> json(b).get("age").asInt()).toList());
    }

    @Test
    void aTokenHoldersWritesAreValidatedAndRecordedAsItsIdentity() {
        ByteString db = newDb("owned");
        api.newCollection(NewCollectionRequest.newBuilder().setDbID(db).setConfig(CollectionConfig.newBuilder()
                .setName("Note").setSchema(bytes("{\"type\":\"object\"}")).setWriteValidator("audit")).build());
        PrivateKey alice = Ed25519.generate();
        PrivateKey bob = Ed25519.generate();
        owners.put(alice.publicKey(), true);
        var asAlice = withToken(api, token(alice));
        var asBob = withToken(api, token(bob));

        asAlice.create(CreateRequest.newBuilder().setDbID(db).setCollectionName("Note").addInstances(bytes("{\"_id\":\"n1\"}")).build());
        assertEquals(alice.publicKey() + " CREATE n1", audited.get(audited.size() - 1));
        List<Entry> before = snapshot();
        String d = assertStatus(Status.Code.PERMISSION_DENIED, () -> asBob.save(SaveRequest.newBuilder().setDbID(db)
                .setCollectionName("Note").addInstances(bytes("{\"_id\":\"n1\",\"x\":1}")).build()));
        assertTrue(d.contains("not an owner"), d);
        assertEquals(bob.publicKey() + " SAVE n1", audited.get(audited.size() - 1));
        assertStatus(Status.Code.PERMISSION_DENIED, () -> api.delete(DeleteRequest.newBuilder().setDbID(db)
                .setCollectionName("Note").addInstanceIDs("n1").build()));
        assertEquals(hostKey.publicKey() + " DELETE n1", audited.get(audited.size() - 1));
        assertEquals(before, snapshot());

        // the record is alice's: in her log, signed by a log key the peer keeps, naming her as author
        ThreadId t = tid(db);
        LogInfo log = logs.ownLog(t, alice.publicKey()).orElseThrow();
        var envelope = logs.getRecord(t, log.head().cid());
        var record = io.weft.core.record.Records.verify(envelope, log.pubKey(), logs.getThread(t).key());
        assertEquals(alice.publicKey(), record.author());
        assertTrue(logs.ownLog(t, bob.publicKey()).isEmpty(), "a refused write creates no log");
    }

    private List<Entry> snapshot() {
        return store.read(txn -> {
            List<Entry> out = new java.util.ArrayList<>();
            try (var c = txn.scan(io.weft.api.store.KeyRange.all())) {
                while (c.hasNext()) {
                    Entry e = c.next();
                    out.add(e);
                }
            }
            return out;
        });
    }
}
