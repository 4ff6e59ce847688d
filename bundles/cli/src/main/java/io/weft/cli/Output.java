package io.weft.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Prints results: compact JSON documents with {@code --json}, aligned tables and plain lines otherwise. */
final class Output {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int MAX_CELL = 60;

    private final PrintStream out;
    private final boolean json;

    Output(PrintStream out, boolean json) {
        this.out = out;
        this.json = json;
    }

    boolean json() {
        return json;
    }

    ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    /** One JSON document on one line. */
    void printJson(JsonNode node) {
        out.println(compact(node));
    }

    /** A JSON document indented for people. */
    void printPretty(JsonNode node) {
        try {
            out.println(PRETTY.writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    void line(String s) {
        out.println(s);
    }

    /** A table: headers, then rows, columns padded to the widest cell (cells longer than 60 are cut). */
    void table(List<String> headers, List<List<String>> rows) {
        int n = headers.size();
        int[] width = new int[n];
        List<List<String>> all = new ArrayList<>();
        all.add(headers);
        for (List<String> r : rows) {
            List<String> cut = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String c = i < r.size() && r.get(i) != null ? r.get(i) : "";
                c = c.replace('\n', ' ');
                cut.add(c.length() > MAX_CELL ? c.substring(0, MAX_CELL - 1) + "…" : c);
            }
            all.add(cut);
        }
        for (List<String> r : all) {
            for (int i = 0; i < n; i++) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        for (List<String> r : all) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    b.append("  ");
                }
                b.append(r.get(i));
                if (i < n - 1) {
                    b.append(" ".repeat(width[i] - r.get(i).length()));
                }
            }
            out.println(b.toString().stripTrailing());
        }
    }

    /** Key/value lines, keys padded: {@code id      bafk…}. */
    void fields(List<String[]> pairs) {
        int w = 0;
        for (String[] p : pairs) {
            w = Math.max(w, p[0].length());
        }
        for (String[] p : pairs) {
            out.println(p[0] + " ".repeat(w - p[0].length() + 2) + (p[1] == null ? "" : p[1]));
        }
    }

    static String compact(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JSON value as a table cell: strings bare, the rest as compact JSON. */
    static String cell(JsonNode v) {
        if (v == null || v.isMissingNode()) {
            return "";
        }
        return v.isTextual() ? v.textValue() : compact(v);
    }
}
