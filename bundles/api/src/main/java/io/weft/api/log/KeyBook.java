package io.weft.api.log;

import io.weft.api.crypto.PrivateKey;
import io.weft.api.crypto.PublicKey;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import java.util.List;
import java.util.Optional;

/**
 * The keys of threads and logs (paper §3.1.3; go-threads {@code KeyBook}): per thread its {@link ThreadKey}
 * (service key and optional read key), per log its Ed25519 public key and, on the log's writer, its private key.
 *
 * <p>A thread exists in the logstore exactly when it has a thread key. Log keys can only be added to an existing
 * thread ({@code NotFoundException} otherwise), so that deleting a thread leaves nothing behind. Keys are never
 * silently replaced: a different key for the same thread or log is a {@code ConflictException}.
 */
public interface KeyBook {

    /** The thread's key, if the thread exists. */
    Optional<ThreadKey> threadKey(ThreadId thread);

    /**
     * Creates the thread with {@code key}, or merges {@code key} into the thread's stored key: adding a read key
     * to a service-only key is allowed; a key without read key leaves a stored read key in place.
     *
     * @return the stored key after the merge
     * @throws io.weft.api.ConflictException if the thread has a different service key or a different read key
     */
    ThreadKey addThreadKey(ThreadId thread, ThreadKey key);

    /** The log's public key, if the log is known. */
    Optional<PublicKey> pubKey(ThreadId thread, LogId log);

    /**
     * Adds a log to the thread by its public key (idempotent).
     *
     * @return the log id, {@code LogId.of(key)}
     * @throws io.weft.api.NotFoundException if the thread does not exist
     */
    LogId addPubKey(ThreadId thread, PublicKey key);

    /** The log's private key, if this peer writes the log. */
    Optional<PrivateKey> privKey(ThreadId thread, LogId log);

    /**
     * Stores a log's private key (and its public key); idempotent.
     *
     * @return the log id
     * @throws io.weft.api.NotFoundException     if the thread does not exist
     * @throws io.weft.api.InvalidInputException if the private key does not match its public half
     */
    LogId addPrivKey(ThreadId thread, PrivateKey key);

    /** The threads that have a key, sorted by id. */
    List<ThreadId> threadsWithKeys();

    /** The thread's logs that have a public key, sorted by id. */
    List<LogId> logsWithKeys(ThreadId thread);
}
