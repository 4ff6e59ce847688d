package io.weft.api.thread;

import io.weft.api.InvalidInputException;
import io.weft.api.format.Multiaddr;
import java.util.ArrayList;
import java.util.List;

/**
 * An invitation to a thread: where to fetch it (one or more thread multiaddrs
 * {@code …/p2p/<host peer id>/thread/<thread id>}) and its key, in one copy-pasteable string
 * {@code <addr>[,<addr>…]#<key>}. An invite with only the service key makes the receiver a replica: it stores,
 * verifies and serves the records but cannot read them.
 *
 * <p>{@link #text()} prints the secret keys; {@link #toString()} does not.
 */
public record ThreadInvite(List<Multiaddr> addrs, ThreadKey key) {
    /** Longest accepted invite text. */
    public static final int MAX_TEXT_LENGTH = 16 * 1024;

    public ThreadInvite {
        if (addrs == null || addrs.isEmpty() || key == null) {
            throw new InvalidInputException("thread invite: at least one address and the key are required");
        }
        addrs = List.copyOf(addrs);
        ThreadId thread = null;
        for (Multiaddr a : addrs) {
            ThreadId t = a.threadId().orElseThrow(() -> new InvalidInputException(
                    "thread invite: address " + a + " has no /thread/ component"));
            if (a.peerId().isEmpty()) {
                throw new InvalidInputException("thread invite: address " + a + " has no /p2p/ component");
            }
            if (thread != null && !thread.equals(t)) {
                throw new InvalidInputException("thread invite: addresses name different threads");
            }
            thread = t;
        }
    }

    /** The invited thread. */
    public ThreadId threadId() {
        return addrs.get(0).threadId().orElseThrow();
    }

    /** The peers to fetch the thread from, in address order, without duplicates. */
    public List<PeerId> peers() {
        List<PeerId> out = new ArrayList<>();
        for (Multiaddr a : addrs) {
            PeerId p = a.peerId().orElseThrow();
            if (!out.contains(p)) {
                out.add(p);
            }
        }
        return out;
    }

    /** Whether the invite carries the read key (a reader or writer) or only the service key (a replica). */
    public boolean canRead() {
        return key.canRead();
    }

    /** The same invite with the service key only: what a replica should receive. */
    public ThreadInvite replicaOnly() {
        return new ThreadInvite(addrs, key.serviceOnly());
    }

    /**
     * Parses {@code <addr>[,<addr>…]#<key>}; surrounding whitespace is ignored.
     *
     * @throws InvalidInputException if the text is not such an invite
     */
    public static ThreadInvite parse(String text) {
        if (text == null) {
            throw new InvalidInputException("thread invite: text is required");
        }
        String t = text.strip();
        if (t.length() > MAX_TEXT_LENGTH) {
            throw new InvalidInputException("thread invite: longer than " + MAX_TEXT_LENGTH + " characters");
        }
        int hash = t.lastIndexOf('#');
        if (hash < 0) {
            throw new InvalidInputException("thread invite: expected <address>[,<address>…]#<key>, found no '#'");
        }
        List<Multiaddr> addrs = new ArrayList<>();
        for (String part : t.substring(0, hash).split(",")) {
            if (!part.isBlank()) {
                addrs.add(Multiaddr.parse(part.strip()));
            }
        }
        ThreadKey key;
        try {
            key = ThreadKey.parse(t.substring(hash + 1).strip());
        } catch (InvalidInputException e) {
            throw new InvalidInputException("thread invite: the key after '#' is not a thread key");
        }
        return new ThreadInvite(addrs, key);
    }

    /** The shareable text {@code <addr>[,<addr>…]#<key>}. <b>This prints the secret keys.</b> */
    public String text() {
        StringBuilder b = new StringBuilder();
        for (Multiaddr a : addrs) {
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(a);
        }
        return b.append('#').append(key).toString();
    }

    /** A description safe for logs: the addresses and which keys are present, no key material. */
    @Override
    public String toString() {
        return "ThreadInvite[addrs=" + addrs + ", key=" + key.redacted() + "]";
    }
}
