/**
 * Generated messages and stubs of {@code threads.pb.API}, the database API of a threads peer (go-threads' field
 * numbers, so {@code @textile/threads-client} and go-threads clients talk to Weft unchanged).
 */
@Export
@Version("1.0.0")
package io.weft.grpc.pb;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
