/**
 * Generated messages and stubs of {@code threads.net.pb.API}, the thread (log) API of a threads peer (go-threads'
 * field numbers).
 */
@Export
@Version("1.0.0")
package io.weft.grpc.netpb;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
