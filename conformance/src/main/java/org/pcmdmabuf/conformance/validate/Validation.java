package org.pcmdmabuf.conformance.validate;

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
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.pcmdmabuf.conformance.validate.Check.Kind;
import org.pcmdmabuf.conformance.validate.Check.Status;

/**
 * Validates one revision of the patch series: kernel-patch/scripts/check.sh applies it to Linux 6.12,
 * runs checkpatch and the builds; kernel-patch/harness/build.sh builds that revision's pcm_dmabuf.c into
 * its own harness library; every conformance case then runs on it, and random op sequences run on it and on
 * the model in lockstep ({@link HarnessChecks}, in a child JVM). Each step is one {@link Check}, handed to
 * {@code progress} as soon as it is known.
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
            if (lib == null) {
                for (HarnessChecks.Planned c : HarnessChecks.planned(differential)) {
                    add(Check.skipped(c.kind(), c.name(), c.rule(), "the harness did not build"));
                }
            } else {
                harnessChecks(lib, out);
            }
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
        MatchResult step = null;
        List<String> details = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null;) {
                Matcher m = STEP.matcher(line);
                if (m.matches()) {
                    if (step != null) {
                        add(kernelCheck(step, details));
                    }
                    step = m.toMatchResult();
                    details = new ArrayList<>();
                } else if (step != null && line.startsWith("#   ")) {
                    details.add(line.substring(4));
                } else if (!line.startsWith("#") && !line.matches("\\d+ passed, \\d+ failed")) {
                    unparsed.add(line);
                }
            }
        }
        Check pending = step == null ? null : kernelCheck(step, details);
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

    /**
     * {@link HarnessChecks} in a child JVM, each check reported as it ends. If the revision's C code kills
     * the child, the check it was running fails with the crash, and a new child goes on with the next one.
     */
    private void harnessChecks(Path lib, Path scratch) throws IOException, InterruptedException {
        List<HarnessChecks.Planned> planned = HarnessChecks.planned(differential);
        int next = 0;
        while (next < planned.size()) {
            next = harnessChild(lib, scratch, planned, next);
        }
    }

    /** One child from check {@code first} on; returns the index of the first check it did not report. */
    private int harnessChild(Path lib, Path scratch, List<HarnessChecks.Planned> planned, int first)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xss4m", "-XX:+UseSerialGC", "-Xlog:disable",
                "-XX:-CreateCoredumpOnCrash", "-XX:ErrorFile=" + scratch.resolve("hs_err_%p.log"),
                "-cp", System.getProperty("java.class.path"), HarnessChecks.class.getName(), lib.toString(),
                String.valueOf(differential.sequences()), String.valueOf(differential.seed()), String.valueOf(first))
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        int next = first;
        HarnessChecks.Planned running = null;
        List<String> details = new ArrayList<>();
        List<String> other = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null;) {
                String[] f = line.split("\t", -1);
                switch (f[0]) {
                    case HarnessChecks.BEGIN -> {
                        running = new HarnessChecks.Planned(Kind.valueOf(f[1]), f[2], f[3].isEmpty() ? null : f[3]);
                        details = new ArrayList<>();
                    }
                    case HarnessChecks.DETAIL -> details.add(f[1]);
                    case HarnessChecks.END -> {
                        add(new Check(Kind.valueOf(f[1]), f[2], f[3].isEmpty() ? null : f[3], Status.valueOf(f[4]),
                                details, Double.parseDouble(f[5])));
                        running = null;
                        next++;
                    }
                    default -> other.add(line);
                }
            }
        }
        int exit = p.waitFor();
        if (exit == 0 && running == null && next == planned.size()) {
            return next;
        }
        HarnessChecks.Planned failed = running != null ? running : planned.get(Math.min(next, planned.size() - 1));
        List<String> why = new ArrayList<>(details);
        why.add("the harness process died (exit status " + exit + "): the revision's C code crashed it");
        why.addAll(crashReport(other));
        add(new Check(failed.kind(), failed.name(), failed.rule(), Status.FAIL, why, 0));
        return next + 1;
    }

    /** The lines of a JVM crash report that say where it died, or whatever the child printed last. */
    private static List<String> crashReport(List<String> output) {
        List<String> where = output.stream()
                .filter(l -> l.startsWith("# SIG") || l.startsWith("# C  [") || l.startsWith("# Problematic frame"))
                .toList();
        List<String> last = output.stream().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
        List<String> out = new ArrayList<>(where);
        out.addAll(last.subList(Math.max(0, last.size() - 10), last.size()));
        return out;
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
