package io.weft.transport.libp2p.pubsub;

import com.google.protobuf.ByteString;
import io.weft.api.thread.PeerId;
import io.weft.transport.libp2p.proto.Libp2pProto.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The gossipsub message cache: messages of the last {@code historyLength} heartbeats, to answer IWANT; those of
 * the last {@code gossipLength} heartbeats are announced in IHAVE. Not thread-safe: the router guards it.
 */
final class MessageCache {
    /** A cached message and how often each peer asked for it. */
    static final class Entry {
        final Message message;
        final String topic;
        private final Map<PeerId, Integer> requests = new HashMap<>();

        Entry(Message message, String topic) {
            this.message = message;
            this.topic = topic;
        }

        /** Counts one more IWANT for this message from {@code peer}; returns the new count. */
        int requested(PeerId peer) {
            return requests.merge(peer, 1, Integer::sum);
        }
    }

    private final int historyLength;
    private final int gossipLength;
    private final Map<ByteString, Entry> messages = new HashMap<>();
    /** Ids per heartbeat window, newest first. */
    private final ArrayDeque<List<ByteString>> windows = new ArrayDeque<>();

    MessageCache(int historyLength, int gossipLength) {
        if (gossipLength > historyLength || gossipLength < 1) {
            throw new IllegalArgumentException("mcache: gossip length must be within 1..history length");
        }
        this.historyLength = historyLength;
        this.gossipLength = gossipLength;
        windows.addFirst(new ArrayList<>());
    }

    /** Adds a message to the newest window (once). */
    void put(ByteString id, String topic, Message message) {
        if (messages.putIfAbsent(id, new Entry(message, topic)) == null) {
            windows.peekFirst().add(id);
        }
    }

    /** The cached message with {@code id}, or null. */
    Entry get(ByteString id) {
        return messages.get(id);
    }

    /** Ids of the messages on {@code topic} in the gossip windows. */
    List<ByteString> gossipIds(String topic) {
        List<ByteString> ids = new ArrayList<>();
        Iterator<List<ByteString>> it = windows.iterator();
        for (int i = 0; i < gossipLength && it.hasNext(); i++) {
            for (ByteString id : it.next()) {
                Entry e = messages.get(id);
                if (e != null && e.topic.equals(topic)) {
                    ids.add(id);
                }
            }
        }
        return ids;
    }

    /** Starts a new window, forgetting the messages of the oldest one beyond the history length. */
    void shift() {
        windows.addFirst(new ArrayList<>());
        while (windows.size() > historyLength) {
            for (ByteString id : windows.removeLast()) {
                messages.remove(id);
            }
        }
    }

    int size() {
        return messages.size();
    }
}
