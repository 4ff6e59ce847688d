package io.weft.api.db;

import io.weft.api.InvalidInputException;
import java.util.regex.Pattern;

/**
 * The naming rule of databases and collections, as in go-threads: {@code ^[A-Za-z0-9]+(?:[-][A-Za-z0-9]+)*$}
 * (letters and digits, single inner hyphens), at most {@value #MAX_LENGTH} characters.
 */
public final class Names {
    /** The longest accepted name. */
    public static final int MAX_LENGTH = 256;

    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9]+(?:[-][A-Za-z0-9]+)*$");

    private Names() {
    }

    /** Whether {@code name} is a valid database or collection name. */
    public static boolean isValid(String name) {
        return name != null && name.length() <= MAX_LENGTH && NAME.matcher(name).matches();
    }

    /**
     * Returns {@code name} if it is valid.
     *
     * @param what what is named, for the message ("collection", "database")
     * @throws InvalidInputException otherwise
     */
    public static String check(String what, String name) {
        if (!isValid(name)) {
            throw new InvalidInputException(what + " name " + (name == null ? "null" : "'" + shorten(name) + "'")
                    + " is invalid: it must match ^[A-Za-z0-9]+(?:[-][A-Za-z0-9]+)*$ (at most " + MAX_LENGTH
                    + " characters)");
        }
        return name;
    }

    private static String shorten(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }
}
