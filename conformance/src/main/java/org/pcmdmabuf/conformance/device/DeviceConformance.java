package org.pcmdmabuf.conformance.device;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.pcmdmabuf.conformance.Case;
import org.pcmdmabuf.conformance.Expectation;
import org.pcmdmabuf.conformance.Uapi;
import org.pcmdmabuf.model.World;
import org.pcmdmabuf.script.ModelTarget;
import org.pcmdmabuf.script.Op;
import org.pcmdmabuf.script.Outcome;
import org.pcmdmabuf.script.ScriptRunner;
import org.pcmdmabuf.sim.Cache;

/**
 * The conformance cases on {@code --target device}: this machine's /dev/snd (the QEMU guest of
 * kernel-patch/e2e/run.sh, or a board), each case also run on the model to compare op by op. Prints one line per
 * case, {@code PASS}, {@code FAIL} (with every op that missed its expectation), {@code LATE} (the only misses are
 * late wake-ups: after a stream started, the device answered EPIPE, EIO or XRUN where the model's exact virtual
 * time did not) or {@code SKIP} (with the reason the case does not apply to a real card), the bindings of script
 * devices to real PCMs, and every op where the device and the model answer differently.
 *
 * <p>A known bug ({@link Options#knownBugs}) of the kernel under test is expected to fail: it prints
 * {@code XFAIL} and does not fail the run; if it passes, it prints {@code XPASS} and fails the run, so that the
 * entry is dropped. {@code pcmsim conformance --target device} is the command line of this class.
 */
public final class DeviceConformance {
    /**
     * What to run: the cases, the cards by kind (see {@link Cards}); {@code dryRun}: bind without /dev/snd and
     * print what would run.
     */
    public record Options(Map<String, Integer> cards, List<Case> cases, boolean json,
                          boolean warmUp, boolean disconnectByUnbind, List<String> knownBugs, boolean dryRun,
                          Uapi.Revision uapi) {
        public Options {
            Objects.requireNonNull(uapi, "uapi");
        }

        /** With the DMABUF ioctls of uAPI revision 2, the series'. */
        public Options(Map<String, Integer> cards, List<Case> cases, boolean json, boolean warmUp,
                       boolean disconnectByUnbind, List<String> knownBugs, boolean dryRun) {
            this(cards, cases, json, warmUp, disconnectByUnbind, knownBugs, dryRun, Uapi.Revision.V2);
        }
    }

    private DeviceConformance() {
    }

    /** Runs the cases; returns 0 when none failed, else 1. */
    public static int run(Options options, PrintWriter out) {
        DeviceTarget.disconnectByUnbind = options.disconnectByUnbind();
        boolean json = options.json();
        boolean warmUp = options.warmUp();
        List<String> knownBugs = options.knownBugs();
        Cards c = new Cards(options.cards(), options.dryRun());
        if (!options.dryRun()) {
            new Native().warmUp();
        }
        Uapi.Revision uapi = options.uapi();
        out.println("conformance: target device, cards " + c.cards());
        // the revision is the caller's choice (--uapi), never probed: say which one judges the kernel
        out.println("conformance: " + uapi.describe() + (uapi == Uapi.Revision.V2 ? ", the series'"
                : ", kernel-patch/known-bad/v1's (UAPI-V1)"));
        List<Case> cases = options.cases();
        int pass = 0, fail = 0, skip = 0, late = 0, xfail = 0, disagree = 0;
        boolean dryRun = options.dryRun();
        if (warmUp && !dryRun) {
            // One silent pass over the applicable cases first: under TCG the JVM's first, interpreted and
            // compiling run of the op code is slow enough to make a running stream overtake the script
            // (XRUN) in the cases that run the DMA. Results come from the second pass; --no-warmup skips it.
            long w0 = System.nanoTime();
            for (Case k : cases) {
                boolean cardEvents = k.script().ops().stream().anyMatch(o -> o instanceof Op.CardEvent);
                if (!cardEvents && DeviceTarget.notApplicable(k.script(), c, uapi) == null) {
                    try (DeviceTarget t = new DeviceTarget(c, uapi)) {
                        ScriptRunner.run(k.script(), t, s -> { });
                    } catch (RuntimeException e) {
                        // reported by the real pass
                    }
                }
            }
            out.printf("conformance: warm-up pass %.1f s%n", (System.nanoTime() - w0) / 1e9);
        }
        for (Case k : cases) {
            String why = DeviceTarget.notApplicable(k.script(), c, uapi);
            if (why == null && dryRun) {
                out.println("WOULD RUN " + k.name() + ": " + c.assign(k.script()));
                continue;
            }
            if (why != null) {
                out.println("SKIP " + k.name() + ": " + why);
                skip++;
                continue;
            }
            long t0 = System.nanoTime();
            // the model as ConformanceTest runs it: the simulator's cache, 64-byte lines, no random eviction
            List<ScriptRunner.Step> model = ScriptRunner.run(k.script(), new ModelTarget(new World(
                    Cache.exact(Case.LINE_BYTES, Case.CACHE_LINES))));
            int modelMisses = 0;
            for (int i = 0; i < model.size(); i++) {
                modelMisses += k.expectationAt(i).mismatches(model.get(i).outcome()).size();
            }
            List<String> failures = new ArrayList<>();
            List<String> diffs = new ArrayList<>();
            List<String> timing = new ArrayList<>();
            int compared = 0, notObserved = 0;
            Map<String, Cards.Pcm> bound;
            boolean timedCase = k.script().ops().stream().anyMatch(o -> o instanceof Op.Advance);
            try (DeviceTarget t = new DeviceTarget(c, uapi)) {
                List<ScriptRunner.Step> steps = new ArrayList<>();
                List<Boolean> timedFrom = new ArrayList<>();
                boolean[] before = {false};
                try {
                    ScriptRunner.run(k.script(), t, s -> {
                        steps.add(s);
                        timedFrom.add(before[0]);       // a stream ran (or time passed) before this op
                        before[0] = t.timed();
                    });
                } catch (RuntimeException e) {
                    failures.add("target error after " + steps.size() + " ops: " + e);
                }
                bound = t.devices();
                for (int i = 0; i < steps.size(); i++) {
                    ScriptRunner.Step s = steps.get(i);
                    Op op = s.op();
                    if (json) {
                        out.println("  " + s.json());
                    }
                    if (s.outcome().extra().containsKey("skipped")) {
                        notObserved++;
                        continue;
                    }
                    compared++;
                    String where = k.name() + ":" + op.line() + " " + (op.proc() == null ? "" : op.proc() + " ")
                            + op.name();
                    Expectation e = k.expectationAt(i);
                    boolean numeric = expectsValue(e);
                    if (numeric && FD_OPS.contains(op.name())) {
                        // a new fd's number is the process's business: compare errno and state only (SCRIPT-NO-RAW-FD)
                        e = new Expectation("ok", e.state(), e.stateGiven(), e.extra());
                    }
                    if (s.outcome().extra().containsKey("unobserved")) {
                        // fill/check: whether the access faults is observed, the stamps' counts are not
                        e = new Expectation(e.result(), e.state(), e.stateGiven(), Map.of());
                    }
                    boolean timedOp = timedFrom.get(i);
                    if (timedOp) {
                        // a stream runs on the wall clock: compare errno and state, not positions
                        e = new Expectation(numeric ? "ok" : e.result(), e.state(), e.stateGiven(), Map.of());
                    }
                    Outcome d = s.outcome();
                    // Late wake-ups under TCG: the real DMA overtook the script (XRUN, EPIPE), or ALSA's
                    // wait for a period timed out (EIO). Only ops after a stream ran can be late.
                    boolean isLate = timedOp && ("EPIPE".equals(d.errno()) || "EIO".equals(d.errno())
                            || "XRUN".equals(d.state()));
                    for (String m : e.mismatches(d)) {
                        (isLate ? timing : failures).add(where + ": " + m);
                    }
                    Outcome mo = model.get(i).outcome();
                    if (!Objects.equals(mo.errno(), d.errno()) || !Objects.equals(mo.state(), d.state())) {
                        diffs.add(where + ": model " + show(mo) + ", device " + show(d) + (isLate ? " (late)" : ""));
                    }
                }
            }
            String ms = String.format("%.1f s", (System.nanoTime() - t0) / 1e9);
            String binding = bound.entrySet().stream().map(en -> en.getKey() + "=" + en.getValue())
                    .reduce((a, b) -> a + ", " + b).orElse("");
            String detail = "model " + (modelMisses == 0 ? "PASS" : "FAIL(" + modelMisses + ")") + "; "
                    + compared + " ops compared, " + notObserved + " not observable"
                    + (timedCase ? " (advance = wall-clock sleep: positions after it not compared)" : "") + "; "
                    + binding + "; " + ms;
            if (knownBugs.contains(k.name())) {
                if (failures.isEmpty()) {
                    out.println("XPASS " + k.name() + ": " + detail + "; a known patch bug no longer"
                            + " shows: drop --known-bug " + k.name());
                    fail++;
                } else {
                    out.println("XFAIL " + k.name() + ": " + detail + "; known patch bug:");
                    failures.forEach(f -> out.println("    " + f));
                    xfail++;
                }
            } else if (failures.isEmpty() && timing.isEmpty()) {
                out.println("PASS " + k.name() + ": " + detail);
                pass++;
            } else if (failures.isEmpty()) {
                out.println("LATE " + k.name() + ": " + detail + "; only late-wake-up mismatches:");
                timing.forEach(f -> out.println("    " + f));
                late++;
            } else {
                out.println("FAIL " + k.name() + ": " + detail);
                failures.forEach(f -> out.println("    " + f));
                timing.forEach(f -> out.println("    (late) " + f));
                fail++;
            }
            for (String d : diffs) {
                out.println("    DIFF " + d);
                disagree++;
            }
        }
        out.println("conformance: " + pass + " passed, " + fail + " failed, " + xfail
                + " known patch bugs, " + late + " late (timing only), " + skip + " skipped; "
                + disagree + " ops where device and model differ");
        out.flush();
        return fail == 0 ? 0 : 1;
    }

    /** Ops whose return value is a new fd. */
    private static final java.util.Set<String> FD_OPS = java.util.Set.of("open", "dup", "send", "dmabuf_export",
            "open_path");

    private static String show(Outcome o) {
        return (o.errno() != null ? o.errno() : "ok") + " [" + (o.state() == null ? "-" : o.state()) + "]";
    }

    /**
     * Whether {@code e} expects a return value, which a wall-clock stream leaves uncompared, rather than success,
     * an errno or a signal: a {@code SIGBUS} is an outcome the device must give whatever the stream did.
     */
    static boolean expectsValue(Expectation e) {
        String r = e.result();
        return !e.anything() && !r.equals("ok") && !r.startsWith("E") && !r.startsWith("SIG");
    }
}
