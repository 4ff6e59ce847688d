/** Key value types with their libp2p byte forms. Signing and verifying live in the core bundle. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.weft.api.crypto;
