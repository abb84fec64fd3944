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
import org.pcmdmabuf.conformance.shard.Campaign;
import org.pcmdmabuf.script.Json;

/**
 * The results of a mutation run, as {@code pcmsim mutate --format} prints them.
 *
 * @param campaign the revision, the options and the shard, which {@code --format json} begins with
 * @param selected what was run, for the report's first line: the series and how the mutants were chosen
 * @param generated how many mutants the file has, before --operators, --lines, --limit chose some
 * @param seconds the run's wall-clock time (of a merge: the shards' times added); under {@code --no-times}
 *     ({@link Campaign#timed()}) it and every mutant's are 0 and the text has no run time, so that the report is the
 *     same bytes on every run
 */
public record MutationReport(Campaign campaign, String selected, int generated, List<MutantResult> results,
        double seconds) {
    public enum Format {
        /** The tally, the score, the throughput, then every survivor with its line and change. */
        text,
        /** JUnit XML: one test case per mutant, survivors failed, stillborn ones skipped. */
        junit,
        /** One JSON object: the campaign, the tally, the score and every mutant with its fate (docs/sharding.md). */
        json
    }

    public MutationReport {
        if (campaign.timed()) {
            results = List.copyOf(results);
        } else {
            results = results.stream().map(r -> new MutantResult(r.mutant(), r.outcome(), 0)).toList();
            seconds = 0;
        }
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
            case json -> json();
        };
    }

    /** One mutant as it ends, for the progress of a run; its time unless {@code timed} is false. */
    public static String progressLine(MutantResult r, boolean timed) {
        return String.format(Locale.ROOT, "%-10s %s%s%n", status(r.outcome()), r.mutant().description(),
                timed ? String.format(Locale.ROOT, "  (%.1f s)", r.seconds()) : "") + switch (r.outcome()) {
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
        if (campaign.timed()) {
            sb.append(String.format(Locale.ROOT, "run time %.1f s, %.1f mutants/minute%n", seconds,
                    seconds > 0 ? results.size() * 60 / seconds : 0.0));
        }
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

    private String json() {
        StringBuilder sb = new StringBuilder("{").append(campaign.jsonHead());
        sb.append(",\n \"selected\": ").append(Json.string(selected)).append(", \"generated\": ").append(generated)
                .append(", \"run\": ").append(results.size()).append(", \"killed\": ").append(count(Killed.class))
                .append(", \"survived\": ").append(count(Survived.class)).append(", \"stillborn\": ")
                .append(count(Stillborn.class)).append(", \"timed_out\": ").append(count(TimedOut.class))
                .append(", \"score\": ").append(score().isPresent() ? Json.decimal(score().getAsDouble()) : "null")
                .append(", \"seconds\": ").append(Json.decimal(seconds)).append(",\n \"mutants\": [");
        for (int i = 0; i < results.size(); i++) {
            MutantResult r = results.get(i);
            Mutant m = r.mutant();
            sb.append(i == 0 ? "\n  " : ",\n  ").append("{\"id\": ").append(Json.string(m.id()))
                    .append(", \"operator\": ").append(Json.string(m.operator().id())).append(", \"line\": ")
                    .append(m.line()).append(", \"column\": ").append(m.column()).append(", \"before\": ")
                    .append(Json.string(m.before())).append(", \"after\": ").append(Json.string(m.after()))
                    .append(", \"edits\": [");
            for (int e = 0; e < m.edits().size(); e++) {
                Mutant.Edit edit = m.edits().get(e);
                sb.append(e == 0 ? "" : ", ").append("{\"line\": ").append(edit.line()).append(", \"text\": ")
                        .append(Json.string(edit.text())).append('}');
            }
            sb.append("],\n   \"outcome\": ").append(Json.string(status(r.outcome()).toLowerCase(Locale.ROOT)));
            switch (r.outcome()) {
                case Killed k -> sb.append(", \"check\": ").append(Json.string(k.check())).append(", \"rule\": ")
                        .append(Json.string(k.rule())).append(", \"details\": ").append(strings(k.details()));
                case Survived s -> {
                }
                case Stillborn s -> sb.append(", \"why\": ").append(strings(s.why()));
                case TimedOut t -> sb.append(", \"where\": ").append(Json.string(t.where())).append(", \"details\": ")
                        .append(strings(t.details()));
            }
            sb.append(", \"seconds\": ").append(Json.decimal(r.seconds())).append('}');
        }
        return sb.append("]}\n").toString();
    }

    /**
     * The whole run from its shards, in shard order (checked by {@link Campaign#shards}): mutant {@code i} of the
     * selection is the {@code i / N}-th of shard {@code i % N + 1}'s, so the mutants come back in the order one run
     * judges them; the run time is the shards' times added.
     */
    public static MutationReport merge(List<Campaign.Result> shards) throws Campaign.Refused {
        Campaign.Result first = shards.getFirst();
        Campaign.Reader inputs = new Campaign.Reader(first.file(), first.campaign().inputs());
        int total = (int) inputs.number("mutants");
        List<List<MutantResult>> parts = new java.util.ArrayList<>();
        double seconds = 0;
        int generated = 0;
        for (Campaign.Result r : shards) {
            Campaign.Reader j = new Campaign.Reader(r.file(), r.json());
            List<MutantResult> these = new java.util.ArrayList<>();
            for (Campaign.Reader m : j.objects("mutants")) {
                these.add(read(m));
            }
            int expected = r.campaign().shard().size(total);
            if (these.size() != expected) {
                throw new Campaign.Refused(r.file() + " has " + these.size() + " mutants; shard "
                        + r.campaign().shard() + " of " + total + " has " + expected + " (a cut-short or edited result)");
            }
            parts.add(these);
            seconds += j.decimal("seconds");
            generated = (int) j.number("generated");
        }
        List<MutantResult> results = new java.util.ArrayList<>();
        for (int i = 0; i < total; i++) {
            results.add(parts.get(i % shards.size()).get(i / shards.size()));
        }
        return new MutationReport(first.campaign().whole(), inputs.text("selection") + ", " + total + " run",
                generated, results, seconds);
    }

    private static MutantResult read(Campaign.Reader m) throws Campaign.Refused {
        String op = m.text("operator");
        Operator operator = Operator.byId(op).orElseThrow(() -> new Campaign.Refused(m.file()
                + ": unknown operator \"" + op + "\""));
        List<Mutant.Edit> edits = new java.util.ArrayList<>();
        for (Campaign.Reader e : m.objects("edits")) {
            edits.add(new Mutant.Edit((int) e.number("line"), e.text("text")));
        }
        Mutant mutant = new Mutant(operator, (int) m.number("line"), (int) m.number("column"), edits,
                m.text("before"), m.text("after"));
        Outcome outcome = switch (m.text("outcome")) {
            case "killed" -> new Killed(m.text("check"), m.textOrNull("rule"), m.texts("details"));
            case "survived" -> new Survived();
            case "stillborn" -> new Stillborn(m.texts("why"));
            case "timed-out" -> new TimedOut(m.text("where"), m.texts("details"));
            default -> throw new Campaign.Refused(m.file() + ": unknown outcome \"" + m.text("outcome")
                    + "\" of mutant " + mutant.id());
        };
        return new MutantResult(mutant, outcome, m.decimal("seconds"));
    }

    private static String strings(List<String> l) {
        return "[" + String.join(", ", l.stream().map(Json::string).toList()) + "]";
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
