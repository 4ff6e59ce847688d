package io.weft.transport.libp2p.mss;

import io.netty.buffer.ByteBuf;
import io.weft.api.format.Varint;
import io.weft.api.net.TransportException;
import io.weft.api.net.TransportException.Kind;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * multistream-select 1.0 line framing: each message is an unsigned-varint length (counting the trailing newline),
 * the UTF-8 text, and {@code '\n'}. Decoding enforces the limits js-libp2p uses: at most a 2-byte varint and
 * {@value #MAX_MESSAGE_LENGTH} bytes per message; anything else is a {@code PROTOCOL_ERROR}.
 */
public final class MultistreamCodec {
    /** The protocol header both sides send first. */
    public static final String HEADER = "/multistream/1.0.0";
    /** The refusal of a proposal. */
    public static final String NA = "na";
    /** The request to list supported protocols. */
    public static final String LS = "ls";
    /** Largest message (text plus newline) accepted. */
    public static final int MAX_MESSAGE_LENGTH = 1024;
    /** Largest number of proposals answered or made on one negotiation. */
    public static final int MAX_ROUNDS = 16;

    private MultistreamCodec() {
    }

    /** The concatenated framed encoding of {@code lines}. */
    public static byte[] encode(String... lines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : lines) {
            byte[] text = line.getBytes(StandardCharsets.UTF_8);
            Varint.write(out, text.length + 1);
            out.write(text, 0, text.length);
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** Appends the framed encoding of {@code line} to {@code out}. */
    public static void encode(ByteBuf out, String line) {
        out.writeBytes(encode(line));
    }

    /**
     * The body of an {@code ls} answer (one framed line per protocol, then {@code '\n'}), to be sent as one
     * length-prefixed message, as go-multistream does.
     */
    public static byte[] lsBody(Collection<String> protocols) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String p : protocols) {
            byte[] line = encode(p);
            out.write(line, 0, line.length);
        }
        out.write('\n');
        return out.toByteArray();
    }

    /** {@code body} preceded by its unsigned-varint length. */
    public static byte[] frame(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 3);
        Varint.write(out, body.length);
        out.write(body, 0, body.length);
        return out.toByteArray();
    }

    /**
     * Decodes one framed line from {@code in}, without its newline; returns null (consuming nothing) if the message
     * is not complete yet.
     *
     * @throws TransportException {@code PROTOCOL_ERROR} for a bad varint, an over-long or empty message, a missing
     *                            newline or invalid UTF-8 (the input is then left as it was)
     */
    public static String decode(ByteBuf in) throws TransportException {
        int start = in.readerIndex();
        int available = in.readableBytes();
        if (available < 1) {
            return null;
        }
        int b0 = in.getUnsignedByte(start);
        int length;
        int prefix;
        if ((b0 & 0x80) == 0) {
            length = b0;
            prefix = 1;
        } else {
            if (available < 2) {
                return null;
            }
            int b1 = in.getUnsignedByte(start + 1);
            if ((b1 & 0x80) != 0) {
                throw new TransportException(Kind.PROTOCOL_ERROR, "multistream: length prefix longer than 2 bytes");
            }
            if (b1 == 0) {
                throw new TransportException(Kind.PROTOCOL_ERROR, "multistream: non-minimal length prefix");
            }
            length = (b0 & 0x7F) | (b1 << 7);
            prefix = 2;
        }
        checkLength(length);
        if (available < prefix + length) {
            return null;
        }
        byte[] body = new byte[length];
        in.getBytes(start + prefix, body);
        String line = decodeMessage(body);
        in.readerIndex(start + prefix + length);
        return line;
    }

    /**
     * Decodes the body of one message (its length prefix already removed, as {@code Stream.readMessage} does):
     * checks the trailing newline and UTF-8 and returns the text without the newline.
     */
    public static String decodeMessage(byte[] body) throws TransportException {
        if (body == null) {
            throw new TransportException(Kind.PROTOCOL_ERROR, "multistream: missing message");
        }
        checkLength(body.length);
        if (body[body.length - 1] != '\n') {
            throw new TransportException(Kind.PROTOCOL_ERROR, "multistream: message does not end with a newline");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body, 0, body.length - 1))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new TransportException(Kind.PROTOCOL_ERROR, "multistream: message is not valid UTF-8");
        }
    }

    /** Rejects protocol names that cannot be sent (empty, too long, or containing a newline). */
    static void checkProtocol(String protocol) {
        if (protocol == null || protocol.isEmpty() || protocol.indexOf('\n') >= 0
                || protocol.getBytes(StandardCharsets.UTF_8).length + 1 > MAX_MESSAGE_LENGTH) {
            throw new IllegalArgumentException("multistream: invalid protocol name");
        }
    }

    private static void checkLength(int length) throws TransportException {
        if (length == 0) {
            throw new TransportException(Kind.PROTOCOL_ERROR, "multistream: empty message");
        }
        if (length > MAX_MESSAGE_LENGTH) {
            throw new TransportException(Kind.PROTOCOL_ERROR,
                    "multistream: message of " + length + " bytes exceeds " + MAX_MESSAGE_LENGTH);
        }
    }
}
