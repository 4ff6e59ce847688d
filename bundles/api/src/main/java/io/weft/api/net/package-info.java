/**
 * The peer-to-peer transport SPI (paper §2.3, §3.2.3): a {@link io.weft.api.net.Transport} connects to other peers
 * over authenticated, encrypted, multiplexed connections, opens {@link io.weft.api.net.Stream}s by protocol name,
 * serves protocols registered by other bundles, and offers {@link io.weft.api.net.PubSub}. The libp2p bundle is the
 * implementation; nothing here names libp2p wire details, so another transport can be plugged in.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.weft.api.net;
