package io.weft.core.cbor;

import io.weft.api.InvalidInputException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8: malformed input and unpaired surrogates are errors, never replaced. */
final class Utf8 {
    private Utf8() {
    }

    static byte[] encode(String s) {
        // fast path: pure ASCII, the common case for map keys
        int n = s.length();
        boolean ascii = true;
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return s.getBytes(StandardCharsets.US_ASCII);
        }
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new InvalidInputException("dag-cbor: text contains an unpaired surrogate");
        }
    }

    /** Decodes {@code len} bytes at {@code off}; returns null if they are not valid UTF-8. */
    static String decode(byte[] in, int off, int len) {
        boolean ascii = true;
        for (int i = off; i < off + len; i++) {
            if (in[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(in, off, len, StandardCharsets.US_ASCII);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(in, off, len))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
