package org.pcmdmabuf.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.pcmdmabuf.model.InvariantViolation;
import org.pcmdmabuf.script.Linearizability;
import org.pcmdmabuf.script.Op;
import org.pcmdmabuf.script.Outcome;
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
        String[] lines = ScriptParser.lines(text);
        for (int i = 0; i < lines.length; i++) {
            int at = lines[i].indexOf(Expectation.MARK);
            if (at >= 0) {
                try {
                    exp.put(i + 1, Expectation.parse(lines[i].substring(at + Expectation.MARK.length())));
                } catch (IllegalArgumentException e) {
                    throw new ScriptException(i + 1, null, e.getMessage());
                }
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
        List<String> caseRules = List.of(rule.split(" "));
        for (Map.Entry<Integer, Expectation> e : exp.entrySet()) {
            for (String id : e.getValue().rules()) {
                if (!caseRules.contains(id)) {
                    throw new ScriptException(e.getKey(), null, "case " + name + ": the line checks " + id
                            + ", which its '" + RULE + "' line does not name");
                }
            }
        }
        return new Case(name, rule, text, ScriptParser.parse(text), exp);
    }

    /** The suite: the cases listed in cases/index (conformance/src/main/resources/cases/ and examples/, in this module's jar). */
    public static List<Case> all() throws IOException, ScriptException {
        return listed("cases/");
    }

    /**
     * The cases behind docs/designs.md (cases/designs/index), one per design: model only, so no target's suite
     * runs them (they would be refused), and the spec's rule coverage counts them with {@link #all()}.
     */
    public static List<Case> designs() throws IOException, ScriptException {
        return listed("cases/designs/");
    }

    private static List<Case> listed(String folder) throws IOException, ScriptException {
        List<Case> out = new ArrayList<>();
        for (String name : resource(folder + "index").split("\n")) {
            if (!name.isBlank() && !name.startsWith("#")) {
                out.add(parse(name.strip(), resource(folder + name.strip())));
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
     * What op {@code index} of the script must answer: its line's expectation; without one, success, but in a
     * concurrent group anything, since only some order of its group must give it (SCRIPT-CONCURRENT).
     */
    public Expectation expectationAt(int index) {
        Expectation e = expectations.get(script.ops().get(index).line());
        if (e != null) {
            return e;
        }
        return script.groupOf(index) == null ? Expectation.success() : Expectation.any();
    }

    /** One way a run missed the case: the text a report shows, and the rules it breaks. */
    public record Failure(String text, List<String> rules) {
    }

    /**
     * Runs the case on a target; returns one failure per op that did not meet its expectation (breaking the
     * rules its line names, else every rule of the case), per op during which the target reported a problem of
     * its own ({@code harness}: the C code misbehaved), and for a host left inconsistent. Empty when the case
     * passes.
     */
    public List<Failure> check(Target target) {
        List<Failure> failures = new ArrayList<>();
        // A target that does not model the case's platform cannot be judged on it: every rule is unjudged there.
        if (target.refusal(script) instanceof String why) {
            failures.add(new Failure(name + ": refused: " + why, rules()));
            return failures;
        }
        List<Outcome> answers = new ArrayList<>();
        try {
            ScriptRunner.run(script, target, step -> {
                answers.add(step.outcome());
                Op op = step.op();
                String where = name + ":" + op.line() + " " + (op.proc() == null ? "" : op.proc() + " ") + op.name();
                Expectation e = expectationAt(answers.size() - 1);
                List<String> broken = e.rules().isEmpty() ? rules() : e.rules();
                String which = e.rules().isEmpty() ? "" : " (" + String.join(" ", e.rules()) + ")";
                for (String m : e.mismatches(step.outcome())) {
                    failures.add(new Failure(where + ": " + m + which, broken));
                }
                if (step.outcome().extra().get("harness") instanceof List<?> problems
                        && !e.extra().containsKey("harness")) {
                    for (Object p : problems) {
                        failures.add(new Failure(where + ": " + p, problemRules(String.valueOf(p), e)));
                    }
                }
            });
        } catch (InvariantViolation e) {
            failures.add(new Failure(name + ": the host was left inconsistent: "
                    + e.getMessage().lines().findFirst().orElse(""), rules()));
        } catch (OpRefused e) {
            failures.add(new Failure(name + ": " + e.describe(), rules()));
        }
        if (!script.concurrent().isEmpty() && answers.size() == script.ops().size()) {
            try (Target m = model()) {
                if (m.refusal(script) instanceof String why) {
                    failures.add(new Failure(name + ": its concurrent groups cannot be judged: the model refuses the"
                            + " script: " + why, rules()));
                    return failures;
                }
            }
            if (Linearizability.check(script, answers, Case::model) instanceof Linearizability.NotLinearizable n) {
                failures.add(notLinearizable(n));
            }
        }
        return failures;
    }

    /** The model every case and race scenario is judged against, as ConformanceTest runs it. */
    public static Target model() {
        return Targets.model.create(LINE_BYTES, CACHE_LINES, null);
    }

    /**
     * A concurrent group whose answers no order of its ops gives on the model (SCRIPT-CONCURRENT), breaking the
     * rules its lines name (every rule of the case where none does).
     */
    private Failure notLinearizable(Linearizability.NotLinearizable n) {
        Script.Concurrent g = n.group();
        List<String> broken = new ArrayList<>();
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < g.size(); i++) {
            Op op = script.ops().get(g.first() + i);
            for (String id : expectations.getOrDefault(op.line(), Expectation.success()).rules()) {
                if (!broken.contains(id)) {
                    broken.add(id);
                }
            }
            seen.append(i == 0 ? "" : ", ").append("line ").append(op.line()).append(' ')
                    .append(answer(n.observed().get(i)));
        }
        StringBuilder allowed = new StringBuilder();
        for (Map.Entry<List<Outcome>, List<Linearizability.Order>> e : n.allowed().entrySet()) {
            allowed.append(allowed.isEmpty() ? "" : "; ").append(String.join(", ",
                    e.getKey().stream().map(Case::answer).toList()));
            Linearizability.Order order = e.getValue().getFirst();
            allowed.append(" (lines ").append(String.join(" then ", order.ops().stream()
                    .map(k -> script.ops().get(g.first() + k).line() + (order.busy().contains(k) ? " refused" : ""))
                    .toList())).append(')');
        }
        return new Failure(name + ":" + g.line() + " concurrently: " + seen + " is the result of no order of its ops;"
                + " the model allows " + allowed, broken.isEmpty() ? rules() : broken);
    }

    private static String answer(Outcome o) {
        return (o.errno() != null ? o.errno() : "ok") + (o.state() == null ? "" : " " + o.state());
    }

    /**
     * The rules a problem the target reported of its own breaks: those it names at its end, as in "... left 1
     * importer(s) attached to it (LIFETIME-REVOKE-DETACH)", if they are this case's; else those of the line's
     * expectation; else every rule of the case, since the C code misbehaved in a way no line foresaw.
     */
    private List<String> problemRules(String problem, Expectation e) {
        int open = problem.lastIndexOf(" (");
        if (open >= 0 && problem.endsWith(")")) {
            List<String> named = List.of(problem.substring(open + 2, problem.length() - 1).split(" "));
            if (named.stream().allMatch(id -> RULE_ID.matcher(id).matches()) && rules().containsAll(named)) {
                return named;
            }
        }
        return e.rules().isEmpty() ? rules() : e.rules();
    }

    /** {@link #check}, as the lines a report shows. */
    public List<String> run(Target target) {
        return check(target).stream().map(Failure::text).toList();
    }

    /** The rules {@code failures} break, in the order of this case's {@code # rule:} line. */
    public String broken(List<Failure> failures) {
        return String.join(" ", rules().stream()
                .filter(id -> failures.stream().anyMatch(f -> f.rules().contains(id))).toList());
    }
}
