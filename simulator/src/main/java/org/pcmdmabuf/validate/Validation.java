package org.pcmdmabuf.validate;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.pcmdmabuf.conformance.Case;
import org.pcmdmabuf.harness.Harness;
import org.pcmdmabuf.harness.HarnessTarget;
import org.pcmdmabuf.harness.Lockstep;
import org.pcmdmabuf.script.Ddmin;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.ScriptException;
import org.pcmdmabuf.script.ScriptParser;
import org.pcmdmabuf.script.ScriptWriter;
import org.pcmdmabuf.sim.SplitMix64;
import org.pcmdmabuf.validate.Check.Kind;
import org.pcmdmabuf.validate.Check.Status;

/**
 * Validates one revision of the patch series: kernel-patch/scripts/check.sh applies it to Linux 6.12,
 * runs checkpatch and the builds; kernel-patch/harness/build.sh builds that revision's pcm_dmabuf.c into
 * its own harness library; every conformance case then runs on it, and random op sequences run on it and on
 * the model in lockstep ({@link Lockstep}). Each step is one {@link Check}, handed to {@code progress} as
 * soon as it is known.
 */
public final class Validation {
    /** check.sh's work name: its trees and build directories, apart from those of the shipped series. */
    static final String WORK = "validate";

    private static final Pattern STEP = Pattern.compile("(ok|not ok) \\d+ - (.*?)(?: \\(([0-9.]+)s\\))?");
    private static final Pattern PATCH = Pattern.compile("(\\d{4}-[^ :]+\\.patch)(.*)");

    private final Series series;
    private final Path kernelPatch;
    private final int jobs;
    private final boolean kernelChecks;
    private final Differential differential;
    private final Consumer<Check> progress;
    private final List<Check> checks = new ArrayList<>();

    /**
     * How many random op sequences run in lockstep, from which seed: every fifth one a sync-protocol
     * sequence, the others free ones, as DifferentialTest's two properties draw them. 0 sequences: skipped.
     */
    public record Differential(int sequences, long seed) {
    }

    /** The ddmin budget, in lockstep runs, for the script a disagreement is reported with. */
    private static final int DDMIN_BUDGET = 2000;

    /**
     * @param kernelPatch the kernel-patch/ folder whose scripts check and build the series
     * @param kernelChecks false: the harness and the suite only; check.sh's steps are reported as skipped
     */
    public Validation(Series series, Path kernelPatch, int jobs, boolean kernelChecks, Differential differential,
            Consumer<Check> progress) {
        this.series = series;
        this.kernelPatch = kernelPatch;
        this.jobs = jobs;
        this.kernelChecks = kernelChecks;
        this.differential = differential;
        this.progress = progress;
    }

    /** Runs every step; a series that does not apply is {@link BadSeries}, any other failure a FAIL check. */
    public List<Check> run() throws BadSeries, IOException, InterruptedException {
        if (kernelChecks) {
            kernel();
        } else {
            add(Check.skipped(Kind.kernel, "check.sh: apply, checkpatch --strict, W=1 and sparse builds, uAPI",
                    null, "--no-kernel-checks"));
        }
        Path out = Files.createTempDirectory("pcmsim-validate-");
        try {
            Path lib = harness(out);
            Harness harness = lib == null ? null : Harness.load(lib);
            cases(harness);
            differential(harness);
        } finally {
            delete(out);
        }
        return List.copyOf(checks);
    }

    private void add(Check c) {
        checks.add(c);
        progress.accept(c);
    }

    /** check.sh's steps, one check each, with the "#" lines that follow a step as its details. */
    private void kernel() throws BadSeries, IOException, InterruptedException {
        Process p = new ProcessBuilder(kernelPatch.resolve("scripts/check.sh").toString(), "-j", String.valueOf(jobs),
                "--series", series.dir().toString(), "--work", WORK).redirectErrorStream(true).start();
        p.getOutputStream().close();
        List<String> unparsed = new ArrayList<>();
        Check pending = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null;) {
                Matcher m = STEP.matcher(line);
                if (m.matches()) {
                    if (pending != null) {
                        add(pending);
                    }
                    pending = new Check(Kind.kernel, m.group(2), null, m.group(1).equals("ok") ? Status.PASS
                            : Status.FAIL, List.of(), m.group(3) == null ? 0 : Double.parseDouble(m.group(3)));
                } else if (pending != null && line.startsWith("#   ")) {
                    List<String> d = new ArrayList<>(pending.details());
                    d.add(line.substring(4));
                    pending = new Check(pending.kind(), pending.name(), null, pending.status(), d, pending.seconds());
                } else if (!line.startsWith("#") && !line.matches("\\d+ passed, \\d+ failed")) {
                    unparsed.add(line);
                }
            }
        }
        int exit = p.waitFor();
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
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(kernelPatch.resolve("harness/build.sh").toString(), series.dir().toString(),
                out.toString()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        List<String> log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        int exit = p.waitFor();
        double seconds = (System.nanoTime() - t0) / 1e9;
        String name = "sound/core/pcm_dmabuf.c builds in the harness (-Wall -Wextra -Werror)";
        if (exit == 2) {
            throw new BadSeries(log.isEmpty() ? "build.sh refused " + series.dir()
                    : log.getFirst().replaceFirst("^build\\.sh: ", ""));
        }
        if (exit != 0) {
            add(new Check(Kind.harness, name, null, Status.FAIL, log.subList(Math.max(0, log.size() - 25),
                    log.size()), seconds));
            return null;
        }
        add(new Check(Kind.harness, name, null, Status.PASS, List.of(), seconds));
        return out.resolve("libpcmdmabuf-harness.so");
    }

    private void cases(Harness harness) throws IOException {
        List<Case> all;
        try {
            all = Case.all();
        } catch (ScriptException e) {
            throw new IllegalStateException("a shipped conformance case does not parse: " + e.describe(), e);
        }
        for (Case c : all) {
            if (harness == null) {
                add(Check.skipped(Kind.conformance, c.name(), c.rule(), "the harness did not build"));
                continue;
            }
            long t0 = System.nanoTime();
            List<String> failures;
            try (HarnessTarget target = new HarnessTarget(harness, Case.LINE_BYTES, Case.CACHE_LINES)) {
                failures = c.run(target);
            }
            add(new Check(Kind.conformance, c.name(), c.rule(), failures.isEmpty() ? Status.PASS : Status.FAIL,
                    failures, (System.nanoTime() - t0) / 1e9));
        }
    }

    /** The sequences of {@link #differential}; the first disagreement fails it, with its script minimized. */
    private void differential(Harness harness) {
        String name = differential.sequences() + " random op sequences agree with the model, op by op (seed "
                + differential.seed() + ")";
        if (harness == null) {
            add(Check.skipped(Kind.differential, name, null, "the harness did not build"));
            return;
        }
        if (differential.sequences() == 0) {
            add(Check.skipped(Kind.differential, name, null, "--sequences 0"));
            return;
        }
        long t0 = System.nanoTime();
        Lockstep lockstep = new Lockstep(harness);
        SplitMix64 r = new SplitMix64(differential.seed());
        for (int i = 0; i < differential.sequences(); i++) {
            Script script = i % 5 == 4 ? Lockstep.drawProtocol(r) : Lockstep.drawRandom(r);
            String disagreement = disagreement(lockstep, script);
            if (disagreement != null) {
                Script least = Ddmin.minimize(script, s -> disagreement(lockstep, s) != null, DDMIN_BUDGET);
                List<String> details = new ArrayList<>();
                details.add("sequence " + (i + 1) + ": " + disagreement(lockstep, least));
                details.add("a minimal script (pcmsim run SCRIPT --target harness runs it on this revision):");
                details.addAll(ScriptWriter.write(least).lines().toList());
                add(new Check(Kind.differential, name, null, Status.FAIL, details, (System.nanoTime() - t0) / 1e9));
                return;
            }
        }
        add(new Check(Kind.differential, name + ": " + lockstep.opsRun() + " ops", null, Status.PASS, List.of(),
                (System.nanoTime() - t0) / 1e9));
    }

    /** What differs when {@code script} runs in lockstep, or null; a script that does not parse is none. */
    private static String disagreement(Lockstep lockstep, Script script) {
        Script parsed;
        try {
            parsed = ScriptParser.parse(ScriptWriter.write(script));
        } catch (ScriptException e) {
            return null;
        }
        try {
            lockstep.run(parsed);
            return null;
        } catch (AssertionError | RuntimeException e) {
            return String.valueOf(e.getMessage()).lines().findFirst().orElse(e.toString());
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
