package io.weft.api.net;

/** Told about connections as they open (after the handshake) and close. Called on I/O threads: do not block. */
public interface ConnectionListener {
    default void connected(Connection connection) {
    }

    default void disconnected(Connection connection) {
    }
}
