package io.weft.net;

import io.weft.api.log.Head;
import io.weft.api.thread.LogId;
import io.weft.api.thread.PeerId;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * The digests two peers compare before syncing a thread (go-threads' "edges"): 64-bit FNV-1a over the thread's
 * sorted (log id, head id) pairs, and over its sorted (log id, hosting peer id) pairs. Equal digests mean nothing to
 * fetch; {@link #EMPTY} means the thread has no heads (or no hosts). Unlike go-threads, the address edge covers the
 * peer ids that host each log rather than full multiaddrs, so a peer that changed its port or announces different
 * interfaces does not look different.
 */
final class Edges {
    static final long EMPTY = 0L;
    private static final long OFFSET = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;

    private Edges() {
    }

    static long heads(Map<LogId, Head> heads) {
        byte[][] items = heads.entrySet().stream()
                .filter(e -> !e.getValue().isEmpty())
                .map(e -> concat(e.getKey().bytes(), e.getValue().cid().bytes()))
                .toArray(byte[][]::new);
        return digest(items);
    }

    static long addrs(Map<LogId, ? extends Collection<PeerId>> hosts) {
        int n = hosts.values().stream().mapToInt(Collection::size).sum();
        byte[][] items = new byte[n][];
        int i = 0;
        for (Map.Entry<LogId, ? extends Collection<PeerId>> e : hosts.entrySet()) {
            for (PeerId p : Set.copyOf(e.getValue())) {
                items[i++] = concat(e.getKey().bytes(), p.bytes());
            }
        }
        return digest(Arrays.copyOf(items, i));
    }

    private static long digest(byte[][] items) {
        if (items.length == 0) {
            return EMPTY;
        }
        Arrays.sort(items, Arrays::compareUnsigned);
        long h = OFFSET;
        for (byte[] item : items) {
            for (byte b : item) {
                h ^= (b & 0xff);
                h *= PRIME;
            }
        }
        return h == EMPTY ? 1 : h;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
