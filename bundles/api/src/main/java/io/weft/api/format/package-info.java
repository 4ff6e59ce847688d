/**
 * Multiformats value types with exact byte and text forms: unsigned varints, multibase, multihash, CIDs and
 * multiaddrs. They live in the API (not core) because the identifiers users handle ({@code ThreadId},
 * {@code PeerId}, {@code LogId}) parse and print themselves with them.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.weft.api.format;
