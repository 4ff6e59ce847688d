package io.weft.transport.libp2p.noise;

import io.weft.api.net.TransportException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Noise {@code SymmetricState} for SHA-256: chaining key, handshake hash and the handshake {@link CipherState}.
 * HKDF is RFC 5869 over HMAC-SHA256 with the chaining key as salt and empty info (Noise spec §4.3).
 */
final class SymmetricState {
    static final int HASH_LENGTH = 32;

    private final MessageDigest sha256;
    private final Mac hmac;
    private final CipherState cipher = new CipherState();
    private byte[] ck;
    private byte[] h;

    SymmetricState(String protocolName) {
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
            this.hmac = Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("noise: the JDK provides no SHA-256 / HMAC-SHA256", e);
        }
        byte[] name = protocolName.getBytes(StandardCharsets.US_ASCII);
        if (name.length <= HASH_LENGTH) {
            h = Arrays.copyOf(name, HASH_LENGTH);
        } else {
            h = sha256.digest(name);
        }
        ck = h.clone();
    }

    void mixHash(byte[] data, int off, int len) {
        sha256.update(h);
        sha256.update(data, off, len);
        h = sha256.digest();
    }

    void mixHash(byte[] data) {
        mixHash(data, 0, data.length);
    }

    void mixKey(byte[] ikm) {
        byte[][] out = hkdf(ck, ikm);
        Arrays.fill(ck, (byte) 0);
        ck = out[0];
        cipher.initializeKey(out[1]);
        Arrays.fill(out[1], (byte) 0);
    }

    /** Encrypts (or copies, before the first key) and hashes; returns the bytes written into {@code out}. */
    int encryptAndHash(byte[] plaintext, byte[] out, int outOff) {
        int n = cipher.encrypt(h, plaintext, 0, plaintext.length, out, outOff);
        mixHash(out, outOff, n);
        return n;
    }

    byte[] decryptAndHash(byte[] in, int off, int len) throws TransportException {
        byte[] plaintext = cipher.decrypt(h, in, off, len);
        mixHash(in, off, len);
        return plaintext;
    }

    boolean hasKey() {
        return cipher.hasKey();
    }

    byte[] handshakeHash() {
        return h.clone();
    }

    /** The two transport states: the first for initiator→responder, the second for responder→initiator. */
    CipherState[] split() {
        byte[][] out = hkdf(ck, new byte[0]);
        CipherState c1 = new CipherState();
        c1.initializeKey(out[0]);
        CipherState c2 = new CipherState();
        c2.initializeKey(out[1]);
        Arrays.fill(out[0], (byte) 0);
        Arrays.fill(out[1], (byte) 0);
        return new CipherState[] {c1, c2};
    }

    void destroy() {
        Arrays.fill(ck, (byte) 0);
        cipher.destroy();
    }

    /** Noise HKDF with two outputs. */
    private byte[][] hkdf(byte[] chainingKey, byte[] ikm) {
        try {
            hmac.init(new SecretKeySpec(chainingKey, "HmacSHA256"));
            byte[] temp = hmac.doFinal(ikm);
            hmac.init(new SecretKeySpec(temp, "HmacSHA256"));
            byte[] out1 = hmac.doFinal(new byte[] {1});
            hmac.update(out1);
            hmac.update((byte) 2);
            byte[] out2 = hmac.doFinal();
            Arrays.fill(temp, (byte) 0);
            return new byte[][] {out1, out2};
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("noise: HMAC-SHA256 failed", e);
        }
    }
}
