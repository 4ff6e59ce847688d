package io.weft.db;

import static org.junit.jupiter.api.Assertions.*;

import io.weft.api.ConflictException;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.WeftException;
import io.weft.api.db.Database;
import io.weft.api.db.WriteTransaction;
import io.weft.api.log.Head;
import io.weft.api.store.Entry;
import io.weft.api.thread.LogId;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad input fails with its typed error, and leaves the store byte-identical (a full scan before and
 * after) and the log head where it was — also when the bad write comes after good ones in the same transaction.
 */
class BadInputTest extends DbFixture {
    static final int LIMIT = 4096;

    record Case(String name, Class<? extends WeftException> error, Consumer<WriteTransaction> write) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Case> CASES = List.of(
            new Case("invalid JSON", InvalidInputException.class, t -> t.create("Person", "{\"name\": \"x\",}")),
            new Case("JSON that is not an object", InvalidInputException.class, t -> t.create("Person", "[1,2]")),
            new Case("duplicate JSON member", InvalidInputException.class, t -> t.create("Person", "{\"name\":\"a\",\"name\":\"b\"}")),
            new Case("non-string _id", InvalidInputException.class, t -> t.create("Person", "{\"_id\":5,\"name\":\"a\"}")),
            new Case("schema violation", InvalidInputException.class, t -> t.create("Person", "{\"name\":\"a\",\"age\":-1}")),
            new Case("missing required field", InvalidInputException.class, t -> t.save("Person", "{\"_id\":\"existing\"}")),
            new Case("unknown collection", NotFoundException.class, t -> t.create("Nope", "{\"name\":\"a\"}")),
            new Case("reserved collection", NotFoundException.class, t -> t.create("_collections", "{\"name\":\"a\"}")),
            new Case("duplicate id", ConflictException.class, t -> t.create("Person", "{\"_id\":\"existing\",\"name\":\"a\"}")),
            new Case("duplicate id in one transaction", ConflictException.class, t -> {
                t.create("Person", "{\"_id\":\"n1\",\"name\":\"a\"}");
                t.create("Person", "{\"_id\":\"n1\",\"name\":\"b\"}");
            }),
            new Case("unique index violation", ConflictException.class, t -> {
                t.create("Person", "{\"name\":\"a\",\"email\":\"taken@x\"}");
                t.commit();
            }),
            new Case("oversize document", InvalidInputException.class,
                    t -> t.create("Person", "{\"name\":\"" + "x".repeat(LIMIT) + "\"}")),
            new Case("save without _id", InvalidInputException.class, t -> t.save("Person", "{\"name\":\"a\"}")));

    static Stream<Arguments> cases() {
        return CASES.stream().flatMap(c -> Stream.of(Arguments.of("memory", c), Arguments.of("xodus", c)));
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void badInputChangesNothing(String engine, Case c) {
        Peer p = peer(open(engine), io.weft.core.crypto.Ed25519.generate(),
                b -> b.config(DbConfig.defaults().withMaxDocumentBytes(LIMIT)));
        Database db = p.manager().createDatabase("bad", List.of(persons()));
        db.collection("Person").create(json("{\"_id\":\"existing\",\"name\":\"E\",\"email\":\"taken@x\"}"));
        LogId log = p.logs().ownLog(db.id(), p.identity().publicKey()).orElseThrow().id();
        Head head = p.logs().logstore().headBook().head(db.id(), log);
        List<Entry> before = snapshot(p.store());
        long seq = db.lastSequence();

        // alone, in an auto-commit transaction
        assertThrows(c.error(), () -> db.update(c.write()), c.name());
        assertEquals(before, snapshot(p.store()), c.name() + ": the store is byte-identical");
        assertEquals(head, p.logs().logstore().headBook().head(db.id(), log), c.name() + ": the head did not move");

        // after a good write in the same transaction: the good write is rolled back too
        assertThrows(c.error(), () -> db.update(t -> {
            t.create("Person", json("{\"_id\":\"good\",\"name\":\"G\"}"));
            c.write().accept(t);
        }), c.name());
        assertEquals(before, snapshot(p.store()), c.name() + ": the whole transaction is rolled back");
        assertEquals(head, p.logs().logstore().headBook().head(db.id(), log));
        assertEquals(seq, db.lastSequence());
        assertFalse(db.collection("Person").has("good"));

        // and the database keeps working
        db.collection("Person").create(json("{\"_id\":\"after\",\"name\":\"A\"}"));
        assertTrue(db.collection("Person").has("after"));
    }
}
