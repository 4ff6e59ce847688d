package io.weft.transport.libp2p.noise;

import io.weft.api.net.TransportException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A Noise {@code CipherState} for ChaChaPoly: a 32-byte key and a 64-bit message counter. The 12-byte
 * ChaCha20-Poly1305 nonce is 4 zero bytes followed by the counter in little-endian order (Noise spec §12.3).
 *
 * <p>Uses the cipher {@link ChaChaPoly} chooses (BoringSSL through Conscrypt, else the JDK's, which measured faster
 * than BouncyCastle's on JDK 17 for 64 KiB frames), one {@link Cipher} object per state, re-initialised per
 * message. Without a key
 * the state passes bytes through unchanged, as the Noise spec requires during the first handshake message. Not
 * thread-safe: one state belongs to one direction of one connection.
 */
public final class CipherState {
    /** Length of a ChaChaPoly authentication tag. */
    public static final int TAG_LENGTH = 16;
    /** Length of a key. */
    public static final int KEY_LENGTH = 32;
    private static final long MAX_NONCE = 0xFFFF_FFFF_FFFF_FFFFL; // reserved by the Noise spec (2^64 - 1)

    private final Cipher cipher;
    private final byte[] iv = new byte[12];
    private SecretKeySpec key;
    private long nonce;
    private byte[] privateIn = new byte[0];
    private byte[] privateOut = new byte[0];

    /** A state without a key (pass-through). */
    CipherState() {
        this.cipher = ChaChaPoly.newCipher();
    }

    /** Sets a new key and resets the counter. */
    void initializeKey(byte[] k) {
        if (k.length != KEY_LENGTH) {
            throw new IllegalArgumentException("noise: cipher key must be 32 bytes");
        }
        this.key = new SecretKeySpec(k, "ChaCha20");
        this.nonce = 0;
    }

    /** Whether a key is set. */
    public boolean hasKey() {
        return key != null;
    }

    /** The counter of the next message. */
    public long nonce() {
        return nonce;
    }

    /**
     * Encrypts {@code len} bytes of {@code in} from {@code inOff} with associated data {@code ad} (may be null) into
     * {@code out} at {@code outOff}; returns the number of bytes written ({@code len + 16} with a key, {@code len}
     * without). The output must not overlap the input.
     */
    public int encrypt(byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        if (key == null) {
            System.arraycopy(in, inOff, out, outOff, len);
            return len;
        }
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, nextIv());
            if (ad != null && ad.length > 0) {
                cipher.updateAAD(ad);
            }
            return run(in, inOff, len, out, outOff);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("noise: encryption failed", e);
        }
    }

    /**
     * Decrypts and authenticates {@code len} bytes of {@code in} from {@code inOff} into {@code out} at
     * {@code outOff}; returns the plaintext length. A failed authentication does not advance the counter.
     *
     * @throws TransportException {@code PROTOCOL_ERROR} if the ciphertext is too short or does not authenticate
     */
    public int decrypt(byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) throws TransportException {
        if (key == null) {
            System.arraycopy(in, inOff, out, outOff, len);
            return len;
        }
        checkDecryptable(len);
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, ivFor(nonce));
            if (ad != null && ad.length > 0) {
                cipher.updateAAD(ad);
            }
            int n = run(in, inOff, len, out, outOff);
            nonce++;
            return n;
        } catch (AEADBadTagException e) {
            throw new TransportException(TransportException.Kind.PROTOCOL_ERROR, "noise: message failed authentication");
        } catch (GeneralSecurityException e) {
            throw new TransportException(TransportException.Kind.PROTOCOL_ERROR, "noise: decryption failed", e);
        }
    }

    /**
     * Runs the initialised cipher over {@code len} bytes. The native cipher gets arrays private to this state: it
     * copies whole Java arrays across JNI and back, which would overwrite concurrent writes by other threads to
     * other regions of the same array (pooled Netty buffers share large arrays).
     */
    private int run(byte[] in, int inOff, int len, byte[] out, int outOff) throws GeneralSecurityException {
        if (!ChaChaPoly.isNative()) {
            return cipher.doFinal(in, inOff, len, out, outOff);
        }
        int max = len + TAG_LENGTH;
        if (privateIn.length < max) {
            privateIn = new byte[Math.max(max, 65535)];
            privateOut = new byte[privateIn.length];
        }
        System.arraycopy(in, inOff, privateIn, 0, len);
        int n = cipher.doFinal(privateIn, 0, len, privateOut, 0);
        System.arraycopy(privateOut, 0, out, outOff, n);
        return n;
    }

    /**
     * Encrypts the remaining bytes of {@code in} into {@code out} (both positions advance) without associated data;
     * returns the number of bytes written. With the native cipher both must be direct buffers: they are read and
     * written in place, with no copy.
     */
    int encrypt(ByteBuffer in, ByteBuffer out) {
        if (key == null) {
            int n = in.remaining();
            out.put(in);
            return n;
        }
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, nextIv());
            return cipher.doFinal(in, out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("noise: encryption failed", e);
        }
    }

    /**
     * Decrypts and authenticates the remaining bytes of {@code in} into {@code out} (positions advance); returns the
     * plaintext length. A failed authentication does not advance the counter.
     *
     * @throws TransportException {@code PROTOCOL_ERROR} if the ciphertext is too short or does not authenticate
     */
    int decrypt(ByteBuffer in, ByteBuffer out) throws TransportException {
        if (key == null) {
            int n = in.remaining();
            out.put(in);
            return n;
        }
        checkDecryptable(in.remaining());
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, ivFor(nonce));
            int n = cipher.doFinal(in, out);
            nonce++;
            return n;
        } catch (AEADBadTagException e) {
            throw new TransportException(TransportException.Kind.PROTOCOL_ERROR, "noise: message failed authentication");
        } catch (GeneralSecurityException e) {
            throw new TransportException(TransportException.Kind.PROTOCOL_ERROR, "noise: decryption failed", e);
        }
    }

    private void checkDecryptable(int len) throws TransportException {
        if (len < TAG_LENGTH) {
            throw new TransportException(TransportException.Kind.PROTOCOL_ERROR,
                    "noise: ciphertext of " + len + " bytes is shorter than its tag");
        }
        if (nonce == MAX_NONCE) {
            throw new TransportException(TransportException.Kind.PROTOCOL_ERROR, "noise: nonce space exhausted");
        }
    }

    /** Encrypts a whole array (convenience for handshake messages and tests). */
    public byte[] encrypt(byte[] ad, byte[] plaintext) {
        byte[] out = new byte[plaintext.length + (key == null ? 0 : TAG_LENGTH)];
        encrypt(ad, plaintext, 0, plaintext.length, out, 0);
        return out;
    }

    /** Decrypts a whole array (convenience for handshake messages and tests). */
    public byte[] decrypt(byte[] ad, byte[] ciphertext) throws TransportException {
        return decrypt(ad, ciphertext, 0, ciphertext.length);
    }

    /** Decrypts {@code len} bytes of {@code in} from {@code off} into a new array. */
    public byte[] decrypt(byte[] ad, byte[] in, int off, int len) throws TransportException {
        if (key != null && len < TAG_LENGTH) {
            throw new TransportException(TransportException.Kind.PROTOCOL_ERROR,
                    "noise: ciphertext of " + len + " bytes is shorter than its tag");
        }
        byte[] out = new byte[key == null ? len : len - TAG_LENGTH];
        decrypt(ad, in, off, len, out, 0);
        return out;
    }

    /** Forgets the key. */
    void destroy() {
        key = null;
        nonce = 0;
    }

    private IvParameterSpec nextIv() {
        if (nonce == MAX_NONCE) {
            throw new IllegalStateException("noise: nonce space exhausted");
        }
        return ivFor(nonce++);
    }

    private IvParameterSpec ivFor(long n) {
        Arrays.fill(iv, 0, 4, (byte) 0);
        for (int i = 0; i < 8; i++) {
            iv[4 + i] = (byte) (n >>> (8 * i));
        }
        return new IvParameterSpec(iv);
    }
}
