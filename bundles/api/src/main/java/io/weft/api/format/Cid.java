package io.weft.api.format;

import io.weft.api.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A version 1 content identifier: {@code varint(1) || varint(codec) || multihash}. Records, events, headers
 * and bodies are addressed by the sha2-256 CID of their dag-cbor bytes. The text form is multibase base32
 * ({@code bafy…}); any supported multibase is accepted when parsing. CIDv0 is not used by Threads and is
 * rejected.
 */
public final class Cid implements Comparable<Cid> {
    /** The dag-cbor codec. */
    public static final long DAG_CBOR = 0x71;
    /** The raw-bytes codec. */
    public static final long RAW = 0x55;
    /** The libp2p public key codec (peer ids as CIDs). */
    public static final long LIBP2P_KEY = 0x72;

    private final long codec;
    private final Multihash multihash;
    private final byte[] bytes;

    private Cid(long codec, Multihash multihash) {
        this.codec = codec;
        this.multihash = multihash;
        ByteArrayOutputStream out = new ByteArrayOutputStream(40);
        Varint.write(out, 1);
        Varint.write(out, codec);
        out.writeBytes(multihash.bytes());
        this.bytes = out.toByteArray();
    }

    /** A CIDv1 with {@code codec} and {@code multihash}. */
    public static Cid of(long codec, Multihash multihash) {
        if (codec < 0) {
            throw new InvalidInputException("cid: negative codec");
        }
        if (multihash == null) {
            throw new InvalidInputException("cid: missing multihash");
        }
        return new Cid(codec, multihash);
    }

    /** The sha2-256 CIDv1 of {@code data} with {@code codec}. */
    public static Cid sha256(long codec, byte[] data) {
        return of(codec, Multihash.sha256(data));
    }

    /** The sha2-256 dag-cbor CID of encoded dag-cbor bytes. */
    public static Cid dagCbor(byte[] encoded) {
        return sha256(DAG_CBOR, encoded);
    }

    /** Decodes bytes that must hold exactly one CIDv1. */
    public static Cid decode(byte[] bytes) {
        if (bytes == null) {
            throw new InvalidInputException("cid: missing input");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        Cid cid = read(in);
        if (in.hasRemaining()) {
            throw new InvalidInputException("cid: " + in.remaining() + " trailing bytes");
        }
        return cid;
    }

    /** Reads one CIDv1 at the buffer's position. */
    public static Cid read(ByteBuffer in) {
        if (in.remaining() >= 2 && in.get(in.position()) == 0x12 && in.get(in.position() + 1) == 0x20) {
            throw new InvalidInputException("cid: CIDv0 is not supported");
        }
        long version = Varint.read(in);
        if (version != 1) {
            throw new InvalidInputException("cid: unsupported version " + version);
        }
        long codec = Varint.read(in);
        return new Cid(codec, Multihash.read(in));
    }

    /** Parses the multibase text form. */
    public static Cid parse(String text) {
        return decode(Multibase.decode(text));
    }

    /** The codec (for example {@link #DAG_CBOR}). */
    public long codec() {
        return codec;
    }

    /** The multihash. */
    public Multihash multihash() {
        return multihash;
    }

    /** The binary form (a copy). */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The binary length, without copying. */
    public int length() {
        return bytes.length;
    }

    /** Whether this CID's multihash is the sha2-256 of {@code data}. */
    public boolean matches(byte[] data) {
        return multihash.code() == Multihash.SHA2_256 && multihash.equals(Multihash.sha256(data));
    }

    /** Text in {@code base}. */
    public String toString(Multibase.Base base) {
        return Multibase.encode(base, bytes);
    }

    /** Base32 text ({@code bafy…}). */
    @Override
    public String toString() {
        return Multibase.encode(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cid c && Arrays.equals(c.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Orders by binary form, unsigned. */
    @Override
    public int compareTo(Cid o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }
}
