/**
 * The document database users program against (paper §4–5): databases (one thread each), collections of JSON
 * documents defined by JSON Schema, transactions, queries and listeners.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package io.weft.api.db;
