package io.weft.logstore;

import static org.junit.jupiter.api.Assertions.*;

import io.weft.api.ConflictException;
import io.weft.api.InvalidInputException;
import io.weft.api.NotFoundException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Multiaddr;
import io.weft.api.log.AddrBook;
import io.weft.api.log.Head;
import io.weft.api.log.KeyBook;
import io.weft.api.log.LogInfo;
import io.weft.api.log.ThreadInfo;
import io.weft.api.log.ThreadMetadata;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import io.weft.core.crypto.Ed25519;
import java.util.List;
import java.util.Optional;

/** CRUD of the key book, metadata, heads and the logstore listings. */
class BooksTest extends EngineFixture {

    @OnEachEngine
    void threadKeysCreateMergeAndConflict(String engine) {
        DatastoreLogstore ls = new DatastoreLogstore(open(engine));
        KeyBook kb = ls.keyBook();
        ThreadId t = ThreadId.newRandom();
        assertEquals(Optional.empty(), kb.threadKey(t));
        assertFalse(ls.hasThread(t));

        ThreadKey full = ThreadKey.generate(true);
        ThreadKey serviceOnly = full.serviceOnly();
        assertEquals(serviceOnly, kb.addThreadKey(t, serviceOnly));
        assertTrue(ls.hasThread(t));
        assertEquals(Optional.of(serviceOnly), kb.threadKey(t));

        // adding the read key upgrades; re-adding either form is idempotent
        assertEquals(full, kb.addThreadKey(t, full));
        assertEquals(full, kb.addThreadKey(t, serviceOnly));
        assertEquals(full, kb.addThreadKey(t, full));
        assertEquals(Optional.of(full), kb.threadKey(t));

        // a different service key or read key is a conflict
        assertThrows(ConflictException.class, () -> kb.addThreadKey(t, ThreadKey.generate(true)));
        ThreadKey otherRead = ThreadKey.of(full.serviceKey(), ThreadKey.generate(true).readKey().orElseThrow());
        assertThrows(ConflictException.class, () -> kb.addThreadKey(t, otherRead));
        assertEquals(Optional.of(full), kb.threadKey(t));
    }

    @OnEachEngine
    void logKeys(String engine) {
        DatastoreLogstore ls = new DatastoreLogstore(open(engine));
        KeyBook kb = ls.keyBook();
        ThreadId t = ThreadId.newRandom();
        PrivateKey k1 = Ed25519.generate();
        PrivateKey k2 = Ed25519.generate();

        // log keys need the thread
        assertThrows(NotFoundException.class, () -> kb.addPubKey(t, k1.publicKey()));
        assertThrows(NotFoundException.class, () -> kb.addPrivKey(t, k1));

        kb.addThreadKey(t, ThreadKey.generate(true));
        LogId l1 = kb.addPubKey(t, k1.publicKey());
        assertEquals(LogId.of(k1.publicKey()), l1);
        assertEquals(l1, kb.addPubKey(t, k1.publicKey()));
        assertEquals(Optional.of(k1.publicKey()), kb.pubKey(t, l1));
        assertEquals(Optional.empty(), kb.privKey(t, l1));

        LogId l2 = kb.addPrivKey(t, k2);
        assertEquals(Optional.of(k2), kb.privKey(t, l2));
        assertEquals(Optional.of(k2.publicKey()), kb.pubKey(t, l2));

        // a private key whose public half is not its seed's is refused
        PrivateKey forged = new PrivateKey(k1.seed(), k2.publicKey());
        assertThrows(InvalidInputException.class, () -> kb.addPrivKey(t, forged));

        List<LogId> sorted = l1.compareTo(l2) < 0 ? List.of(l1, l2) : List.of(l2, l1);
        assertEquals(sorted, kb.logsWithKeys(t));
        assertEquals(sorted, ls.logs(t));
        assertEquals(List.of(t), kb.threadsWithKeys());

        LogInfo i1 = ls.logInfo(t, l1);
        assertFalse(i1.hasPrivateKey());
        assertEquals(Head.EMPTY, i1.head());
        assertTrue(ls.logInfo(t, l2).hasPrivateKey());
        assertThrows(NotFoundException.class, () -> ls.logInfo(t, LogId.of(Ed25519.generate().publicKey())));
        assertThrows(NotFoundException.class, () -> ls.logInfo(ThreadId.newRandom(), l1));
    }

    @OnEachEngine
    void threadListingAndInfo(String engine) {
        DatastoreLogstore ls = new DatastoreLogstore(open(engine));
        assertEquals(List.of(), ls.threads());
        ThreadId a = ThreadId.newRandom();
        ThreadId b = ThreadId.newRandom(ThreadId.Variant.ACCESS_CONTROLLED, 16);
        ThreadId c = ThreadId.newRandom(ThreadId.Variant.RAW, 64);
        for (ThreadId t : List.of(a, b, c)) {
            ls.keyBook().addThreadKey(t, ThreadKey.generate(true));
        }
        // a thread with many entries between others must not hide them from the listing
        for (int i = 0; i < 20; i++) {
            ls.keyBook().addPubKey(b, Ed25519.generate().publicKey());
            ls.metadata().putLong(b, "k" + i, i);
        }
        List<ThreadId> expected = new java.util.ArrayList<>(List.of(a, b, c));
        expected.sort(null);
        assertEquals(expected, ls.threads());

        PublicKey pub = Ed25519.generate().publicKey();
        Multiaddr addr = Multiaddr.parse("/ip4/10.0.0.1/tcp/4006");
        LogInfo added = ls.addLog(a, pub, List.of(addr), AddrBook.PERMANENT);
        assertEquals(List.of(addr), added.addrs());
        ThreadInfo info = ls.threadInfo(a);
        assertEquals(a, info.id());
        assertEquals(1, info.logs().size());
        assertEquals(added, info.logs().get(0));
        assertEquals(Optional.of(added), info.log(LogId.of(pub)));
        assertFalse(info.toString().contains(info.key().toString()), "toString must not print the key");
        assertThrows(NotFoundException.class, () -> ls.threadInfo(ThreadId.newRandom()));
        assertThrows(NotFoundException.class, () -> ls.addLog(ThreadId.newRandom(), pub, List.of(), AddrBook.PERMANENT));
        assertEquals(20, ls.logs(b).size());
    }

    @OnEachEngine
    void metadataIsTyped(String engine) {
        DatastoreLogstore ls = new DatastoreLogstore(open(engine));
        ThreadMetadata md = ls.metadata();
        ThreadId t = ThreadId.newRandom();
        assertThrows(NotFoundException.class, () -> md.putString(t, "name", "x"));
        ls.keyBook().addThreadKey(t, ThreadKey.generate(true));

        md.putString(t, "name", "héllo");
        md.putLong(t, "count", -42);
        md.putLong(t, "max", Long.MAX_VALUE);
        md.putBoolean(t, "flag", true);
        md.putBoolean(t, "off", false);
        md.putBytes(t, "blob", new byte[] {1, 2, 3});
        md.putBytes(t, "empty", new byte[0]);
        md.putString(t, "emptyString", "");

        assertEquals(Optional.of("héllo"), md.getString(t, "name"));
        assertEquals(Optional.of(-42L), md.getLong(t, "count"));
        assertEquals(Optional.of(Long.MAX_VALUE), md.getLong(t, "max"));
        assertEquals(Optional.of(true), md.getBoolean(t, "flag"));
        assertEquals(Optional.of(false), md.getBoolean(t, "off"));
        assertArrayEquals(new byte[] {1, 2, 3}, md.getBytes(t, "blob").orElseThrow());
        assertArrayEquals(new byte[0], md.getBytes(t, "empty").orElseThrow());
        assertEquals(Optional.of(""), md.getString(t, "emptyString"));
        assertEquals(Optional.empty(), md.getString(t, "missing"));

        // wrong type
        assertThrows(InvalidInputException.class, () -> md.getLong(t, "name"));
        assertThrows(InvalidInputException.class, () -> md.getString(t, "count"));
        assertThrows(InvalidInputException.class, () -> md.getBytes(t, "flag"));
        // bad keys
        assertThrows(InvalidInputException.class, () -> md.putString(t, "", "x"));
        assertThrows(InvalidInputException.class, () -> md.putString(t, "x".repeat(ThreadMetadata.MAX_KEY_BYTES + 1), "x"));

        // overwrite changes the type
        md.putLong(t, "name", 7);
        assertEquals(Optional.of(7L), md.getLong(t, "name"));

        assertEquals(List.of("blob", "count", "empty", "emptyString", "flag", "max", "name", "off"), md.metadataKeys(t));
        assertTrue(md.removeMetadata(t, "blob"));
        assertFalse(md.removeMetadata(t, "blob"));
        assertEquals(Optional.empty(), md.getBytes(t, "blob"));
        md.clearMetadata(t);
        assertEquals(List.of(), md.metadataKeys(t));
        assertTrue(ls.hasThread(t), "clearing metadata keeps the thread");
    }

    @OnEachEngine
    void headsOfUnknownLogsAreEmpty(String engine) {
        DatastoreLogstore ls = new DatastoreLogstore(open(engine));
        ThreadId t = ThreadId.newRandom();
        LogId l = LogId.of(Ed25519.generate().publicKey());
        assertEquals(Head.EMPTY, ls.headBook().head(t, l));
        assertEquals(java.util.Map.of(), ls.headBook().heads(t));
    }

    @org.junit.jupiter.api.Test
    void headInvariants() {
        assertTrue(Head.EMPTY.isEmpty());
        assertEquals(0, Head.EMPTY.counter());
        assertThrows(InvalidInputException.class, () -> new Head(null, 1));
        assertThrows(InvalidInputException.class, () -> new Head(io.weft.api.format.Cid.dagCbor(new byte[] {0}), 0));
        assertThrows(InvalidInputException.class, () -> new Head(null, -1));
        io.weft.api.format.Cid c = io.weft.api.format.Cid.dagCbor(new byte[] {1});
        assertEquals(new Head(c, 1), Head.EMPTY.next(c));
        assertEquals(new Head(c, 8), new Head(c, 7).next(c));
    }
}
