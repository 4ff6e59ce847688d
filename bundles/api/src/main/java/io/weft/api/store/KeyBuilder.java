package io.weft.api.store;

import io.weft.api.format.Varint;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Composes ordered binary {@link Datastore} keys: single tag bytes, length-prefixed components (so that no
 * component's bytes can run into the next one and prefix scans stay exact), and big-endian integers (which
 * sort numerically as unsigned bytes). Every Weft layout (logstore, database) builds its keys with it.
 */
public final class KeyBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

    /** Appends {@code bytes} as they are (a namespace prefix, a key suffix already encoded). */
    public KeyBuilder raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    /** Appends one tag byte. */
    public KeyBuilder tag(byte b) {
        out.write(b);
        return this;
    }

    /** Appends {@code varint(length) || bytes}. */
    public KeyBuilder component(byte[] bytes) {
        Varint.write(out, bytes.length);
        out.writeBytes(bytes);
        return this;
    }

    /** Appends the UTF-8 bytes of {@code s} as a component. */
    public KeyBuilder component(String s) {
        return component(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Appends {@code v} as 8 big-endian bytes. */
    public KeyBuilder u64(long v) {
        for (int i = 7; i >= 0; i--) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    /** Appends {@code v} as 4 big-endian bytes. */
    public KeyBuilder u32(int v) {
        for (int i = 3; i >= 0; i--) {
            out.write(v >>> (8 * i));
        }
        return this;
    }

    /** The key so far. */
    public byte[] build() {
        return out.toByteArray();
    }
}
