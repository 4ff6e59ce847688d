package io.weft.server.web;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses a grpc-web response stream (as improbable-eng's ChunkParser does): message and header/trailer frames. */
final class Frames {
    private Frames() {
    }

    /**
     * A parsed response. {@code blocks} are the 0x80 frames in order (the first the headers, the second the trailers,
     * as the JS client reads them); {@code order} the frame kinds in order ('H' block, 'M' message).
     */
    record Response(List<Map<String, String>> blocks, List<byte[]> messages, String order) {
        Map<String, String> headers() {
            return blocks.get(0);
        }

        Map<String, String> trailers() {
            return blocks.get(blocks.size() - 1);
        }

        int status() {
            return Integer.parseInt(trailers().get("grpc-status"));
        }

        String message() {
            return trailers().get("grpc-message");
        }
    }

    static Response parse(byte[] stream) {
        List<Map<String, String>> blocks = new ArrayList<>();
        List<byte[]> messages = new ArrayList<>();
        StringBuilder order = new StringBuilder();
        int i = 0;
        while (i < stream.length) {
            if (stream.length - i < 5) {
                throw new AssertionError("truncated frame prefix at " + i);
            }
            int flag = stream[i] & 0xff;
            int len = ((stream[i + 1] & 0xff) << 24) | ((stream[i + 2] & 0xff) << 16) | ((stream[i + 3] & 0xff) << 8)
                    | (stream[i + 4] & 0xff);
            if (stream.length - i - 5 < len) {
                throw new AssertionError("truncated frame at " + i);
            }
            byte[] body = new byte[len];
            System.arraycopy(stream, i + 5, body, 0, len);
            i += 5 + len;
            if (flag == 0x80) {
                blocks.add(block(new String(body, StandardCharsets.US_ASCII)));
                order.append('H');
            } else if (flag == 0) {
                messages.add(body);
                order.append('M');
            } else {
                throw new AssertionError("unexpected frame flag " + flag);
            }
        }
        return new Response(blocks, messages, order.toString());
    }

    /** A {@code key: value\r\n} block, strictly CRLF-terminated lines. */
    static Map<String, String> block(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!text.isEmpty() && !text.endsWith("\r\n")) {
            throw new AssertionError("block does not end with CRLF: " + text);
        }
        for (String line : text.split("\r\n")) {
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(": ");
            if (colon <= 0) {
                throw new AssertionError("malformed line: " + line);
            }
            out.put(line.substring(0, colon), line.substring(colon + 2));
        }
        return out;
    }

    /** A request body: one 5-byte-prefixed message. */
    static byte[] frame(byte[] message) {
        byte[] f = new byte[5 + message.length];
        f[1] = (byte) (message.length >>> 24);
        f[2] = (byte) (message.length >>> 16);
        f[3] = (byte) (message.length >>> 8);
        f[4] = (byte) message.length;
        System.arraycopy(message, 0, f, 5, message.length);
        return f;
    }
}
