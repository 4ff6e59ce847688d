package io.weft.transport.libp2p.conn;

/**
 * Netty user event fired by a connection-level multistream-select handler once both sides agreed on
 * {@code protocol}. The handler fires it and then removes itself; bytes that followed the agreement in the same
 * read are passed on to the handler installed in response to this event.
 */
public record ProtocolNegotiated(String protocol) {
}
