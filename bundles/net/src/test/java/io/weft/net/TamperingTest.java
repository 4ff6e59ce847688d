package io.weft.net;

import static io.weft.net.NetPeer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.format.Cid;
import io.weft.api.format.Multiaddr;
import io.weft.api.log.Head;
import io.weft.api.net.Stream;
import io.weft.api.net.Transport;
import io.weft.api.net.TransportConfig;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.LogId;
import io.weft.api.thread.PeerId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import io.weft.core.crypto.Ed25519;
import io.weft.core.record.Records;
import io.weft.net.pb.Call;
import io.weft.net.pb.GetRecordsRequest;
import io.weft.net.pb.Log;
import io.weft.net.pb.PushLogRequest;
import io.weft.net.pb.PushRecordRequest;
import io.weft.net.pb.Result;
import io.weft.transport.libp2p.Libp2pHost;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A hostile peer speaks the protocol directly: bad signatures, a wrong service key, a forged prev, replays, records
 * moved to another log, malformed and oversize messages. None changes the victim's state; honest peers converge.
 */
class TamperingTest {
    private static final Duration WITHIN = Duration.ofSeconds(30);

    static Map<LogId, Head> heads(NetPeer p, ThreadId t) {
        return p.logService.logstore().headBook().heads(t);
    }

    @Test
    void hostileRecordsChangeNothingAndHonestPeersStillConverge() throws Exception {
        try (NetPeer a = new NetPeer(); NetPeer b = new NetPeer()) {
            ThreadId t = a.net.createThread(ThreadId.newRandom(), null).id();
            for (int i = 0; i < 5; i++) {
                a.write(t, "a" + i);
            }
            b.net.addThread(a.net.invite(t, false));
            ThreadKey key = a.logService.getThread(t).key();
            LogId aLog = a.logService.ownLog(t, a.identity.publicKey()).orElseThrow().id();
            Head aHead = heads(a, t).get(aLog);
            RecordEnvelope aFirst = a.logService.records(t, aLog, null, 1).get(0);

            PrivateKey attackerKey = Ed25519.generate();
            Transport attacker = Libp2pHost.start(attackerKey, TransportConfig.defaults()
                    .withListen(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))));
            try {
                attacker.peerStore().addAddresses(b.net.hostId(), b.transport.listenAddresses(), Duration.ofMinutes(5));
                NetClient client = new NetClient(attacker, Duration.ofSeconds(5), 8 * 1024 * 1024);
                PeerId victim = b.net.hostId();
                Map<LogId, Head> before = heads(b, t);
                long rejectedBefore = b.net.stats().recordsRejected();

                // 1. a record for a's log signed by another key
                RecordEnvelope badSig = Records.create(b.body("forged"), attackerKey, attackerKey.publicKey(),
                        aHead.cid(), key);
                assertRefused(client, victim, push(t, aLog, badSig, aHead.counter() + 1), PeerCallException.INVALID_ARGUMENT);

                // 2. a record encrypted with a wrong service key; calls with a wrong service key
                RecordEnvelope wrongKey = Records.create(b.body("wrong key"), attackerKey, attackerKey.publicKey(),
                        aHead.cid(), ThreadKey.generate(true));
                assertRefused(client, victim, push(t, aLog, wrongKey, aHead.counter() + 1), PeerCallException.UNAUTHENTICATED);
                assertRefused(client, victim, Call.newBuilder().setGetRecords(GetRecordsRequest.newBuilder().setBody(
                        GetRecordsRequest.Body.newBuilder().setThreadID(ByteString.copyFrom(t.bytes()))
                                .setServiceKey(ByteString.copyFrom(ThreadKey.generate(false).serviceKey())))).build(),
                        PeerCallException.UNAUTHENTICATED);

                // 3. a member's own log, then a record of it with a forged prev
                PrivateKey memberLogKey = Ed25519.generate();
                LogId memberLog = LogId.of(memberLogKey.publicKey());
                client.call(victim, Call.newBuilder().setPushLog(PushLogRequest.newBuilder().setBody(
                        PushLogRequest.Body.newBuilder().setThreadID(ByteString.copyFrom(t.bytes()))
                                .setServiceKey(ByteString.copyFrom(key.serviceKey()))
                                .setLog(Log.newBuilder().setID(ByteString.copyFrom(memberLog.bytes()))
                                        .setPubKey(ByteString.copyFrom(memberLogKey.publicKey().marshal()))))).build());
                Cid forgedPrev = Cid.dagCbor(new byte[] {(byte) 0xa0});
                RecordEnvelope forged = Records.create(b.body("forged prev"), memberLogKey, attackerKey.publicKey(),
                        forgedPrev, key);
                assertRefused(client, victim, push(t, memberLog, forged, 1), PeerCallException.FAILED_PRECONDITION);

                // 4. a replay of an old record is idempotent; 5. a's record presented as the member's log is refused
                client.call(victim, push(t, aLog, aFirst, 1));
                assertRefused(client, victim, push(t, memberLog, aFirst, 1), PeerCallException.INVALID_ARGUMENT);

                // 6. malformed and oversize calls get an error or a reset; the victim keeps serving
                rawCall(attacker, victim, new byte[] {0x0a, (byte) 0xff, 0x01});
                assertThrows(Exception.class, () -> rawCall(attacker, victim, new byte[9 * 1024 * 1024]));

                Map<LogId, Head> after = heads(b, t);
                assertEquals(before.get(aLog), after.get(aLog), "a's log on b did not move");
                assertEquals(Head.EMPTY, b.logService.logstore().headBook().head(t, memberLog), "the member's log has no record");
                assertTrue(b.net.stats().recordsRejected() >= rejectedBefore + 4, "rejections are counted");
                assertEquals(before.get(aLog), heads(a, t).get(aLog));
            } finally {
                attacker.close();
            }

            a.write(t, "after the attack");
            await("honest peers converge", WITHIN, () -> heads(a, t).get(aLog).equals(heads(b, t).get(aLog)));
            assertEquals(6, heads(b, t).get(aLog).counter());
        }
    }

    private static Call push(ThreadId t, LogId log, RecordEnvelope env, long counter) {
        return Call.newBuilder().setPushRecord(PushRecordRequest.newBuilder().setCounter(counter)
                .setBody(PushRecordRequest.Body.newBuilder().setThreadID(ByteString.copyFrom(t.bytes()))
                        .setLogID(ByteString.copyFrom(log.bytes()))
                        .setRecord(Log.Record.newBuilder()
                                .setRecordNode(ByteString.copyFrom(env.recordNode()))
                                .setEventNode(ByteString.copyFrom(env.eventNode()))
                                .setHeaderNode(ByteString.copyFrom(env.headerNode()))
                                .setBodyNode(ByteString.copyFrom(env.bodyNode()))))).build();
    }

    private static void assertRefused(NetClient client, PeerId peer, Call call, int code) {
        PeerCallException e = assertThrows(PeerCallException.class, () -> client.call(peer, call));
        assertEquals(code, e.code(), e.getMessage());
    }

    /** Writes raw bytes as one message on a protocol stream and returns the reply. */
    private static Result rawCall(Transport t, PeerId peer, byte[] payload) throws Exception {
        Stream s = t.newStream(peer, ThreadNet.PROTOCOL).get(5, TimeUnit.SECONDS);
        try {
            s.writeMessage(payload).get(5, TimeUnit.SECONDS);
            Result r = Result.parseFrom(s.readMessage(1 << 20).get(5, TimeUnit.SECONDS));
            assertTrue(r.hasError(), "a malformed call gets an error");
            assertEquals(PeerCallException.INVALID_ARGUMENT, r.getError().getCode());
            return r;
        } finally {
            s.close();
        }
    }
}
