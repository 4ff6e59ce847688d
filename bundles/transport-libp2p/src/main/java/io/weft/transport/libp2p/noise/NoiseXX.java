package io.weft.transport.libp2p.noise;

import io.weft.api.net.TransportException;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * The {@code Noise_XX_25519_ChaChaPoly_SHA256} handshake state machine (Noise spec rev. 34), without any I/O:
 * {@code -> e}, {@code <- e, ee, s, es}, {@code -> s, se}. The caller alternates {@link #writeMessage(byte[])} and
 * {@link #readMessage(byte[], int, int)} in pattern order; after the third message {@link #isComplete()} is true and
 * {@link #sendCipher()} / {@link #receiveCipher()} give the transport states ({@code Split()}: the initiator sends
 * with the first key and receives with the second).
 *
 * <p>Any prologue and payloads are supported, so the Cacophony test vectors can be reproduced. X25519 is
 * BouncyCastle's low-level RFC 7748 code. Not thread-safe; one instance per connection attempt.
 */
public final class NoiseXX {
    /** The protocol name hashed into the initial state. */
    public static final String PROTOCOL_NAME = "Noise_XX_25519_ChaChaPoly_SHA256";
    /** Length of an X25519 key. */
    public static final int DH_LENGTH = X25519.POINT_SIZE;
    /** Largest Noise message (the spec's limit). */
    public static final int MAX_MESSAGE_LENGTH = 65535;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final boolean initiator;
    private final SymmetricState ss;
    private final byte[] sPriv;
    private final byte[] sPub;
    private final byte[] ePriv;
    private final byte[] ePub;
    private byte[] rs;
    private byte[] re;
    private int step;
    private CipherState send;
    private CipherState receive;
    private byte[] handshakeHash;

    private NoiseXX(boolean initiator, byte[] prologue, byte[] staticPrivate, byte[] ephemeralPrivate) {
        if (staticPrivate == null || staticPrivate.length != DH_LENGTH) {
            throw new IllegalArgumentException("noise: static private key must be 32 bytes");
        }
        this.initiator = initiator;
        this.ss = new SymmetricState(PROTOCOL_NAME);
        this.sPriv = staticPrivate.clone();
        this.sPub = publicKey(sPriv);
        this.ePriv = ephemeralPrivate != null ? ephemeralPrivate.clone() : generatePrivateKey();
        this.ePub = publicKey(ePriv);
        ss.mixHash(prologue == null ? new byte[0] : prologue);
    }

    /** An initiator with the given X25519 static private key and prologue (null = empty). */
    public static NoiseXX initiator(byte[] staticPrivate, byte[] prologue) {
        return new NoiseXX(true, prologue, staticPrivate, null);
    }

    /** A responder with the given X25519 static private key and prologue (null = empty). */
    public static NoiseXX responder(byte[] staticPrivate, byte[] prologue) {
        return new NoiseXX(false, prologue, staticPrivate, null);
    }

    /** A handshake with a fixed ephemeral key: for test vectors only. */
    static NoiseXX withEphemeral(boolean initiator, byte[] prologue, byte[] staticPrivate, byte[] ephemeralPrivate) {
        return new NoiseXX(initiator, prologue, staticPrivate, ephemeralPrivate);
    }

    /** A new random X25519 private key. */
    public static byte[] generatePrivateKey() {
        byte[] k = new byte[X25519.SCALAR_SIZE];
        X25519.generatePrivateKey(RANDOM, k);
        return k;
    }

    /** The X25519 public key of {@code privateKey}. */
    public static byte[] publicKey(byte[] privateKey) {
        byte[] pub = new byte[X25519.POINT_SIZE];
        X25519.scalarMultBase(privateKey, 0, pub, 0);
        return pub;
    }

    /** True for the side that sends the first message. */
    public boolean isInitiator() {
        return initiator;
    }

    /** True once all three messages were processed. */
    public boolean isComplete() {
        return step == 3;
    }

    /** True if the next call must be {@link #writeMessage(byte[])}. */
    public boolean isWriteTurn() {
        return step < 3 && ((step % 2 == 0) == initiator);
    }

    /** This side's static X25519 public key. */
    public byte[] localStaticPublicKey() {
        return sPub.clone();
    }

    /** The remote's static X25519 public key, once received (null before). */
    public byte[] remoteStaticPublicKey() {
        return rs == null ? null : rs.clone();
    }

    /** The handshake hash (channel binding), once complete. */
    public byte[] handshakeHash() {
        if (handshakeHash == null) {
            throw new IllegalStateException("noise: handshake not complete");
        }
        return handshakeHash.clone();
    }

    /** The transport state for outgoing messages, once complete. */
    public CipherState sendCipher() {
        if (send == null) {
            throw new IllegalStateException("noise: handshake not complete");
        }
        return send;
    }

    /** The transport state for incoming messages, once complete. */
    public CipherState receiveCipher() {
        if (receive == null) {
            throw new IllegalStateException("noise: handshake not complete");
        }
        return receive;
    }

    /**
     * Writes the next handshake message carrying {@code payload}.
     *
     * @throws TransportException   {@code PROTOCOL_ERROR} if the remote's ephemeral key is of low order
     * @throws IllegalStateException if it is not this side's turn or the message would exceed 65535 bytes
     */
    public byte[] writeMessage(byte[] payload) throws TransportException {
        if (!isWriteTurn()) {
            throw new IllegalStateException("noise: not this side's turn to write");
        }
        byte[] p = payload == null ? new byte[0] : payload;
        int tag = CipherState.TAG_LENGTH;
        int len = switch (step) {
            case 0 -> DH_LENGTH + p.length;
            case 1 -> DH_LENGTH + DH_LENGTH + tag + p.length + tag;
            default -> DH_LENGTH + tag + p.length + tag;
        };
        if (len > MAX_MESSAGE_LENGTH) {
            throw new IllegalStateException("noise: handshake message of " + len + " bytes exceeds " + MAX_MESSAGE_LENGTH);
        }
        byte[] out = new byte[len];
        int off = 0;
        switch (step) {
            case 0 -> { // -> e
                off = writeE(out, off);
            }
            case 1 -> { // <- e, ee, s, es
                off = writeE(out, off);
                mixDh(ePriv, re);
                off += ss.encryptAndHash(sPub, out, off);
                mixDh(sPriv, re);
            }
            default -> { // -> s, se
                off += ss.encryptAndHash(sPub, out, off);
                mixDh(sPriv, re);
            }
        }
        off += ss.encryptAndHash(p, out, off);
        if (off != len) {
            throw new IllegalStateException("noise: internal length mismatch");
        }
        advance();
        return out;
    }

    /** Reads a whole handshake message; returns its payload. */
    public byte[] readMessage(byte[] message) throws TransportException {
        return readMessage(message, 0, message.length);
    }

    /**
     * Reads the next handshake message ({@code len} bytes of {@code in} from {@code off}); returns its payload.
     *
     * @throws TransportException {@code PROTOCOL_ERROR} if the message is malformed, too short, does not
     *                            authenticate or carries an invalid key
     * @throws IllegalStateException if it is not this side's turn to read
     */
    public byte[] readMessage(byte[] in, int off, int len) throws TransportException {
        if (step >= 3 || isWriteTurn()) {
            throw new IllegalStateException("noise: not this side's turn to read");
        }
        int tag = CipherState.TAG_LENGTH;
        int min = switch (step) {
            case 0 -> DH_LENGTH;
            case 1 -> DH_LENGTH + DH_LENGTH + tag + tag;
            default -> DH_LENGTH + tag + tag;
        };
        if (len < min || len > MAX_MESSAGE_LENGTH) {
            throw new TransportException(TransportException.Kind.PROTOCOL_ERROR,
                    "noise: handshake message " + (step + 1) + " has " + len + " bytes, expected at least " + min);
        }
        int end = off + len;
        switch (step) {
            case 0 -> { // -> e
                off = readE(in, off);
            }
            case 1 -> { // <- e, ee, s, es
                off = readE(in, off);
                mixDh(ePriv, re);
                rs = ss.decryptAndHash(in, off, DH_LENGTH + tag);
                off += DH_LENGTH + tag;
                mixDh(ePriv, rs);
            }
            default -> { // -> s, se
                rs = ss.decryptAndHash(in, off, DH_LENGTH + tag);
                off += DH_LENGTH + tag;
                mixDh(ePriv, rs);
            }
        }
        byte[] payload = ss.decryptAndHash(in, off, end - off);
        advance();
        return payload;
    }

    /** Forgets private keys and handshake secrets (the transport states stay usable). */
    public void destroy() {
        Arrays.fill(sPriv, (byte) 0);
        Arrays.fill(ePriv, (byte) 0);
        ss.destroy();
    }

    private int writeE(byte[] out, int off) {
        System.arraycopy(ePub, 0, out, off, DH_LENGTH);
        ss.mixHash(ePub);
        return off + DH_LENGTH;
    }

    private int readE(byte[] in, int off) {
        re = Arrays.copyOfRange(in, off, off + DH_LENGTH);
        ss.mixHash(re);
        return off + DH_LENGTH;
    }

    private void advance() {
        step++;
        if (step == 3) {
            CipherState[] split = ss.split();
            send = initiator ? split[0] : split[1];
            receive = initiator ? split[1] : split[0];
            handshakeHash = ss.handshakeHash();
            destroy();
        }
    }

    private void mixDh(byte[] priv, byte[] pub) throws TransportException {
        byte[] shared = dh(priv, pub);
        ss.mixKey(shared);
        Arrays.fill(shared, (byte) 0);
    }

    private static byte[] dh(byte[] priv, byte[] pub) throws TransportException {
        byte[] shared = new byte[X25519.POINT_SIZE];
        if (!X25519.calculateAgreement(priv, 0, pub, 0, shared, 0)) {
            throw new TransportException(TransportException.Kind.PROTOCOL_ERROR,
                    "noise: remote X25519 key is of low order");
        }
        return shared;
    }
}
