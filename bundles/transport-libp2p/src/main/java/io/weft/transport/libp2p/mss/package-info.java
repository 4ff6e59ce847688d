/**
 * multistream-select 1.0: the line codec ({@link io.weft.transport.libp2p.mss.MultistreamCodec}), the
 * connection-level Netty negotiator ({@link io.weft.transport.libp2p.mss.MultistreamHandler}) and the stream-level
 * one over {@link io.weft.api.net.Stream} ({@link io.weft.transport.libp2p.mss.MultistreamSelect}).
 */
package io.weft.transport.libp2p.mss;
