/**
 * libp2p {@code /noise}: the {@code Noise_XX_25519_ChaChaPoly_SHA256} handshake ({@link
 * io.weft.transport.libp2p.noise.NoiseXX}, pure) and the Netty security handler that authenticates libp2p identities
 * and encrypts the connection ({@link io.weft.transport.libp2p.noise.NoiseHandler}).
 */
package io.weft.transport.libp2p.noise;
