/** Weft's error types, shared by every bundle: one small hierarchy, mapped once to transport codes. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.weft.api;
