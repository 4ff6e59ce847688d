package io.weft.api.log;

import io.weft.api.thread.ThreadId;
import java.util.List;
import java.util.Optional;

/**
 * Small typed values per thread (go-threads {@code ThreadMetadata}): strings, 64-bit integers, booleans and byte
 * arrays under string keys. Each value remembers its type; reading it as another type is an
 * {@code InvalidInputException}. Keys are non-empty and at most {@value #MAX_KEY_BYTES} UTF-8 bytes.
 *
 * <p>The {@link LogService} records "one log per identity per thread" here: the key is the identity's public key
 * text (multibase base32 of its protobuf form, as in go-threads) and the value is the log id's bytes.
 *
 * <p>Values can only be stored for a thread that exists ({@code NotFoundException} otherwise).
 */
public interface ThreadMetadata {
    /** Longest key, in UTF-8 bytes. */
    int MAX_KEY_BYTES = 1024;

    Optional<String> getString(ThreadId thread, String key);

    void putString(ThreadId thread, String key, String value);

    Optional<Long> getLong(ThreadId thread, String key);

    void putLong(ThreadId thread, String key, long value);

    Optional<Boolean> getBoolean(ThreadId thread, String key);

    void putBoolean(ThreadId thread, String key, boolean value);

    /** The value (a copy). */
    Optional<byte[]> getBytes(ThreadId thread, String key);

    void putBytes(ThreadId thread, String key, byte[] value);

    /** Removes one value; returns whether it was present. */
    boolean removeMetadata(ThreadId thread, String key);

    /** Removes every value of the thread. */
    void clearMetadata(ThreadId thread);

    /** The thread's keys, sorted by their UTF-8 bytes. */
    List<String> metadataKeys(ThreadId thread);
}
