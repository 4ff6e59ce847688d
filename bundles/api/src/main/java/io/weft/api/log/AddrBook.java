package io.weft.api.log;

import io.weft.api.format.Multiaddr;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * The multiaddresses of logs (paper §3.1.2; go-threads {@code AddrBook}): per (thread, log), a set of addresses,
 * each with a time-to-live. An address whose TTL has passed is never returned; it is removed on the next write to
 * the same log's addresses, or by {@link #purgeExpired()}, which the service runs periodically. Times come from the
 * implementation's clock.
 *
 * <p>Addresses can only be stored for a thread that exists ({@code NotFoundException} otherwise); the log need not
 * have keys yet.
 */
public interface AddrBook {

    /** The TTL of an address that never expires. Any TTL so large that the expiry time overflows is permanent too. */
    Duration PERMANENT = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);

    /**
     * Adds addresses or extends their lifetime: an address already present keeps the later of its current and its
     * new expiry time. A zero or negative {@code ttl} adds nothing.
     */
    void addAddrs(ThreadId thread, LogId log, Collection<Multiaddr> addrs, Duration ttl);

    /** {@link #addAddrs} for one address. */
    default void addAddr(ThreadId thread, LogId log, Multiaddr addr, Duration ttl) {
        addAddrs(thread, log, List.of(addr), ttl);
    }

    /**
     * Sets the addresses' expiry to now + {@code ttl}, shortening or extending it; a zero or negative {@code ttl}
     * removes them. Addresses of the log that are not named are left alone.
     */
    void setAddrs(ThreadId thread, LogId log, Collection<Multiaddr> addrs, Duration ttl);

    /** {@link #setAddrs} for one address. */
    default void setAddr(ThreadId thread, LogId log, Multiaddr addr, Duration ttl) {
        setAddrs(thread, log, List.of(addr), ttl);
    }

    /** The log's unexpired addresses, sorted by their binary form. */
    List<Multiaddr> addrs(ThreadId thread, LogId log);

    /** Removes every address of the log. */
    void clearAddrs(ThreadId thread, LogId log);

    /** The thread's logs that have at least one unexpired address, sorted by id. */
    List<LogId> logsWithAddrs(ThreadId thread);

    /**
     * Removes every expired address of every thread.
     *
     * @return how many addresses were removed
     */
    int purgeExpired();
}
