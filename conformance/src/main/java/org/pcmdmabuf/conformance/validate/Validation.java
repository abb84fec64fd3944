package org.pcmdmabuf.conformance.validate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pcmdmabuf.conformance.harness.ArtefactCache;
import org.pcmdmabuf.conformance.shard.Shard;
import org.pcmdmabuf.conformance.validate.Check.Kind;
import org.pcmdmabuf.conformance.validate.Check.Status;

/**
 * Validates one revision of the patch series: kernel-patch/scripts/check.sh applies it to Linux 6.12,
 * runs checkpatch and the builds; kernel-patch/harness/build.sh builds that revision's pcm_dmabuf.c into
 * its own harness library; every conformance case then runs on it, and random op sequences run on it and on
 * the model in lockstep ({@link HarnessChecks}, in a child JVM). Each step is one {@link Check}, handed to
 * {@code progress} as soon as it is known.
 *
 * <p>Every process is started by a {@link ProcessRunner} and stopped when it runs past its {@link Limits}: the
 * step or case it was running fails, naming where it was stuck, and the next one goes on. An interrupt of the
 * validating thread (SIGINT or SIGTERM on the JVM interrupts it, see {@link #run}) stops every child and removes
 * the temporary files before {@link #run} throws {@link InterruptedException}.
 */
public final class Validation {
    /** check.sh's work name: its trees and build directories, apart from those of the shipped series. */
    static final String WORK = "validate";

    private static final Pattern STEP = Pattern.compile("(ok|not ok) \\d+ - (.*?)(?: \\(([0-9.]+)s\\))?");
    /** check.sh's line as a step begins. */
    private static final Pattern RUNNING = Pattern.compile("# running \\d+ - (.*)");
    /** How long a shutdown waits for an interrupted validation to stop its children and remove its files. */
    private static final long CLEANUP_SECONDS = 10;
    private static final Pattern PATCH = Pattern.compile("(\\d{4}-[^ :]+\\.patch)(.*)");
    /** The detail line of a step or case stopped at its time limit ({@link #stuck}). */
    private static final String STUCK = "did not finish within ";
    /** Why the checks after a failure are skipped when the run stops at the first one. */
    static final String FAIL_FAST = "--fail-fast: an earlier check failed";

    private final Series series;
    private final Path kernelPatch;
    private final int jobs;
    private final boolean kernelChecks;
    private final boolean failFast;
    private final Differential differential;
    /** Which of the optional harness stages run (HarnessChecks). */
    private final Depth depth;
    private final Limits limits;
    private final ProcessRunner processes;
    private final Sandbox sandbox;
    private final Consumer<Check> progress;
    private final Instruments instruments;
    private final List<Check> checks = new ArrayList<>();
    /** What {@code --coverage} counted; null before the run, without it, or when it counted nothing. */
    private Coverage coverage;
    /** What the revision declares it still gets wrong: read when the run starts. */
    private Findings findings;
    /** How many harness stages may run at once, each in a child of its own ({@link #stagesAtOnce}). */
    private int stageJobs = 1;
    /** Where builds of the same inputs are reused from; null: every validation builds its own. */
    private HarnessBuilds builds;
    /** A check failed: with {@link #failFast}, nothing more runs. */
    private boolean failed;

    /**
     * How many random op sequences run in lockstep, from which seed: of every five, one a sync-protocol
     * sequence, one a stateful one that reaches deep states, the others free ones, as DifferentialTest's
     * properties draw them. 0 sequences: skipped. {@code shard}: one shard of a campaign split over processes
     * (docs/sharding.md) runs the sequences and the cases' fault sweeps whose position is its own, the kernel
     * checks, the conformance cases and the race stage only in shard 1; every shard builds the harness.
     */
    public record Differential(int sequences, long seed, Shard shard) {
        /** The whole run, unsharded. */
        public Differential(int sequences, long seed) {
            this(sequences, seed, Shard.WHOLE);
        }
    }

    /**
     * The harness stages a run may leave out, each reported as one skipped check: {@code faults}, every case's
     * fault sweep (FAULT-NO-CHANGE, FAULT-NO-LEAK); {@code races}, the race scenarios and the lock-order graph
     * (PLAT-CONCURRENCY, PLAT-DATA-RACE). The conformance cases and the random sequences always run.
     */
    public record Depth(boolean faults, boolean races) {
        /** Every stage. */
        public static final Depth FULL = new Depth(true, true);
    }

    /**
     * How long one conformance case or the differential run may take ({@code perCase}), and one step of check.sh
     * or the harness build ({@code perStage}), before its process is stopped and the case or step fails.
     */
    public record Limits(Duration perCase, Duration perStage) {
    }

    /**
     * What the harness checks run on instead of the plain build (which is built and judged first, as always):
     * {@code asan}, the revision compiled with AddressSanitizer and UndefinedBehaviorSanitizer, in a JVM that
     * preloads the ASan runtime, so the first report stops the check that made it; {@code coverage}, compiled
     * with gcov's counters, whose counts of pcm_dmabuf.c are read once every check ran ({@link #coverage()}).
     */
    public record Instruments(boolean asan, boolean coverage) {
        public static final Instruments NONE = new Instruments(false, false);

        /** build.sh's name of the variant; null for the plain build. */
        String variant() {
            return asan && coverage ? "asan-coverage" : asan ? "asan" : coverage ? "coverage" : null;
        }

        /** What the variant's build check is called. */
        String buildName() {
            return "sound/core/pcm_dmabuf.c builds in the harness with "
                    + (asan && coverage ? "ASan, UBSan and gcov" : asan ? "ASan and UBSan" : "gcov");
        }
    }

    /** Validation of the plain build only: no sanitizers, no coverage. */
    public Validation(Series series, Path kernelPatch, int jobs, boolean kernelChecks, boolean failFast,
            Differential differential, Depth depth, Limits limits, ProcessRunner processes, Sandbox sandbox,
            Consumer<Check> progress) {
        this(series, kernelPatch, jobs, kernelChecks, failFast, differential, depth, limits, processes, sandbox,
                progress, Instruments.NONE);
    }

    /**
     * @param kernelPatch the kernel-patch/ folder whose scripts check and build the series
     * @param kernelChecks false: the harness and the suite only; check.sh's steps are reported as skipped
     * @param failFast stop at the first failed check, the checks after it reported as skipped: a judge that only
     *            needs to know whether the revision fails (pcmsim mutate) gets its answer sooner
     * @param depth the optional stages that run; each left out is reported as skipped
     * @param sandbox where the revision's code runs: its harness build and process here, check.sh's build steps
     *            in check.sh (told by {@link Sandbox#checkShArguments})
     */
    public Validation(Series series, Path kernelPatch, int jobs, boolean kernelChecks, boolean failFast,
            Differential differential, Depth depth, Limits limits, ProcessRunner processes, Sandbox sandbox,
            Consumer<Check> progress, Instruments instruments) {
        this.depth = depth;
        this.series = series;
        this.kernelPatch = kernelPatch;
        this.jobs = jobs;
        this.kernelChecks = kernelChecks;
        this.failFast = failFast;
        this.differential = differential;
        this.limits = limits;
        this.processes = processes;
        this.sandbox = sandbox;
        this.progress = progress;
        this.instruments = instruments;
    }

    /**
     * Lets up to {@code n} harness stages run at once (default 1: one child runs them all). Each child starts a
     * JVM and compiles the model anew, which on a machine whose cores are busy costs more than the overlap gains
     * (docs/benchmarks.md, issue 19), so it is asked for, not assumed.
     */
    public Validation stagesAtOnce(int n) {
        stageJobs = n;
        return this;
    }

    /**
     * Reuses a harness build of the same inputs kept in {@code kept}, and keeps the builds this validation makes
     * there ({@link HarnessBuilds}). Without it every validation compiles its revision anew.
     */
    public Validation reuseBuilds(HarnessBuilds kept) {
        builds = kept;
        return this;
    }

    /** The coverage of the revision's pcm_dmabuf.c over the harness checks, once {@link #run} counted it. */
    public Coverage coverage() {
        return coverage;
    }

    /**
     * Runs every step; a series that does not apply is {@link BadSeries}, any other failure a FAIL check.
     * While it runs, a JVM shutdown (SIGINT, SIGTERM) interrupts it and waits until its children are stopped
     * and its temporary files removed: the JVM would otherwise exit under them.
     */
    public List<Check> run() throws BadSeries, IOException, InterruptedException {
        Thread validating = Thread.currentThread();
        CountDownLatch cleanedUp = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            validating.interrupt();
            try {
                cleanedUp.await(CLEANUP_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "pcmsim validate shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return checks();
        } finally {
            cleanedUp.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook is what interrupted this run
            }
        }
    }

    private List<Check> checks() throws BadSeries, IOException, InterruptedException {
        findings = Findings.read(series.dir());
        // check.sh is one process whose steps are no space to split: shard 1 runs it, or says it skipped it
        boolean firstShard = differential.shard().index() == 1;
        if (firstShard && kernelChecks) {
            kernel();
        } else if (firstShard) {
            add(Check.skipped(Kind.kernel, "check.sh: apply, checkpatch --strict, W=1 and sparse builds, uAPI",
                    null, "--no-kernel-checks"));
        }
        if (stopped()) {
            add(Check.skipped(Kind.harness, HARNESS_BUILD, null, FAIL_FAST));
            skip(HarnessChecks.planned(differential, depth), FAIL_FAST);
            return List.copyOf(checks);
        }
        Path out = Files.createTempDirectory("pcmsim-validate-");
        try {
            Path plain = harness(out);
            Path lib = plain;
            if (lib != null && instruments.variant() != null) {
                lib = build(out, instruments.variant(), instruments.buildName());
            }
            if (lib == null) {
                skip(HarnessChecks.planned(differential, depth), "the harness did not build");
            } else {
                harnessChecks(lib, plain, out);
                if (instruments.coverage()) {
                    countCoverage(out);
                }
            }
            if (!depth.faults()) {
                add(Check.skipped(Kind.fault, HarnessChecks.FAULT_SUMMARY, HarnessChecks.FAULT_RULES, "--no-faults"));
            }
            if (!depth.races() && HarnessChecks.races(differential.shard())) {
                add(Check.skipped(Kind.race, HarnessChecks.RACE_SUMMARY, HarnessChecks.RACE_RULES, "--no-races"));
            }
        } finally {
            FileTrees.delete(out);
        }
        return List.copyOf(checks);
    }

    private void add(Check c) {
        Check judged = findings == null ? c : findings.judge(c);
        failed |= judged.status() == Status.FAIL;
        checks.add(judged);
        progress.accept(judged);
    }

    private void skip(List<HarnessChecks.Planned> planned, String why) {
        for (HarnessChecks.Planned c : planned) {
            add(Check.skipped(c.kind(), c.name(), c.rule(), why));
        }
    }

    /** The run stops here: it fails fast and a check failed. */
    private boolean stopped() {
        return failFast && failed;
    }

    /** Whether {@code c} failed because its process ran past its time limit and was stopped. */
    public static boolean timedOut(Check c) {
        return c.status() == Status.FAIL && c.details().stream().anyMatch(d -> d.startsWith(STUCK));
    }

    /**
     * check.sh's steps, one check each, with the "#" lines that follow a step as its details. A step that runs
     * past the stage limit stops check.sh and fails, naming what it was running.
     */
    private void kernel() throws BadSeries, IOException, InterruptedException {
        List<String> unparsed = new ArrayList<>();
        MatchResult step = null;
        List<String> details = new ArrayList<>();
        String running = "check.sh";
        int exit;
        List<String> command = new ArrayList<>(List.of(kernelPatch.resolve("scripts/check.sh").toString(),
                "-j", String.valueOf(jobs), "--series", series.dir().toString(), "--work", WORK));
        command.addAll(sandbox.checkShArguments());
        try (ProcessRunner.Child p = processes.start(command)) {
            long begun = System.nanoTime();
            for (String line;;) {
                try {
                    line = p.readLine(left(begun, limits.perStage()));
                } catch (TimeoutException e) {
                    if (step != null) {
                        add(kernelCheck(step, details));
                    }
                    add(stuck(Kind.kernel, running, null, List.of(), limits.perStage(), "check.sh", p.where(),
                            begun));
                    return;
                }
                if (line == null) {
                    break;
                }
                Matcher m = STEP.matcher(line);
                Matcher r = RUNNING.matcher(line);
                if (m.matches()) {
                    if (step != null) {
                        add(kernelCheck(step, details));
                    }
                    step = m.toMatchResult();
                    details = new ArrayList<>();
                    begun = System.nanoTime();
                } else if (r.matches()) {
                    running = r.group(1);
                    begun = System.nanoTime();
                } else if (step != null && line.startsWith("#   ")) {
                    details.add(line.substring(4));
                } else if (!line.startsWith("#") && !line.matches("\\d+ passed, \\d+ failed")) {
                    unparsed.add(line);
                }
            }
            exit = p.waitFor();
        }
        Check pending = step == null ? null : kernelCheck(step, details);
        if (exit == 2 && pending != null && pending.status() == Status.FAIL) {
            throw new BadSeries(doesNotApply(pending));
        }
        if (pending != null) {
            add(pending);
        }
        if (exit != 0 && checks.stream().noneMatch(c -> c.status() == Status.FAIL)) {
            add(new Check(Kind.kernel, "check.sh ran to its end", null, Status.FAIL,
                    unparsed.isEmpty() ? List.of("exit status " + exit) : unparsed, 0));
        }
    }

    /** The time a stage or case begun at {@code begun} has left of {@code limit}. */
    private static Duration left(long begun, Duration limit) {
        return limit.minusNanos(System.nanoTime() - begun);
    }

    /**
     * A step or case whose process ran past its time limit and was stopped: the details it reported, then where
     * it was stuck.
     */
    private static Check stuck(Kind kind, String name, String rule, List<String> details, Duration limit,
            String process, List<String> where, long begun) {
        List<String> why = new ArrayList<>(details);
        why.add(STUCK + text(limit) + ": " + process + " was stopped; it was at");
        for (String w : where) {
            why.add("  " + w);
        }
        return new Check(kind, name, rule, Status.FAIL, why, (System.nanoTime() - begun) / 1e9);
    }

    /** A limit as the option that set it is written: 300 s, 1500 ms. */
    private static String text(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : String.format(Locale.ROOT, "%d ms", d.toMillis());
    }

    /** A step line of check.sh ({@link #STEP}) with the "#" lines that followed it. */
    private static Check kernelCheck(MatchResult step, List<String> details) {
        return new Check(Kind.kernel, step.group(2), null, step.group(1).equals("ok") ? Status.PASS : Status.FAIL,
                details, step.group(3) == null ? 0 : Double.parseDouble(step.group(3)));
    }

    /** One line naming the patch that does not apply, from check.sh's details of its apply step. */
    private String doesNotApply(Check apply) {
        String failed = null;
        String file = null;
        for (String d : apply.details()) {
            if (d.startsWith("patching file ")) {
                file = d.substring("patching file ".length()).strip();
            } else if (failed == null && d.contains("FAILED")) {
                failed = d.strip().replaceFirst("\\.$", "") + (file == null ? "" : " in " + file);
            }
        }
        for (String d : apply.details()) {
            Matcher m = PATCH.matcher(d);
            if (m.find()) {
                String why = m.group(2).startsWith(":") ? m.group(2) + " (the series must apply exactly)"
                        : m.group(2) + (failed == null ? "" : ": " + failed);
                return series.dir().resolve(m.group(1)) + why;
            }
        }
        return series.dir() + " does not apply to linux-source-6.12: "
                + (apply.details().isEmpty() ? "see " + kernelPatch.resolve("scripts/check.sh")
                        : apply.details().getLast());
    }

    /** This revision's pcm_dmabuf.c in the harness, built -Wall -Wextra -Werror; null if it does not build. */
    private Path harness(Path out) throws BadSeries, IOException, InterruptedException {
        return build(out, null, HARNESS_BUILD);
    }

    /** The key of {@code variant}'s kept build, or null when none is kept or the key cannot be had. */
    private String keptBuildKey(String variant) throws InterruptedException {
        if (builds == null || !HarnessBuilds.keeps(variant)) {
            return null;
        }
        try {
            return builds.key(series.dir(), kernelPatch.resolve("harness"), variant);
        } catch (IOException e) {
            return null; // a tool that will not say its version: compile, as without the cache
        }
    }

    private boolean reused(String key, String variant, Path out) {
        try {
            return builds.restore(key, variant, out);
        } catch (IOException e) {
            return false;
        }
    }

    /** build.sh's {@code variant} (null: the plain one) into {@code out}: its library, or null if it fails. */
    private Path build(Path out, String variant, String name) throws BadSeries, IOException, InterruptedException {
        long t0 = System.nanoTime();
        String key = keptBuildKey(variant);
        if (key != null && reused(key, variant, out)) {
            add(new Check(Kind.harness, name, null, Status.PASS, List.of(), (System.nanoTime() - t0) / 1e9));
            return out.resolve(HarnessBuilds.library(variant));
        }
        List<String> log = new ArrayList<>();
        int exit;
        List<String> command = new ArrayList<>(List.of(kernelPatch.resolve("harness/build.sh").toString(),
                series.dir().toString(), out.toString()));
        if (variant != null) {
            command.add(variant);
        }
        // compiling is running the revision's code too: #include of any file, and the compiler's own bugs
        try (ProcessRunner.Child p = processes.start(sandbox.wrap(command,
                List.of(kernelPatch.resolve("harness"), series.dir()), List.of(out)))) {
            try {
                for (String line; (line = p.readLine(left(t0, limits.perStage()))) != null;) {
                    log.add(line);
                }
            } catch (TimeoutException e) {
                add(stuck(Kind.harness, name, null, List.of(), limits.perStage(), "build.sh", p.where(), t0));
                return null;
            }
            exit = p.waitFor();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (exit == 2) {
            throw new BadSeries(log.isEmpty() ? "build.sh refused " + series.dir()
                    : log.getFirst().replaceFirst("^build\\.sh: ", ""));
        }
        if (exit != 0) {
            String suffix = variant == null ? "" : "-" + variant;
            Path saved = keepLog("harness-build" + suffix + ".log", log);
            add(new Check(Kind.harness, name, null, Status.FAIL,
                    compileErrors(log, out.resolve("src-" + (variant == null ? "plain" : variant)), saved), seconds));
            return null;
        }
        // a build made without the sandbox could have written anything anywhere: it is not kept for others
        if (key != null && !(sandbox instanceof Sandbox.Off)) {
            try {
                builds.store(key, variant, out);
            } catch (IOException e) {
                // the cache is an optimisation: a full disk or a race with another pruning costs a later rebuild
            }
        }
        add(new Check(Kind.harness, name, null, Status.PASS, List.of(), seconds));
        return out.resolve(HarnessBuilds.library(variant));
    }

    /**
     * gcov's counts of the coverage build, which every harness child added to as it exited (a child the
     * revision crashed adds nothing), read in the sandbox: the counts are the revision's process's output.
     */
    private void countCoverage(Path out) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        String name = "coverage of " + Coverage.FILE + " by the cases and the random sequences";
        List<String> lines = new ArrayList<>();
        int exit;
        try (ProcessRunner.Child p = processes.start(sandbox.wrap(List.of("gcov", "-b", "-c", "-t", "-o",
                out.toString(), out.resolve("harness.o").toString()), List.of(kernelPatch.resolve("harness")),
                List.of(out)))) {
            try {
                for (String line; (line = p.readLine(left(t0, limits.perStage()))) != null;) {
                    lines.add(line);
                }
            } catch (TimeoutException e) {
                add(stuck(Kind.harness, name, null, List.of(), limits.perStage(), "gcov", p.where(), t0));
                return;
            }
            exit = p.waitFor();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Coverage counted = exit == 0 ? Coverage.parse(lines) : null;
        if (counted == null || !Files.exists(out.resolve("harness.gcda"))) {
            List<String> why = new ArrayList<>(List.of(exit != 0 ? "gcov failed (exit status " + exit + ")"
                    : !Files.exists(out.resolve("harness.gcda")) ? "no harness process wrote its counts (harness.gcda)"
                            : "gcov counted no " + Coverage.FILE));
            why.addAll(lines.subList(Math.max(0, lines.size() - 5), lines.size()));
            add(new Check(Kind.harness, name, null, Status.FAIL, why, seconds));
            return;
        }
        coverage = counted;
        add(new Check(Kind.harness, name + ": " + counted.summary(), null, Status.PASS, List.of(), seconds));
    }

    private static final String HARNESS_BUILD = "sound/core/pcm_dmabuf.c builds in the harness (-Wall -Wextra -Werror)";

    /** The compiler's first diagnostics shown of a build that failed; the rest is in its log. */
    static final int FIRST_ERRORS = 5;
    /** A compiler's diagnostic: FILE:LINE[:COLUMN]: [fatal ]error|warning: message. */
    private static final Pattern DIAGNOSTIC = Pattern.compile("(.+?):(\\d+)(?::\\d+)?: (?:fatal )?(error|warning): .*");

    /**
     * A failed build as its first errors (a -Werror warning is one), each with the file and line of the revision
     * rather than of the temporary tree it was applied to, then where the whole log is. The first error is the
     * one to fix: the ones after it are often its consequences, and the tail of the log is the least useful part.
     */
    static List<String> compileErrors(List<String> log, Path tree, Path saved) {
        String prefix = tree + "/";
        List<String> first = new ArrayList<>();
        int total = 0;
        for (String line : log) {
            if (DIAGNOSTIC.matcher(line).matches()) {
                total++;
                if (first.size() < FIRST_ERRORS) {
                    first.add(line.startsWith(prefix) ? line.substring(prefix.length()) : line);
                }
            }
        }
        List<String> out = new ArrayList<>();
        if (first.isEmpty()) {
            // not the compiler (a missing tool, a killed process): its last words say what
            out.addAll(log.subList(Math.max(0, log.size() - 10), log.size()));
        } else {
            out.addAll(first);
            if (total > first.size()) {
                out.add("(" + (total - first.size()) + " more diagnostics)");
            }
        }
        out.add(saved == null ? "the build log could not be kept" : "full log: " + saved);
        return out;
    }

    /** {@code lines} in the cache's log folder of validate, where check.sh keeps its step logs; null if not. */
    private static Path keepLog(String name, List<String> lines) {
        try {
            Path f = ArtefactCache.dir("logs/" + WORK).resolve(name);
            Files.write(f, lines);
            return f;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * {@link HarnessChecks} in a child JVM, each check reported as it ends. If the revision's C code kills
     * the child, the check it was running fails with the crash, and a new child goes on with the next one.
     */
    private void harnessChecks(Path lib, Path plain, Path scratch) throws IOException, InterruptedException {
        List<HarnessChecks.Planned> planned = HarnessChecks.planned(differential, depth);
        List<int[]> stages = HarnessChecks.stages(planned);
        // --fail-fast stops at the first failure in order, which stages running at once would run past; gcov's
        // counts are kept to one writer at a time
        if (stageJobs > 1 && stages.size() > 1 && !failFast && !instruments.coverage()) {
            runStagesAtOnce(lib, plain, scratch, planned, stages);
            return;
        }
        int next = 0;
        if (!instruments.asan()) {
            while (next < planned.size() && !stopped()) {
                next = harnessChild(lib, false, scratch, planned, next, planned.size(), this::add);
            }
            skip(planned.subList(Math.min(next, planned.size()), planned.size()), FAIL_FAST);
            return;
        }
        for (int[] stage : stages) {
            boolean onPlain = onPlain(planned, stage);
            while (next < stage[1] && !stopped()) {
                next = harnessChild(onPlain ? plain : lib, !onPlain && instruments.asan(), scratch, planned, next,
                        stage[1], this::add);
            }
        }
        skip(planned.subList(Math.min(next, planned.size()), planned.size()), FAIL_FAST);
    }

    /**
     * Whether a stage runs on the plain build rather than the ASan one: the race stage does. Its data-race
     * detector (PLAT-DATA-RACE, the harness's KCSAN) is the compiler's ThreadSanitizer instrumentation, which the
     * plain build has and the ASan build cannot; on the ASan build a race's report would change with --asan, and
     * a series' FINDINGS could not declare it once for both.
     */
    private boolean onPlain(List<HarnessChecks.Planned> planned, int[] stage) {
        return instruments.asan() && planned.get(stage[0]).kind() == Kind.race;
    }

    /**
     * Each stage in a child of its own, up to {@link #stageJobs} at once; the checks are reported stage by stage in
     * their planned order, whatever order the stages end in, so the report is the one a single child gives (but
     * for the times). A stage that crashes its child goes on in a new one, as in a single child.
     */
    private void runStagesAtOnce(Path lib, Path plain, Path scratch, List<HarnessChecks.Planned> planned,
            List<int[]> stages) throws IOException, InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(stageJobs, stages.size()));
        try {
            List<Future<List<Check>>> reports = new ArrayList<>();
            for (int[] stage : stages) {
                reports.add(pool.submit(() -> {
                    List<Check> stageChecks = new ArrayList<>();
                    boolean onPlain = onPlain(planned, stage);
                    int next = stage[0];
                    while (next < stage[1]) {
                        next = harnessChild(onPlain ? plain : lib, !onPlain && instruments.asan(), scratch, planned,
                                next, stage[1], stageChecks::add);
                    }
                    return stageChecks;
                }));
            }
            for (Future<List<Check>> report : reports) {
                Children.result(report).forEach(this::add);
            }
        } finally {
            // an interrupt: every stage's reading is interrupted, which stops its child, before the files go
            pool.shutdownNow();
            pool.awaitTermination(CLEANUP_SECONDS, TimeUnit.SECONDS);
        }
    }

    /**
     * One child from check {@code first} on; returns the index of the first check it did not report. A check
     * that runs past the case limit fails, naming the frames its main thread was in, and the child is stopped.
     */
    private int harnessChild(Path lib, boolean asan, Path scratch, List<HarnessChecks.Planned> planned, int first,
            int end, Consumer<Check> sink) throws IOException, InterruptedException {
        int next = first;
        HarnessChecks.Planned running = null;
        List<String> details = new ArrayList<>();
        List<String> other = new ArrayList<>();
        int exit;
        // the JVM and these classes read-only; the revision's library and the crash reports in the scratch folder.
        // Absolute: the sandbox starts in a folder of its own (java -jar cli/target/pcmsim.jar is relative).
        List<Path> read = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"))));
        List<String> classPathEntries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty() && Files.exists(Path.of(entry))) {
                Path absolute = Path.of(entry).toAbsolutePath().normalize();
                // a jar's folder: its manifest's Class-Path names jars beside it (pcmsim.jar's lib/)
                read.add(Files.isDirectory(absolute) ? absolute : absolute.getParent());
                classPathEntries.add(absolute.toString());
            }
        }
        String classPath = String.join(java.io.File.pathSeparator, classPathEntries);
        List<String> java = new ArrayList<>();
        String javaHome = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        if (asan) {
            // build.sh's wrapper preloads the ASan runtime, then runs $HARNESS_JAVA; the sandbox clears the
            // environment, so env sets it inside
            java.addAll(List.of("env", "HARNESS_JAVA=" + javaHome, scratch.resolve("asan-jvm/bin/java").toString()));
        } else {
            java.add(javaHome);
        }
        java.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-Xss4m", "-XX:+UseSerialGC", "-Xlog:disable",
                "-XX:-CreateCoredumpOnCrash", "-XX:ErrorFile=" + scratch.resolve("hs_err_%p.log"),
                "-cp", classPath, HarnessChecks.class.getName(), lib.toString(),
                String.valueOf(differential.sequences()), String.valueOf(differential.seed()),
                differential.shard().toString(),
                String.valueOf(depth.faults()), String.valueOf(depth.races()), String.valueOf(end),
                String.valueOf(first)));
        try (ProcessRunner.Child p = processes.start(sandbox.wrap(java, read, List.of(scratch), asan))) {
            // the clock of a check starts at its begin line; the child's start counts against its first
            long begun = System.nanoTime();
            for (String line;;) {
                try {
                    line = p.readLine(left(begun, limits.perCase()));
                } catch (TimeoutException e) {
                    if (running == null && next == end) {
                        return next; // every check reported: the child hung on its way out
                    }
                    HarnessChecks.Planned late = running != null ? running : planned.get(next);
                    sink.accept(stuck(late.kind(), late.name(), late.rule(), details, limits.perCase(), "the harness process",
                            p.where(), begun));
                    return next + 1;
                }
                if (line == null) {
                    break;
                }
                String[] f = line.split("\t", -1);
                switch (f[0]) {
                    case HarnessChecks.BEGIN -> {
                        running = new HarnessChecks.Planned(Kind.valueOf(f[1]), f[2], f[3].isEmpty() ? null : f[3]);
                        details = new ArrayList<>();
                        begun = System.nanoTime();
                    }
                    case HarnessChecks.DETAIL -> details.add(f[1]);
                    case HarnessChecks.END -> {
                        sink.accept(new Check(Kind.valueOf(f[1]), f[2], f[3].isEmpty() ? null : f[3], Status.valueOf(f[4]),
                                details, Double.parseDouble(f[5])));
                        running = null;
                        next++;
                        if (stopped()) {
                            return next; // closing the child stops it in the middle of the next check
                        }
                        begun = System.nanoTime();
                    }
                    default -> other.add(line);
                }
            }
            exit = p.waitFor();
        }
        if (exit == 0 && running == null && next == end) {
            return next;
        }
        HarnessChecks.Planned failed = running != null ? running : planned.get(Math.min(next, end - 1));
        List<String> why = new ArrayList<>(details);
        List<String> sanitizer = SanitizerReport.first(other, scratch);
        if (sanitizer.isEmpty()) {
            why.add("the harness process died (exit status " + exit + "): the revision's C code crashed it");
            why.addAll(crashReport(other));
        } else {
            why.addAll(sanitizer);
        }
        sink.accept(new Check(failed.kind(), failed.name(), failed.rule(), Status.FAIL, why, 0));
        return next + 1;
    }

    /** The lines of a JVM crash report that say where it died, or whatever the child printed last. */
    private static List<String> crashReport(List<String> output) {
        List<String> where = output.stream()
                // hotspot's VMError::report(): "#  SIGSEGV (0xb) at pc=...", "# Problematic frame:", "# C  [lib+0x..]"
                .filter(l -> l.matches("#\\s+SIG[A-Z]+ .*") || l.startsWith("# C  [")
                        || l.startsWith("# Problematic frame"))
                .toList();
        List<String> last = output.stream().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
        List<String> out = new ArrayList<>(where);
        out.addAll(last.subList(Math.max(0, last.size() - 10), last.size()));
        return out;
    }

}
