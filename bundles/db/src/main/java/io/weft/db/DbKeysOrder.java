package io.weft.db;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/** Orders of ids. */
final class DbKeysOrder {
    private DbKeysOrder() {
    }

    /** Instance id order: unsigned UTF-8 byte order (Unicode code point order), the order of state keys. */
    static final Comparator<String> ID_ORDER = (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8),
            b.getBytes(StandardCharsets.UTF_8));
}
