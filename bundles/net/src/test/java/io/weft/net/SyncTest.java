package io.weft.net;

import static io.weft.net.NetPeer.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.api.log.Head;
import io.weft.api.log.ThreadInfo;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadInvite;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyncTest {
    private static final Duration WITHIN = Duration.ofSeconds(20);

    static Map<LogId, Head> heads(NetPeer p, ThreadId t) {
        return p.logService.logstore().headBook().heads(t);
    }

    @Test
    void joinFromInviteGetsEveryRecordThenLiveUpdatesBothWays() {
        try (NetPeer a = new NetPeer(); NetPeer b = new NetPeer()) {
            ThreadId t = a.net.createThread(ThreadId.newRandom(), null).id();
            for (int i = 0; i < 25; i++) {
                a.write(t, "a" + i);
            }
            ThreadInvite invite = ThreadInvite.parse(a.net.invite(t, false).text());
            ThreadInfo joined = b.net.addThread(invite);
            assertEquals(1, joined.logs().size());
            assertEquals(heads(a, t), heads(b, t), "b has a's whole log after the join returns");

            a.write(t, "live");
            await("b receives a's new record", WITHIN, () -> heads(a, t).equals(heads(b, t)));

            b.write(t, "from b");
            await("a learns b's log and record", WITHIN, () -> heads(a, t).equals(heads(b, t))
                    && heads(a, t).size() == 2);
            LogId bLog = b.logService.ownLog(t, b.identity.publicKey()).orElseThrow().id();
            List<RecordEnvelope> got = a.logService.records(t, bLog, null, 10);
            assertArrayEquals(b.body("from b"), a.logService.openRecord(t, got.get(0).id()).body());
            assertTrue(a.net.stats().recordsAppended() >= 1);
            assertEquals(0, a.net.stats().recordsRejected());
            assertEquals(0, b.net.stats().recordsRejected());
        }
    }
}
