package org.pcmdmabuf.conformance.validate;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pcmdmabuf.conformance.shard.Campaign;
import org.pcmdmabuf.script.Json;
import org.pcmdmabuf.conformance.validate.Check.Kind;
import org.pcmdmabuf.conformance.validate.Check.Status;

/**
 * A validation's checks in the shapes {@code pcmsim validate --format} offers, with the coverage of the
 * revision's pcm_dmabuf.c when {@code --coverage} counted it (else null); {@code campaign}, the revision, options
 * and shard that {@code --format json} begins with. A campaign run with {@code --no-times} reports every check's
 * time as 0, which the text leaves out: the report is then the same bytes on every run.
 */
public record ValidationReport(Campaign campaign, Series series, List<Check> checks, Coverage coverage) {
    public ValidationReport {
        checks = campaign.timed() ? List.copyOf(checks) : checks.stream().map(Check::untimed).toList();
    }

    /**
     * The inputs that decide a validation's checks, which every shard of one campaign must share: the revision's
     * content and patches, and the options that choose the checks.
     */
    public static Campaign campaign(String version, Series series, boolean kernelChecks, Validation.Differential d,
            Validation.Depth depth, boolean asan, boolean coverage, boolean times) throws BadSeries {
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("pcmsim", version);
        inputs.put("revision", series.revision());
        inputs.put("series", series.dir().toString());
        inputs.put("patches", series.patches().stream().map(p -> p.getFileName().toString()).toList());
        inputs.put("kernel_checks", kernelChecks);
        inputs.put("sequences", d.sequences());
        inputs.put("seed", d.seed());
        inputs.put("faults", depth.faults());
        inputs.put("races", depth.races());
        inputs.put("asan", asan);
        // not "coverage": the report's own member of that name follows, and readers look for it by name
        inputs.put("gcov", coverage);
        inputs.put("times", times);
        return new Campaign("validate", d.shard(), inputs);
    }

    /**
     * The whole validation from its shards, in shard order (checked by {@link Campaign#shards}): shard 1's checks,
     * with the cases' fault sweeps of every shard in the order of the cases, the fault figures and the random
     * sequences added up; a failed differential is the failing sequence of lowest number, which the whole run would
     * have stopped at. The times are the shards' added.
     */
    public static ValidationReport merge(List<Campaign.Result> shards) throws Campaign.Refused {
        Campaign.Result first = shards.getFirst();
        Campaign.Reader inputs = new Campaign.Reader(first.file(), first.campaign().inputs());
        if (!(first.campaign().inputs().get("gcov") instanceof Boolean b) || b) {
            throw new Campaign.Refused(first.file() + ": a validation with --coverage does not merge: its counts "
                    + "are one process's");
        }
        Path dir = Path.of(inputs.text("series"));
        Series series = new Series(dir, inputs.texts("patches").stream().map(dir::resolve).toList());
        Validation.Differential whole = new Validation.Differential((int) inputs.number("sequences"),
                inputs.number("seed"));
        List<List<Check>> parts = new ArrayList<>();
        for (Campaign.Result r : shards) {
            parts.add(read(new Campaign.Reader(r.file(), r.json())));
        }
        List<List<Check>> swept = new ArrayList<>();
        HarnessChecks.FaultFigures figures = new HarnessChecks.FaultFigures(java.util.Set.of(), 0, 0, 0);
        Check unfigured = null;
        double figureSeconds = 0;
        Check differential = null;
        long ops = 0;
        double differentialSeconds = 0;
        for (int i = 0; i < parts.size(); i++) {
            List<Check> mine = new ArrayList<>();
            for (Check c : parts.get(i)) {
                if (c.kind() == Kind.fault && summary(c)) {
                    HarnessChecks.FaultFigures f = HarnessChecks.FaultFigures.of(c);
                    if (f == null) {
                        unfigured = unfigured == null ? c : unfigured;
                    } else {
                        figures = figures.plus(f);
                        figureSeconds += c.seconds();
                    }
                } else if (c.kind() == Kind.fault) {
                    mine.add(c);
                } else if (c.kind() == Kind.differential) {
                    differentialSeconds += c.seconds();
                    if (c.status() == Status.PASS) {
                        ops += HarnessChecks.differentialOps(c);
                    } else if (differential == null || earlier(c, differential)) {
                        differential = c;
                    }
                }
            }
            swept.add(mine);
        }
        List<Check> faultCases = new ArrayList<>();
        int total = swept.stream().mapToInt(List::size).sum();
        for (int i = 0; i < total; i++) {
            List<Check> from = swept.get(i % swept.size());
            if (i / swept.size() >= from.size()) {
                throw new Campaign.Refused(shards.get(i % swept.size()).file() + " has fewer fault sweeps than shard "
                        + shards.get(i % swept.size()).campaign().shard() + " of " + total + " cases should");
            }
            faultCases.add(from.get(i / swept.size()));
        }
        Check differentialWhole = differential == null
                ? new Check(Kind.differential, HarnessChecks.differentialPassed(whole, ops), null, Status.PASS,
                        List.of(), differentialSeconds)
                : new Check(Kind.differential, HarnessChecks.differentialName(whole), null, differential.status(),
                        differential.details(), differentialSeconds);
        List<Check> checks = new ArrayList<>();
        boolean faultsAdded = false;
        for (Check c : parts.getFirst()) {
            if (c.kind() == Kind.fault && summary(c)) {
                checks.add(unfigured != null ? unfigured : figures.check(figureSeconds));
            } else if (c.kind() == Kind.fault) {
                if (!faultsAdded) {
                    checks.addAll(faultCases);
                    faultsAdded = true;
                }
            } else if (c.kind() == Kind.differential) {
                checks.add(differentialWhole);
            } else {
                checks.add(c);
            }
        }
        return new ValidationReport(first.campaign().whole(), series, checks, null);
    }

    /** Whether a fault check is the figures over the cases rather than one case's sweep. */
    private static boolean summary(Check c) {
        return c.name().startsWith(HarnessChecks.FAULT_SUMMARY);
    }

    /**
     * Whether differential check {@code a}, not passed, is what the whole run reports rather than {@code b}: a
     * failure before a skip, and of two failures the one of the lower sequence (one naming none, a crash or a time
     * limit, last).
     */
    private static boolean earlier(Check a, Check b) {
        if (a.status() != b.status()) {
            return a.status() == Status.FAIL;
        }
        long x = HarnessChecks.failedSequence(a);
        long y = HarnessChecks.failedSequence(b);
        return x >= 0 && (y < 0 || x < y);
    }

    private static List<Check> read(Campaign.Reader j) throws Campaign.Refused {
        List<Check> checks = new ArrayList<>();
        for (Campaign.Reader c : j.objects("checks")) {
            try {
                checks.add(new Check(Kind.valueOf(c.text("kind")), c.text("name"), c.textOrNull("rule"),
                        Status.valueOf(c.text("status")), c.texts("details"), c.decimal("seconds")));
            } catch (IllegalArgumentException e) {
                throw new Campaign.Refused(j.file() + ": a check of unknown kind or status: " + e.getMessage());
            }
        }
        return checks;
    }

    public enum Format {
        /** One line per check as it completes, failures with their details, then the tally. */
        text,
        /** JUnit XML, as CI servers read Surefire's reports. */
        junit,
        /** KTAP version 1, as the kernel's selftests and KUnit print. */
        ktap,
        /** One JSON object: the series, every check, the tally and the coverage (null without --coverage). */
        json
    }

    public long count(Status s) {
        return checks.stream().filter(c -> c.status() == s).count();
    }

    public boolean passed() {
        return count(Status.FAIL) == 0;
    }

    /** The rules the failed conformance cases check: what the revision breaks. */
    public List<String> brokenRules() {
        return checks.stream().filter(c -> c.kind() == Kind.conformance && c.status() == Status.FAIL)
                .map(c -> c.rule() + " (" + c.name() + ")").distinct().toList();
    }

    public String render(Format f) {
        return switch (f) {
            case text -> header(series) + checks.stream().map(ValidationReport::textLine).reduce("", String::concat)
                    + footer();
            case junit -> junit();
            case ktap -> ktap();
            case json -> json();
        };
    }

    /** The first line of a text report, printed before the first check completes. */
    public static String header(Series series) {
        return "pcmsim validate " + series.dir() + " (" + series.diffCount() + " patches)\n";
    }

    /** One check for a terminal: status, what it is, and for a failure its details, indented. */
    public static String textLine(Check c) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-4s  %-11s %s", switch (c.status()) {
            case PASS -> "ok";
            case FAIL -> "FAIL";
            case SKIP -> "skip";
            case KNOWN -> "known";
        }, c.kind(), c.title()));
        if (c.seconds() >= 0.05) {
            sb.append(String.format(Locale.ROOT, "  (%.1f s)", c.seconds()));
        }
        sb.append('\n');
        if (c.status() != Status.PASS) {
            for (String d : c.details()) {
                sb.append("                  ").append(d).append('\n');
            }
        }
        return sb.toString();
    }

    public String footer() {
        StringBuilder sb = new StringBuilder();
        if (coverage != null) {
            for (String l : coverage.text()) {
                sb.append(l).append('\n');
            }
        }
        for (String r : brokenRules()) {
            sb.append("breaks ").append(r).append('\n');
        }
        sb.append(count(Status.PASS)).append(" passed, ").append(count(Status.FAIL)).append(" failed, ");
        if (count(Status.KNOWN) > 0) {
            sb.append(count(Status.KNOWN)).append(" known findings (FINDINGS: not fixed), ");
        }
        return sb.append(count(Status.SKIP)).append(" skipped\n").toString();
    }

    private String ktap() {
        StringBuilder sb = new StringBuilder("KTAP version 1\n");
        sb.append("# pcmsim validate ").append(series.dir()).append('\n');
        sb.append("1..").append(checks.size()).append('\n');
        for (int i = 0; i < checks.size(); i++) {
            Check c = checks.get(i);
            boolean notOk = c.status() == Status.FAIL || c.status() == Status.KNOWN;
            sb.append(notOk ? "not ok " : "ok ").append(i + 1).append(' ')
                    .append(c.kind()).append(": ").append(c.title().replace('#', ' '));
            if (c.status() == Status.SKIP) {
                sb.append(" # SKIP ").append(String.join("; ", c.details()));
            } else if (c.status() == Status.KNOWN) {
                // TAP's TODO: a failure the revision knows of, which does not fail the run
                sb.append(" # TODO ").append(c.details().getFirst().replace('#', ' '));
            }
            sb.append('\n');
            if (notOk) {
                for (String d : c.details()) {
                    sb.append("# ").append(d).append('\n');
                }
            }
        }
        return sb.append("# ").append(footer().strip().replace("\n", "\n# ")).append('\n').toString();
    }

    private String junit() {
        double total = checks.stream().mapToDouble(Check::seconds).sum();
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append(String.format(Locale.ROOT,
                "<testsuite name=\"pcmsim validate\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\" "
                        + "time=\"%.3f\">\n", checks.size(), count(Status.FAIL), count(Status.SKIP) + count(Status.KNOWN), total));
        sb.append("  <properties>\n    <property name=\"series\" value=\"").append(xml(series.dir().toString()))
                .append("\"/>\n  </properties>\n");
        for (Check c : checks) {
            sb.append(String.format(Locale.ROOT, "  <testcase classname=\"validate.%s\" name=\"%s\" time=\"%.3f\"",
                    c.kind(), xml(c.title()), c.seconds()));
            String details = xml(String.join("\n", c.details()));
            switch (c.status()) {
                case PASS -> sb.append("/>\n");
                case SKIP, KNOWN -> sb.append(">\n    <skipped message=\"").append(details)
                        .append("\"/>\n  </testcase>\n");
                case FAIL -> sb.append(">\n    <failure message=\"")
                        .append(xml(c.rule() == null ? c.name() + " failed" : "breaks " + c.rule()))
                        .append("\">").append(details).append("</failure>\n  </testcase>\n");
            }
        }
        return sb.append("</testsuite>\n").toString();
    }

    private String json() {
        StringBuilder sb = new StringBuilder("{").append(campaign.jsonHead()).append(",\n \"series\": ")
                .append(Json.string(series.dir().toString()));
        sb.append(", \"passed\": ").append(count(Status.PASS)).append(", \"failed\": ").append(count(Status.FAIL))
                .append(", \"known\": ").append(count(Status.KNOWN)).append(", \"skipped\": ")
                .append(count(Status.SKIP)).append(",\n \"checks\": [");
        for (int i = 0; i < checks.size(); i++) {
            Check c = checks.get(i);
            sb.append(i == 0 ? "\n  " : ",\n  ").append("{\"kind\": ").append(Json.string(c.kind().name()))
                    .append(", \"name\": ").append(Json.string(c.name())).append(", \"rule\": ")
                    .append(Json.string(c.rule())).append(", \"status\": ").append(Json.string(c.status().name()))
                    .append(", \"seconds\": ").append(Json.decimal(c.seconds())).append(", \"details\": [")
                    .append(String.join(", ", c.details().stream().map(Json::string).toList())).append("]}");
        }
        return sb.append("],\n \"coverage\": ").append(coverage == null ? "null" : coverage.json()).append("}\n")
                .toString();
    }

    /** {@code s} as an XML attribute value or text: escaped, newlines kept, other control characters left out. */
    public static String xml(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\n' -> sb.append("&#10;");
                default -> {
                    if (ch >= 0x20 || ch == '\t') {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.toString();
    }
}
