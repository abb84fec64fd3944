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
 * is known to fail, {@code CASE RULE-ID... # why}, the rules as a failure of that case reports them. Validate shows
 * such a case as a known finding ({@link Status#KNOWN}), not hidden and not a failure; a listed case that passes,
 * or that breaks other rules, is a failure, so the list says exactly what the revision still gets wrong.
 */
public record Findings(Map<String, Finding> byCase) {
    static final String FILE = "FINDINGS";

    public record Finding(String caseName, String rules, String why) {
    }

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
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String body = (hash < 0 ? line : line.substring(0, hash)).strip();
            if (body.isEmpty()) {
                continue;
            }
            String why = hash < 0 ? "" : line.substring(hash + 1).strip();
            List<String> words = List.of(body.split("\\s+"));
            if (words.size() < 2 || why.isEmpty()
                    || !words.subList(1, words.size()).stream().allMatch(w -> Case.RULE_ID.matcher(w).matches())) {
                throw new BadSeries(f + ": line " + (i + 1) + ": expected CASE RULE-ID... # why");
            }
            String rules = String.join(" ", words.subList(1, words.size()));
            if (out.put(words.getFirst(), new Finding(words.getFirst(), rules, why)) != null) {
                throw new BadSeries(f + ": line " + (i + 1) + ": " + words.getFirst() + " listed twice");
            }
        }
        return new Findings(out);
    }

    /**
     * A conformance check as the revision's declared findings make it. A declared case's fault sweep cannot pass
     * where the case itself fails (it runs the case in lockstep with the model): a failed sweep of it is known.
     */
    Check judge(Check c) {
        Finding f = c.kind() == Kind.conformance || c.kind() == Kind.fault ? byCase.get(c.name()) : null;
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
        if (c.status() == Status.FAIL && f.rules().equals(c.rule())) {
            status = Status.KNOWN;
            details.add("a finding " + FILE + " declares: " + f.why());
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
