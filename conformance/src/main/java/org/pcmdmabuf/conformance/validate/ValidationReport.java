package org.pcmdmabuf.conformance.validate;

import java.util.List;
import java.util.Locale;
import org.pcmdmabuf.script.Json;
import org.pcmdmabuf.conformance.validate.Check.Kind;
import org.pcmdmabuf.conformance.validate.Check.Status;

/**
 * A validation's checks in the shapes {@code pcmsim validate --format} offers, with the coverage of the
 * revision's pcm_dmabuf.c when {@code --coverage} counted it (else null).
 */
public record ValidationReport(Series series, List<Check> checks, Coverage coverage) {
    public ValidationReport(Series series, List<Check> checks) {
        this(series, checks, null);
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
        StringBuilder sb = new StringBuilder("{\"series\": ").append(Json.string(series.dir().toString()));
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
