package io.weft.core.crypto;

import io.weft.api.CorruptDataException;
import io.weft.api.InvalidInputException;
import io.weft.api.UnauthorizedException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM as the Threads protocol uses it (textileio/crypto {@code symmetric}): a random 12-byte nonce, no
 * associated data, output {@code nonce || ciphertext || tag(16)}.
 *
 * <p><b>Why the JDK.</b> This uses the JDK's {@code AES/GCM/NoPadding} cipher: a well-kept implementation with
 * AES-NI and CLMUL intrinsics on common CPUs, available in every OSGi framework without an extra bundle. Tink's
 * raw AES-GCM primitive is a thin wrapper over this same JCE cipher, and Tink itself is not an OSGi bundle (it
 * would need wrapping), so it would add weight and no safety here.
 *
 * <p><b>Errors.</b> Decryption fails with {@link CorruptDataException} when the input is shorter than
 * {@link #OVERHEAD} bytes (it cannot be a ciphertext at all), and with {@link UnauthorizedException} when the tag
 * does not verify: GCM cannot tell a wrong key from altered bytes, and "this key does not open these bytes" is
 * the one thing known. Callers that know the key to be right (for example a content key taken from an
 * authenticated header) translate that to {@link CorruptDataException}. Messages never include key, nonce,
 * ciphertext or plaintext bytes.
 */
public final class AesGcm {
    /** Key length (AES-256). */
    public static final int KEY_LENGTH = 32;
    /** Nonce length. */
    public static final int NONCE_LENGTH = 12;
    /** Authentication tag length. */
    public static final int TAG_LENGTH = 16;
    /** Bytes added by encryption: nonce and tag. */
    public static final int OVERHEAD = NONCE_LENGTH + TAG_LENGTH;

    private static final SecureRandom RANDOM = new SecureRandom();

    private AesGcm() {
    }

    /** A new random 32-byte key. */
    public static byte[] generateKey() {
        byte[] k = new byte[KEY_LENGTH];
        RANDOM.nextBytes(k);
        return k;
    }

    /** Encrypts {@code plaintext} under {@code key} with a fresh random nonce: {@code nonce || ct || tag}. */
    public static byte[] encrypt(byte[] key, byte[] plaintext) {
        byte[] nonce = new byte[NONCE_LENGTH];
        RANDOM.nextBytes(nonce);
        return encrypt(key, nonce, plaintext);
    }

    /**
     * Encrypts with the given nonce. <b>Only for reproducing fixed test vectors</b>: reusing a nonce under the same
     * key destroys GCM's confidentiality and authenticity. Production code calls {@link #encrypt(byte[], byte[])}.
     */
    public static byte[] encrypt(byte[] key, byte[] nonce, byte[] plaintext) {
        checkKey(key);
        if (nonce == null || nonce.length != NONCE_LENGTH) {
            throw new InvalidInputException("aes-gcm: nonce must be " + NONCE_LENGTH + " bytes");
        }
        if (plaintext == null) {
            throw new InvalidInputException("aes-gcm: plaintext is required");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_LENGTH * 8, nonce));
            byte[] out = new byte[NONCE_LENGTH + plaintext.length + TAG_LENGTH];
            System.arraycopy(nonce, 0, out, 0, NONCE_LENGTH);
            int n = c.doFinal(plaintext, 0, plaintext.length, out, NONCE_LENGTH);
            if (n != plaintext.length + TAG_LENGTH) {
                throw new IllegalStateException("aes-gcm: unexpected output length");
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("aes-gcm: the JDK cipher is unavailable or misconfigured", e);
        }
    }

    /** Decrypts {@code nonce || ct || tag} under {@code key}. */
    public static byte[] decrypt(byte[] key, byte[] data) {
        if (data == null) {
            throw new InvalidInputException("aes-gcm: ciphertext is required");
        }
        return decrypt(key, data, 0, data.length);
    }

    /** Decrypts the {@code len} bytes of {@code data} at {@code off}, laid out {@code nonce || ct || tag}. */
    public static byte[] decrypt(byte[] key, byte[] data, int off, int len) {
        checkKey(key);
        if (data == null || off < 0 || len < 0 || off + len > data.length) {
            throw new InvalidInputException("aes-gcm: invalid ciphertext range");
        }
        if (len < OVERHEAD) {
            throw new CorruptDataException("aes-gcm: ciphertext of " + len + " bytes is shorter than the "
                    + OVERHEAD + "-byte nonce and tag");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
                    new GCMParameterSpec(TAG_LENGTH * 8, data, off, NONCE_LENGTH));
            return c.doFinal(data, off + NONCE_LENGTH, len - NONCE_LENGTH);
        } catch (AEADBadTagException e) {
            throw new UnauthorizedException("aes-gcm: authentication failed (wrong key or altered data)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("aes-gcm: the JDK cipher is unavailable or misconfigured", e);
        }
    }

    private static void checkKey(byte[] key) {
        if (key == null || key.length != KEY_LENGTH) {
            throw new InvalidInputException("aes-gcm: key must be " + KEY_LENGTH + " bytes");
        }
    }
}
