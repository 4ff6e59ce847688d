package io.weft.core.crypto;

import io.weft.api.CorruptDataException;
import io.weft.api.InvalidInputException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.crypto.PublicKey;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ed25519 (RFC 8032) signatures for identity and log keys, on BouncyCastle's low-level
 * {@code org.bouncycastle.math.ec.rfc8032.Ed25519} (no JCA provider registration, no ASN.1).
 *
 * <ul>
 *   <li>Signing passes the public key to BouncyCastle so it is not re-derived per signature; because signing
 *       with a seed and a <em>mismatched</em> public key leaks the seed, each distinct {@link PrivateKey} is checked
 *       once (its public half re-derived from the seed) before its first use, and remembered weakly.</li>
 *   <li>Verifying uses a decoded and fully validated public point ({@code validatePublicKeyFullExport}),
 *       cached per key, so repeated verification with a log's key skips point decompression. Keys that are not
 *       valid curve points, or are of small order, never verify.</li>
 * </ul>
 * Ed25519 is deterministic: the same key and message always give the same signature.
 */
public final class Ed25519 {
    /** Length of a signature. */
    public static final int SIGNATURE_LENGTH = org.bouncycastle.math.ec.rfc8032.Ed25519.SIGNATURE_SIZE;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_CACHED_POINTS = 4096;
    private static final Map<PublicKey, Object> POINTS = new ConcurrentHashMap<>();
    /** Sentinel for public keys that are not valid points. */
    private static final Object INVALID = new Object();
    private static final Map<PrivateKey, Boolean> CHECKED = Collections.synchronizedMap(new WeakHashMap<>());

    static {
        org.bouncycastle.math.ec.rfc8032.Ed25519.precompute();
    }

    private Ed25519() {
    }

    /** A new key pair from a random seed. */
    public static PrivateKey generate() {
        byte[] seed = new byte[PrivateKey.SEED_LENGTH];
        RANDOM.nextBytes(seed);
        return fromSeed(seed);
    }

    /** The key pair of a 32-byte seed. */
    public static PrivateKey fromSeed(byte[] seed) {
        if (seed == null || seed.length != PrivateKey.SEED_LENGTH) {
            throw new InvalidInputException("ed25519: seed must be " + PrivateKey.SEED_LENGTH + " bytes");
        }
        PrivateKey key = new PrivateKey(seed, new PublicKey(derivePublic(seed)));
        CHECKED.put(key, Boolean.TRUE);
        return key;
    }

    /**
     * Decodes a libp2p private key protobuf ({@code 08 01 12 40 || seed || public}) and checks that the public half
     * is the one the seed derives.
     *
     * @throws InvalidInputException if the bytes are not an Ed25519 libp2p private key
     * @throws CorruptDataException  if the public half does not match the seed
     */
    public static PrivateKey unmarshal(byte[] bytes) {
        PrivateKey key = PrivateKey.unmarshal(bytes);
        check(key);
        return key;
    }

    /** The signature of {@code message} by {@code key}. */
    public static byte[] sign(PrivateKey key, byte[] message) {
        return sign(key, message, 0, message.length);
    }

    /** The signature of {@code len} bytes of {@code message} from {@code off} by {@code key}. */
    public static byte[] sign(PrivateKey key, byte[] message, int off, int len) {
        if (key == null || message == null) {
            throw new InvalidInputException("ed25519: key and message are required");
        }
        check(key);
        byte[] seed = key.seed();
        byte[] sig = new byte[SIGNATURE_LENGTH];
        try {
            org.bouncycastle.math.ec.rfc8032.Ed25519.sign(seed, 0, key.publicKey().raw(), 0, message, off, len, sig, 0);
        } finally {
            java.util.Arrays.fill(seed, (byte) 0);
        }
        return sig;
    }

    /**
     * Whether {@code signature} is {@code key}'s signature of {@code message}. Never throws for a bad signature:
     * a null or wrong-length signature, or a key that is not a valid curve point, gives {@code false}.
     */
    public static boolean verify(PublicKey key, byte[] message, byte[] signature) {
        if (key == null || message == null) {
            return false;
        }
        return verify(key, message, 0, message.length, signature);
    }

    /** As {@link #verify(PublicKey, byte[], byte[])}, over {@code len} bytes of {@code message} from {@code off}. */
    public static boolean verify(PublicKey key, byte[] message, int off, int len, byte[] signature) {
        if (key == null || message == null || signature == null || signature.length != SIGNATURE_LENGTH
                || off < 0 || len < 0 || off + len > message.length) {
            return false;
        }
        Object point = point(key);
        if (point == INVALID) {
            return false;
        }
        return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0,
                (org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint) point, message, off, len);
    }

    private static Object point(PublicKey key) {
        Object p = POINTS.get(key);
        if (p == null) {
            p = org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyFullExport(key.raw(), 0);
            if (p == null) {
                p = INVALID;
            }
            if (POINTS.size() >= MAX_CACHED_POINTS) {
                POINTS.clear();
            }
            POINTS.put(key, p);
        }
        return p;
    }

    private static byte[] derivePublic(byte[] seed) {
        byte[] pub = new byte[PublicKey.LENGTH];
        org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, pub, 0);
        return pub;
    }

    private static void check(PrivateKey key) {
        if (CHECKED.containsKey(key)) {
            return;
        }
        byte[] seed = key.seed();
        try {
            if (!MessageDigest.isEqual(derivePublic(seed), key.publicKey().raw())) {
                throw new CorruptDataException("ed25519: private key's public half does not match its seed");
            }
        } finally {
            java.util.Arrays.fill(seed, (byte) 0);
        }
        CHECKED.put(key, Boolean.TRUE);
    }
}
