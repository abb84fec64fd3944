package org.pcmdmabuf.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pcmdmabuf.script.Json;
import org.pcmdmabuf.script.Outcome;

/**
 * What a case expects of one op line, written after it as {@code #=> RESULT [STATE] [key=value...] [RULE-ID...]}:
 * RESULT is {@code ok}, a return value, an errno name, or the name of a signal an access raised ({@code SIGBUS}); STATE is a PCM state name or {@code -} for none;
 * key=value pairs are compared with the op's extra fields ({@code violations} as a comma list); the rule IDs
 * of docs/spec.md name what the line checks, so that its failure names them. An op line without {@code #=>}
 * must succeed.
 */
public record Expectation(String result, String state, boolean stateGiven, Map<String, String> extra,
                          List<String> rules) {
    public static final String MARK = "#=>";

    public Expectation(String result, String state, boolean stateGiven, Map<String, String> extra) {
        this(result, state, stateGiven, extra, List.of());
    }

    public static Expectation success() {
        return new Expectation("ok", null, false, Map.of());
    }

    /** Whatever the op answers: a line of a concurrent group, which only some order of its group must give. */
    public static Expectation any() {
        return new Expectation(ANY, null, false, Map.of());
    }

    private static final String ANY = "any";

    /** Whether any answer meets this expectation ({@link #any}). */
    public boolean anything() {
        return result.equals(ANY);
    }

    public static Expectation parse(String text) {
        String[] t = text.strip().split("\\s+");
        if (t[0].equals(ANY)) {
            // no line of a case may promise nothing: a group's lines without an expectation already do
            throw new IllegalArgumentException("'" + ANY + "' is no result: write ok, a return value, an errno or a signal");
        }
        String state = null;
        boolean stateGiven = false;
        Map<String, String> extra = new LinkedHashMap<>();
        List<String> rules = new ArrayList<>();
        for (int i = 1; i < t.length; i++) {
            if (Case.RULE_ID.matcher(t[i]).matches()) {
                rules.add(t[i]);
            } else if (!rules.isEmpty()) {
                throw new IllegalArgumentException("'" + t[i] + "' after the rule IDs in expectation '" + text + "'");
            } else if (t[i].contains("=")) {
                extra.put(t[i].substring(0, t[i].indexOf('=')), t[i].substring(t[i].indexOf('=') + 1));
            } else if (!stateGiven) {
                state = t[i].equals("-") ? null : t[i];
                stateGiven = true;
            } else {
                throw new IllegalArgumentException("unexpected '" + t[i] + "' in expectation '" + text + "'");
            }
        }
        return new Expectation(t[0], state, stateGiven, extra, List.copyOf(rules));
    }

    /** The differences between this expectation and an outcome; empty when it matches. */
    public List<String> mismatches(Outcome o) {
        List<String> m = new ArrayList<>();
        if (result.equals(ANY)) {
            return m;
        }
        if (result.equals("ok")) {
            if (o.errno() != null) {
                m.add("expected success, got " + o.errno());
            }
        } else if (result.startsWith("E") || result.startsWith("SIG")) {
            if (!result.equals(o.errno())) {
                m.add("expected " + result + ", got " + (o.errno() == null ? "success (" + o.ret() + ")" : o.errno()));
            }
        } else if (o.errno() != null || o.ret() != Long.parseLong(result)) {
            m.add("expected return " + result + ", got " + (o.errno() != null ? o.errno() : String.valueOf(o.ret())));
        }
        if (stateGiven && !java.util.Objects.equals(state, o.state())) {
            m.add("expected state " + (state == null ? "-" : state) + ", got " + (o.state() == null ? "-" : o.state()));
        }
        for (Map.Entry<String, String> e : extra.entrySet()) {
            Object actual = o.extra().get(e.getKey());
            String a = actual == null ? "" : actual instanceof List<?> l
                    ? String.join(",", l.stream().map(String::valueOf).toList()) : Json.value(actual);
            if (!e.getValue().equals(a)) {
                m.add("expected " + e.getKey() + "=" + e.getValue() + ", got " + (actual == null ? "none" : a));
            }
        }
        return m;
    }
}
