package io.weft.api.log;

/**
 * Counters of a {@link ThreadService} since it started: what arrived from the network and what became of it.
 *
 * @param recordsReceived  records received from peers (pushed, pulled or over pubsub), before any check
 * @param recordsAppended  records that passed every check and extended a log
 * @param duplicates       records that were already stored (ignored, idempotent)
 * @param recordsRejected  records refused: bad signature, wrong service key, forged or mismatched links, malformed
 * @param gapsFetched      records that did not extend their log's head and made this peer pull the gap
 * @param pushesSent       records pushed to peers successfully
 * @param pushesFailed     pushes that failed (peer unreachable, refused); the peer catches up by pulling
 * @param pulls            pull calls (GetRecords) made to peers
 * @param edgeExchanges    ExchangeEdges calls made to peers
 */
public record SyncStats(long recordsReceived, long recordsAppended, long duplicates, long recordsRejected,
                        long gapsFetched, long pushesSent, long pushesFailed, long pulls, long edgeExchanges) {
}
