package io.weft.api.log;

import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Multiaddr;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * The local database of threads and logs (go-threads {@code core/logstore.Logstore}): the four books, listings of
 * threads and logs, and deletion. The records themselves are kept in the same store and are reached through the
 * {@link LogService}; deleting a thread or log here removes its records too.
 *
 * <p>Every method is atomic: it runs in one store transaction.
 */
public interface Logstore {

    KeyBook keyBook();

    AddrBook addrBook();

    HeadBook headBook();

    ThreadMetadata metadata();

    /** The ids of the stored threads (those with a thread key), sorted. */
    List<ThreadId> threads();

    /** Whether the thread is stored. */
    boolean hasThread(ThreadId thread);

    /**
     * The thread's key and logs.
     *
     * @throws io.weft.api.NotFoundException if the thread is not stored
     */
    ThreadInfo threadInfo(ThreadId thread);

    /** The ids of the thread's logs (those with a public key), sorted; empty if the thread is not stored. */
    List<LogId> logs(ThreadId thread);

    /**
     * One log's keys, addresses and head.
     *
     * @throws io.weft.api.NotFoundException if the thread or the log is not stored
     */
    LogInfo logInfo(ThreadId thread, LogId log);

    /**
     * Adds a log by its public key together with addresses (with {@code ttl}), in one transaction; idempotent, and
     * addresses are added as by {@link AddrBook#addAddrs}.
     *
     * @throws io.weft.api.NotFoundException if the thread is not stored
     */
    LogInfo addLog(ThreadId thread, PublicKey pubKey, Collection<Multiaddr> addrs, Duration ttl);

    /**
     * Removes a log: its keys, addresses, head, stored records, and any identity mapping in the thread metadata
     * that names it.
     *
     * @return whether the log was stored
     */
    boolean deleteLog(ThreadId thread, LogId log);

    /**
     * Removes a thread and everything stored under it (keys, logs, addresses, heads, metadata, records), atomically.
     *
     * @return whether the thread was stored
     */
    boolean deleteThread(ThreadId thread);
}
