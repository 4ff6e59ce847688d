package io.weft.db;

/** One instance of one collection. */
record InstanceRef(String collection, String id) {
}
