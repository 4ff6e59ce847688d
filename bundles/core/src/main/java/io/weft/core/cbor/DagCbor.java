package io.weft.core.cbor;

import io.weft.api.InvalidInputException;
import io.weft.api.format.Cid;
import io.weft.core.cbor.CborValue.BigIntValue;
import io.weft.core.cbor.CborValue.BoolValue;
import io.weft.core.cbor.CborValue.BytesValue;
import io.weft.core.cbor.CborValue.FloatValue;
import io.weft.core.cbor.CborValue.IntValue;
import io.weft.core.cbor.CborValue.LinkValue;
import io.weft.core.cbor.CborValue.ListValue;
import io.weft.core.cbor.CborValue.MapValue;
import io.weft.core.cbor.CborValue.NullValue;
import io.weft.core.cbor.CborValue.TextValue;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Canonical dag-cbor encoding and strict decoding of {@link CborValue}s.
 *
 * <p><b>Why hand-written.</b> A node's CID is the hash of its bytes, so every peer must produce the same bytes for
 * the same value and must refuse bytes that another encoder could have written differently. General CBOR libraries
 * (Jackson's CBOR module included) accept and often produce non-canonical forms (unsorted keys, indefinite
 * lengths, non-minimal heads, half floats) and have no tag-42 link type; this small codec does exactly dag-cbor.
 *
 * <p><b>Encoding</b> (what go-ipld-cbor/refmt and js-threads produce, and what the vectors use): map keys sorted
 * by encoded length first, then bytewise (RFC 7049 §3.9 canonical order); integer and length heads in their
 * shortest form; definite lengths only; floats always as 64-bit; links as tag 42 over a byte string
 * {@code 0x00 || CID bytes}.
 *
 * <p><b>Decoding is strict</b>: it accepts exactly the bytes {@link #encode} would produce, so
 * {@code encode(decode(b))} equals {@code b} for every accepted {@code b}. Rejected, each with an
 * {@link InvalidInputException} naming the byte offset: truncated input; trailing bytes; indefinite lengths and
 * reserved additional-information values; non-minimal integer, length and tag heads; maps with non-text,
 * unsorted or duplicate keys; tags other than 42; tag 42 over anything but a byte string of {@code 0x00} followed
 * by a valid CIDv1; invalid UTF-8; {@code undefined} and simple values other than false, true and null; half and
 * single precision floats; 64-bit NaN and ±Infinity (the IPLD data model has no such values, so they are
 * rejected in every encoding rather than canonicalised); nesting deeper than {@link #MAX_DEPTH}; and string or
 * collection lengths larger than the remaining input (so a short header cannot cause a large allocation).
 */
public final class DagCbor {
    /** Deepest nesting of lists and maps accepted (the top-level value is depth 1). */
    public static final int MAX_DEPTH = 256;

    private static final int MAJOR_UINT = 0;
    private static final int MAJOR_NINT = 1;
    private static final int MAJOR_BYTES = 2;
    private static final int MAJOR_TEXT = 3;
    private static final int MAJOR_ARRAY = 4;
    private static final int MAJOR_MAP = 5;
    private static final int MAJOR_TAG = 6;
    private static final int MAJOR_SIMPLE = 7;
    private static final int TAG_CID = 42;
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private DagCbor() {
    }

    // ================================================================== encode

    /** The canonical encoding of {@code value}. */
    public static byte[] encode(CborValue value) {
        if (value == null) {
            throw new InvalidInputException("dag-cbor: value is required");
        }
        Out out = new Out(64);
        write(out, value, 1);
        return out.toByteArray();
    }

    /** The sha2-256 dag-cbor CID of {@code value}'s encoding. */
    public static Cid cid(CborValue value) {
        return Cid.dagCbor(encode(value));
    }

    /** The encoding of a byte string holding {@code b} (a common node shape: ciphertexts). */
    public static byte[] encodeBytes(byte[] b) {
        Out out = new Out(b.length + 9);
        out.head(MAJOR_BYTES, b.length);
        out.write(b, 0, b.length);
        return out.toByteArray();
    }

    private static void write(Out out, CborValue v, int depth) {
        if (depth > MAX_DEPTH) {
            throw new InvalidInputException("dag-cbor: nesting deeper than " + MAX_DEPTH);
        }
        if (v instanceof MapValue m) {
            out.head(MAJOR_MAP, m.entries().size());
            for (Map.Entry<String, CborValue> e : m.entries().entrySet()) {
                byte[] k = Utf8.encode(e.getKey());
                out.head(MAJOR_TEXT, k.length);
                out.write(k, 0, k.length);
                write(out, e.getValue(), depth + 1);
            }
        } else if (v instanceof ListValue l) {
            out.head(MAJOR_ARRAY, l.items().size());
            for (CborValue item : l.items()) {
                write(out, item, depth + 1);
            }
        } else if (v instanceof BytesValue b) {
            byte[] raw = b.unsafeBytes();
            out.head(MAJOR_BYTES, raw.length);
            out.write(raw, 0, raw.length);
        } else if (v instanceof TextValue t) {
            byte[] s = Utf8.encode(t.value());
            out.head(MAJOR_TEXT, s.length);
            out.write(s, 0, s.length);
        } else if (v instanceof IntValue i) {
            long x = i.value();
            if (x >= 0) {
                out.head(MAJOR_UINT, x);
            } else {
                out.head(MAJOR_NINT, -1 - x); // in [0, 2^63-1]
            }
        } else if (v instanceof BigIntValue bi) {
            BigInteger x = bi.value();
            if (x.signum() >= 0) {
                out.head(MAJOR_UINT, x.longValue()); // low 64 bits, unsigned
            } else {
                out.head(MAJOR_NINT, BigInteger.ONE.negate().subtract(x).longValue());
            }
        } else if (v instanceof FloatValue f) {
            out.writeByte(0xfb);
            long bits = Double.doubleToRawLongBits(f.value());
            for (int s = 56; s >= 0; s -= 8) {
                out.writeByte((int) (bits >>> s));
            }
        } else if (v instanceof BoolValue b) {
            out.writeByte(b.value() ? 0xf5 : 0xf4);
        } else if (v instanceof NullValue) {
            out.writeByte(0xf6);
        } else if (v instanceof LinkValue l) {
            out.writeByte(0xd8);
            out.writeByte(TAG_CID);
            int n = l.cid().length() + 1;
            out.head(MAJOR_BYTES, n);
            out.writeByte(0);
            byte[] c = l.cid().bytes();
            out.write(c, 0, c.length);
        } else {
            throw new IllegalStateException("unknown CborValue " + v.getClass());
        }
    }

    /** A minimal growable byte buffer (no synchronisation, unlike ByteArrayOutputStream). */
    private static final class Out {
        private byte[] buf;
        private int len;

        Out(int capacity) {
            buf = new byte[capacity];
        }

        void ensure(int extra) {
            if (len + extra > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
            }
        }

        void writeByte(int b) {
            ensure(1);
            buf[len++] = (byte) b;
        }

        void write(byte[] b, int off, int n) {
            ensure(n);
            System.arraycopy(b, off, buf, len, n);
            len += n;
        }

        /** A head with {@code arg} read as unsigned 64-bit. */
        void head(int major, long arg) {
            int m = major << 5;
            ensure(9);
            if (arg >= 0 && arg < 24) {
                buf[len++] = (byte) (m | (int) arg);
            } else if (arg >= 0 && arg < 0x100) {
                buf[len++] = (byte) (m | 24);
                buf[len++] = (byte) arg;
            } else if (arg >= 0 && arg < 0x10000) {
                buf[len++] = (byte) (m | 25);
                buf[len++] = (byte) (arg >>> 8);
                buf[len++] = (byte) arg;
            } else if (arg >= 0 && arg < 0x100000000L) {
                buf[len++] = (byte) (m | 26);
                for (int s = 24; s >= 0; s -= 8) {
                    buf[len++] = (byte) (arg >>> s);
                }
            } else {
                buf[len++] = (byte) (m | 27);
                for (int s = 56; s >= 0; s -= 8) {
                    buf[len++] = (byte) (arg >>> s);
                }
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, len);
        }
    }

    // ================================================================== decode

    /** Decodes {@code bytes}, which must hold exactly one canonical dag-cbor value. */
    public static CborValue decode(byte[] bytes) {
        if (bytes == null) {
            throw new InvalidInputException("dag-cbor: input is required");
        }
        return decode(bytes, 0, bytes.length);
    }

    /** Decodes {@code len} bytes of {@code bytes} from {@code off}, which must hold exactly one value. */
    public static CborValue decode(byte[] bytes, int off, int len) {
        if (bytes == null || off < 0 || len < 0 || off + len > bytes.length || off + len < 0) {
            throw new InvalidInputException("dag-cbor: invalid input range");
        }
        Reader r = new Reader(bytes, off, off + len);
        if (len == 0) {
            throw r.error(off, "empty input");
        }
        CborValue v = r.value(1);
        if (r.pos != r.end) {
            throw r.error(r.pos, (r.end - r.pos) + " trailing bytes");
        }
        return v;
    }

    /**
     * Where the content of an encoded top-level byte string starts: for {@code encoded} that is exactly one
     * canonical byte string (the shape of every encrypted node), the offset of its first content byte; its length
     * is {@code encoded.length - offset}. Lets callers decrypt a node in place without decoding or copying it.
     *
     * @throws InvalidInputException if {@code encoded} is anything else
     */
    public static int byteStringOffset(byte[] encoded) {
        if (encoded == null) {
            throw new InvalidInputException("dag-cbor: input is required");
        }
        Reader r = new Reader(encoded, 0, encoded.length);
        int major = r.head();
        if (major != MAJOR_BYTES) {
            throw r.error(0, "expected a byte string, found major type " + major);
        }
        int n = r.length(0, 1, "byte string");
        if (n != r.remaining()) {
            throw r.error(r.pos + n, (r.remaining() - n) + " trailing bytes");
        }
        return r.pos;
    }

    private static final class Reader {
        final byte[] in;
        final int start;
        final int end;
        int pos;
        /** The argument of the last head; for major 0/1 an unsigned 64-bit value. */
        long arg;

        Reader(byte[] in, int start, int end) {
            this.in = in;
            this.start = start;
            this.pos = start;
            this.end = end;
        }

        InvalidInputException error(int at, String what) {
            return new InvalidInputException("dag-cbor: " + what + " at offset " + (at - start));
        }

        int remaining() {
            return end - pos;
        }

        /** Reads one head; returns its major type and leaves the argument in {@link #arg}. */
        int head() {
            int at = pos;
            if (pos >= end) {
                throw error(at, "truncated input (expected a data item)");
            }
            int ib = in[pos++] & 0xff;
            int major = ib >>> 5;
            int info = ib & 0x1f;
            if (major == MAJOR_SIMPLE) {
                arg = info;
                return major; // interpreted by the caller
            }
            if (info < 24) {
                arg = info;
            } else if (info <= 27) {
                int n = 1 << (info - 24);
                if (remaining() < n) {
                    throw error(at, "truncated input (head needs " + n + " more bytes)");
                }
                long a = 0;
                for (int i = 0; i < n; i++) {
                    a = (a << 8) | (in[pos++] & 0xff);
                }
                long min = switch (info) {
                    case 24 -> 24;
                    case 25 -> 0x100;
                    case 26 -> 0x10000;
                    default -> 0x100000000L;
                };
                if (Long.compareUnsigned(a, min) < 0) {
                    throw error(at, "non-minimal head (value " + Long.toUnsignedString(a) + " in " + (n + 1) + " bytes)");
                }
                arg = a;
            } else if (info == 31) {
                throw error(at, "indefinite length is not allowed");
            } else {
                throw error(at, "reserved additional information " + info);
            }
            return major;
        }

        /** The current {@link #arg} as a length that must fit in the remaining input at {@code minBytesEach}. */
        int length(int at, int minBytesEach, String what) {
            long a = arg;
            if (a < 0 || a > remaining() / minBytesEach) {
                throw error(at, what + " length " + Long.toUnsignedString(a) + " exceeds the remaining "
                        + remaining() + " bytes");
            }
            return (int) a;
        }

        CborValue value(int depth) {
            if (depth > MAX_DEPTH) {
                throw error(pos, "nesting deeper than " + MAX_DEPTH);
            }
            int at = pos;
            int major = head();
            switch (major) {
                case MAJOR_UINT:
                    return arg >= 0 ? new IntValue(arg) : new BigIntValue(new BigInteger(Long.toUnsignedString(arg)));
                case MAJOR_NINT:
                    if (arg >= 0) {
                        return new IntValue(-1 - arg);
                    }
                    return new BigIntValue(BigInteger.ONE.negate().subtract(new BigInteger(Long.toUnsignedString(arg))));
                case MAJOR_BYTES: {
                    int n = length(at, 1, "byte string");
                    byte[] b = Arrays.copyOfRange(in, pos, pos + n);
                    pos += n;
                    return new BytesValue(b);
                }
                case MAJOR_TEXT:
                    return new TextValue(text(at));
                case MAJOR_ARRAY: {
                    int n = length(at, 1, "list");
                    List<CborValue> items = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        items.add(value(depth + 1));
                    }
                    return new ListValue(items);
                }
                case MAJOR_MAP: {
                    int n = length(at, 2, "map");
                    LinkedHashMap<String, CborValue> entries = new LinkedHashMap<>(Math.max(4, n * 2));
                    int prevKeyStart = -1;
                    int prevKeyLen = -1;
                    for (int i = 0; i < n; i++) {
                        int keyAt = pos;
                        int km = head();
                        if (km != MAJOR_TEXT) {
                            throw error(keyAt, "map key is not a text string (major type " + km + ")");
                        }
                        int klen = length(keyAt, 1, "text");
                        int kstart = pos;
                        if (prevKeyStart >= 0) {
                            int c = klen != prevKeyLen ? Integer.compare(klen, prevKeyLen)
                                    : Arrays.compareUnsigned(in, kstart, kstart + klen, in, prevKeyStart, prevKeyStart + prevKeyLen);
                            if (c == 0) {
                                throw error(keyAt, "duplicate map key");
                            }
                            if (c < 0) {
                                throw error(keyAt, "map keys not in canonical order");
                            }
                        }
                        String key = Utf8.decode(in, kstart, klen);
                        if (key == null) {
                            throw error(keyAt, "invalid UTF-8 in map key");
                        }
                        pos += klen;
                        prevKeyStart = kstart;
                        prevKeyLen = klen;
                        entries.put(key, value(depth + 1));
                    }
                    return new MapValue(entries);
                }
                case MAJOR_TAG: {
                    if (arg != TAG_CID) {
                        throw error(at, "tag " + Long.toUnsignedString(arg) + " is not allowed (only 42)");
                    }
                    int bat = pos;
                    int bm = head();
                    if (bm != MAJOR_BYTES) {
                        throw error(bat, "tag 42 must wrap a byte string");
                    }
                    int n = length(bat, 1, "link");
                    if (n < 1 || in[pos] != 0) {
                        throw error(bat, "tag 42 byte string must start with 0x00");
                    }
                    Cid cid;
                    try {
                        cid = Cid.decode(Arrays.copyOfRange(in, pos + 1, pos + n));
                    } catch (InvalidInputException | IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
                        throw error(bat, "invalid CID in link: " + e.getMessage());
                    }
                    pos += n;
                    return new LinkValue(cid);
                }
                default: // MAJOR_SIMPLE
                    return simple(at, (int) arg);
            }
        }

        String text(int at) {
            int n = length(at, 1, "text");
            String s = Utf8.decode(in, pos, n);
            if (s == null) {
                throw error(at, "invalid UTF-8 in text string");
            }
            pos += n;
            return s;
        }

        CborValue simple(int at, int info) {
            switch (info) {
                case 20:
                    return CborValue.FALSE;
                case 21:
                    return CborValue.TRUE;
                case 22:
                    return CborValue.NULL;
                case 23:
                    throw error(at, "undefined is not allowed");
                case 25:
                    throw error(at, "half-precision floats are not allowed (dag-cbor uses 64-bit floats)");
                case 26:
                    throw error(at, "single-precision floats are not allowed (dag-cbor uses 64-bit floats)");
                case 27: {
                    if (remaining() < 8) {
                        throw error(at, "truncated input (float needs 8 bytes)");
                    }
                    long bits = 0;
                    for (int i = 0; i < 8; i++) {
                        bits = (bits << 8) | (in[pos++] & 0xff);
                    }
                    double d = Double.longBitsToDouble(bits);
                    if (Double.isNaN(d) || Double.isInfinite(d)) {
                        throw error(at, "NaN and infinities are not allowed");
                    }
                    return new FloatValue(d);
                }
                case 31:
                    throw error(at, "break outside an indefinite-length item");
                default:
                    throw error(at, "simple value " + (info == 24 ? "with extension byte" : String.valueOf(info)) + " is not allowed");
            }
        }
    }
}
