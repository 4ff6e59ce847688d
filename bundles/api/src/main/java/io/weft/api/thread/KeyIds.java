package io.weft.api.thread;

import io.weft.api.InvalidInputException;
import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Cid;
import io.weft.api.format.Multibase;
import io.weft.api.format.Multihash;
import io.weft.api.format.Varint;
import java.nio.ByteBuffer;

/** The shared byte and text rules of {@link PeerId} and {@link LogId}: identity multihashes of public keys. */
final class KeyIds {
    /** libp2p inlines keys whose protobuf is at most this long; longer keys are hashed with sha2-256. */
    static final int MAX_INLINE_KEY = 42;
    /** libp2p {@code KeyType}: RSA, Ed25519, Secp256k1, ECDSA. */
    private static final int ED25519 = 1;
    private static final int MAX_KEY_TYPE = 3;

    private KeyIds() {
    }

    static byte[] of(PublicKey key) {
        return Multihash.identity(key.marshal()).bytes();
    }

    /**
     * Validates a binary id: a sha2-256 multihash of any key, or an identity multihash of a libp2p public key
     * protobuf. With {@code ed25519Only} the inlined key must be Ed25519 (log ids); otherwise any libp2p key
     * type short enough to inline is accepted (peer ids of secp256k1 hosts), but only Ed25519 keys are
     * checked beyond their framing.
     */
    static byte[] check(String what, byte[] bytes, boolean ed25519Only) {
        if (bytes == null) {
            throw new InvalidInputException(what + ": missing");
        }
        Multihash mh;
        try {
            mh = Multihash.decode(bytes);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(what + ": " + e.getMessage(), e);
        }
        if (mh.code() == Multihash.IDENTITY) {
            byte[] key = mh.digest();
            if (key.length > MAX_INLINE_KEY) {
                throw new InvalidInputException(what + ": inlined public key longer than " + MAX_INLINE_KEY + " bytes");
            }
            int type = keyType(what, key);
            if (type == ED25519 || ed25519Only) {
                try {
                    PublicKey.unmarshal(key);
                } catch (InvalidInputException e) {
                    throw new InvalidInputException(what + ": " + e.getMessage(), e);
                }
            }
        } else if (mh.code() != Multihash.SHA2_256) {
            throw new InvalidInputException(what + ": unsupported multihash 0x" + Long.toHexString(mh.code()));
        }
        return bytes.clone();
    }

    /** The key type of a libp2p {@code PublicKey} protobuf {@code 08 type 12 len data}, checking its framing. */
    private static int keyType(String what, byte[] key) {
        ByteBuffer in = ByteBuffer.wrap(key);
        try {
            if (Varint.read(in) != 0x08) {
                throw new InvalidInputException(what + ": inlined key is not a libp2p PublicKey protobuf");
            }
            long type = Varint.read(in);
            if (type > MAX_KEY_TYPE) {
                throw new InvalidInputException(what + ": unknown libp2p key type " + type);
            }
            if (Varint.read(in) != 0x12) {
                throw new InvalidInputException(what + ": inlined key is not a libp2p PublicKey protobuf");
            }
            long len = Varint.read(in);
            if (len != in.remaining() || len == 0) {
                throw new InvalidInputException(what + ": inlined key data length " + len + " does not match " + in.remaining());
            }
            return (int) type;
        } catch (InvalidInputException e) {
            if (e.getMessage().startsWith(what)) {
                throw e;
            }
            throw new InvalidInputException(what + ": malformed inlined key: " + e.getMessage(), e);
        }
    }

    /** Parses base58btc ({@code 12D3KooW…}, {@code Qm…}) or a multibase CIDv1 with the libp2p-key codec. */
    static byte[] parse(String what, String text, boolean ed25519Only) {
        if (text == null || text.isEmpty()) {
            throw new InvalidInputException(what + ": empty string");
        }
        try {
            if (text.startsWith("1") || text.startsWith("Qm")) {
                return check(what, Multibase.decodeRaw(Multibase.Base.BASE58_BTC, text), ed25519Only);
            }
            Cid cid = Cid.parse(text);
            if (cid.codec() != Cid.LIBP2P_KEY) {
                throw new InvalidInputException(what + ": CID codec 0x" + Long.toHexString(cid.codec()) + " is not libp2p-key");
            }
            return check(what, cid.multihash().bytes(), ed25519Only);
        } catch (InvalidInputException e) {
            if (e.getMessage().startsWith(what)) {
                throw e;
            }
            throw new InvalidInputException(what + ": " + e.getMessage(), e);
        }
    }

    static PublicKey publicKey(String what, byte[] bytes) {
        Multihash mh = Multihash.decode(bytes);
        if (mh.code() != Multihash.IDENTITY) {
            throw new InvalidInputException(what + ": the public key is not inlined (sha2-256 id)");
        }
        try {
            return PublicKey.unmarshal(mh.digest());
        } catch (InvalidInputException e) {
            throw new InvalidInputException(what + ": the inlined public key is not Ed25519", e);
        }
    }

    static String text(byte[] bytes) {
        return Multibase.encodeRaw(Multibase.Base.BASE58_BTC, bytes);
    }

    static String cidText(byte[] bytes) {
        return Cid.of(Cid.LIBP2P_KEY, Multihash.decode(bytes)).toString();
    }
}
