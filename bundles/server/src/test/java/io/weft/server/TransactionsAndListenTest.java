package io.weft.server;

import static org.junit.jupiter.api.Assertions.*;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.thread.ThreadId;
import io.weft.core.crypto.Ed25519;
import io.weft.grpc.pb.APIGrpc;
import io.weft.grpc.pb.CollectionConfig;
import io.weft.grpc.pb.CreateRequest;
import io.weft.grpc.pb.DeleteDBRequest;
import io.weft.grpc.pb.DeleteRequest;
import io.weft.grpc.pb.DiscardRequest;
import io.weft.grpc.pb.FindByIDRequest;
import io.weft.grpc.pb.FindRequest;
import io.weft.grpc.pb.HasRequest;
import io.weft.grpc.pb.ListenReply;
import io.weft.grpc.pb.ListenRequest;
import io.weft.grpc.pb.NewCollectionRequest;
import io.weft.grpc.pb.ReadTransactionReply;
import io.weft.grpc.pb.ReadTransactionRequest;
import io.weft.grpc.pb.SaveRequest;
import io.weft.grpc.pb.StartTransactionRequest;
import io.weft.grpc.pb.VerifyRequest;
import io.weft.grpc.pb.WriteTransactionReply;
import io.weft.grpc.pb.WriteTransactionRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ReadTransaction, WriteTransaction (commit, discard, rollback, idle timeout) and Listen over a real channel. */
class TransactionsAndListenTest extends ServerFixture {

    private static WriteTransactionRequest start(ByteString db, String collection) {
        return WriteTransactionRequest.newBuilder().setStartTransactionRequest(StartTransactionRequest.newBuilder()
                .setDbID(db).setCollectionName(collection)).build();
    }

    private static WriteTransactionRequest create(String... json) {
        CreateRequest.Builder b = CreateRequest.newBuilder();
        for (String j : json) {
            b.addInstances(bytes(j));
        }
        return WriteTransactionRequest.newBuilder().setCreateRequest(b).build();
    }

    private int count(ByteString db) {
        return api.find(FindRequest.newBuilder().setDbID(db).setCollectionName("Person").build()).getInstancesCount();
    }

    @Test
    void aWriteTransactionCommitsWhenTheClientHalfCloses() {
        ByteString db = newDb("wtx");
        api.create(CreateRequest.newBuilder().setDbID(db).setCollectionName("Person")
                .addInstances(bytes("{\"_id\":\"old\",\"name\":\"Old\"}")).build());
        Replies<WriteTransactionReply> replies = new Replies<>();
        StreamObserver<WriteTransactionRequest> tx = async.writeTransaction(replies);
        tx.onNext(start(db, "Person"));
        tx.onNext(create("{\"_id\":\"a\",\"name\":\"A\",\"age\":1}", "{\"name\":\"B\"}"));
        WriteTransactionReply created = replies.next();
        assertEquals("a", created.getCreateReply().getInstanceIDs(0));
        assertEquals(2, created.getCreateReply().getInstanceIDsCount());
        // reads inside see the transaction's own changes; outside nothing yet
        tx.onNext(WriteTransactionRequest.newBuilder().setHasRequest(HasRequest.newBuilder().addInstanceIDs("a")).build());
        assertTrue(replies.next().getHasReply().getExists());
        tx.onNext(WriteTransactionRequest.newBuilder().setFindRequest(FindRequest.newBuilder()
                .setQueryJSON(bytes("{\"ands\":[{\"fieldPath\":\"name\",\"operation\":0,\"value\":{\"string\":\"B\"}}]}")))
                .build());
        assertEquals(1, replies.next().getFindReply().getInstancesCount());
        assertEquals(1, count(db));
        tx.onNext(WriteTransactionRequest.newBuilder().setSaveRequest(SaveRequest.newBuilder()
                .addInstances(bytes("{\"_id\":\"a\",\"name\":\"A\",\"age\":2}"))).build());
        assertEquals("", replies.next().getSaveReply().getTransactionError());
        tx.onNext(WriteTransactionRequest.newBuilder().setDeleteRequest(DeleteRequest.newBuilder().addInstanceIDs("old"))
                .build());
        replies.next();
        tx.onNext(WriteTransactionRequest.newBuilder().setVerifyRequest(VerifyRequest.newBuilder()
                .addInstances(bytes("{\"_id\":\"a\",\"age\":3}"))).build());
        assertFalse(replies.next().getVerifyReply().getTransactionError().isEmpty(), "no name: schema problem");
        // a failing read is reported and the transaction goes on
        tx.onNext(WriteTransactionRequest.newBuilder().setFindByIDRequest(FindByIDRequest.newBuilder()
                .setInstanceID("nobody")).build());
        assertTrue(replies.next().getFindByIDReply().getTransactionError().contains("not found"));
        tx.onNext(WriteTransactionRequest.newBuilder().setFindByIDRequest(FindByIDRequest.newBuilder()
                .setInstanceID("a")).build());
        assertEquals(2, json(replies.next().getFindByIDReply().getInstance()).get("age").asInt());
        tx.onCompleted();
        assertEquals(Status.Code.OK, replies.awaitEnd().getCode());
        assertEquals(2, count(db));
        assertEquals(2, json(api.findByID(FindByIDRequest.newBuilder().setDbID(db).setCollectionName("Person")
                .setInstanceID("a").build()).getInstance()).get("age").asInt());
        // one record for the whole transaction (plus the database's first and the create above)
        ThreadId t = ThreadId.decode(db.toByteArray());
        assertEquals(3, logs.ownLog(t, hostKey.publicKey()).orElseThrow().head().counter());
    }

    @Test
    void discardWritesNothing() {
        ByteString db = newDb("discard");
        Replies<WriteTransactionReply> replies = new Replies<>();
        StreamObserver<WriteTransactionRequest> tx = async.writeTransaction(replies);
        tx.onNext(start(db, "Person"));
        tx.onNext(create("{\"name\":\"A\"}"));
        replies.next();
        tx.onNext(WriteTransactionRequest.newBuilder().setDiscardRequest(DiscardRequest.getDefaultInstance()).build());
        assertTrue(replies.next().hasDiscardReply());
        tx.onNext(create("{\"name\":\"B\"}"));
        assertTrue(replies.next().getCreateReply().getTransactionError().contains("discarded"));
        tx.onCompleted();
        assertEquals(Status.Code.OK, replies.awaitEnd().getCode());
        assertEquals(0, count(db));
        // the write lock is free again
        api.create(CreateRequest.newBuilder().setDbID(db).setCollectionName("Person").addInstances(bytes("{\"name\":\"C\"}"))
                .build());
        assertEquals(1, count(db));
    }

    @Test
    void aFailedWriteRollsTheTransactionBackAndEndingItIsAborted() {
        ByteString db = newDb("rollback");
        Replies<WriteTransactionReply> replies = new Replies<>();
        StreamObserver<WriteTransactionRequest> tx = async.writeTransaction(replies);
        tx.onNext(start(db, "Person"));
        tx.onNext(create("{\"name\":\"A\"}"));
        assertEquals("", replies.next().getCreateReply().getTransactionError());
        tx.onNext(create("{\"name\":\"B\",\"age\":-1}"));
        String error = replies.next().getCreateReply().getTransactionError();
        assertTrue(error.contains("schema"), error);
        tx.onNext(create("{\"name\":\"C\"}"));
        assertTrue(replies.next().getCreateReply().getTransactionError().contains("rolled back"));
        tx.onCompleted();
        Status end = replies.awaitEnd();
        assertEquals(Status.Code.ABORTED, end.getCode());
        assertEquals(0, count(db), "nothing of the transaction was written");

        // malformed JSON rolls back too; an unset request ends the call (old clients' abort)
        Replies<WriteTransactionReply> r2 = new Replies<>();
        StreamObserver<WriteTransactionRequest> tx2 = async.writeTransaction(r2);
        tx2.onNext(start(db, "Person"));
        tx2.onNext(create("{\"name\":\"A\"}"));
        r2.next();
        tx2.onNext(WriteTransactionRequest.getDefaultInstance());
        Status aborted = r2.awaitEnd();
        assertEquals(Status.Code.INVALID_ARGUMENT, aborted.getCode());
        assertEquals("no WriteTransactionRequest type set", aborted.getDescription());
        tx2.onCompleted();
        assertEquals(0, count(db));
    }

    @Test
    void badStartsEndTheCall() {
        ByteString db = newDb("starts");
        for (WriteTransactionRequest first : List.of(
                start(ByteString.copyFrom(new byte[] {1}), "Person"),
                start(ByteString.copyFrom(ThreadId.newRandom().bytes()), "Person"),
                start(db, "Missing"),
                create("{\"name\":\"A\"}"))) {
            Replies<WriteTransactionReply> replies = new Replies<>();
            StreamObserver<WriteTransactionRequest> tx = async.writeTransaction(replies);
            tx.onNext(first);
            Status s = replies.awaitEnd();
            assertTrue(s.getCode() == Status.Code.INVALID_ARGUMENT || s.getCode() == Status.Code.NOT_FOUND, s.toString());
            tx.onCompleted();
        }
        assertEquals(0, count(db));
    }

    @Test
    void anIdleTransactionIsDiscardedAndReleasesTheWriteLock() {
        startServer(server.config().withTransactionIdleTimeout(Duration.ofMillis(300)));
        ByteString db = newDb("idle");
        Replies<WriteTransactionReply> replies = new Replies<>();
        StreamObserver<WriteTransactionRequest> tx = async.writeTransaction(replies);
        tx.onNext(start(db, "Person"));
        tx.onNext(create("{\"name\":\"A\"}"));
        replies.next();
        assertEquals(Status.Code.DEADLINE_EXCEEDED, replies.awaitEnd().getCode());
        api.create(CreateRequest.newBuilder().setDbID(db).setCollectionName("Person").addInstances(bytes("{\"name\":\"B\"}"))
                .build());
        assertEquals(1, count(db));
    }

    @Test
    void aClientThatCancelsReleasesTheWriteLock() {
        ByteString db = newDb("cancel");
        Context.CancellableContext ctx = Context.current().withCancellation();
        Replies<WriteTransactionReply> replies = new Replies<>();
        StreamObserver<WriteTransactionRequest>[] tx = new StreamObserver[1];
        ctx.run(() -> tx[0] = async.writeTransaction(replies));
        tx[0].onNext(start(db, "Person"));
        tx[0].onNext(create("{\"name\":\"A\"}"));
        replies.next();
        ctx.cancel(null);
        api.create(CreateRequest.newBuilder().setDbID(db).setCollectionName("Person").addInstances(bytes("{\"name\":\"B\"}"))
                .build());
        assertEquals(1, count(db));
    }

    @Test
    void aWriteTransactionOfATokenHolderWritesAsItsIdentity() {
        ByteString db = newDb("txid");
        api.newCollection(NewCollectionRequest.newBuilder().setDbID(db).setConfig(CollectionConfig.newBuilder()
                .setName("Note").setSchema(bytes("{\"type\":\"object\"}")).setWriteValidator("audit")).build());
        PrivateKey alice = Ed25519.generate();
        APIGrpc.APIStub asAlice = withToken(async, token(alice));
        Replies<WriteTransactionReply> replies = new Replies<>();
        StreamObserver<WriteTransactionRequest> tx = asAlice.writeTransaction(replies);
        tx.onNext(start(db, "Note"));
        tx.onNext(create("{\"_id\":\"n\"}"));
        replies.next();
        tx.onCompleted();
        assertEquals(Status.Code.OK, replies.awaitEnd().getCode());
        assertEquals(alice.publicKey() + " CREATE n", audited.get(audited.size() - 1));
        assertEquals(1, logs.ownLog(ThreadId.decode(db.toByteArray()), alice.publicKey()).orElseThrow().head().counter());
    }

    @Test
    void aReadTransactionReadsOneSnapshot() {
        ByteString db = newDb("rtx");
        api.create(CreateRequest.newBuilder().setDbID(db).setCollectionName("Person")
                .addInstances(bytes("{\"_id\":\"a\",\"name\":\"A\"}")).build());
        Replies<ReadTransactionReply> replies = new Replies<>();
        StreamObserver<ReadTransactionRequest> tx = async.readTransaction(replies);
        tx.onNext(ReadTransactionRequest.newBuilder().setStartTransactionRequest(StartTransactionRequest.newBuilder()
                .setDbID(db).setCollectionName("Person")).build());
        tx.onNext(ReadTransactionRequest.newBuilder().setHasRequest(HasRequest.newBuilder().addInstanceIDs("a")).build());
        assertTrue(replies.next().getHasReply().getExists());
        // a write after the snapshot is not seen inside
        api.create(CreateRequest.newBuilder().setDbID(db).setCollectionName("Person")
                .addInstances(bytes("{\"_id\":\"b\",\"name\":\"B\"}")).build());
        tx.onNext(ReadTransactionRequest.newBuilder().setFindRequest(FindRequest.getDefaultInstance()).build());
        assertEquals(1, replies.next().getFindReply().getInstancesCount());
        tx.onNext(ReadTransactionRequest.newBuilder().setFindByIDRequest(FindByIDRequest.newBuilder()
                .setInstanceID("a")).build());
        assertEquals("A", json(replies.next().getFindByIDReply().getInstance()).get("name").asText());
        tx.onNext(ReadTransactionRequest.newBuilder().setFindByIDRequest(FindByIDRequest.newBuilder()
                .setInstanceID("b")).build());
        assertTrue(replies.next().getFindByIDReply().getTransactionError().contains("not found"));
        tx.onNext(ReadTransactionRequest.newBuilder().setFindRequest(FindRequest.newBuilder()
                .setQueryJSON(bytes("{\"sort\":7}"))).build());
        assertFalse(replies.next().getFindReply().getTransactionError().isEmpty());
        tx.onNext(ReadTransactionRequest.newBuilder().setHasRequest(HasRequest.newBuilder().setCollectionName("Missing")
                .addInstanceIDs("a")).build());
        assertTrue(replies.next().getHasReply().getTransactionError().contains("not found"));
        tx.onCompleted();
        assertEquals(Status.Code.OK, replies.awaitEnd().getCode());
    }

    // ------------------------------------------------------------------ listen

    private static ListenRequest.Filter filter(String collection, String id, ListenRequest.Filter.Action action) {
        return ListenRequest.Filter.newBuilder().setCollectionName(collection).setInstanceID(id).setAction(action).build();
    }

    @Test
    void listenReceivesCreateSaveAndDeleteMatchingItsFilters() {
        ByteString db = newDb("listen");
        api.newCollection(NewCollectionRequest.newBuilder().setDbID(db).setConfig(CollectionConfig.newBuilder()
                .setName("Other").setSchema(bytes("{\"type\":\"object\"}"))).build());
        Context.CancellableContext all = Context.current().withCancellation();
        Context.CancellableContext some = Context.current().withCancellation();
        Replies<ListenReply> everything = new Replies<>();
        Replies<ListenReply> filtered = new Replies<>();
        all.run(() -> async.listen(ListenRequest.newBuilder().setDbID(db).build(), everything));
        some.run(() -> async.listen(ListenRequest.newBuilder().setDbID(db)
                .addFilters(filter("Person", "", ListenRequest.Filter.Action.DELETE))
                .addFilters(filter("", "b", ListenRequest.Filter.Action.ALL))
                .build(), filtered));
        // the subscriptions start when the calls reach the server, so changes made before may or may not be seen:
        // write probes that both match (a delete in Person) until both have seen one, then skip to the last probe
        boolean allSeen = false;
        boolean someSeen = false;
        String probe;
        for (int i = 0; !(allSeen && someSeen); i++) {
            assertTrue(i < 200, "the Listen calls never started");
            probe = "probe" + i;
            api.create(CreateRequest.newBuilder().setDbID(db).setCollectionName("Person")
                    .addInstances(bytes("{\"_id\":\"" + probe + "\",\"name\":\"" + probe + "\"}")).build());
            api.delete(DeleteRequest.newBuilder().setDbID(db).setCollectionName("Person").addInstanceIDs(probe).build());
            allSeen |= everything.nextWithin(Duration.ofMillis(50)) != null;
            someSeen |= filtered.nextWithin(Duration.ofMillis(50)) != null;
        }
        // both are subscribed now: one more probe, and skip to it (earlier probe events may still be queued)
        probe = "last-probe";
        api.create(CreateRequest.newBuilder().setDbID(db).setCollectionName("Person")
                .addInstances(bytes("{\"_id\":\"" + probe + "\",\"name\":\"" + probe + "\"}")).build());
        api.delete(DeleteRequest.newBuilder().setDbID(db).setCollectionName("Person").addInstanceIDs(probe).build());
        skipTo(everything, probe);
        skipTo(filtered, probe);
        api.create(CreateRequest.newBuilder().setDbID(db).setCollectionName("Other").addInstances(bytes("{\"_id\":\"b\"}"))
                .build());
        assertEquals(List.of("Other", "b", ListenReply.Action.CREATE), triple(everything.next()));
        assertEquals(List.of("Other", "b", ListenReply.Action.CREATE), triple(filtered.next()));

        api.create(CreateRequest.newBuilder().setDbID(db).setCollectionName("Person")
                .addInstances(bytes("{\"_id\":\"a\",\"name\":\"A\"}")).addInstances(bytes("{\"_id\":\"b\",\"name\":\"B\"}"))
                .build());
        api.save(SaveRequest.newBuilder().setDbID(db).setCollectionName("Person")
                .addInstances(bytes("{\"_id\":\"a\",\"name\":\"A2\"}")).build());
        api.delete(DeleteRequest.newBuilder().setDbID(db).setCollectionName("Person").addInstanceIDs("a").build());
        api.delete(DeleteRequest.newBuilder().setDbID(db).setCollectionName("Other").addInstanceIDs("b").build());

        ListenReply c1 = everything.next();
        ListenReply c2 = everything.next();
        assertEquals(List.of("Person", "a", ListenReply.Action.CREATE), triple(c1));
        assertEquals(List.of("Person", "b", ListenReply.Action.CREATE), triple(c2));
        assertEquals("A", json(c1.getInstance()).get("name").asText());
        assertEquals("a", json(c1.getInstance()).get("_id").asText());
        ListenReply saved = everything.next();
        assertEquals(List.of("Person", "a", ListenReply.Action.SAVE), triple(saved));
        assertEquals("A2", json(saved.getInstance()).get("name").asText());
        ListenReply deleted = everything.next();
        assertEquals(List.of("Person", "a", ListenReply.Action.DELETE), triple(deleted));
        assertTrue(deleted.getInstance().isEmpty());
        assertEquals(List.of("Other", "b", ListenReply.Action.DELETE), triple(everything.next()));

        // filtered: everything of id b (any collection), deletes in Person; not a's create or save
        assertEquals(List.of("Person", "b", ListenReply.Action.CREATE), triple(filtered.next()));
        assertEquals(List.of("Person", "a", ListenReply.Action.DELETE), triple(filtered.next()));
        assertEquals(List.of("Other", "b", ListenReply.Action.DELETE), triple(filtered.next()));
        filtered.assertQuiet(Duration.ofMillis(200));

        // cancelling ends the subscription; the other one goes on
        some.cancel(null);
        assertEquals(Status.Code.CANCELLED, filtered.awaitEnd().getCode());
        api.create(CreateRequest.newBuilder().setDbID(db).setCollectionName("Person")
                .addInstances(bytes("{\"_id\":\"c\",\"name\":\"C\"}")).build());
        assertEquals("c", everything.next().getInstanceID());
        all.cancel(null);
    }

    /** Reads replies up to the delete of {@code probe}. */
    private static void skipTo(Replies<ListenReply> replies, String probe) {
        while (true) {
            ListenReply r = replies.next();
            if (r.getInstanceID().equals(probe) && r.getAction() == ListenReply.Action.DELETE) {
                return;
            }
        }
    }

    private static List<Object> triple(ListenReply r) {
        return List.of(r.getCollectionName(), r.getInstanceID(), r.getAction());
    }

    @Test
    void listenErrors() {
        Replies<ListenReply> r1 = new Replies<>();
        async.listen(ListenRequest.newBuilder().setDbID(ByteString.copyFrom(ThreadId.newRandom().bytes())).build(), r1);
        assertEquals(Status.Code.NOT_FOUND, r1.awaitEnd().getCode());
        Replies<ListenReply> r2 = new Replies<>();
        async.listen(ListenRequest.getDefaultInstance(), r2);
        assertEquals(Status.Code.INVALID_ARGUMENT, r2.awaitEnd().getCode());
        ByteString db = newDb("listenerr");
        Replies<ListenReply> r3 = new Replies<>();
        async.listen(ListenRequest.newBuilder().setDbID(db).addFilters(ListenRequest.Filter.newBuilder()
                .setActionValue(7)).build(), r3);
        assertEquals(Status.Code.INVALID_ARGUMENT, r3.awaitEnd().getCode());
    }

    @Test
    void listenEndsWithNotFoundWhenTheDatabaseIsDeleted() {
        ByteString db = newDb("listen-deleted");
        Replies<ListenReply> r = new Replies<>();
        async.listen(ListenRequest.newBuilder().setDbID(db).build(), r);
        // the subscription starts when the call reaches the server: probe until a change arrives
        for (int i = 0; r.nextWithin(Duration.ofMillis(50)) == null; i++) {
            assertTrue(i < 200, "the Listen call never started");
            api.create(CreateRequest.newBuilder().setDbID(db).setCollectionName("Person")
                    .addInstances(bytes("{\"_id\":\"p" + i + "\",\"name\":\"p" + i + "\"}")).build());
        }
        api.deleteDB(DeleteDBRequest.newBuilder().setDbID(db).build());
        Status end = r.awaitEnd();
        assertEquals(Status.Code.NOT_FOUND, end.getCode(), end.toString());
        assertTrue(end.getDescription().contains("deleted"), end.getDescription());
    }
}
