package io.weft.api.log;

import io.weft.api.InvalidInputException;
import io.weft.api.record.Record;
import io.weft.api.thread.LogId;

/**
 * The outcome of appending a record to a log.
 *
 * @param log     the log the record belongs to
 * @param counter the record's position in the log (1 for the first record)
 * @param record  the verified record
 * @param added   {@code true} if this call stored the record; {@code false} if it was already stored (an idempotent
 *                repeat)
 */
public record AppendResult(LogId log, long counter, Record record, boolean added) {
    public AppendResult {
        if (log == null || record == null || counter < 1) {
            throw new InvalidInputException("append result: log, record and a counter >= 1 are required");
        }
    }

    /** The log's head right after this record. */
    public Head head() {
        return new Head(record.id(), counter);
    }
}
