package io.weft.server.readers;

import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Reader tokens: the proof that a web client may read a thread through the web readers. A thread's reader token is
 * derived from its service key, which every member and replica of the thread holds (and which a reader needs
 * anyway to decrypt the record nodes it fetches):
 *
 * <pre>token = base64url-no-padding( HMAC-SHA256( key = service key (32 bytes),
 *                                          message = "weft-reader-v1\n" + thread id (base32 text, "bafk…") ) )</pre>
 *
 * A browser computes it with WebCrypto from the thread key; the peer recomputes it from its key book and compares in
 * constant time. It grants read access to one thread's encrypted nodes and nothing else, and does not reveal the
 * service key.
 */
public final class ReaderTokens {
    /** The domain-separation prefix of the HMAC message. */
    public static final String CONTEXT = "weft-reader-v1\n";

    private ReaderTokens() {
    }

    /** The reader token of {@code thread} under {@code key}. */
    public static String token(ThreadId thread, ThreadKey key) {
        byte[] mac = mac(key.serviceKey(), thread);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac);
    }

    /** Whether {@code presented} is the reader token of {@code thread} under {@code key} (constant-time). */
    public static boolean verify(ThreadId thread, ThreadKey key, String presented) {
        if (presented == null) {
            return false;
        }
        byte[] got;
        try {
            got = Base64.getUrlDecoder().decode(presented.strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(mac(key.serviceKey(), thread), got);
    }

    private static byte[] mac(byte[] serviceKey, ThreadId thread) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(serviceKey, "HmacSHA256"));
            return mac.doFinal((CONTEXT + thread).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        } finally {
            java.util.Arrays.fill(serviceKey, (byte) 0);
        }
    }
}
