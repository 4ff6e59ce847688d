package io.weft.net;

import static io.weft.net.NetPeer.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.api.ConflictException;
import io.weft.api.CorruptDataException;
import io.weft.api.NotFoundException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.log.LogInfo;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadInvite;
import io.weft.api.thread.ThreadKey;
import io.weft.core.crypto.Ed25519;
import io.weft.core.record.Records;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ThreadService operations beyond sync itself: external logs, deletes, typed errors. */
class ServiceTest {
    private static final Duration WITHIN = Duration.ofSeconds(20);

    @Test
    void aLogKnownByItsPublicKeyTakesRecordsSignedElsewhereAndSyncsThem() {
        try (NetPeer a = new NetPeer(); NetPeer b = new NetPeer()) {
            ThreadId t = a.net.createThread(ThreadId.newRandom(), null).id();
            ThreadKey key = a.logService.getThread(t).key();
            b.net.addThread(a.net.invite(t, false));

            PrivateKey device = Ed25519.generate(); // e.g. a phone that signs, with no peer of its own
            LogInfo log = a.net.addLog(t, device.publicKey());
            assertFalse(log.hasPrivateKey());
            RecordEnvelope r1 = Records.create(a.body("signed elsewhere 1"), device, device.publicKey(), null, key);
            RecordEnvelope r2 = Records.create(a.body("signed elsewhere 2"), device, device.publicKey(), r1.id(), key);
            assertEquals(1, a.net.addRecord(t, log.id(), r1).counter());
            assertEquals(2, a.net.addRecord(t, log.id(), r2).counter());

            await("b gets the external log's records", WITHIN,
                    () -> b.logService.logstore().headBook().head(t, log.id()).counter() == 2);
            List<RecordEnvelope> got = b.logService.records(t, log.id(), null, 10);
            assertArrayEquals(a.body("signed elsewhere 2"), b.logService.openRecord(t, got.get(1).id()).body());

            // records that do not verify or do not extend the log are refused with typed errors
            RecordEnvelope wrongSigner = Records.create(a.body("x"), Ed25519.generate(), device.publicKey(), r2.id(), key);
            assertThrows(CorruptDataException.class, () -> a.net.addRecord(t, log.id(), wrongSigner));
            RecordEnvelope fork = Records.create(a.body("fork"), device, device.publicKey(), r1.id(), key);
            assertThrows(ConflictException.class, () -> a.net.addRecord(t, log.id(), fork));
            assertEquals(2, a.logService.logstore().headBook().head(t, log.id()).counter());
        }
    }

    @Test
    void unknownThreadsAndDeletesGiveTypedErrors() {
        try (NetPeer a = new NetPeer(); NetPeer b = new NetPeer()) {
            ThreadId unknown = ThreadId.newRandom();
            assertThrows(NotFoundException.class, () -> a.net.pullThread(unknown));
            assertThrows(NotFoundException.class, () -> a.net.invite(unknown, false));
            assertThrows(NotFoundException.class, () -> a.net.addLog(unknown, Ed25519.generate().publicKey()));

            ThreadId t = a.net.createThread(ThreadId.newRandom(), null).id();
            a.write(t, "x");
            ThreadInvite invite = a.net.invite(t, false);
            b.net.addThread(invite);
            ThreadInvite otherKey = new ThreadInvite(invite.addrs(), ThreadKey.generate(true));
            assertThrows(ConflictException.class, () -> b.net.addThread(otherKey));
            assertTrue(b.net.peers(t).contains(a.net.hostId()));

            assertTrue(b.net.deleteThread(t));
            assertFalse(b.net.deleteThread(t));
            assertFalse(b.logService.logstore().hasThread(t));
        }
    }

    @Test
    void announcedThreadsAreAdoptedOnlyWhenAllowed() {
        try (NetPeer owner = new NetPeer();
             NetPeer open = new NetPeer();
             NetPeer closed = new NetPeer(new io.weft.store.memory.MemoryDatastore(),
                     NetPeer.TEST_CONFIG.withAdoptThreads(false))) {
            ThreadId t = owner.net.createThread(ThreadId.newRandom(), null).id();
            owner.write(t, "x");
            assertEquals(open.net.hostId(), owner.net.addReplicator(t, address(open)));
            await("the open peer adopted the thread as a replica", WITHIN,
                    () -> open.logService.logstore().hasThread(t)
                            && open.logService.logstore().headBook().heads(t).size() == 1);
            assertFalse(open.logService.getThread(t).key().canRead());

            PeerCallException refused = assertThrows(PeerCallException.class,
                    () -> owner.net.addReplicator(t, address(closed)));
            assertEquals(PeerCallException.NOT_FOUND, refused.code());
            assertFalse(closed.logService.logstore().hasThread(t));
        }
    }

    private static io.weft.api.format.Multiaddr address(NetPeer p) {
        return p.transport.listenAddresses().get(0).encapsulate(io.weft.api.format.Multiaddr.Component.of(
                io.weft.api.format.Multiaddr.Protocol.P2P, p.net.hostId().bytes()));
    }
}
