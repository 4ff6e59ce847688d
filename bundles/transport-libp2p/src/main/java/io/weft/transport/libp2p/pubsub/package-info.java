/**
 * libp2p pubsub: floodsub ({@code /floodsub/1.0.0}) and gossipsub v1.1 ({@code /meshsub/1.1.0}, {@code /meshsub/1.0.0})
 * with StrictSign message signing, as spoken by js-libp2p gossipsub and floodsub.
 */
package io.weft.transport.libp2p.pubsub;
