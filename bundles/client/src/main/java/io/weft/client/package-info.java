/**
 * A typed Java client for a remote Weft (or go-threads) peer: {@link io.weft.client.WeftClient} speaks the
 * {@code threads.pb.API} database API and, through {@link io.weft.client.WeftClient#threads()}, the
 * {@code threads.net.pb.API} thread API over native gRPC, with the GetToken challenge flow for an identity.
 * Errors come back as the {@code io.weft.api} exceptions, plus {@link io.weft.client.PeerUnavailableException}
 * when the peer cannot be reached in time.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.weft.client;
