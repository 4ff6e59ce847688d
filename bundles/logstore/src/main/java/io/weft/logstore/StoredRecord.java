package io.weft.logstore;

import io.weft.api.CorruptDataException;
import io.weft.api.InvalidInputException;
import io.weft.api.format.Cid;
import io.weft.api.format.Varint;
import io.weft.api.log.Head;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.store.Cursor;
import io.weft.api.store.KeyRange;
import io.weft.api.store.ReadTxn;
import io.weft.api.store.WriteTxn;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A record as stored under {@code ls 01 <tid> 04 <cid>}: its log, its position in the log and its four nodes. The
 * value is {@code <lid> u64 counter <recordNode> <eventNode> <headerNode> <bodyNode>}, each {@code <x>} a
 * {@code varint(length) || bytes} component.
 */
record StoredRecord(LogId log, long counter, RecordEnvelope envelope) {

    byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(envelope.size() + 64);
        component(out, log.bytes());
        out.writeBytes(LogstoreKeys.u64(counter));
        component(out, envelope.recordNode());
        component(out, envelope.eventNode());
        component(out, envelope.headerNode());
        component(out, envelope.bodyNode());
        return out.toByteArray();
    }

    private static void component(ByteArrayOutputStream out, byte[] b) {
        Varint.write(out, b.length);
        out.writeBytes(b);
    }

    static StoredRecord decode(byte[] value, Cid expectedId) {
        try {
            ByteBuffer in = ByteBuffer.wrap(value);
            LogId log = new LogId(component(in));
            long counter = in.getLong();
            RecordEnvelope env = new RecordEnvelope(component(in), component(in), component(in), component(in));
            if (in.hasRemaining() || counter < 1) {
                throw new CorruptDataException("logstore: malformed stored record " + expectedId);
            }
            if (!env.id().equals(expectedId)) {
                throw new CorruptDataException("logstore: stored record " + expectedId + " does not match its id");
            }
            return new StoredRecord(log, counter, env);
        } catch (BufferUnderflowException | InvalidInputException e) {
            throw new CorruptDataException("logstore: malformed stored record " + expectedId, e);
        }
    }

    private static byte[] component(ByteBuffer in) {
        long n = Varint.read(in);
        if (n < 0 || n > in.remaining()) {
            throw new CorruptDataException("logstore: malformed stored record");
        }
        byte[] b = new byte[(int) n];
        in.get(b);
        return b;
    }

    // ---- transaction-level operations

    static Optional<StoredRecord> get(ReadTxn txn, ThreadId thread, Cid id) {
        byte[] v = txn.get(LogstoreKeys.record(thread, id.bytes()));
        return v == null ? Optional.empty() : Optional.of(decode(v, id));
    }

    /**
     * Appends {@code envelope} to the log as record number {@code head.counter() + 1}: stores the record, its
     * counter index entry and the new head. The caller has checked, in {@code txn}, that {@code head} is the log's
     * current head and that the record extends it.
     *
     * @return the new head
     */
    static Head append(WriteTxn txn, ThreadId thread, LogId log, Head head, RecordEnvelope envelope) {
        Cid id = envelope.id();
        Head next = head.next(id);
        txn.put(LogstoreKeys.record(thread, id.bytes()), new StoredRecord(log, next.counter(), envelope).encode());
        txn.put(LogstoreKeys.index(thread, log, next.counter()), id.bytes());
        DatastoreLogstore.putHead(txn, thread, log, next);
        return next;
    }

    /** Up to {@code limit} records of the log from position {@code fromCounter} on, in log order. */
    static List<RecordEnvelope> page(ReadTxn txn, ThreadId thread, LogId log, long fromCounter, int limit) {
        List<Cid> ids = new ArrayList<>(Math.min(limit, 1024));
        byte[] start = LogstoreKeys.index(thread, log, fromCounter);
        byte[] end = KeyRange.prefixEnd(LogstoreKeys.indexPrefix(thread, log));
        long expected = fromCounter;
        try (Cursor c = txn.scan(KeyRange.between(start, end))) {
            while (c.hasNext() && ids.size() < limit) {
                var e = c.next();
                long counter = LogstoreKeys.u64(e.key(), e.key().length - 8);
                if (counter != expected) {
                    throw new CorruptDataException("logstore: log " + log + " has a gap in its index at " + expected);
                }
                expected++;
                try {
                    ids.add(Cid.decode(e.value()));
                } catch (InvalidInputException ex) {
                    throw new CorruptDataException("logstore: malformed index entry in log " + log, ex);
                }
            }
        }
        List<RecordEnvelope> out = new ArrayList<>(ids.size());
        for (Cid id : ids) {
            out.add(get(txn, thread, id)
                    .orElseThrow(() -> new CorruptDataException("logstore: indexed record " + id + " is missing"))
                    .envelope());
        }
        return out;
    }
}
