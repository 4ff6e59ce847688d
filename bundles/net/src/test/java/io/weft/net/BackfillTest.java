package io.weft.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.api.crypto.PrivateKey;
import io.weft.api.format.Cid;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import io.weft.core.record.Records;
import io.weft.core.cbor.CborValue;
import io.weft.core.cbor.DagCbor;
import io.weft.store.memory.MemoryDatastore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A joining peer gets a whole log of any length, page by page, in order (go-threads stopped at 10,000). */
class BackfillTest {

    @Test
    void smallPagesStillDeliverEverythingInOrder() {
        NetConfig tiny = NetPeer.TEST_CONFIG.withPageRecords(7).withPageBytes(1024);
        try (NetPeer a = new NetPeer(new MemoryDatastore(), tiny); NetPeer b = new NetPeer(new MemoryDatastore(), tiny)) {
            ThreadId t = a.net.createThread(ThreadId.newRandom(), null).id();
            for (int i = 0; i < 500; i++) {
                a.write(t, "r" + i);
            }
            b.net.addThread(a.net.invite(t, false));
            LogId log = a.logService.ownLog(t, a.identity.publicKey()).orElseThrow().id();
            assertEquals(ids(a, t, log), ids(b, t, log));
            assertTrue(b.net.stats().pulls() > 500 / 7, "many pages: " + b.net.stats().pulls());
        }
    }

    @Test
    void aNewPeerGetsAHundredThousandRecordsInOrder() {
        int n = 100_000;
        try (NetPeer a = new NetPeer(); NetPeer b = new NetPeer()) {
            ThreadId t = a.net.createThread(ThreadId.newRandom(), null).id();
            LogId log = bulkLoad(a, t, n);
            b.net.addThread(a.net.invite(t, false));
            assertEquals(n, b.logService.logstore().headBook().head(t, log).counter());
            List<Cid> expected = ids(a, t, log);
            assertEquals(n, expected.size());
            assertEquals(expected, ids(b, t, log), "the same records in the same order");
            for (int i : new int[] {0, 9_999, 10_000, 54_321, n - 1}) {
                assertArrayEquals(body(i), b.logService.openRecord(t, expected.get(i)).body(), "record " + i);
            }
            assertEquals(n, b.net.stats().recordsAppended());
            assertEquals(0, b.net.stats().recordsRejected());
        }
    }

    /** Writes n records to a's own log in batches (signed as createRecord would, appended in bulk). */
    private static LogId bulkLoad(NetPeer a, ThreadId t, int n) {
        LogId log = a.logService.getOrCreateOwnLog(t, a.identity).id();
        PrivateKey logKey = a.logService.logstore().keyBook().privKey(t, log).orElseThrow();
        ThreadKey key = a.logService.getThread(t).key();
        Cid prev = null;
        List<RecordEnvelope> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RecordEnvelope env = Records.create(body(i), logKey, a.identity.publicKey(), prev, key);
            prev = env.id();
            batch.add(env);
            if (batch.size() == 5000 || i == n - 1) {
                a.logService.addRecords(t, log, batch);
                batch.clear();
            }
        }
        return log;
    }

    private static byte[] body(int i) {
        return DagCbor.encode(CborValue.map("n", CborValue.integer(i)));
    }

    static List<Cid> ids(NetPeer p, ThreadId t, LogId log) {
        List<Cid> out = new ArrayList<>();
        Cid after = null;
        while (true) {
            List<RecordEnvelope> page = p.logService.records(t, log, after, 5000);
            if (page.isEmpty()) {
                return out;
            }
            for (RecordEnvelope e : page) {
                out.add(e.id());
            }
            after = page.get(page.size() - 1).id();
        }
    }
}
