/**
 * The local half of the paper's Log Service (§3.1–3.2): the {@link io.weft.api.log.Logstore} with its four books
 * ({@link io.weft.api.log.KeyBook}, {@link io.weft.api.log.AddrBook}, {@link io.weft.api.log.HeadBook},
 * {@link io.weft.api.log.ThreadMetadata}) and the {@link io.weft.api.log.LogService}, which creates and joins
 * threads, keeps one single-writer log per identity per thread, and appends, verifies, stores and pages through
 * records. Networking (push/pull between peers) builds on this in another bundle.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package io.weft.api.log;
