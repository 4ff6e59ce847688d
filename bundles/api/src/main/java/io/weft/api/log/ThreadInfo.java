package io.weft.api.log;

import io.weft.api.InvalidInputException;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import java.util.List;
import java.util.Optional;

/**
 * What the logstore knows about one thread (go-threads {@code thread.Info}): its id, its keys and its logs
 * (sorted by log id). {@link #toString()} never prints the key.
 *
 * @param id   the thread id
 * @param key  the thread's service key and, for members, its read key
 * @param logs the thread's logs, sorted by id
 */
public record ThreadInfo(ThreadId id, ThreadKey key, List<LogInfo> logs) {
    public ThreadInfo {
        if (id == null || key == null) {
            throw new InvalidInputException("thread info: id and key are required");
        }
        logs = logs == null ? List.of() : List.copyOf(logs);
    }

    /** The log with id {@code logId}, if the thread has it. */
    public Optional<LogInfo> log(LogId logId) {
        return logs.stream().filter(l -> l.id().equals(logId)).findFirst();
    }

    @Override
    public String toString() {
        return "ThreadInfo[id=" + id + ", key=" + key.redacted() + ", logs=" + logs + "]";
    }
}
