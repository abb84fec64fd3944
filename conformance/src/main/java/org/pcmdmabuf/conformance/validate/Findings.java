package org.pcmdmabuf.conformance.validate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pcmdmabuf.conformance.Case;
import org.pcmdmabuf.conformance.validate.Check.Kind;
import org.pcmdmabuf.conformance.validate.Check.Status;

/**
 * The findings a revision declares it still has: its series folder's {@code FINDINGS} file, one line per case it
 * is known to fail, {@code CASE RULE-ID... # why}, the rules as a failure of that case reports them, followed by
 * one {@code > TEXT} line per line of that failure, exactly as validate reports it. Validate shows such a case
 * as a known finding ({@link Status#KNOWN}), not hidden and not a failure; a listed case that passes, that breaks
 * other rules, or that fails in any other way (another errno, another line, one more problem), is a failure, so
 * the list says exactly what the revision still gets wrong and a change of how it fails is seen.
 */
public record Findings(Map<String, Finding> byCase) {
    static final String FILE = "FINDINGS";

    public record Finding(String caseName, String rules, String why, List<String> failures) {
        public Finding {
            failures = List.copyOf(failures);
        }
    }

    /** The findings of conformance cases; the others are race scenarios ({@code races/NAME.ops}). */
    public Map<String, Finding> cases() {
        Map<String, Finding> out = new LinkedHashMap<>(byCase);
        out.keySet().removeIf(name -> name.startsWith("races/"));
        return out;
    }

    /** The mark of a line that holds one line of the declared failure. */
    static final String FAILURE = ">";

    public static Findings read(Path seriesDir) throws BadSeries {
        Path f = seriesDir.resolve(FILE);
        Map<String, Finding> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(f)) {
            return new Findings(out);
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadSeries(f + ": cannot read it: " + e.getMessage());
        }
        String last = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.stripLeading().startsWith(FAILURE)) {
                if (last == null) {
                    throw new BadSeries(f + ": line " + (i + 1) + ": a '" + FAILURE + "' line belongs under the"
                            + " CASE RULE-ID... line whose failure it shows");
                }
                Finding of = out.get(last);
                List<String> failures = new ArrayList<>(of.failures());
                // one space after the mark; the rest as validate reports it, indentation of a script's lines kept
                String text = line.stripLeading().substring(FAILURE.length()).stripTrailing();
                failures.add(text.startsWith(" ") ? text.substring(1) : text);
                out.put(last, new Finding(of.caseName(), of.rules(), of.why(), failures));
                continue;
            }
            int hash = line.indexOf('#');
            String body = (hash < 0 ? line : line.substring(0, hash)).strip();
            if (body.isEmpty()) {
                continue;
            }
            shown(f, out, last);
            String why = hash < 0 ? "" : line.substring(hash + 1).strip();
            List<String> words = List.of(body.split("\\s+"));
            if (words.size() < 2 || why.isEmpty()
                    || !words.subList(1, words.size()).stream().allMatch(w -> Case.RULE_ID.matcher(w).matches())) {
                throw new BadSeries(f + ": line " + (i + 1) + ": expected CASE RULE-ID... # why");
            }
            String rules = String.join(" ", words.subList(1, words.size()));
            if (out.put(words.getFirst(), new Finding(words.getFirst(), rules, why, List.of())) != null) {
                throw new BadSeries(f + ": line " + (i + 1) + ": " + words.getFirst() + " listed twice");
            }
            last = words.getFirst();
        }
        shown(f, out, last);
        return new Findings(out);
    }

    /** A finding must say how it fails: without its failure's lines, any failure of its rules would pass for it. */
    private static void shown(Path f, Map<String, Finding> out, String last) throws BadSeries {
        if (last != null && out.get(last).failures().isEmpty()) {
            throw new BadSeries(f + ": " + last + " shows no failure: add its lines as validate reports them, each"
                    + " on a line of its own after '" + FAILURE + " '");
        }
    }

    /**
     * A conformance check as the revision's declared findings make it. A declared case's fault sweep cannot pass
     * where the case itself fails (it runs the case in lockstep with the model): a failed sweep of it is known.
     */
    Check judge(Check c) {
        Finding f = c.kind() == Kind.conformance || c.kind() == Kind.fault || c.kind() == Kind.race
                ? byCase.get(c.name()) : null;
        if (f == null) {
            return c;
        }
        if (c.kind() == Kind.fault) {
            if (c.status() != Status.FAIL) {
                return c;
            }
            List<String> details = new ArrayList<>();
            details.add("a finding " + FILE + " declares (" + f.rules() + "): the case's fault sweep is not judged"
                    + " until it is fixed");
            details.addAll(c.details());
            return new Check(c.kind(), c.name(), c.rule(), Status.KNOWN, details, c.seconds());
        }
        List<String> details = new ArrayList<>();
        Status status;
        if (c.status() == Status.FAIL && f.rules().equals(c.rule()) && f.failures().equals(c.details())) {
            status = Status.KNOWN;
            details.add("a finding " + FILE + " declares: " + f.why());
        } else if (c.status() == Status.FAIL && f.rules().equals(c.rule())) {
            status = Status.FAIL;
            details.add(FILE + " declares it failing otherwise:");
            f.failures().forEach(l -> details.add(FAILURE + " " + l));
            details.add("it fails with:");
        } else if (c.status() == Status.PASS) {
            status = Status.FAIL;
            details.add(FILE + " declares this case failing (" + f.rules() + "), but it passes: take it off the list");
        } else {
            status = c.status();
            if (c.status() == Status.FAIL) {
                details.add(FILE + " declares it breaking " + f.rules() + " only");
            }
        }
        details.addAll(c.details());
        return new Check(c.kind(), c.name(), c.rule(), status, details, c.seconds());
    }
}
