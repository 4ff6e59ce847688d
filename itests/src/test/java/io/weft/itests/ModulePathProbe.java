package io.weft.itests;

import io.weft.api.record.Record;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.store.Datastore;
import io.weft.api.store.DatastoreProvider;
import io.weft.api.thread.ThreadKey;
import io.weft.core.cbor.CborValue;
import io.weft.core.crypto.Ed25519;
import io.weft.core.record.Records;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import io.weft.api.format.Multiaddr;
import io.weft.api.net.Connection;
import io.weft.api.net.Transport;
import io.weft.api.net.TransportConfig;
import io.weft.api.net.TransportProvider;
import java.util.TreeSet;

/**
 * Run by {@link ModulePathIT} in a separate JVM with Weft's bundles on the module path and this class on the
 * class path, as an app that embeds Weft without OSGi would: finds the stores with {@link ServiceLoader},
 * writes and reads through each, builds and verifies a record with core, and connects two libp2p transports. Prints one line per check.
 */
public final class ModulePathProbe {
    private ModulePathProbe() {
    }

    public static void main(String[] args) throws Exception {
        TreeSet<String> engines = new TreeSet<>();
        for (DatastoreProvider provider : ServiceLoader.load(DatastoreProvider.class)) {
            Path dir = Files.createTempDirectory(Path.of(args[0]), provider.engine());
            try (Datastore store = provider.open(dir, Map.of())) {
                store.update(txn -> txn.put(new byte[] {1}, new byte[] {42}));
                byte value = store.read(txn -> txn.get(new byte[] {1})[0]);
                System.out.println("store " + provider.engine() + " module=" + provider.getClass().getModule().getName()
                        + " value=" + value);
                engines.add(provider.engine());
            }
        }
        System.out.println("engines " + engines);
        ThreadKey key = ThreadKey.generate(true);
        var log = Ed25519.generate();
        RecordEnvelope env = Records.create(CborValue.map("n", CborValue.integer(7)), log,
                Ed25519.generate().publicKey(), null, key);
        Record record = Records.verify(env, log.publicKey(), key, null);
        System.out.println("record " + record.id() + " body=" + Records.openBody(record, key)
                + " module=" + Records.class.getModule().getName());

        for (TransportProvider provider : ServiceLoader.load(TransportProvider.class)) {
            TransportConfig config = TransportConfig.defaults()
                    .withListen(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
            try (Transport a = provider.start(Ed25519.generate(), config);
                    Transport b = provider.start(Ed25519.generate(), config)) {
                Multiaddr target = b.listenAddresses().get(0)
                        .encapsulate(Multiaddr.Component.of(Multiaddr.Protocol.P2P, b.localPeer().bytes()));
                Connection c = a.connect(target).get(30, TimeUnit.SECONDS);
                c.ping().get(30, TimeUnit.SECONDS);
                System.out.println("transport " + provider.name() + " module=" + provider.getClass().getModule().getName()
                        + " remote=" + c.remotePeer().equals(b.localPeer()) + " agent="
                        + c.identify().get(30, TimeUnit.SECONDS).agentVersion());
            }
        }
    }
}
