package io.weft.server.readers;

import io.weft.api.InvalidInputException;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Reads typed values from configuration properties (strings, numbers, booleans, arrays, collections). */
final class Props {
    private final Map<String, ?> props;

    Props(Map<String, ?> props) {
        this.props = props == null ? Map.of() : props;
    }

    boolean has(String key) {
        Object v = props.get(key);
        return v != null && !(v instanceof String s && s.isBlank());
    }

    String string(String key, String dflt) {
        return has(key) ? String.valueOf(props.get(key)).strip() : dflt;
    }

    long number(String key, long dflt) {
        if (!has(key)) {
            return dflt;
        }
        Object v = props.get(key);
        if (v instanceof Number n) {
            return n.longValue();
        }
        try {
            return Long.parseLong(String.valueOf(v).strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(key + " must be an integer, got '" + v + "'");
        }
    }

    int integer(String key, int dflt) {
        long n = number(key, dflt);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw new InvalidInputException(key + " is out of range: " + n);
        }
        return (int) n;
    }

    boolean bool(String key, boolean dflt) {
        if (!has(key)) {
            return dflt;
        }
        Object v = props.get(key);
        if (v instanceof Boolean b) {
            return b;
        }
        String s = String.valueOf(v).strip();
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new InvalidInputException(key + " must be true or false, got '" + v + "'");
    }

    /**
     * A list: an array or collection gives one item per element; a single string is split at {@code separator}
     * (a regex). Blank items are dropped.
     */
    List<String> list(String key, String separator) {
        Object v = props.get(key);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (v instanceof Collection<?> c) {
            c.forEach(o -> add(out, o));
        } else if (v.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(v); i++) {
                add(out, Array.get(v, i));
            }
        } else {
            for (String s : String.valueOf(v).split(separator)) {
                add(out, s);
            }
        }
        return out;
    }

    private static void add(List<String> out, Object o) {
        if (o != null && !String.valueOf(o).isBlank()) {
            out.add(String.valueOf(o).strip());
        }
    }
}
