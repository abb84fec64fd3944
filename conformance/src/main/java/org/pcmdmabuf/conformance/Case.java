package org.pcmdmabuf.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.pcmdmabuf.model.InvariantViolation;
import org.pcmdmabuf.script.Op;
import org.pcmdmabuf.script.OpRefused;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.ScriptException;
import org.pcmdmabuf.script.ScriptParser;
import org.pcmdmabuf.script.ScriptRunner;
import org.pcmdmabuf.script.Target;

/**
 * A conformance case: an op script whose lines carry their expected results ({@link Expectation}), and
 * whose {@code # rule:} line names the IDs of the docs/spec.md rules it checks (space-separated), so that a
 * failure says which rules were broken.
 */
public record Case(String name, String rule, String text, Script script, Map<Integer, Expectation> expectations) {
    static final String RULE = "# rule:";
    /** The shape of a rule ID of docs/spec.md: upper-case words joined by hyphens, the first naming its group. */
    public static final Pattern RULE_ID = Pattern.compile("[A-Z][A-Z0-9]*(-[A-Z0-9]+)+");

    /** The IDs of the rules this case checks. */
    public List<String> rules() {
        return List.of(rule.split(" "));
    }

    /** Cache geometry every target runs cases with: 64-byte lines, room for every buffer, no random eviction. */
    public static final int LINE_BYTES = 64;
    public static final int CACHE_LINES = 4096;

    public static Case parse(String name, String text) throws ScriptException {
        Map<Integer, Expectation> exp = new HashMap<>();
        String rule = null;
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int at = lines[i].indexOf(Expectation.MARK);
            if (at >= 0) {
                exp.put(i + 1, Expectation.parse(lines[i].substring(at + Expectation.MARK.length())));
            }
            if (rule == null && lines[i].startsWith(RULE)) {
                rule = lines[i].substring(RULE.length()).strip();
            }
        }
        if (rule == null || rule.isEmpty()) {
            throw new ScriptException(1, null, "case " + name + " names no rule: its header needs a '" + RULE
                    + " ID...' line with the IDs of docs/spec.md it checks");
        }
        rule = String.join(" ", rule.split("\\s+"));
        for (String id : rule.split(" ")) {
            if (!RULE_ID.matcher(id).matches()) {
                throw new ScriptException(1, null, "case " + name + ": '" + id + "' is not a rule ID of docs/spec.md"
                        + " (e.g. ATTACH-SIZE)");
            }
        }
        return new Case(name, rule, text, ScriptParser.parse(text), exp);
    }

    /** The suite: the cases listed in cases/index (conformance/src/main/resources/cases/ and examples/, in this module's jar). */
    public static List<Case> all() throws IOException, ScriptException {
        List<Case> out = new ArrayList<>();
        for (String name : resource("cases/index").split("\n")) {
            if (!name.isBlank() && !name.startsWith("#")) {
                out.add(parse(name.strip(), resource("cases/" + name.strip())));
            }
        }
        return out;
    }

    private static String resource(String path) throws IOException {
        try (InputStream in = Case.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * Runs the case on a target; returns one line per op that did not meet its expectation, per op during
     * which the target reported a problem of its own ({@code harness}: the C code misbehaved), and for a
     * host left inconsistent. Empty when the case passes.
     */
    public List<String> run(Target target) {
        List<String> failures = new ArrayList<>();
        try {
            ScriptRunner.run(script, target, step -> {
                Op op = step.op();
                String where = name + ":" + op.line() + " " + (op.proc() == null ? "" : op.proc() + " ") + op.name();
                Expectation e = expectations.getOrDefault(op.line(), Expectation.success());
                for (String m : e.mismatches(step.outcome())) {
                    failures.add(where + ": " + m);
                }
                if (step.outcome().extra().get("harness") instanceof List<?> problems
                        && !e.extra().containsKey("harness")) {
                    for (Object p : problems) {
                        failures.add(where + ": " + p);
                    }
                }
            });
        } catch (InvariantViolation e) {
            failures.add(name + ": the host was left inconsistent: "
                    + e.getMessage().lines().findFirst().orElse(""));
        } catch (OpRefused e) {
            failures.add(name + ": " + e.describe());
        }
        return failures;
    }
}
