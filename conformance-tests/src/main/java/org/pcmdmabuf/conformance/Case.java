package org.pcmdmabuf.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pcmdmabuf.script.Op;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.ScriptException;
import org.pcmdmabuf.script.ScriptParser;
import org.pcmdmabuf.script.ScriptRunner;
import org.pcmdmabuf.script.Target;

/** A conformance case: an op script whose lines carry their expected results ({@link Expectation}). */
public record Case(String name, String text, Script script, Map<Integer, Expectation> expectations) {

    public static Case parse(String name, String text) throws ScriptException {
        Map<Integer, Expectation> exp = new HashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int at = lines[i].indexOf(Expectation.MARK);
            if (at >= 0) {
                exp.put(i + 1, Expectation.parse(lines[i].substring(at + Expectation.MARK.length())));
            }
        }
        return new Case(name, text, ScriptParser.parse(text), exp);
    }

    /** The cases shipped in this module's resources, listed in cases/index. */
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

    /** Runs the case on a target; returns one line per op that did not meet its expectation. */
    public List<String> run(Target target) {
        List<String> failures = new ArrayList<>();
        ScriptRunner.run(script, target, step -> {
            Op op = step.op();
            Expectation e = expectations.getOrDefault(op.line(), Expectation.success());
            for (String m : e.mismatches(step.outcome())) {
                failures.add(name + ":" + op.line() + " " + (op.proc() == null ? "" : op.proc() + " ") + op.name()
                        + ": " + m);
            }
        });
        return failures;
    }
}
