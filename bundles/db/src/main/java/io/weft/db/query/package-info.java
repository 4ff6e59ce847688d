/**
 * Query execution (private to the db bundle): the order-preserving index value encoding ({@link
 * io.weft.db.query.IndexKeys}), what the engine needs from storage ({@link io.weft.db.query.DocumentSource}),
 * and the planner and executor ({@link io.weft.db.query.QueryEngine}). The query model and its semantics are
 * {@link io.weft.api.db.Query} in the api bundle; user documentation is {@code docs/queries.md}.
 */
package io.weft.db.query;
