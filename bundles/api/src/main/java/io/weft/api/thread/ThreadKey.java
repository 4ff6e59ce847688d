package io.weft.api.thread;

import io.weft.api.InvalidInputException;
import io.weft.api.format.Multibase;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;

/**
 * The symmetric keys of a thread (paper §3.2.3): a required 32-byte <em>service key</em> (AES-256), which
 * lets a holder decrypt record envelopes, verify and store them (a replica), and an optional 32-byte
 * <em>read key</em>, which additionally lets a holder read event headers and bodies (a member).
 *
 * <p>Binary form: {@code serviceKey || readKey} (64 bytes) or {@code serviceKey} (32 bytes), exactly as
 * go-threads' {@code thread.Key}. Text form: multibase base32 of the binary form ({@code b…}); parsing
 * accepts any multibase.
 *
 * <p><b>Secrecy.</b> {@link #toString()} returns the full text form because that <em>is</em> the string
 * users share to invite someone to a thread (as in go-threads). Never pass a {@code ThreadKey} to a logger
 * or an exception message; use {@link #redacted()} for diagnostics. {@link #equals(Object)} compares in
 * constant time.
 */
public final class ThreadKey {
    /** Length of the service key and of the read key. */
    public static final int KEY_LENGTH = 32;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] serviceKey;
    private final byte[] readKey; // null when absent

    private ThreadKey(byte[] serviceKey, byte[] readKey) {
        this.serviceKey = serviceKey;
        this.readKey = readKey;
    }

    /**
     * A key from its parts.
     *
     * @param serviceKey 32 bytes, required
     * @param readKey    32 bytes, or {@code null} for a service-only (replica) key
     */
    public static ThreadKey of(byte[] serviceKey, byte[] readKey) {
        if (serviceKey == null || serviceKey.length != KEY_LENGTH) {
            throw new InvalidInputException("thread key: service key must be " + KEY_LENGTH + " bytes, got "
                    + (serviceKey == null ? "none" : serviceKey.length));
        }
        if (readKey != null && readKey.length != KEY_LENGTH) {
            throw new InvalidInputException("thread key: read key must be " + KEY_LENGTH + " bytes, got " + readKey.length);
        }
        return new ThreadKey(serviceKey.clone(), readKey == null ? null : readKey.clone());
    }

    /** A new random key (from {@link SecureRandom}), with a read key when {@code withReadKey}. */
    public static ThreadKey generate(boolean withReadKey) {
        byte[] sk = new byte[KEY_LENGTH];
        RANDOM.nextBytes(sk);
        byte[] rk = null;
        if (withReadKey) {
            rk = new byte[KEY_LENGTH];
            RANDOM.nextBytes(rk);
        }
        return new ThreadKey(sk, rk);
    }

    /** Decodes the binary form: exactly 32 (service only) or 64 (service and read) bytes. */
    public static ThreadKey decode(byte[] bytes) {
        if (bytes == null) {
            throw new InvalidInputException("thread key: missing");
        }
        if (bytes.length == KEY_LENGTH) {
            return new ThreadKey(bytes.clone(), null);
        }
        if (bytes.length == 2 * KEY_LENGTH) {
            return new ThreadKey(Arrays.copyOfRange(bytes, 0, KEY_LENGTH), Arrays.copyOfRange(bytes, KEY_LENGTH, 2 * KEY_LENGTH));
        }
        throw new InvalidInputException("thread key: expected " + KEY_LENGTH + " or " + 2 * KEY_LENGTH + " bytes, got " + bytes.length);
    }

    /** Parses the multibase text form (any supported base). */
    public static ThreadKey parse(String text) {
        byte[] bytes = Multibase.decode(text);
        try {
            return decode(bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** The 32-byte service key (a copy). */
    public byte[] serviceKey() {
        return serviceKey.clone();
    }

    /** The 32-byte read key (a copy), if this key has one. */
    public Optional<byte[]> readKey() {
        return readKey == null ? Optional.empty() : Optional.of(readKey.clone());
    }

    /** Whether this key includes the read key, i.e. lets its holder read event bodies. */
    public boolean canRead() {
        return readKey != null;
    }

    /** This key without its read key: what a replica (service key only) is given. */
    public ThreadKey serviceOnly() {
        return readKey == null ? this : new ThreadKey(serviceKey, null);
    }

    /** The binary form {@code serviceKey || readKey} or {@code serviceKey} (a new array). */
    public byte[] bytes() {
        if (readKey == null) {
            return serviceKey.clone();
        }
        byte[] out = Arrays.copyOf(serviceKey, 2 * KEY_LENGTH);
        System.arraycopy(readKey, 0, out, KEY_LENGTH, KEY_LENGTH);
        return out;
    }

    /** A description safe for logs: says which keys are present, prints none of them. */
    public String redacted() {
        return readKey == null ? "ThreadKey[service=<redacted>]" : "ThreadKey[service=<redacted>, read=<redacted>]";
    }

    /**
     * The shareable text form: multibase base32 of {@link #bytes()}. <b>This prints the secret keys</b>; it is
     * meant for invitations and configuration, never for logs (use {@link #redacted()}).
     */
    @Override
    public String toString() {
        byte[] b = bytes();
        try {
            return Multibase.encode(b);
        } finally {
            Arrays.fill(b, (byte) 0);
        }
    }

    /** Constant-time comparison of both keys. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ThreadKey k)) {
            return false;
        }
        boolean sameRead = (readKey == null) == (k.readKey == null)
                && (readKey == null || MessageDigest.isEqual(readKey, k.readKey));
        return MessageDigest.isEqual(serviceKey, k.serviceKey) & sameRead;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(serviceKey) * 31 + (readKey == null ? 0 : Arrays.hashCode(readKey));
    }
}
