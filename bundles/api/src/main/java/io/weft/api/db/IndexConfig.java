package io.weft.api.db;

import io.weft.api.InvalidInputException;

/**
 * An index of a collection: the values at a dot-notation {@code path} of every instance (go-threads
 * {@code db.Index}, threads API {@code Index{path, unique}}). A unique index rejects a local write that would give
 * two instances the same value at {@code path} with {@code ConflictException}. {@code _id} is always indexed and
 * unique and need not be listed.
 *
 * @param path   dot-notation path, for example {@code "address.city"}; segments are non-empty
 * @param unique whether values must be unique across the collection
 */
public record IndexConfig(String path, boolean unique) {
    /** The longest accepted path. */
    public static final int MAX_PATH_LENGTH = 512;

    public IndexConfig {
        if (path == null || path.isEmpty() || path.length() > MAX_PATH_LENGTH) {
            throw new InvalidInputException("index path must be 1.." + MAX_PATH_LENGTH + " characters");
        }
        for (String seg : path.split("\\.", -1)) {
            if (seg.isEmpty()) {
                throw new InvalidInputException("index path '" + path + "' has an empty segment");
            }
        }
    }

    /** A non-unique index on {@code path}. */
    public static IndexConfig of(String path) {
        return new IndexConfig(path, false);
    }

    /** A unique index on {@code path}. */
    public static IndexConfig unique(String path) {
        return new IndexConfig(path, true);
    }
}
