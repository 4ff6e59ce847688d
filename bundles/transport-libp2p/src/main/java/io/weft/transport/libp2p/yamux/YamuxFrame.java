package io.weft.transport.libp2p.yamux;

import io.netty.buffer.ByteBuf;

/**
 * A yamux frame header: version 0, type, flags, stream id and length, 12 bytes big-endian. {@code streamId} and
 * {@code length} are unsigned 32-bit values held in an {@code int}. The length is the payload size of a data frame,
 * the window delta of a window update, the opaque value of a ping and the error code of a go-away.
 */
record YamuxFrame(int version, int type, int flags, int streamId, int length) {
    static final int HEADER_LENGTH = 12;
    static final int VERSION = 0;

    static final int TYPE_DATA = 0;
    static final int TYPE_WINDOW_UPDATE = 1;
    static final int TYPE_PING = 2;
    static final int TYPE_GO_AWAY = 3;

    static final int FLAG_SYN = 1;
    static final int FLAG_ACK = 2;
    static final int FLAG_FIN = 4;
    static final int FLAG_RST = 8;

    static final int GO_AWAY_NORMAL = 0;
    static final int GO_AWAY_PROTOCOL_ERROR = 1;
    static final int GO_AWAY_INTERNAL_ERROR = 2;

    /** A version-0 header. */
    YamuxFrame(int type, int flags, int streamId, int length) {
        this(VERSION, type, flags, streamId, length);
    }

    /** Writes this header (12 bytes) to {@code out}. */
    void encode(ByteBuf out) {
        encode(out, version, type, flags, streamId, length);
    }

    /** Writes a version-0 header to {@code out}. */
    static void encode(ByteBuf out, int type, int flags, int streamId, int length) {
        encode(out, VERSION, type, flags, streamId, length);
    }

    private static void encode(ByteBuf out, int version, int type, int flags, int streamId, int length) {
        out.writeByte(version);
        out.writeByte(type);
        out.writeShort(flags);
        out.writeInt(streamId);
        out.writeInt(length);
    }

    /** Reads a header from the 12 bytes at {@code in}'s reader index and advances past them; no validation. */
    static YamuxFrame decode(ByteBuf in) {
        int version = in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedShort();
        int streamId = in.readInt();
        int length = in.readInt();
        return new YamuxFrame(version, type, flags, streamId, length);
    }

    /** The length as an unsigned value. */
    long unsignedLength() {
        return Integer.toUnsignedLong(length);
    }

    static String typeName(int type) {
        return switch (type) {
            case TYPE_DATA -> "DATA";
            case TYPE_WINDOW_UPDATE -> "WINDOW_UPDATE";
            case TYPE_PING -> "PING";
            case TYPE_GO_AWAY -> "GO_AWAY";
            default -> "TYPE_" + type;
        };
    }

    @Override
    public String toString() {
        return typeName(type) + "(v" + version + " flags=" + flags + " stream=" + Integer.toUnsignedString(streamId)
                + " length=" + Integer.toUnsignedString(length) + ")";
    }
}
