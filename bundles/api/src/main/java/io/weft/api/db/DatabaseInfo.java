package io.weft.api.db;

import io.weft.api.InvalidInputException;
import io.weft.api.format.Multiaddr;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import java.util.List;

/**
 * What the manager knows about one database (threads API {@code GetDBInfoReply} plus its id): the thread id, the
 * name, the thread key (what an invitation shares) and the addresses at which the database's thread can be reached
 * ({@code <host addr>/p2p/<peer id>/thread/<thread id>}; empty while the peer has no network addresses).
 * {@link #toString()} never prints the key.
 *
 * @param id    the database's thread id
 * @param name  the database's name
 * @param key   the thread key (service key and read key); secret
 * @param addrs the thread addresses
 */
public record DatabaseInfo(ThreadId id, String name, ThreadKey key, List<Multiaddr> addrs) {
    public DatabaseInfo {
        if (id == null || name == null || key == null) {
            throw new InvalidInputException("database info: id, name and key are required");
        }
        addrs = addrs == null ? List.of() : List.copyOf(addrs);
    }

    @Override
    public String toString() {
        return "DatabaseInfo[id=" + id + ", name=" + name + ", key=" + key.redacted() + ", addrs=" + addrs + "]";
    }
}
