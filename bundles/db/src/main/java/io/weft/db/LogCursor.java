package io.weft.db;

import io.weft.api.CorruptDataException;
import io.weft.api.InvalidInputException;
import io.weft.api.format.Cid;
import io.weft.api.store.Cursor;
import io.weft.api.store.Entry;
import io.weft.api.store.KeyRange;
import io.weft.api.store.ReadTxn;
import io.weft.api.store.WriteTxn;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * How far a database has dispatched one log: the counter and id of the last record whose events were dispatched
 * ({@code 0} and {@code null} before the first). Stored under {@code db 01 <tid> 05 <lid>} as
 * {@code u64 counter || CID bytes} and written in the store transaction that dispatches, so a record is dispatched
 * exactly when the cursor moves past it.
 *
 * @param counter the position of the last dispatched record in its log
 * @param cid     that record's id; {@code null} iff {@code counter == 0}
 */
record LogCursor(long counter, Cid cid) {
    /** Before a log's first record. */
    static final LogCursor START = new LogCursor(0, null);

    LogCursor {
        if (counter < 0 || (counter == 0) != (cid == null)) {
            throw new InvalidInputException("log cursor: a counter >= 0 with a record id iff it is positive");
        }
    }

    /** The cursor just past {@code cid}, the record after this cursor's. */
    LogCursor next(Cid next) {
        return new LogCursor(counter + 1, next);
    }

    static LogCursor read(ReadTxn txn, ThreadId db, LogId log) {
        return decode(txn.get(DbKeys.cursor(db, log)));
    }

    static void write(WriteTxn txn, ThreadId db, LogId log, LogCursor cursor) {
        byte[] cid = cursor.cid().bytes();
        txn.put(DbKeys.cursor(db, log), ByteBuffer.allocate(8 + cid.length).putLong(cursor.counter()).put(cid).array());
    }

    /** Every stored cursor of the database, by log. */
    static Map<LogId, LogCursor> readAll(ReadTxn txn, ThreadId db) {
        Map<LogId, LogCursor> out = new HashMap<>();
        byte[] prefix = DbKeys.cursorPrefix(db);
        try (Cursor c = txn.scan(KeyRange.prefix(prefix))) {
            while (c.hasNext()) {
                Entry e = c.next();
                LogId log;
                try {
                    log = new LogId(new DbKeys.Reader(e.key(), prefix.length).component());
                } catch (InvalidInputException ex) {
                    throw new CorruptDataException("db: malformed cursor key of database " + db, ex);
                }
                out.put(log, decode(e.value()));
            }
        }
        return out;
    }

    private static LogCursor decode(byte[] v) {
        if (v == null) {
            return START;
        }
        if (v.length <= 8) {
            throw new CorruptDataException("db: malformed log cursor");
        }
        long counter = DbKeys.u64(v, 0);
        try {
            return new LogCursor(counter, Cid.decode(Arrays.copyOfRange(v, 8, v.length)));
        } catch (InvalidInputException e) {
            throw new CorruptDataException("db: malformed log cursor", e);
        }
    }
}
