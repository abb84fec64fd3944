package org.pcmdmabuf.conformance.mutate;

import static org.pcmdmabuf.conformance.validate.ValidationReport.xml;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import org.pcmdmabuf.conformance.mutate.Outcome.Killed;
import org.pcmdmabuf.conformance.mutate.Outcome.Stillborn;
import org.pcmdmabuf.conformance.mutate.Outcome.Survived;
import org.pcmdmabuf.conformance.mutate.Outcome.TimedOut;

/**
 * The results of a mutation run, as {@code pcmsim mutate --format} prints them.
 *
 * @param selected what was run, for the report's first line: the series and how the mutants were chosen
 * @param generated how many mutants the file has, before --operators, --lines, --limit chose some
 * @param seconds the run's wall-clock time
 */
public record MutationReport(String selected, int generated, List<MutantResult> results, double seconds) {
    public enum Format {
        /** The tally, the score, the throughput, then every survivor with its line and change. */
        text,
        /** JUnit XML: one test case per mutant, survivors failed, stillborn ones skipped. */
        junit
    }

    public MutationReport {
        results = List.copyOf(results);
    }

    public long count(Class<? extends Outcome> kind) {
        return results.stream().filter(r -> kind.isInstance(r.outcome())).count();
    }

    /**
     * Killed over viable mutants (stillborn ones are no revision), a mutant that timed out counting as killed; empty
     * when no mutant was viable.
     */
    public OptionalDouble score() {
        long viable = results.size() - count(Stillborn.class);
        return viable == 0 ? OptionalDouble.empty()
                : OptionalDouble.of(100.0 * (count(Killed.class) + count(TimedOut.class)) / viable);
    }

    public String render(Format f) {
        return switch (f) {
            case text -> text();
            case junit -> junit();
        };
    }

    /** One mutant as it ends, for the progress of a run. */
    public static String progressLine(MutantResult r) {
        return String.format(Locale.ROOT, "%-10s %s  (%.1f s)%n", status(r.outcome()), r.mutant().description(),
                r.seconds()) + switch (r.outcome()) {
                    case Killed k -> "           by " + k.check() + (k.rule() == null ? "" : " (" + k.rule() + ")")
                            + "\n";
                    default -> "";
                };
    }

    private static String status(Outcome o) {
        return switch (o) {
            case Killed k -> "killed";
            case Survived s -> "SURVIVED";
            case Stillborn s -> "stillborn";
            case TimedOut t -> "timed-out";
        };
    }

    private String text() {
        StringBuilder sb = new StringBuilder("pcmsim mutate ").append(selected).append('\n');
        sb.append(String.format(Locale.ROOT,
                "%d mutants run (of %d): %d killed, %d survived, %d stillborn, %d timed out%n", results.size(),
                generated, count(Killed.class), count(Survived.class), count(Stillborn.class),
                count(TimedOut.class)));
        OptionalDouble score = score();
        sb.append(score.isPresent()
                ? String.format(Locale.ROOT, "score %.1f%% (killed and timed out / (run - stillborn))%n",
                        score.getAsDouble())
                : "score n/a: no mutant built\n");
        sb.append(String.format(Locale.ROOT, "run time %.1f s, %.1f mutants/minute%n", seconds,
                seconds > 0 ? results.size() * 60 / seconds : 0.0));
        Map<String, Integer> killers = new LinkedHashMap<>();
        results.stream().map(MutantResult::outcome).filter(o -> o instanceof Killed)
                .map(o -> ((Killed) o).check()).sorted().forEach(c -> killers.merge(c, 1, Integer::sum));
        if (!killers.isEmpty()) {
            sb.append("killed by:\n");
            killers.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                    .forEach(e -> sb.append(String.format(Locale.ROOT, "  %4d  %s%n", e.getValue(), e.getKey())));
        }
        section(sb, "survived", Survived.class);
        section(sb, "timed out", TimedOut.class);
        section(sb, "stillborn", Stillborn.class);
        return sb.toString();
    }

    private void section(StringBuilder sb, String title, Class<? extends Outcome> kind) {
        List<MutantResult> these = results.stream().filter(r -> kind.isInstance(r.outcome())).toList();
        if (these.isEmpty()) {
            return;
        }
        sb.append(title).append(":\n");
        for (MutantResult r : these) {
            sb.append("  ").append(r.mutant().description()).append("  [").append(r.mutant().id()).append("]\n");
            switch (r.outcome()) {
                case TimedOut t -> sb.append("      in ").append(t.where()).append('\n');
                case Stillborn s when !s.why().isEmpty() -> sb.append("      ").append(s.why().getFirst()).append('\n');
                default -> {
                }
            }
        }
    }

    private String junit() {
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append(String.format(Locale.ROOT,
                "<testsuite name=\"pcmsim mutate\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\" "
                        + "time=\"%.3f\">\n", results.size(), count(Survived.class), count(Stillborn.class), seconds));
        sb.append("  <properties>\n    <property name=\"selected\" value=\"").append(xml(selected)).append("\"/>\n");
        score().ifPresent(s -> sb.append(String.format(Locale.ROOT,
                "    <property name=\"score\" value=\"%.1f\"/>%n", s)));
        sb.append("  </properties>\n");
        for (MutantResult r : results) {
            Mutant m = r.mutant();
            sb.append(String.format(Locale.ROOT, "  <testcase classname=\"mutate.%s\" name=\"%s\" time=\"%.3f\">\n",
                    m.operator().id(), xml(m.id() + " " + m.description()), r.seconds()));
            switch (r.outcome()) {
                case Killed k -> sb.append("    <system-out>killed by ").append(xml(k.check()))
                        .append(k.rule() == null ? "" : xml(" (" + k.rule() + ")")).append("&#10;")
                        .append(xml(String.join("\n", k.details()))).append("</system-out>\n");
                case Survived s -> sb.append("    <failure message=\"survived: ").append(xml(m.description()))
                        .append("\">every check passed on this mutant</failure>\n");
                case Stillborn s -> sb.append("    <skipped message=\"stillborn: ")
                        .append(xml(String.join("\n", s.why()))).append("\"/>\n");
                case TimedOut t -> sb.append("    <system-out>timed out in ").append(xml(t.where())).append("&#10;")
                        .append(xml(String.join("\n", t.details()))).append("</system-out>\n");
            }
            sb.append("  </testcase>\n");
        }
        return sb.append("</testsuite>\n").toString();
    }
}
