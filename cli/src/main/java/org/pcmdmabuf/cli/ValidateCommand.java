package org.pcmdmabuf.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
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
import org.pcmdmabuf.conformance.validate.ValidationReport;
import org.pcmdmabuf.conformance.validate.ValidationReport.Format;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code pcmsim validate [PATCH_DIR]}: one revision of the patch series, from checkpatch to the suite. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Validate a revision of the kernel patch series: apply it to Linux 6.12, checkpatch "
                + "--strict, W=1 and sparse builds (kernel-patch/scripts/check.sh), build its pcm_dmabuf.c into "
                + "the user-space harness, run every conformance case on it, and random op sequences on it and on "
                + "the model in lockstep.",
                "The revision's code runs in a bubblewrap sandbox: no network, no writes outside its work "
                        + "directories, no view of your home, bounded CPU time, memory and processes "
                        + "(docs/sandbox.md).",
                "Exit status: 0 every check passed, 1 a check failed, 2 PATCH_DIR is no series or does not "
                        + "apply, or no sandbox can run, 130 interrupted (SIGINT): every child stopped, the temporary files removed."})
final class ValidateCommand implements Callable<Integer> {
    private static final String SCRIPT = "scripts/check.sh";
    /** The random sequences of a {@code --quick} run: a tenth of the default, a second or two of lockstep. */
    static final int QUICK_SEQUENCES = 200;
    /** 128 + SIGINT: the status a shell gives a command Ctrl-C stopped. */
    static final int EXIT_INTERRUPTED = 130;

    private final ProcessRunner processes;
    /** Whether harness builds of the same inputs are reused (not by a test's double, whose builds make nothing). */
    private final boolean keptBuilds;

    ValidateCommand() {
        this(new SystemProcessRunner(), true);
    }

    /** The command with its child processes run by {@code processes}: a test's double. */
    ValidateCommand(ProcessRunner processes) {
        this(processes, false);
    }

    private ValidateCommand(ProcessRunner processes, boolean keptBuilds) {
        this.processes = processes;
        this.keptBuilds = keptBuilds;
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PATCH_DIR",
            description = "The series, git format-patch's NNNN-*.patch files (default: kernel-patch/series).")
    Path patchDir;

    @Option(names = "--format", defaultValue = "text",
            description = "Report format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--report", paramLabel = "FORMAT=FILE",
            description = "Also write the report in FORMAT (${COMPLETION-CANDIDATES}) to FILE, as --format FORMAT would "
                    + "print it; repeatable. One run then gives, say, the text on the terminal and JUnit XML for a "
                    + "CI's test view. FILE's folder must exist.")
    Map<Format, Path> reports = new EnumMap<>(Format.class);

    @Option(names = {"-j", "--jobs"}, defaultValue = "2", paramLabel = "N",
            description = "Parallel jobs of the kernel builds (default: ${DEFAULT-VALUE}). Given, also the harness "
                    + "stages (the cases, the fault sweep, the race stage, the random sequences) run at once, up to N, "
                    + "each in a child of its own, reported in stage order; not given, one child runs them in turn, "
                    + "which is faster on a busy machine (docs/benchmarks.md).")
    int jobs;

    @Option(names = "--sequences", defaultValue = "2000", paramLabel = "N",
            description = "Random op sequences to run on the model and on the harness in lockstep; 0 skips them "
                    + "(default: ${DEFAULT-VALUE}).")
    int sequences;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random sequences (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--case-timeout", defaultValue = "300s", converter = Durations.class, paramLabel = "DURATION",
            description = "Longest a conformance case or the differential run may take; past it the harness process "
                    + "is stopped, the case fails naming where it was stuck, and the next case runs in a new one "
                    + "(default: ${DEFAULT-VALUE}).")
    long caseTimeout;

    @Option(names = "--stage-timeout", defaultValue = "3600s", converter = Durations.class, paramLabel = "DURATION",
            description = "Longest a step of check.sh or the harness build may take; past it the step is stopped "
                    + "and fails naming what it was running (default: ${DEFAULT-VALUE}: a cold kernel build "
                    + "on a loaded machine).")
    long stageTimeout;

    @Option(names = "--no-kernel-checks",
            description = "Skip check.sh (apply, checkpatch, kernel builds): the harness and the suite only. "
                    + "The skipped checks are reported as skipped.")
    boolean noKernelChecks;

    @Option(names = "--fail-fast",
            description = "Stop at the first failed check; the checks after it are reported as skipped.")
    boolean failFast;

    @Option(names = "--no-faults",
            description = "Skip the fault sweep: every fallible call each conformance case's C code makes, failed "
                    + "in turn (fail-nth), must fail its op cleanly and leak nothing. Reported as skipped.")
    boolean noFaults;

    @Option(names = "--no-races",
            description = "Skip the race stage: every race scenario's concurrent ops under the harness's seeded "
                    + "PCT schedules, and the lock-order graph over them (PLAT-CONCURRENCY, PLAT-DATA-RACE). "
                    + "Reported as skipped.")
    boolean noRaces;

    @Option(names = "--no-sandbox",
            description = "Run the revision's code (its harness build and process, the Makefile, Kconfig and "
                    + "scripts of its kernel builds) with your full rights, outside the bubblewrap sandbox "
                    + "(docs/sandbox.md). Without it, validate refuses to run when bwrap is missing or does not work.")
    boolean noSandbox;

    @Option(names = "--asan",
            description = "Also build the revision with AddressSanitizer and UndefinedBehaviorSanitizer and run the "
                    + "cases and the random sequences on that build: a sanitizer's report fails the check that "
                    + "made it, with the report's first lines (what it found, the top frames). Slower; run-tests "
                    + "passes it.")
    boolean asan;

    @Option(names = "--coverage",
            description = "Also build the revision with gcov's counters and run the cases and the random sequences "
                    + "on that build, then report the line and branch coverage of its sound/core/pcm_dmabuf.c: the "
                    + "totals, and every unreached line and branch with its source (--format json: as JSON). "
                    + "With --asan, one build has both.")
    boolean coverage;

    @Option(names = "--quick",
            description = "A first answer in seconds: --no-kernel-checks --no-faults and " + QUICK_SEQUENCES
                    + " random sequences (unless --sequences is given); the run's first line says what it skipped.")
    boolean quick;

    @Option(names = "--shard", paramLabel = "K/N", converter = ShardConverter.class,
            description = ShardConverter.DESCRIPTION + " Here: the random sequences and the cases' fault sweeps; "
                    + "shard 1 also runs check.sh, the conformance cases and the race stage.")
    Shard shard = Shard.WHOLE;

    @Option(names = "--no-times", description = ShardConverter.NO_TIMES)
    boolean noTimes;

    @Option(names = "--rebuild",
            description = "Compile the revision's harness even when a build of exactly the same inputs (the series "
                    + "folder, kernel-patch/harness/, the variant, the versions of cc, ld, git and the C library) is "
                    + "kept in the cache (harness-builds under $PCM_DMABUF_CACHE, default ~/.cache/pcm-dmabuf), "
                    + "and keep the new build in its place. gcov's builds are always compiled.")
    boolean rebuild;

    private static HarnessBuilds keptBuilds(boolean rebuild) throws IOException {
        HarnessBuilds kept = HarnessBuilds.inArtefactCache();
        return rebuild ? kept.rebuilding() : kept;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (jobs < 1) {
            return usage(err, "--jobs must be at least 1, not " + jobs);
        }
        if (!shard.whole() && failFast) {
            return usage(err, "--shard " + shard + " with --fail-fast: a shard that stops early leaves checks no "
                    + "other shard runs, and the merge would not be the whole run");
        }
        if (!shard.whole() && coverage) {
            return usage(err, "--shard " + shard + " with --coverage: gcov's counts are one process's and do not merge");
        }
        String skippedByQuick = quick ? quick() : null;
        if (sequences < 0) {
            return usage(err, "--sequences must be 0 or more, not " + sequences);
        }
        if (caseTimeout <= 0 || stageTimeout <= 0) {
            return usage(err, "--case-timeout and --stage-timeout must be longer than 0");
        }
        for (Map.Entry<Format, Path> r : reports.entrySet()) {
            if (ReportFile.unwritable(r.getValue()) != null) {
                return usage(err, "cannot write --report " + r.getKey() + "=" + r.getValue() + ": "
                        + ReportFile.unwritable(r.getValue()));
            }
        }
        Path kernelPatch = kernelPatchDir();
        if (kernelPatch == null) {
            return usage(err, "cannot find kernel-patch/" + SCRIPT + ": run pcmsim from its pcm-dmabuf checkout");
        }
        Series series;
        try {
            series = Series.open(patchDir != null ? patchDir : kernelPatch.resolve("series"));
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
                // one line, as every refusal of validate; the probe's reason is what to fix
                err.println("pcmsim: validate needs bubblewrap (bwrap) for the sandbox: apt-get install bubblewrap, "
                        + "or pass --no-sandbox to run the revision with your full rights (" + e.getMessage() + ")");
                err.flush();
                return Pcmsim.EXIT_USAGE;
            }
        }
        Validation.Differential differential = new Validation.Differential(sequences, seed, shard);
        Campaign campaign;
        try {
            campaign = ValidationReport.campaign(Pcmsim.version(), series, !noKernelChecks, differential, depth(),
                    asan, coverage, !noTimes);
        } catch (BadSeries e) {
            return usage(err, e.getMessage());
        }
        boolean text = format == Format.text;
        // a text report is its progress; a JUnit, KTAP or JSON one keeps standard output for the document
        Progress progress = new Progress(text ? out : err);
        progress.print(ValidationReport.header(series));
        progress.print(sandbox.describe() + "\n");
        if (skippedByQuick != null) {
            progress.print(skippedByQuick + "\n");
        }
        if (!shard.whole()) {
            progress.print("shard " + shard + ": the random sequences and the cases' fault sweeps at positions "
                    + (shard.index() - 1) + ", " + (shard.index() - 1 + shard.count()) + ", ... (from 0)"
                    + (shard.index() == 1 ? "; check.sh, the conformance cases and the race stage" : "")
                    + "; pcmsim merge joins the shards\n");
        }
        List<Check> checks;
        Validation validation = new Validation(series, kernelPatch, jobs, !noKernelChecks, failFast,
                differential, depth(),
                new Validation.Limits(Duration.ofNanos(caseTimeout), Duration.ofNanos(stageTimeout)), processes,
                sandbox, c -> progress.print(ValidationReport.textLine(noTimes ? c.untimed() : c)),
                new Validation.Instruments(asan, coverage))
                .stagesAtOnce(spec.commandLine().getParseResult().hasMatchedOption("--jobs") ? jobs : 1)
                .reuseBuilds(keptBuilds ? keptBuilds(rebuild) : null);
        try {
            checks = validation.run();
        } catch (BadSeries e) {
            return usage(err, e.getMessage());
        } catch (InterruptedException e) {
            err.println("pcmsim validate: interrupted: every child process stopped, the temporary files removed");
            err.flush();
            return EXIT_INTERRUPTED;
        }
        ValidationReport report = new ValidationReport(campaign, series, checks, validation.coverage());
        String footer = report.footer();
        progress.text.append(footer);
        out.print(text ? footer : report.render(format));
        out.flush();
        for (Map.Entry<Format, Path> r : reports.entrySet()) {
            try {
                Files.writeString(r.getValue(), r.getKey() == Format.text ? progress.text : report.render(r.getKey()));
            } catch (IOException e) {
                // the run is not repeated for want of a file: standard output has had the report
                return usage(err, "cannot write --report " + r.getKey() + "=" + r.getValue() + ": " + e.getMessage());
            }
        }
        return report.passed() ? 0 : 1;
    }

    /** What a text report prints as the run goes, printed and kept for {@code --report text=FILE}. */
    private static final class Progress {
        private final PrintWriter to;
        private final StringBuilder text = new StringBuilder();

        Progress(PrintWriter to) {
            this.to = to;
        }

        void print(String s) {
            text.append(s);
            to.print(s);
            to.flush();
        }
    }

    /**
     * Turns the options of a quick run on and says what they leave out: check.sh's kernel builds (minutes cold),
     * the fault sweep (the largest stage of the harness checks) and most random sequences.
     */
    private String quick() {
        List<String> skipped = new ArrayList<>();
        if (!noKernelChecks) {
            skipped.add("check.sh (apply, checkpatch, kernel builds)");
        }
        noKernelChecks = true;
        if (!noFaults) {
            skipped.add("the fault sweep");
        }
        noFaults = true;
        if (!spec.commandLine().getParseResult().hasMatchedOption("--sequences") && sequences > QUICK_SEQUENCES) {
            skipped.add((sequences - QUICK_SEQUENCES) + " of the " + sequences + " random sequences");
            sequences = QUICK_SEQUENCES;
        }
        return "--quick: skipped " + (skipped.isEmpty() ? "nothing more than asked" : String.join(", ", skipped))
                + "; validate without --quick runs them";
    }

    private Validation.Depth depth() {
        return new Validation.Depth(!noFaults, !noRaces);
    }

    private static int usage(PrintWriter err, String message) {
        err.println("pcmsim validate: " + message);
        err.flush();
        return Pcmsim.EXIT_USAGE;
    }

    /** kernel-patch/ of the checkout this pcmsim was built in, else of the working directory's checkout. */
    static Path kernelPatchDir() throws URISyntaxException {
        Path code = Path.of(ValidateCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        for (Path start : new Path[] {code, Path.of("").toAbsolutePath()}) {
            for (Path d = start; d != null; d = d.getParent()) {
                if (Files.isRegularFile(d.resolve("kernel-patch").resolve(SCRIPT))) {
                    return d.resolve("kernel-patch");
                }
            }
        }
        return null;
    }
}
