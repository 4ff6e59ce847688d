package io.weft.net;

import static io.weft.net.NetPeer.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.api.UnauthorizedException;
import io.weft.api.format.Multiaddr;
import io.weft.api.log.Head;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.store.Cursor;
import io.weft.api.store.Entry;
import io.weft.api.store.KeyRange;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadInvite;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A replica holds the service key only: it stores, verifies, serves and relays records it cannot read. */
class ReplicaTest {
    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final String SECRET = "plaintext-marker-7f3c";

    static Map<LogId, Head> heads(NetPeer p, ThreadId t) {
        return p.logService.logstore().headBook().heads(t);
    }

    @Test
    void readerCatchesUpFromTheReplicaWhileTheWriterIsOffline() {
        try (NetPeer writer = new NetPeer(); NetPeer replica = new NetPeer(); NetPeer reader = new NetPeer()) {
            ThreadId t = writer.net.createThread(ThreadId.newRandom(), null).id();
            for (int i = 0; i < 50; i++) {
                writer.write(t, SECRET + " " + i);
            }
            Multiaddr replicaAddr = replica.transport.listenAddresses().get(0).encapsulate(
                    Multiaddr.Component.of(Multiaddr.Protocol.P2P, replica.net.hostId().bytes()));
            assertEquals(replica.net.hostId(), writer.net.addReplicator(t, replicaAddr));
            await("the replica has the writer's log", WITHIN, () -> replica.logService.logstore().hasThread(t)
                    && heads(replica, t).equals(heads(writer, t)));
            writer.write(t, SECRET + " pushed");
            await("the replica receives new records by push", WITHIN, () -> heads(replica, t).equals(heads(writer, t)));

            // the replica cannot read: no read key, nothing in its store in plaintext
            assertFalse(replica.logService.getThread(t).key().canRead());
            LogId log = writer.logService.ownLog(t, writer.identity.publicKey()).orElseThrow().id();
            RecordEnvelope first = replica.logService.records(t, log, null, 1).get(0);
            assertThrows(UnauthorizedException.class, () -> replica.logService.openRecord(t, first.id()));
            assertFalse(storeContains(replica, SECRET), "the replica's store holds no plaintext");

            // the writer goes offline; a reader joins from the writer's invite, which also names the replica
            ThreadInvite invite = writer.net.invite(t, false);
            assertTrue(invite.peers().contains(replica.net.hostId()), "the invite names the replica too");
            writer.disconnect();
            reader.net.addThread(invite);
            assertEquals(heads(writer, t), heads(reader, t), "the reader got every record from the replica");
            List<RecordEnvelope> got = reader.logService.records(t, log, null, 100);
            assertEquals(51, got.size());
            assertArrayEquals(writer.body(SECRET + " 0"), reader.logService.openRecord(t, got.get(0).id()).body());
            assertArrayEquals(writer.body(SECRET + " pushed"), reader.logService.openRecord(t, got.get(50).id()).body());
        }
    }

    @Test
    void replicaInviteMakesAReplicaThatCannotRead() {
        try (NetPeer writer = new NetPeer(); NetPeer replica = new NetPeer()) {
            ThreadId t = writer.net.createThread(ThreadId.newRandom(), null).id();
            writer.write(t, SECRET);
            ThreadInvite invite = writer.net.invite(t, true);
            assertFalse(invite.canRead());
            assertFalse(invite.text().contains(writer.logService.getThread(t).key().toString()));
            replica.net.addThread(ThreadInvite.parse(invite.text()));
            assertEquals(heads(writer, t), heads(replica, t));
            assertFalse(storeContains(replica, SECRET));
        }
    }

    @Test
    void theReplicaRelaysNewRecordsToReadersThatFollowIt() {
        // the reader neither pulls on its own (a round an hour) nor uses pubsub: only a relay can reach it
        NetConfig quiet = NetPeer.TEST_CONFIG.withPubsub(false).withPullInterval(Duration.ofHours(1))
                .withPullStartDelay(Duration.ofHours(1));
        try (NetPeer writer = new NetPeer(); NetPeer replica = new NetPeer();
             NetPeer reader = new NetPeer(new io.weft.store.memory.MemoryDatastore(), quiet)) {
            ThreadId t = writer.net.createThread(ThreadId.newRandom(), null).id();
            writer.write(t, "before");
            Multiaddr replicaAddr = replica.transport.listenAddresses().get(0).encapsulate(
                    Multiaddr.Component.of(Multiaddr.Protocol.P2P, replica.net.hostId().bytes()));
            writer.net.addReplicator(t, replicaAddr);
            await("the replica has the log", WITHIN, () -> heads(replica, t).equals(heads(writer, t)));

            ThreadInvite viaReplica = new ThreadInvite(List.of(replicaAddr.encapsulate(
                    Multiaddr.Component.of(Multiaddr.Protocol.THREAD, t.bytes()))), writer.logService.getThread(t).key());
            reader.net.addThread(viaReplica);
            assertEquals(heads(writer, t), heads(reader, t));
            assertFalse(writer.net.peers(t).contains(reader.net.hostId()), "the writer does not know the reader");

            writer.write(t, "after");
            await("the replica relays the new record to the reader", WITHIN,
                    () -> heads(reader, t).equals(heads(writer, t)));
            assertEquals(1, reader.net.stats().pulls(), "the reader pulled only when it joined");
        }
    }

    private static boolean storeContains(NetPeer p, String text) {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        return p.store.read(txn -> {
            try (Cursor c = txn.scan(KeyRange.all())) {
                while (c.hasNext()) {
                    Entry e = c.next();
                    if (indexOf(e.value(), needle) >= 0) {
                        return true;
                    }
                }
            }
            return false;
        });
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
