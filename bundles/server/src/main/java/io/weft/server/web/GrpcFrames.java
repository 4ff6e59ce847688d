package io.weft.server.web;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The byte formats shared by grpc-web and grpc-websockets: length-prefixed message frames, header/trailer frames
 * (flag 0x80, an ASCII {@code key: value\r\n} block), the request metadata filter and grpc-message percent-encoding.
 */
final class GrpcFrames {
    /** Flag byte of a message frame. */
    static final int DATA = 0x00;
    /** Flag byte of a header or trailer frame. */
    static final int TRAILER = 0x80;
    /** Length of the flag + big-endian length prefix of every frame. */
    static final int PREFIX = 5;

    /** The header set by the gateway with the client's IP address; any copy sent by the client is dropped. */
    static final String REMOTE_ADDR = "x-weft-remote-addr";
    /** The header set by the gateway with the browser's {@code Origin}, when it sent one. */
    static final String ORIGIN = "x-weft-origin";

    /** Request headers that describe the HTTP/WebSocket exchange, not the call: never forwarded as metadata. */
    private static final Set<String> DROPPED = Set.of("host", "content-type", "content-length", "x-grpc-web",
            "x-user-agent", "user-agent", "connection", "keep-alive", "upgrade", "te", "trailer", "transfer-encoding",
            "accept", "accept-encoding", "accept-language", "accept-charset", "origin", "referer", "cookie", "pragma",
            "cache-control", "expect", "dnt", "priority", "via", "forwarded", "x-forwarded-for",
            "x-forwarded-host", "x-forwarded-proto", REMOTE_ADDR, ORIGIN);
    private static final List<String> DROPPED_PREFIXES = List.of("sec-", "access-control-", "grpc-", "proxy-", ":");

    private GrpcFrames() {
    }

    /** A message frame: flag 0, length, {@code message}. */
    static ByteBuf dataFrame(ByteBufAllocator alloc, byte[] message) {
        ByteBuf b = alloc.buffer(PREFIX + message.length);
        b.writeByte(DATA).writeInt(message.length).writeBytes(message);
        return b;
    }

    /** A header/trailer frame: flag 0x80, length, the ASCII {@code block}. */
    static ByteBuf trailerFrame(ByteBufAllocator alloc, String block) {
        byte[] text = block.getBytes(StandardCharsets.US_ASCII);
        ByteBuf b = alloc.buffer(PREFIX + text.length);
        b.writeByte(TRAILER).writeInt(text.length).writeBytes(text);
        return b;
    }

    /** The header block of a response: its content type, then the response metadata. */
    static String headerBlock(String contentType, Metadata headers) {
        StringBuilder sb = new StringBuilder();
        sb.append("content-type: ").append(contentType).append("\r\n");
        for (Map.Entry<String, String> e : entries(headers)) {
            sb.append(e.getKey()).append(": ").append(e.getValue()).append("\r\n");
        }
        return sb.toString();
    }

    /** The trailer block of a response: {@code grpc-status}, {@code grpc-message} (percent-encoded), then trailers. */
    static String trailerBlock(Status status, Metadata trailers) {
        StringBuilder sb = new StringBuilder();
        sb.append("grpc-status: ").append(status.getCode().value()).append("\r\n");
        sb.append("grpc-message: ").append(percentEncode(status.getDescription())).append("\r\n");
        if (trailers != null) {
            for (Map.Entry<String, String> e : entries(trailers)) {
                sb.append(e.getKey()).append(": ").append(e.getValue()).append("\r\n");
            }
        }
        return sb.toString();
    }

    /**
     * The response metadata as text entries in order: ASCII values as they are, {@code -bin} values base64-encoded
     * (as grpc-web carries them); the status keys and {@code content-type} are left out (the caller writes them).
     */
    static List<Map.Entry<String, String>> entries(Metadata md) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (String key : md.keys()) {
            if (key.equals("content-type") || key.equals("grpc-status") || key.equals("grpc-message")
                    || key.startsWith(":")) {
                continue;
            }
            if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                Iterable<byte[]> values = md.getAll(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER));
                if (values != null) {
                    for (byte[] v : values) {
                        out.add(Map.entry(key, Base64.getEncoder().encodeToString(v)));
                    }
                }
            } else {
                Iterable<String> values = md.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
                if (values != null) {
                    for (String v : values) {
                        out.add(Map.entry(key, printable(v)));
                    }
                }
            }
        }
        return out;
    }

    private static String printable(String v) {
        StringBuilder sb = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            sb.append(c >= 0x20 && c <= 0x7e ? c : '?');
        }
        return sb.toString();
    }

    /** gRPC's encoding of {@code grpc-message}: UTF-8, bytes outside 0x20..0x7E and {@code %} as {@code %XX}. */
    static String percentEncode(String message) {
        if (message == null) {
            return "";
        }
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c < 0x20 || c > 0x7e || c == '%') {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            } else {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    /**
     * Parses a grpc-websockets header block ({@code key: value} lines separated by CRLF or LF).
     *
     * @throws StatusException INVALID_ARGUMENT if a line has no colon
     */
    static List<Map.Entry<String, String>> parseHeaderBlock(String block) throws StatusException {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (String line : block.split("\r?\n")) {
            if (line.isBlank()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw Status.INVALID_ARGUMENT.withDescription("malformed header block: a line without 'key: value'")
                        .asException();
            }
            out.add(Map.entry(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
        }
        return out;
    }

    /**
     * The call metadata from request headers: keys lower-cased, transport and reserved headers dropped (see
     * {@link #DROPPED}), {@code -bin} values base64-decoded.
     *
     * @throws StatusException INVALID_ARGUMENT for a key or value gRPC cannot carry
     */
    static Metadata toMetadata(Iterable<Map.Entry<String, String>> headers) throws StatusException {
        Metadata md = new Metadata();
        for (Map.Entry<String, String> h : headers) {
            String key = h.getKey().trim().toLowerCase(Locale.ROOT);
            if (key.isEmpty() || DROPPED.contains(key) || DROPPED_PREFIXES.stream().anyMatch(key::startsWith)) {
                continue;
            }
            String value = h.getValue();
            try {
                if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                    Metadata.Key<byte[]> k = Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER);
                    for (String part : value.split(",")) {
                        md.put(k, decodeBase64(part.trim()));
                    }
                } else {
                    for (int i = 0; i < value.length(); i++) {
                        char c = value.charAt(i);
                        if (c < 0x20 || c > 0x7e) {
                            throw Status.INVALID_ARGUMENT
                                    .withDescription("metadata '" + key + "' has a non-printable or non-ASCII value")
                                    .asException();
                        }
                    }
                    md.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value);
                }
            } catch (IllegalArgumentException e) {
                throw Status.INVALID_ARGUMENT.withDescription("invalid metadata key or value: '" + safe(key) + "'")
                        .asException();
            }
        }
        return md;
    }

    private static String safe(String key) {
        String p = printable(key);
        return p.length() > 64 ? p.substring(0, 64) + "…" : p;
    }

    /**
     * Decodes base64 (standard or URL alphabet, padded or not), also a concatenation of separately padded chunks as
     * grpc-web-text bodies may be.
     */
    static byte[] decodeBase64(String text) {
        StringBuilder clean = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isWhitespace(c)) {
                clean.append(c == '-' ? '+' : c == '_' ? '/' : c);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(clean.length() * 3 / 4 + 3);
        Base64.Decoder d = Base64.getDecoder();
        int i = 0;
        while (i < clean.length()) {
            int end = Math.min(i + 4, clean.length());
            String group = clean.substring(i, end);
            int padded = end - i;
            if (padded < 4) {
                group = group + "====".substring(0, 4 - padded);
            }
            out.writeBytes(d.decode(group));
            i = end;
        }
        return out.toByteArray();
    }

    /**
     * The {@code grpc-timeout} value ({@code 1..8 digits} and a unit {@code H M S m u n}) in nanoseconds.
     *
     * @throws StatusException INVALID_ARGUMENT if malformed
     */
    static long parseTimeoutNanos(String value) throws StatusException {
        String v = value.trim();
        if (v.length() < 2 || v.length() > 9) {
            throw badTimeout();
        }
        long amount;
        try {
            amount = Long.parseLong(v.substring(0, v.length() - 1));
        } catch (NumberFormatException e) {
            throw badTimeout();
        }
        if (amount < 0) {
            throw badTimeout();
        }
        TimeUnit unit = switch (v.charAt(v.length() - 1)) {
            case 'H' -> TimeUnit.HOURS;
            case 'M' -> TimeUnit.MINUTES;
            case 'S' -> TimeUnit.SECONDS;
            case 'm' -> TimeUnit.MILLISECONDS;
            case 'u' -> TimeUnit.MICROSECONDS;
            case 'n' -> TimeUnit.NANOSECONDS;
            default -> throw badTimeout();
        };
        return unit.toNanos(amount);
    }

    private static StatusException badTimeout() {
        return Status.INVALID_ARGUMENT.withDescription("malformed grpc-timeout").asException();
    }
}
