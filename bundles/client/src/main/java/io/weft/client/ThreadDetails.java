package io.weft.client;

import io.weft.api.format.Multiaddr;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import java.util.List;

/**
 * A thread as the thread API reports it: id, key ({@code null} if the peer did not send one), logs, and the
 * thread addresses at which the peer serves it. {@link #toString()} does not print the key.
 */
public record ThreadDetails(ThreadId id, ThreadKey key, List<LogDetails> logs, List<Multiaddr> addrs) {
    public ThreadDetails {
        logs = logs == null ? List.of() : List.copyOf(logs);
        addrs = addrs == null ? List.of() : List.copyOf(addrs);
    }

    /** The number of records over all logs. */
    public long records() {
        return logs.stream().mapToLong(LogDetails::counter).sum();
    }

    @Override
    public String toString() {
        return "ThreadDetails[id=" + id + ", key=" + (key == null ? "none" : key.redacted()) + ", logs=" + logs
                + ", addrs=" + addrs + "]";
    }
}
