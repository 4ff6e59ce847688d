package io.weft.api.log;

import io.weft.api.crypto.PrivateKey;
import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Cid;
import io.weft.api.record.Payload;
import io.weft.api.record.Record;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import java.util.List;
import java.util.Optional;

/**
 * The local half of the paper's Log Service (§3.1–3.2): threads, one single-writer log per identity per thread, and
 * the records of every log, stored in the {@link #logstore() logstore}. Exchanging records with other peers is
 * built on top of this by the network layer.
 *
 * <p><b>Single-writer rule and atomic append.</b> A log only grows at its head: a record is appended only if its
 * {@code prev} is the log's current head (or it has no {@code prev} and the log is empty). The check, the record's
 * nodes, its position index and the new head are written in one store transaction, so the head never names a
 * missing record and concurrent appends to one log form a single chain.
 *
 * <p>Errors: {@code NotFoundException} for an unknown thread, log or record; {@code ConflictException} when a record
 * does not extend the head; {@code CorruptDataException} when a record fails verification;
 * {@code UnauthorizedException} when a key this peer lacks is needed; {@code InvalidInputException} for malformed
 * arguments.
 */
@org.osgi.annotation.versioning.ProviderType
public interface LogService {

    /** The books of this service, over the same store. */
    Logstore logstore();

    /**
     * Creates a new thread. With a {@code null} key a fresh key with service and read keys is generated.
     *
     * @throws io.weft.api.ConflictException if the thread is already stored
     */
    ThreadInfo createThread(ThreadId id, ThreadKey key);

    /**
     * Joins a thread whose keys are known (from an invitation): stores it if new, otherwise merges the key as
     * {@link KeyBook#addThreadKey} does (idempotent; a read key may be added to a service-only thread).
     *
     * @throws io.weft.api.ConflictException if the thread is stored with different keys
     */
    ThreadInfo addThread(ThreadId id, ThreadKey key);

    /**
     * @throws io.weft.api.NotFoundException if the thread is not stored
     */
    ThreadInfo getThread(ThreadId id);

    /** Every stored thread, sorted by id. */
    List<ThreadInfo> listThreads();

    /**
     * Removes the thread with its keys, logs, addresses, heads, metadata and records, atomically.
     *
     * @return whether the thread was stored
     */
    boolean deleteThread(ThreadId id);

    /**
     * The log that {@code identity} writes in the thread, created on first use with a fresh Ed25519 log key whose
     * private half is kept in the {@link KeyBook} (one log per identity per thread).
     *
     * @throws io.weft.api.NotFoundException if the thread is not stored
     */
    LogInfo getOrCreateOwnLog(ThreadId thread, PrivateKey identity);

    /**
     * The log that {@code author} writes in the thread through this peer, created on first use with a fresh Ed25519
     * log key whose private half this peer keeps: the same log as {@link #getOrCreateOwnLog(ThreadId, PrivateKey)}
     * gives the author's private key. For authors whose private key this peer does not hold (a client that proved
     * its identity to this peer); see {@link #createRecord(ThreadId, PublicKey, byte[], AppendHook)}.
     *
     * @throws io.weft.api.NotFoundException if the thread is not stored
     * @since 1.2
     */
    LogInfo getOrCreateOwnLog(ThreadId thread, PublicKey author);

    /** The log that {@code identity} writes in the thread, if it has one. */
    Optional<LogInfo> ownLog(ThreadId thread, PublicKey identity);

    /**
     * Builds a record around {@code bodyNode} (one canonical dag-cbor node), encrypted and signed for the thread,
     * and appends it to {@code identity}'s log (created if needed) with {@code prev} = the log's head.
     *
     * @throws io.weft.api.NotFoundException     if the thread is not stored
     * @throws io.weft.api.UnauthorizedException if the thread has no read key (a replica cannot write)
     * @throws io.weft.api.InvalidInputException if {@code bodyNode} is not canonical dag-cbor
     */
    default AppendResult createRecord(ThreadId thread, PrivateKey identity, byte[] bodyNode) {
        return createRecord(thread, identity, bodyNode, AppendHook.NONE);
    }

    /**
     * As {@link #createRecord(ThreadId, PrivateKey, byte[])}, and runs {@code sameTransaction} inside the write
     * transaction that appends the record (see {@link AppendHook}): either the record and everything the hook wrote
     * commit together, or nothing does. The record is built and signed outside that transaction; if the log's head
     * moves meanwhile the record is rebuilt, and the hook runs only for the attempt that appends.
     *
     * @throws RuntimeException whatever the hook throws (nothing is then stored)
     */
    AppendResult createRecord(ThreadId thread, PrivateKey identity, byte[] bodyNode, AppendHook sameTransaction);

    /**
     * As {@link #createRecord(ThreadId, PrivateKey, byte[], AppendHook)} on behalf of an author whose private key
     * this peer does not hold: the record names {@code author} as its {@code pubKey} and is appended to the author's
     * log in the thread ({@link #getOrCreateOwnLog(ThreadId, PublicKey)}), signed with that log's key, which this
     * peer keeps. (A record is always signed by its log key, never by the author's key, so the record is the same as
     * the author would get writing through this peer with its private key.) The caller vouches for the author: use
     * it only for an identity that proved itself, as the client API does with its tokens.
     *
     * @throws io.weft.api.NotFoundException     if the thread is not stored
     * @throws io.weft.api.UnauthorizedException if the thread has no read key (a replica cannot write)
     * @throws io.weft.api.InvalidInputException if {@code bodyNode} is not canonical dag-cbor
     * @since 1.2
     */
    AppendResult createRecord(ThreadId thread, PublicKey author, byte[] bodyNode, AppendHook sameTransaction);

    /**
     * Verifies a record made elsewhere and appends it to the log. The record must verify with the log's public
     * key and the thread's service key, and its {@code prev} must be the log's current head; a record that is
     * already stored in the log is an idempotent no-op ({@link AppendResult#added()} is {@code false}). On any
     * error nothing is stored.
     *
     * @throws io.weft.api.NotFoundException     if the thread or the log (its public key) is not stored
     * @throws io.weft.api.UnauthorizedException if the record node does not decrypt with the thread's service key
     *                                           (a wrong key or an altered record node: AES-GCM cannot tell)
     * @throws io.weft.api.CorruptDataException  if the record fails any other check: signature, event/header/body
     *                                           hashes, malformed nodes
     * @throws io.weft.api.ConflictException     if its {@code prev} is not the log's head (a gap or a fork)
     */
    default AppendResult addRecord(ThreadId thread, LogId log, RecordEnvelope envelope) {
        return addRecord(thread, log, envelope, AppendHook.NONE);
    }

    /**
     * As {@link #addRecord(ThreadId, LogId, RecordEnvelope)}, and runs {@code sameTransaction} (given the verified
     * record) inside the write transaction that appends it (see {@link AppendHook}). The hook does not run for an
     * idempotent repeat of a stored record.
     *
     * @throws RuntimeException whatever the hook throws (nothing is then stored)
     */
    AppendResult addRecord(ThreadId thread, LogId log, RecordEnvelope envelope, AppendHook sameTransaction);

    /**
     * A stored record of the thread.
     *
     * @throws io.weft.api.NotFoundException if the thread or record is not stored
     */
    RecordEnvelope getRecord(ThreadId thread, Cid id);

    /**
     * A page of a log's records in log order (oldest first): at most {@code limit} records following {@code after},
     * or from the first record when {@code after} is {@code null}. An empty page means the end of the log.
     *
     * @throws io.weft.api.NotFoundException     if the thread or log is not stored, or {@code after} is not a
     *                                           record of the log
     * @throws io.weft.api.InvalidInputException if {@code limit < 1}
     */
    List<RecordEnvelope> records(ThreadId thread, LogId log, Cid after, int limit);

    /**
     * Opens a verified record of the thread (as returned by {@link #createRecord} or {@link #addRecord}) with the
     * thread's read key: the content key and the plaintext body.
     *
     * @throws io.weft.api.NotFoundException     if the thread is not stored
     * @throws io.weft.api.UnauthorizedException if the thread has no read key, or the header does not decrypt
     * @throws io.weft.api.CorruptDataException  if the body does not decrypt or the nodes do not match the event
     */
    Payload openRecord(ThreadId thread, Record record);

    /**
     * Verifies a stored record of the thread with its log's key and opens it with the thread's read key.
     *
     * @throws io.weft.api.NotFoundException     if the thread or record is not stored
     * @throws io.weft.api.UnauthorizedException if the thread has no read key, or the header does not decrypt
     * @throws io.weft.api.CorruptDataException  if the stored record fails verification
     */
    Payload openRecord(ThreadId thread, Cid id);

    /**
     * Appends consecutive records of one log, oldest first, as {@link #addRecord} would one by one (records
     * already stored are skipped: their result has {@code added() == false}). Implementations may verify in
     * parallel and commit several records per store transaction.
     *
     * @return one result per record, in order
     * @throws io.weft.api.WeftException for the first record that fails (as {@link #addRecord} would); the records
     *                                   before it are appended and stay committed
     */
    default List<AppendResult> addRecords(ThreadId thread, LogId log, List<RecordEnvelope> envelopes) {
        List<AppendResult> out = new java.util.ArrayList<>(envelopes.size());
        for (RecordEnvelope e : envelopes) {
            out.add(addRecord(thread, log, e));
        }
        return out;
    }

    /**
     * Registers a listener told of every appended record after its commit (see {@link AppendListener}).
     * Closing the registration removes it.
     */
    io.weft.api.net.Registration addAppendListener(AppendListener listener);
}
