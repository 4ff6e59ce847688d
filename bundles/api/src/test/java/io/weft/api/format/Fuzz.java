package io.weft.api.format;

import io.weft.api.InvalidInputException;

/** Test helper: runs a decoder on arbitrary input and fails unless it succeeds or throws {@link InvalidInputException}. */
public final class Fuzz {
    private Fuzz() {
    }

    /** Runs {@code decoder}; only success or {@link InvalidInputException} is acceptable. */
    public static void onlyInvalidInput(Runnable decoder) {
        try {
            decoder.run();
        } catch (InvalidInputException expected) {
            if (expected.getMessage() == null || expected.getMessage().isBlank()) {
                throw new AssertionError("InvalidInputException without a message", expected);
            }
        } catch (RuntimeException | Error e) {
            throw new AssertionError("decoder leaked " + e.getClass().getName() + ": " + e.getMessage(), e);
        }
    }
}
