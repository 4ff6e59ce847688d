package io.weft.api.log;

import io.weft.api.InvalidInputException;
import io.weft.api.format.Cid;
import java.util.Optional;

/**
 * The head of a single-writer log (paper §3.2.3): the id of its latest record and that record's position in the
 * log, counting from 1 for the first record. A log without records has the head {@link #EMPTY} (no id, counter 0).
 *
 * @param cid     the latest record's id, or {@code null} exactly when {@code counter == 0}
 * @param counter how many records the log holds (the latest record's position)
 */
public record Head(Cid cid, long counter) {
    /** The head of a log without records. */
    public static final Head EMPTY = new Head(null, 0);

    public Head {
        if (counter < 0) {
            throw new InvalidInputException("head: negative counter " + counter);
        }
        if ((cid == null) != (counter == 0)) {
            throw new InvalidInputException("head: a record id requires a counter >= 1 and counter 0 requires no id");
        }
    }

    /** Whether the log has no records. */
    public boolean isEmpty() {
        return cid == null;
    }

    /** The latest record's id, if any. */
    public Optional<Cid> id() {
        return Optional.ofNullable(cid);
    }

    /** The head after appending the record {@code next}. */
    public Head next(Cid next) {
        return new Head(next, counter + 1);
    }

    @Override
    public String toString() {
        return isEmpty() ? "Head[empty]" : "Head[" + cid + " #" + counter + "]";
    }
}
