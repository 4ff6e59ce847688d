package io.weft.itests;

import io.weft.api.crypto.PrivateKey;
import io.weft.api.format.Cid;
import io.weft.api.format.Multiaddr;
import io.weft.api.log.AppendResult;
import io.weft.api.log.LogService;
import io.weft.api.net.Transport;
import io.weft.api.net.TransportConfig;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.store.Datastore;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadInvite;
import io.weft.core.cbor.CborValue;
import io.weft.core.cbor.DagCbor;
import io.weft.core.crypto.Ed25519;
import io.weft.logstore.LocalLogService;
import io.weft.net.NetConfig;
import io.weft.net.ThreadNet;
import io.weft.store.memory.MemoryDatastore;
import io.weft.transport.libp2p.Libp2pHost;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A thread peer in plain Java, outside any OSGi framework: a memory store, a {@link LocalLogService}, a libp2p
 * transport on loopback (a free port) and a {@link ThreadNet}, as bundles/net's tests build one.
 *
 * <p>Its public methods take and return only {@code java.*} types (ids and invites as text), so that a test running
 * inside the framework can drive one loaded by a plain class loader through reflection ({@link WeftFrameworkIT}).
 * Nothing here prints an invite's text: it carries the thread's keys.
 */
public final class PlainPeer implements AutoCloseable {
    /** Quick rounds and a short backoff so that tests converge in seconds. */
    static final NetConfig TEST_CONFIG = NetConfig.defaults()
            .withPullInterval(Duration.ofMillis(500))
            .withPullStartDelay(Duration.ofMillis(100))
            .withBackoffBase(Duration.ofMillis(200))
            .withBackoffMax(Duration.ofSeconds(1))
            .withCallTimeout(Duration.ofSeconds(10));

    final PrivateKey identity = Ed25519.generate();
    final Datastore store;
    final LocalLogService logService;
    final Transport transport;
    final ThreadNet net;

    public PlainPeer() {
        this(TEST_CONFIG);
    }

    PlainPeer(NetConfig config) {
        this.store = new MemoryDatastore();
        this.logService = new LocalLogService(store);
        this.transport = Libp2pHost.start(Ed25519.generate(), TransportConfig.defaults()
                .withListen(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")))
                .withDialBackoff(Duration.ofMillis(100)));
        this.net = ThreadNet.start(transport, logService, config);
    }

    /** This peer's id (base58). */
    public String hostId() {
        return net.hostId().toString();
    }

    /** Creates a thread with a fresh key; its id. */
    public String createThread() {
        return net.createThread(ThreadId.newRandom(), null).id().toString();
    }

    /** An invite to {@code thread} with its full key. <b>Secret</b>: never print it. */
    public String invite(String thread) {
        return net.invite(ThreadId.parse(thread), false).text();
    }

    /** Joins the thread of an invite (fetching what its peers have); the thread id. */
    public String join(String inviteText) {
        return net.addThread(ThreadInvite.parse(inviteText)).id().toString();
    }

    /** The dag-cbor body {@code {"text": text}}. */
    static byte[] body(String text) {
        return DagCbor.encode(CborValue.map("text", CborValue.text(text)));
    }

    /** Writes one record {@code {"text": text}} to this peer's own log of the thread; the record's id. */
    public String write(String thread, String text) {
        return append(ThreadId.parse(thread), text).record().id().toString();
    }

    AppendResult append(ThreadId thread, String text) {
        return logService.createRecord(thread, identity, body(text));
    }

    /** The id of this peer's own log in the thread. */
    public String ownLog(String thread) {
        return logService.ownLog(ThreadId.parse(thread), identity.publicKey()).orElseThrow().id().toString();
    }

    /** The thread's logs (ids). */
    public List<String> logs(String thread) {
        List<String> out = new ArrayList<>();
        for (LogId l : logService.logstore().logs(ThreadId.parse(thread))) {
            out.add(l.toString());
        }
        return out;
    }

    /** Records of the thread here, over all its logs (the sum of the heads' counters). */
    public long records(String thread) {
        ThreadId t = ThreadId.parse(thread);
        long n = 0;
        for (LogId l : logService.logstore().logs(t)) {
            n += logService.logstore().headBook().head(t, l).counter();
        }
        return n;
    }

    /** The {@code text} of every record of a log, in log order, each verified and opened with the read key. */
    public List<String> texts(String thread, String log) {
        return texts(logService, ThreadId.parse(thread), LogId.parse(log));
    }

    static List<String> texts(LogService logService, ThreadId thread, LogId log) {
        List<String> out = new ArrayList<>();
        Cid after = null;
        while (true) {
            List<RecordEnvelope> page = logService.records(thread, log, after, 1000);
            if (page.isEmpty()) {
                return out;
            }
            for (RecordEnvelope env : page) {
                out.add(text(logService.openRecord(thread, env.id()).body()));
                after = env.id();
            }
        }
    }

    /** The {@code text} field of a body {@link #body} made. */
    static String text(byte[] body) {
        CborValue v = DagCbor.decode(body);
        if (!(v instanceof CborValue.MapValue m)) {
            throw new AssertionError("body is not a map: " + v);
        }
        return ((CborValue.TextValue) m.get("text").orElseThrow()).value();
    }

    @Override
    public void close() {
        net.close();
        transport.close();
        store.close();
    }
}
