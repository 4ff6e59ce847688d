/**
 * The yamux stream multiplexer ({@code /yamux/1.0.0}) as a Netty handler: {@link
 * io.weft.transport.libp2p.yamux.YamuxSession} runs one session over a secured connection and hands out {@link
 * io.weft.transport.libp2p.yamux.YamuxStream}s with pull-based reads and per-stream flow control.
 */
package io.weft.transport.libp2p.yamux;
