package io.weft.benchmarks.sync;

import io.weft.api.crypto.PrivateKey;
import io.weft.api.format.Multiaddr;
import io.weft.api.net.Transport;
import io.weft.api.net.TransportConfig;
import io.weft.api.net.TransportProvider;
import io.weft.api.store.Datastore;
import io.weft.api.store.DatastoreProvider;
import io.weft.codec.jsonpatch.JsonPatchCodec;
import io.weft.core.crypto.Ed25519;
import io.weft.db.Manager;
import io.weft.logstore.LocalLogService;
import io.weft.net.NetConfig;
import io.weft.net.ThreadNet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * One Weft peer assembled the way an embedding application assembles it in plain Java: a Xodus store in a temp
 * dir (fsync off), a {@link LocalLogService} on it, a libp2p transport (found through {@link ServiceLoader}) on
 * {@code 127.0.0.1}, a {@link ThreadNet} with {@link NetConfig#defaults()}, and a database {@link Manager} that
 * uses the thread service. One Ed25519 key is the host identity of the transport and of the manager.
 */
final class Peer implements AutoCloseable {
    final String name;
    final Path dir;
    final Datastore store;
    final LocalLogService logs;
    final PrivateKey identity;
    final Transport transport;
    final ThreadNet net;
    final Manager manager;

    /** A peer listening on a free port of 127.0.0.1, announcing its listen address. */
    Peer(String name) {
        this(name, null, true);
    }

    /**
     * A peer listening on a free port of 127.0.0.1.
     *
     * @param announce the address to announce instead of the listen address (a relay in front of this peer), or
     *                 {@code null}
     * @param database whether to build a database manager ({@code manager} is {@code null} otherwise)
     */
    Peer(String name, Multiaddr announce, boolean database) {
        this.name = name;
        try {
            this.dir = Files.createTempDirectory("weft-sync-" + name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DatastoreProvider xodus = ServiceLoader.load(DatastoreProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.engine().equals("xodus"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no xodus DatastoreProvider on the class path"));
        TransportProvider libp2p = ServiceLoader.load(TransportProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("libp2p"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no libp2p TransportProvider on the class path"));
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            this.store = xodus.open(dir, Map.of("fsync", "false"));
            opened.add(store);
            this.logs = new LocalLogService(store);
            this.identity = Ed25519.generate();
            TransportConfig tc = TransportConfig.defaults()
                    .withListen(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
            if (announce != null) {
                tc = tc.withAnnounce(List.of(announce));
            }
            this.transport = libp2p.start(identity, tc);
            opened.add(transport::close);
            this.net = ThreadNet.start(transport, logs, NetConfig.defaults());
            opened.add(net);
            this.manager = !database ? null : Manager.builder(logs, store, identity)
                    .codecs(new JsonPatchCodec())
                    .threadService(net)
                    .build();
        } catch (RuntimeException e) {
            for (int i = opened.size() - 1; i >= 0; i--) {
                try {
                    opened.get(i).close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            delete(dir);
            throw e;
        }
    }

    /** The TCP port the transport really listens on. */
    int listenPort() {
        for (Multiaddr a : transport.listenAddresses()) {
            if (a.value(Multiaddr.Protocol.TCP).isPresent()) {
                return Integer.parseInt(a.value(Multiaddr.Protocol.TCP).get());
            }
        }
        throw new IllegalStateException(name + ": no TCP listen address in " + transport.listenAddresses());
    }

    /** The first announced address with {@code /p2p/<id>}: what another peer dials. */
    Multiaddr dialAddress() {
        return transport.announceAddresses().get(0)
                .encapsulate(Multiaddr.parse("/p2p/" + transport.localPeer()));
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (AutoCloseable c : java.util.Arrays.<AutoCloseable>asList(manager, net, transport::close, store)) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException(name + ": close failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        delete(dir);
        if (failure != null) {
            throw failure;
        }
    }

    static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
