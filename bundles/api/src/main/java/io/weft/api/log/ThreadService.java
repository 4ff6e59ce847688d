package io.weft.api.log;

import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Multiaddr;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.LogId;
import io.weft.api.thread.PeerId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadInvite;
import io.weft.api.thread.ThreadKey;
import java.util.List;

/**
 * The networked log service (paper §3.2.3–3.2.4, §4.1.5; go-threads {@code net.API}): keeps this peer's threads in
 * sync with the other peers of each thread. New records of this peer are pushed to every known peer of their
 * thread and published on the thread's pubsub topic; every thread is also pulled periodically from its peers
 * (cheaply: peers first compare digests of their heads and addresses). Received records are verified and appended
 * strictly in log order through the {@link #logService() log service}, whose {@link AppendListener}s (the
 * database) see them.
 *
 * <p>Local writes go through the {@link LogService} as before; this service notices them and pushes them.
 */
@org.osgi.annotation.versioning.ProviderType
public interface ThreadService {

    /** The peer id of this host (the transport's peer id). */
    PeerId hostId();

    /** The local log service this service stores into. */
    LogService logService();

    /**
     * Creates a thread (a fresh key when {@code key} is null) and starts syncing it.
     *
     * @throws io.weft.api.ConflictException if it exists
     */
    ThreadInfo createThread(ThreadId id, ThreadKey key);

    /**
     * Joins a thread from an invite: stores its key, fetches its logs and all their records from the invite's
     * peers (whole logs, page by page) and keeps it in sync from then on. Returns after the first pull (or once
     * every invite peer failed: the thread is then added and pulled later). Joining a thread that is already here
     * with the same key pulls it again.
     *
     * @throws io.weft.api.ConflictException if the thread is here with a different key
     */
    ThreadInfo addThread(ThreadInvite invite);

    /** An invite to {@code thread} at this peer's announced addresses, with the full key or the service key only. */
    ThreadInvite invite(ThreadId thread, boolean replicaOnly);

    /**
     * Pulls the thread from every known peer now and returns when done (failures of single peers are logged).
     *
     * @throws io.weft.api.NotFoundException if the thread is unknown
     */
    void pullThread(ThreadId thread);

    /** Deletes a thread here (its keys, logs and records) and stops syncing it; whether it existed. */
    boolean deleteThread(ThreadId thread);

    /**
     * Makes the peer at {@code address} ({@code …/p2p/<id>}) a replica of the thread: sends it the thread's logs
     * with the service key only, then their records. From then on new records are pushed to it too. The replica
     * stores, verifies and serves the records and relays them, but cannot decrypt them.
     *
     * @return the replica's peer id
     * @throws io.weft.api.NotFoundException if the thread is unknown
     * @throws io.weft.api.net.TransportException if the replica cannot be reached
     */
    PeerId addReplicator(ThreadId thread, Multiaddr address);

    /**
     * Adds a log known by its public key only, whose records are signed elsewhere and added with
     * {@link #addRecord}; this peer serves it under its own addresses and announces it to the thread's peers.
     */
    LogInfo addLog(ThreadId thread, PublicKey logKey);

    /**
     * Appends a record signed elsewhere to a log of the thread (verified as a received record is) and pushes it.
     *
     * @throws io.weft.api.CorruptDataException if the record fails verification
     * @throws io.weft.api.ConflictException if it does not extend the log's head
     */
    AppendResult addRecord(ThreadId thread, LogId log, RecordEnvelope envelope);

    /** The peers this peer syncs {@code thread} with: hosts of its logs and its replicators, without this host. */
    List<PeerId> peers(ThreadId thread);

    /** Counters since start. */
    SyncStats stats();
}
