package io.weft.transport.libp2p.noise;

import java.security.GeneralSecurityException;
import java.security.Provider;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the ChaCha20-Poly1305 implementation for Noise: BoringSSL through Conscrypt when its native library loads
 * on this platform (measured about 6× the JDK 17 cipher for 64 KiB frames, see docs/BENCHMARKS.md), else the JDK's
 * own. The system property {@value #PROPERTY} set to {@code jdk} forces the JDK cipher. Both produce the same bytes;
 * the choice is made once per JVM (it only depends on the platform) and logged.
 */
final class ChaChaPoly {

    /** System property: {@code auto} (default: Conscrypt if it loads, else the JDK) or {@code jdk}. */
    static final String PROPERTY = "weft.noise.cipher";
    private static final Logger LOG = LoggerFactory.getLogger(ChaChaPoly.class);
    private static final Provider NATIVE = loadNative();

    private ChaChaPoly() {
    }

    private static Provider loadNative() {
        if ("jdk".equalsIgnoreCase(System.getProperty(PROPERTY, "auto").trim())) {
            LOG.info("noise: ChaCha20-Poly1305 from the JDK ({}=jdk)", PROPERTY);
            return null;
        }
        try {
            Provider p = Conscrypt.provider();
            // a round trip proves the native library loaded and the algorithm is there
            Cipher c = Cipher.getInstance("ChaCha20/Poly1305/NoPadding", p);
            SecretKeySpec key = new SecretKeySpec(new byte[32], "ChaCha20");
            c.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(new byte[12]));
            byte[] sealed = c.doFinal(new byte[] {1, 2, 3});
            c.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(new byte[12]));
            if (c.doFinal(sealed).length != 3) {
                throw new GeneralSecurityException("round trip failed");
            }
            LOG.info("noise: ChaCha20-Poly1305 from BoringSSL (Conscrypt)");
            return p;
        } catch (LinkageError | GeneralSecurityException | RuntimeException e) {
            LOG.info("noise: ChaCha20-Poly1305 from the JDK (Conscrypt not usable here: {})", e.toString());
            return null;
        }
    }

    /**
     * The only reference to Conscrypt's classes, kept out of {@link ChaChaPoly} so that a missing Conscrypt (it is an
     * optional dependency) surfaces as a catchable {@link NoClassDefFoundError} here rather than when
     * {@link ChaChaPoly} itself is verified.
     */
    private static final class Conscrypt {
        static Provider provider() {
            return new org.conscrypt.OpenSSLProvider();
        }
    }

    /** A new cipher object of the chosen implementation. */
    static Cipher newCipher() {
        try {
            return NATIVE != null ? Cipher.getInstance("ChaCha20/Poly1305/NoPadding", NATIVE)
                    : Cipher.getInstance("ChaCha20-Poly1305");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("noise: no ChaCha20-Poly1305 cipher available", e);
        }
    }

    /** True if the native (Conscrypt) cipher is used. */
    static boolean isNative() {
        return NATIVE != null;
    }

    /** {@code conscrypt} or {@code jdk}. */
    static String implementation() {
        return NATIVE != null ? "conscrypt" : "jdk";
    }
}
