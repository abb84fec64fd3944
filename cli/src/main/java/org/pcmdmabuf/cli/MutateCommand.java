package org.pcmdmabuf.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.pcmdmabuf.conformance.mutate.CoreSource;
import org.pcmdmabuf.conformance.mutate.Mutant;
import org.pcmdmabuf.conformance.mutate.MutantResult;
import org.pcmdmabuf.conformance.mutate.MutationReport;
import org.pcmdmabuf.conformance.mutate.MutationReport.Format;
import org.pcmdmabuf.conformance.mutate.MutationRun;
import org.pcmdmabuf.conformance.mutate.Mutator;
import org.pcmdmabuf.conformance.mutate.Operator;
import org.pcmdmabuf.conformance.shard.Campaign;
import org.pcmdmabuf.conformance.shard.Shard;
import org.pcmdmabuf.conformance.validate.BadSeries;
import org.pcmdmabuf.conformance.validate.Check;
import org.pcmdmabuf.conformance.validate.HarnessBuilds;
import org.pcmdmabuf.conformance.validate.ProcessRunner;
import org.pcmdmabuf.conformance.validate.Sandbox;
import org.pcmdmabuf.conformance.validate.Series;
import org.pcmdmabuf.conformance.validate.SystemProcessRunner;
import org.pcmdmabuf.conformance.validate.Validation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pcmsim mutate [PATCH_DIR]}: how much of the revision's C code the judge would notice broken. */
@Command(name = "mutate", mixinStandardHelpOptions = true,
        description = {"Mutation testing of a revision's sound/core/pcm_dmabuf.c: make mutants (one small change "
                + "each: a negated condition, another errno, a dropped call, assignment or lock...), judge each as "
                + "'pcmsim validate --no-kernel-checks --fail-fast' does, and report the mutants no check kills "
                + "(docs/mutation.md).",
                "The revision itself is validated first: it must pass. Each mutant's fate is printed as it is known, "
                        + "then the report (to --output if given); a JUnit report on standard output has the progress "
                        + "on standard error.",
                "Exit status: 0 done (and the score reaches --min-score), 1 the score is below --min-score, 2 bad "
                        + "input (no series, a patch that does not parse, an option's value, a revision that fails "
                        + "validate itself, no sandbox), 130 interrupted."})
final class MutateCommand implements Callable<Integer> {
    private static final Pattern LINES = Pattern.compile("(\\d{1,9})(?:-(\\d{1,9}))?");

    private final ProcessRunner processes;
    /** Whether mutants' harness builds are reused and kept (not by a test's double, whose builds make nothing). */
    private final boolean keptBuilds;

    MutateCommand() {
        this(new SystemProcessRunner(), true);
    }

    MutateCommand(ProcessRunner processes) {
        this(processes, false);
    }

    private MutateCommand(ProcessRunner processes, boolean keptBuilds) {
        this.processes = processes;
        this.keptBuilds = keptBuilds;
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PATCH_DIR",
            description = "The series, git format-patch's NNNN-*.patch files (default: kernel-patch/series).")
    Path patchDir;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N",
            description = "Mutants judged at once (default: the number of cores).")
    Integer jobs;

    @Option(names = "--format", defaultValue = "text",
            description = "Report format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the report to FILE.")
    Path output;

    @Option(names = "--operators", split = ",", paramLabel = "OP",
            description = "Only these operators (default: all): negate-condition, relational, logical, errno, "
                    + "return-zero, drop-call, drop-assignment, drop-lock, boolean, increment, constant.")
    List<String> operators;

    @Option(names = "--lines", paramLabel = "A-B", description = "Only mutants of these lines of pcm_dmabuf.c.")
    String lines;

    @Option(names = "--every", paramLabel = "K", defaultValue = "1",
            description = "Every K-th of the selected mutants, from the first: a sample spread over the file "
                    + "(default: ${DEFAULT-VALUE}).")
    int every;

    @Option(names = "--limit", paramLabel = "N", description = "At most N mutants, the first ones of the selection.")
    Integer limit;

    @Option(names = "--timeout", defaultValue = "180s", converter = Durations.class, paramLabel = "DURATION",
            description = "Longest a mutant's validation (and each case of it) may take; past it the mutant timed out "
                    + "(default: ${DEFAULT-VALUE}).")
    long timeout;

    @Option(names = "--sequences", defaultValue = "200", paramLabel = "N",
            description = "Random op sequences run in lockstep with the model on each mutant (default: ${DEFAULT-VALUE}).")
    int sequences;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random sequences (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--min-score", paramLabel = "PERCENT",
            description = "Exit 1 when the score (killed / (run - stillborn), in percent) is below it; with --shard, "
                    + "pcmsim merge judges the campaign's score.")
    Double minScore;

    @Option(names = "--shard", paramLabel = "K/N", converter = ShardConverter.class,
            description = ShardConverter.DESCRIPTION + " Here: the selected mutants.")
    Shard shard = Shard.WHOLE;

    @Option(names = "--no-times", description = ShardConverter.NO_TIMES)
    boolean noTimes;

    @Option(names = "--no-sandbox",
            description = "Run the mutants' code outside the bubblewrap sandbox, with your full rights (docs/sandbox.md).")
    boolean noSandbox;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int pool = jobs == null ? Runtime.getRuntime().availableProcessors() : jobs;
        if (pool < 1) {
            return usage(err, "--jobs must be at least 1, not " + pool);
        }
        if (sequences < 0) {
            return usage(err, "--sequences must be 0 or more, not " + sequences);
        }
        if (timeout <= 0) {
            return usage(err, "--timeout must be longer than 0");
        }
        if (every < 1) {
            return usage(err, "--every must be at least 1, not " + every);
        }
        if (limit != null && limit < 1) {
            return usage(err, "--limit must be at least 1, not " + limit);
        }
        if (minScore != null && !(minScore >= 0 && minScore <= 100)) {
            return usage(err, "--min-score must be a percentage from 0 to 100, not " + minScore);
        }
        List<Operator> chosen = new ArrayList<>();
        for (String o : operators == null ? List.<String>of() : operators) {
            Operator op = Operator.byId(o.strip()).orElse(null);
            if (op == null) {
                return usage(err, "unknown operator '" + o + "' in --operators (known: "
                        + Arrays.stream(Operator.values()).map(Operator::id).collect(Collectors.joining(", ")) + ")");
            }
            chosen.add(op);
        }
        int from = 1;
        int to = Integer.MAX_VALUE;
        if (lines != null) {
            Matcher m = LINES.matcher(lines);
            if (!m.matches()) {
                return usage(err, "--lines takes A-B or A (lines of pcm_dmabuf.c), not '" + lines + "'");
            }
            from = Integer.parseInt(m.group(1));
            to = m.group(2) == null ? from : Integer.parseInt(m.group(2));
            if (from < 1 || to < from) {
                return usage(err, "--lines " + lines + " is no range of lines: A-B with 1 <= A <= B");
            }
        }
        if (output != null && ReportFile.unwritable(output) != null) {
            return usage(err, "cannot write --output " + output + ": " + ReportFile.unwritable(output));
        }
        Path kernelPatch = ValidateCommand.kernelPatchDir();
        if (kernelPatch == null) {
            return usage(err, "cannot find kernel-patch/scripts/check.sh: run pcmsim from its pcm-dmabuf checkout");
        }
        Series series;
        CoreSource source;
        try {
            series = Series.open(patchDir != null ? patchDir : kernelPatch.resolve("series"));
            source = CoreSource.of(series);
        } catch (BadSeries e) {
            return usage(err, e.getMessage());
        }
        List<Mutant> all = Mutator.mutants(source.lines());
        int first = from;
        int last = to;
        List<Mutant> selected = all.stream()
                .filter(m -> chosen.isEmpty() || chosen.contains(m.operator()))
                .filter(m -> m.line() >= first && m.line() <= last).toList();
        List<Mutant> sample = new ArrayList<>();
        for (int i = 0; i < selected.size() && (limit == null || sample.size() < limit); i += every) {
            sample.add(selected.get(i));
        }
        String selection = selection(series, chosen, all.size());
        if (sample.isEmpty()) {
            return usage(err, "no mutant selected: " + selection);
        }
        int selectedCount = sample.size();
        sample = shard.of(sample);
        if (sample.isEmpty()) {
            return usage(err, "shard " + shard + " has no mutant: " + selectedCount + " selected (" + selection
                    + "), fewer than the " + shard.count() + " shards");
        }
        Campaign campaign;
        try {
            campaign = campaign(series, selection, selectedCount);
        } catch (BadSeries e) {
            return usage(err, e.getMessage());
        }
        Sandbox sandbox;
        if (noSandbox) {
            sandbox = new Sandbox.Off();
        } else {
            try {
                sandbox = Sandbox.probe(kernelPatch);
            } catch (Sandbox.Unavailable e) {
                err.println("pcmsim: mutate needs bubblewrap (bwrap) for the sandbox: apt-get install bubblewrap, "
                        + "or pass --no-sandbox to run the mutants with your full rights (" + e.getMessage() + ")");
                err.flush();
                return Pcmsim.EXIT_USAGE;
            }
        }
        // standard output carries the progress, unless it carries the JUnit document
        PrintWriter progress = format != Format.text && output == null ? err : out;
        Duration limitPerMutant = Duration.ofNanos(timeout);
        MutationRun run = new MutationRun(series, source, new MutationRun.Settings(kernelPatch, sandbox, processes,
                pool, new Validation.Differential(sequences, seed), limitPerMutant,
                keptBuilds ? HarnessBuilds.inArtefactCache() : null));
        progress.println("pcmsim mutate " + selection + ": " + sample.size() + " to run"
                + (shard.whole() ? "" : " (shard " + shard + " of " + selectedCount + ")") + ", " + pool + " at a time, "
                + sequences + " random sequences each, timeout " + limitPerMutant.toSeconds() + " s");
        progress.println(sandbox.describe());
        progress.flush();
        long t0 = System.nanoTime();
        List<MutantResult> results;
        try {
            Check failed = run.baseline();
            if (failed != null) {
                return usage(err, "the revision itself fails validate (" + failed.kind() + " " + failed.title()
                        + "): its mutants would say nothing; pcmsim validate --no-kernel-checks " + series.dir()
                        + " shows why");
            }
            progress.println("baseline: the revision passes" + (noTimes ? ""
                    : String.format(Locale.ROOT, " (%.1f s)", (System.nanoTime() - t0) / 1e9)));
            progress.flush();
            results = run.run(sample, r -> {
                progress.print(MutationReport.progressLine(r, !noTimes));
                progress.flush();
            });
        } catch (BadSeries e) {
            return usage(err, e.getMessage());
        } catch (InterruptedException e) {
            err.println("pcmsim mutate: interrupted: every child process stopped, the temporary files removed");
            err.flush();
            return ValidateCommand.EXIT_INTERRUPTED;
        }
        MutationReport report = new MutationReport(campaign, selection + ", " + sample.size() + " run"
                + (shard.whole() ? "" : " (shard " + shard + " of " + selectedCount + ")"), all.size(), results,
                (System.nanoTime() - t0) / 1e9);
        String text = report.render(format);
        if (output != null) {
            try {
                Files.writeString(output, text, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return usage(err, "cannot write --output " + output + ": " + e.getMessage());
            }
        } else {
            out.print(text);
        }
        out.flush();
        // a shard's score is a part's: pcmsim merge judges the campaign's against --min-score
        return shard.whole() && minScore != null && report.score().orElse(0) < minScore ? 1 : 0;
    }

    /**
     * What decides the result, which every shard of a campaign must share: the revision's content, the selection
     * (with how many mutants it has), the judging options and the score asked for.
     */
    private Campaign campaign(Series series, String selection, int selected) throws BadSeries {
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("pcmsim", Pcmsim.version());
        inputs.put("revision", series.revision());
        inputs.put("selection", selection);
        inputs.put("mutants", selected);
        inputs.put("sequences", sequences);
        inputs.put("seed", seed);
        inputs.put("timeout_ns", timeout);
        inputs.put("min_score", minScore);
        inputs.put("times", !noTimes);
        return new Campaign("mutate", shard, inputs);
    }

    /** What was chosen, for the report's first line. */
    private String selection(Series series, List<Operator> chosen, int total) {
        List<String> how = new ArrayList<>();
        if (!chosen.isEmpty()) {
            how.add("--operators " + chosen.stream().map(Operator::id).collect(Collectors.joining(",")));
        }
        if (lines != null) {
            how.add("--lines " + lines);
        }
        if (every > 1) {
            how.add("--every " + every);
        }
        if (limit != null) {
            how.add("--limit " + limit);
        }
        return series.dir() + ": " + total + " mutants of pcm_dmabuf.c" + (how.isEmpty() ? "" : ", " + String.join(" ", how));
    }

    private static int usage(PrintWriter err, String message) {
        err.println("pcmsim mutate: " + message);
        err.flush();
        return Pcmsim.EXIT_USAGE;
    }
}
