package io.weft.benchmarks.sync;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay on 127.0.0.1 that forwards every accepted connection to one target port and counts the bytes in
 * each direction: TCP payload, i.e. everything libp2p sends (Noise-encrypted yamux frames, multistream, identify,
 * pubsub), without TCP/IP headers. A peer announces the relay's port instead of its own, so everything other peers
 * send it and it sends back passes through here.
 *
 * <p>Plain blocking sockets, two threads per connection (named {@code relay-<name>-…}, so that their CPU time can
 * be told apart from the peers').
 */
final class CountingRelay implements AutoCloseable {
    private final String name;
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    /** Bytes from the connecting side to the target. */
    final AtomicLong toTarget = new AtomicLong();
    /** Bytes from the target back to the connecting side. */
    final AtomicLong fromTarget = new AtomicLong();
    /** Connections accepted. */
    final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean closed;

    /** Binds a free port of 127.0.0.1; nothing is accepted before {@link #start}. */
    CountingRelay(String name) throws IOException {
        this.name = name;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    int port() {
        return server.getLocalPort();
    }

    /** Starts accepting; every connection is forwarded to {@code targetPort} on 127.0.0.1. */
    void start(int targetPort) {
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        Thread acceptor = new Thread(() -> acceptLoop(target), "relay-" + name + "-accept");
        acceptor.setDaemon(true);
        threads.add(acceptor);
        acceptor.start();
    }

    /** The relay's threads (acceptor and pumps), for CPU accounting. */
    List<Thread> threads() {
        return List.copyOf(threads);
    }

    private void acceptLoop(InetSocketAddress target) {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("relay " + name + ": accept failed: " + e);
                }
                return;
            }
            int n = accepted.incrementAndGet();
            Socket upstream = new Socket();
            try {
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                upstream.connect(target);
            } catch (IOException e) {
                System.err.println("relay " + name + ": cannot reach " + target + ": " + e);
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            sockets.add(client);
            sockets.add(upstream);
            pump(client, upstream, toTarget, "relay-" + name + "-" + n + "-in");
            pump(upstream, client, fromTarget, "relay-" + name + "-" + n + "-out");
        }
    }

    private void pump(Socket from, Socket to, AtomicLong counter, String threadName) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int r;
                while ((r = in.read(buf)) >= 0) {
                    out.write(buf, 0, r);
                    counter.addAndGet(r);
                }
                to.shutdownOutput(); // pass the half-close on
            } catch (SocketException e) {
                closeQuietly(from); // reset or closed: end both directions
                closeQuietly(to);
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("relay " + name + ": " + e);
                }
                closeQuietly(from);
                closeQuietly(to);
            }
        }, threadName);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        sockets.forEach(CountingRelay::closeQuietly);
    }
}
