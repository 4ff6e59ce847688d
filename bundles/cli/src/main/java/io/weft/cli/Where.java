package io.weft.cli;

import io.weft.api.InvalidInputException;
import io.weft.api.db.Criterion;
import io.weft.api.db.Operation;
import io.weft.api.db.Query;
import io.weft.api.db.QueryValue;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code --where} form of {@code weft find}: {@code <path><op><value>} with {@code op} one of {@code =}
 * (or {@code ==}), {@code !=}, {@code >}, {@code >=}, {@code <}, {@code <=}. The value is a number
 * ({@code 60}, {@code -1.5e3}), {@code true}/{@code false}, a quoted string ({@code "Alice"} or {@code 'Alice'},
 * which may hold any character), or else the bare text as a string. Spaces around the path, operator and value
 * are ignored. Several {@code --where} must all hold.
 */
final class Where {
    private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

    private Where() {
    }

    /** One criterion from its text. */
    static Criterion parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("--where needs <path><op><value>, e.g. 'age>=60'");
        }
        int at = -1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '=' || c == '!' || c == '<' || c == '>') {
                at = i;
                break;
            }
        }
        if (at < 0) {
            throw new InvalidInputException("--where '" + text + "' has no operator (one of = != > >= < <=)");
        }
        String path = text.substring(0, at).strip();
        if (path.isEmpty()) {
            throw new InvalidInputException("--where '" + text + "' has no field path before the operator");
        }
        char c = text.charAt(at);
        boolean eqNext = at + 1 < text.length() && text.charAt(at + 1) == '=';
        Operation op;
        int len;
        switch (c) {
            case '=' -> {
                op = Operation.EQ;
                len = eqNext ? 2 : 1;
            }
            case '!' -> {
                if (!eqNext) {
                    throw new InvalidInputException("--where '" + text + "': '!' must be followed by '=' (!=)");
                }
                op = Operation.NE;
                len = 2;
            }
            case '<' -> {
                op = eqNext ? Operation.LE : Operation.LT;
                len = eqNext ? 2 : 1;
            }
            default -> {
                op = eqNext ? Operation.GE : Operation.GT;
                len = eqNext ? 2 : 1;
            }
        }
        String raw = text.substring(at + len).strip();
        QueryValue value = value(raw, text);
        try {
            return new Criterion(path, op, value);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("--where '" + text + "': " + e.getMessage());
        }
    }

    private static QueryValue value(String raw, String text) {
        if (raw.isEmpty()) {
            throw new InvalidInputException("--where '" + text + "' has no value after the operator (use \"\" for the empty string)");
        }
        char q = raw.charAt(0);
        if (q == '"' || q == '\'') {
            if (raw.length() < 2 || raw.charAt(raw.length() - 1) != q) {
                throw new InvalidInputException("--where '" + text + "': the quoted value is not closed");
            }
            return QueryValue.of(raw.substring(1, raw.length() - 1));
        }
        if (raw.equals("true") || raw.equals("false")) {
            return QueryValue.of(Boolean.parseBoolean(raw));
        }
        if (NUMBER.matcher(raw).matches()) {
            double d = Double.parseDouble(raw);
            if (Double.isInfinite(d)) {
                throw new InvalidInputException("--where '" + text + "': the number is out of range");
            }
            return QueryValue.of(d);
        }
        return QueryValue.of(raw);
    }

    /**
     * A query: {@code base} (parsed query JSON, or all) with every {@code --where} criterion added, then the sort
     * ({@code path}, {@code -path} or {@code path:desc} for descending; {@code path:asc}), seek, skip and limit
     * where given.
     */
    static Query query(Query base, List<String> wheres, String sort, String seek, Integer skip, Integer limit) {
        Query q = base == null ? Query.all() : base;
        if (wheres != null) {
            for (String w : wheres) {
                q = q.and(parse(w));
            }
        }
        if (sort != null) {
            String s = sort.strip();
            boolean desc = false;
            if (s.startsWith("-")) {
                desc = true;
                s = s.substring(1);
            } else if (s.endsWith(":desc")) {
                desc = true;
                s = s.substring(0, s.length() - 5);
            } else if (s.endsWith(":asc")) {
                s = s.substring(0, s.length() - 4);
            }
            if (s.isEmpty()) {
                throw new InvalidInputException("--sort needs a field path, e.g. --sort age or --sort -age");
            }
            q = desc ? q.orderByDesc(s) : q.orderBy(s);
        }
        if (seek != null) {
            q = q.seek(seek);
        }
        if (skip != null) {
            q = q.skip(skip);
        }
        if (limit != null) {
            q = q.limit(limit);
        }
        return q;
    }
}
