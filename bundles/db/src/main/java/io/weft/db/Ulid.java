package io.weft.db;

import java.security.SecureRandom;
import java.time.Clock;

/**
 * Lower-case ULIDs (https://github.com/ulid/spec), the ids go-threads gives instances without one: 48 bits of
 * unix milliseconds then 80 random bits, 26 characters of Crockford base32, lower-cased. Ids made later in time sort
 * after earlier ones.
 */
final class Ulid {
    private static final String DIGITS = "0123456789abcdefghjkmnpqrstvwxyz";
    private static final char[] ALPHABET = DIGITS.toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ulid() {
    }

    /** A new ULID at the current time. */
    static String next(Clock clock) {
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        return of(clock.millis(), random);
    }

    /** The ULID of {@code millis} (low 48 bits) and 10 random bytes. */
    static String of(long millis, byte[] random) {
        // 128 bits: time(48) || random(80), written as 26 base32 digits from the top (the first digit holds 3 bits)
        long hi = (millis & 0xFFFF_FFFF_FFFFL) << 16 | (random[0] & 0xFFL) << 8 | random[1] & 0xFFL;
        long lo = 0;
        for (int i = 2; i < 10; i++) {
            lo = lo << 8 | random[i] & 0xFFL;
        }
        char[] out = new char[26];
        for (int i = 25; i >= 0; i--) {
            out[i] = ALPHABET[(int) (lo & 31)];
            lo = lo >>> 5 | (hi & 31) << 59;
            hi >>>= 5;
        }
        return new String(out);
    }

    /** Whether {@code s} is a well-formed lower-case ULID. */
    static boolean isUlid(String s) {
        if (s.length() != 26 || s.charAt(0) > '7') {
            return false;
        }
        for (int i = 0; i < 26; i++) {
            if (DIGITS.indexOf(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }
}
