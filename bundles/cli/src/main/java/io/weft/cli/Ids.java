package io.weft.cli;

import io.weft.api.InvalidInputException;
import io.weft.api.WeftException;
import io.weft.api.thread.ThreadId;

/** Parses ids given on the command line, with errors that name the argument. */
final class Ids {
    private Ids() {
    }

    static ThreadId db(String text) {
        return thread(text, "database id");
    }

    static ThreadId thread(String text, String what) {
        try {
            return ThreadId.parse(text.strip());
        } catch (WeftException e) {
            throw new InvalidInputException("'" + text + "' is not a " + what + " (expected e.g. bafk…): " + e.getMessage());
        }
    }
}
