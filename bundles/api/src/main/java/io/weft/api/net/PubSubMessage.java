package io.weft.api.net;

import io.weft.api.thread.PeerId;

/**
 * A pubsub message whose signature has been verified (StrictSign): {@code from} is its author, not necessarily the
 * peer that forwarded it.
 *
 * @param from the author
 * @param topic the topic it was published to
 * @param data the payload (a copy)
 * @param seqno the author's 8-byte sequence number (big-endian)
 */
public record PubSubMessage(PeerId from, String topic, byte[] data, long seqno) {
    public PubSubMessage {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }
}
