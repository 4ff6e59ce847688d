/** Identifiers and keys of threads and logs: {@code ThreadId}, {@code ThreadKey}, {@code LogId}, {@code PeerId}. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.weft.api.thread;
