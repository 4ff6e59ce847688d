package io.weft.api.db;

import io.weft.api.InvalidInputException;

/**
 * A comparison in a {@link Criterion}. The numeric {@link #code() codes} are go-threads' ({@code db/query.go})
 * and are what the query JSON carries in {@code "operation"}.
 *
 * <p>How each operation treats a missing field or a value of another type is described on {@link Criterion}:
 * in short, only {@link #NE} matches them.
 */
public enum Operation {
    /** Equal ({@code 0}). */
    EQ(0),
    /** Not equal ({@code 1}); the exact complement of {@link #EQ}. */
    NE(1),
    /** Greater than ({@code 2}). */
    GT(2),
    /** Less than ({@code 3}). */
    LT(3),
    /** Greater than or equal ({@code 4}). */
    GE(4),
    /** Less than or equal ({@code 5}). */
    LE(5);

    private final int code;

    Operation(int code) {
        this.code = code;
    }

    /** The go-threads operation code carried on the wire. */
    public int code() {
        return code;
    }

    /**
     * The operation with go-threads code {@code code}.
     *
     * @throws InvalidInputException if no operation has that code
     */
    public static Operation ofCode(long code) {
        for (Operation op : values()) {
            if (op.code == code) {
                return op;
            }
        }
        throw new InvalidInputException("unknown query operation code " + code + " (expected 0..5: "
                + "0 eq, 1 ne, 2 gt, 3 lt, 4 ge, 5 le)");
    }

    /**
     * Whether a comparison result satisfies this operation, where {@code cmp} is negative, zero or positive
     * as the field value is less than, equal to or greater than the criterion value.
     */
    public boolean test(int cmp) {
        switch (this) {
            case EQ:
                return cmp == 0;
            case NE:
                return cmp != 0;
            case GT:
                return cmp > 0;
            case LT:
                return cmp < 0;
            case GE:
                return cmp >= 0;
            case LE:
                return cmp <= 0;
            default:
                throw new AssertionError(this);
        }
    }
}
