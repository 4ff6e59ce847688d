package io.weft.api.thread;

import io.weft.api.InvalidInputException;
import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Cid;
import io.weft.api.format.Multibase;
import io.weft.api.format.Multihash;

/** The shared byte and text rules of {@link PeerId} and {@link LogId}: identity multihashes of public keys. */
final class KeyIds {
    private KeyIds() {
    }

    static byte[] of(PublicKey key) {
        return Multihash.identity(key.marshal()).bytes();
    }

    /** Validates a binary id: an identity multihash of an Ed25519 key, or a sha2-256 multihash of any key. */
    static byte[] check(String what, byte[] bytes) {
        if (bytes == null) {
            throw new InvalidInputException(what + ": missing");
        }
        Multihash mh = Multihash.decode(bytes);
        if (mh.code() == Multihash.IDENTITY) {
            PublicKey.unmarshal(mh.digest());
        } else if (mh.code() != Multihash.SHA2_256) {
            throw new InvalidInputException(what + ": unsupported multihash 0x" + Long.toHexString(mh.code()));
        }
        return bytes.clone();
    }

    /** Parses base58btc ({@code 12D3KooW…}, {@code Qm…}) or a multibase CIDv1 with the libp2p-key codec. */
    static byte[] parse(String what, String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidInputException(what + ": empty string");
        }
        if (text.startsWith("1") || text.startsWith("Qm")) {
            return check(what, Multibase.decodeRaw(Multibase.Base.BASE58_BTC, text));
        }
        Cid cid = Cid.parse(text);
        if (cid.codec() != Cid.LIBP2P_KEY) {
            throw new InvalidInputException(what + ": CID codec 0x" + Long.toHexString(cid.codec()) + " is not libp2p-key");
        }
        return check(what, cid.multihash().bytes());
    }

    static PublicKey publicKey(String what, byte[] bytes) {
        Multihash mh = Multihash.decode(bytes);
        if (mh.code() != Multihash.IDENTITY) {
            throw new InvalidInputException(what + ": the public key is not inlined (sha2-256 id)");
        }
        return PublicKey.unmarshal(mh.digest());
    }

    static String text(byte[] bytes) {
        return Multibase.encodeRaw(Multibase.Base.BASE58_BTC, bytes);
    }

    static String cidText(byte[] bytes) {
        return Cid.of(Cid.LIBP2P_KEY, Multihash.decode(bytes)).toString();
    }
}
