/** Connection upgrade: TCP → multistream-select → Noise → multistream-select → yamux, as Netty handlers. */
package io.weft.transport.libp2p.conn;
