package org.pcmdmabuf.conformance.validate;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pcmdmabuf.conformance.Case;
import org.pcmdmabuf.conformance.harness.FaultSweep;
import org.pcmdmabuf.conformance.harness.Harness;
import org.pcmdmabuf.conformance.harness.HarnessTarget;
import org.pcmdmabuf.conformance.harness.Lockstep;
import org.pcmdmabuf.conformance.harness.RaceRunner;
import org.pcmdmabuf.conformance.harness.RaceScenarios;
import org.pcmdmabuf.conformance.harness.RaceSearch;
import org.pcmdmabuf.conformance.shard.Shard;
import org.pcmdmabuf.script.Ddmin;
import org.pcmdmabuf.script.Op;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.ScriptException;
import org.pcmdmabuf.script.ScriptParser;
import org.pcmdmabuf.script.ScriptWriter;
import org.pcmdmabuf.sim.SplitMix64;
import org.pcmdmabuf.conformance.validate.Check.Kind;
import org.pcmdmabuf.conformance.validate.Check.Status;
import org.pcmdmabuf.conformance.validate.Validation.Differential;

/**
 * The checks that run a revision's C code: every conformance case on its harness library, each case's fault
 * sweep, the race scenarios under the harness's scheduler, then the random sequences in lockstep with the model. They run in a child JVM ({@link #main}), because a revision that
 * dereferences a bad pointer takes its process down: the parent then reports the check that was running as
 * failed, with the crash, instead of dying with it.
 */
final class HarnessChecks {
    /** The ddmin budget, in lockstep runs, for the script a disagreement is reported with. */
    private static final int DDMIN_BUDGET = 2000;

    /** The child's report, one line each, tab-separated: a check begins, a detail line, a check ends. */
    static final String BEGIN = "begin";
    static final String DETAIL = "detail";
    static final String END = "end";

    /** A check about to run. */
    record Planned(Kind kind, String name, String rule) {
    }

    private HarnessChecks() {
    }

    /** The rules a fault sweep judges (docs/spec.md). */
    static final String FAULT_RULES = "FAULT-NO-CHANGE FAULT-NO-LEAK";
    static final String FAULT_SUMMARY = "every error path the cases reach";

    /**
     * What the child will run, in order: what to report as skipped when it cannot. A shard (docs/sharding.md) runs
     * its own of the cases' fault sweeps and of the random sequences; the conformance cases and the race stage,
     * whose lock-order graph is one over every schedule, run in shard 1.
     */
    static List<Planned> planned(Differential differential, Validation.Depth depth) {
        List<Planned> out = new ArrayList<>();
        for (Case c : conformanceCases(differential.shard())) {
            out.add(new Planned(Kind.conformance, c.name(), c.rule()));
        }
        if (depth.faults()) {
            for (Case c : differential.shard().of(cases())) {
                out.add(new Planned(Kind.fault, c.name(), FAULT_RULES));
            }
            out.add(new Planned(Kind.fault, FAULT_SUMMARY, null));
        }
        if (depth.races() && races(differential.shard())) {
            for (String name : RaceScenarios.NAMES) {
                out.add(new Planned(Kind.race, RaceScenarios.title(name), RACE_RULES));
            }
            out.add(new Planned(Kind.race, LOCK_ORDER, RACE_RULES));
        }
        out.add(new Planned(Kind.differential, differentialName(differential), null));
        return out;
    }

    /**
     * The stages of {@code planned}, in order, each as its first index and the index after its last: the runs of
     * checks of one kind (the cases, the fault sweep, the race stage, the differential). They share nothing but
     * the library, so each can run in a child of its own, at the same time as the others.
     */
    static List<int[]> stages(List<Planned> planned) {
        List<int[]> out = new ArrayList<>();
        int from = 0;
        for (int i = 1; i <= planned.size(); i++) {
            if (i == planned.size() || planned.get(i).kind() != planned.get(from).kind()) {
                out.add(new int[] {from, i});
                from = i;
            }
        }
        return out;
    }

    /** The conformance cases a shard runs: all of them in shard 1, none in the others. */
    private static List<Case> conformanceCases(Shard shard) {
        return shard.index() == 1 ? cases() : List.of();
    }

    /** Whether a shard runs the race stage: shard 1 does. */
    static boolean races(Shard shard) {
        return shard.index() == 1;
    }

    /** What the race stage judges, how many PCT schedules of which depth from which seed per scenario. */
    static final String RACE_RULES = "PLAT-CONCURRENCY PLAT-DATA-RACE";
    static final int RACE_SCHEDULES = 200;
    static final int RACE_DEPTH = 3;
    static final long RACE_SEED = 1;
    static final String LOCK_ORDER = "races/lock-order";
    static final String RACE_SUMMARY = "every race scenario and the lock order over their schedules";

    static List<Case> cases() {
        try {
            return Case.all();
        } catch (ScriptException | java.io.IOException e) {
            throw new IllegalStateException("the shipped conformance cases do not load: " + e.getMessage(), e);
        }
    }

    /** The differential check's name; a shard's says which of the sequences it ran. */
    static String differentialName(Differential d) {
        Shard shard = d.shard();
        return d.sequences() + " random op sequences agree with the model, op by op (seed " + d.seed()
                + (shard.whole() ? "" : ", shard " + shard + ": " + shard.size(d.sequences()) + " of them") + ")";
    }

    /** The passed differential check's name: what it ran, and how many ops. */
    static String differentialPassed(Differential d, long ops) {
        return differentialName(d) + ": " + ops + " ops";
    }

    /** The ops a passed differential check names ({@link #differentialPassed}). */
    static long differentialOps(Check c) {
        String name = c.name();
        return Long.parseLong(name.substring(name.lastIndexOf(": ") + 2, name.length() - " ops".length()));
    }

    /** The number (from 1) of the sequence a failed differential check reports, or -1 if it names none. */
    static long failedSequence(Check c) {
        if (!c.details().isEmpty() && c.details().getFirst().matches("sequence \\d{1,18}: .*")) {
            String d = c.details().getFirst();
            return Long.parseLong(d.substring("sequence ".length(), d.indexOf(':')));
        }
        return -1;
    }

    /**
     * The figures of the fault sweep over its cases: the distinct call sites made to fail, the failures injected,
     * the cases swept and those that handled every failure. One shape for the child that counts them and for the
     * merge of shards that adds them up.
     */
    record FaultFigures(Set<String> sites, int injected, int swept, int handled) {
        private static final Pattern NAME = Pattern.compile(Pattern.quote(FAULT_SUMMARY)
                + ": \\d+ fallible call sites, (\\d+) failures injected \\((\\d+) cases swept, (\\d+) handled every one\\)");
        private static final String SITES = "call sites made to fail: ";

        FaultFigures {
            sites = new TreeSet<>(sites);
        }

        Check check(double seconds) {
            return new Check(Kind.fault, FAULT_SUMMARY + ": " + sites.size() + " fallible call sites, " + injected
                    + " failures injected (" + swept + " cases swept, " + handled + " handled every one)", null,
                    Status.PASS, List.of(SITES + String.join(", ", sites)), seconds);
        }

        /** The figures a summary check states, or null when it is no passed summary ({@link #check}). */
        static FaultFigures of(Check c) {
            Matcher m = NAME.matcher(c.name());
            if (c.status() != Status.PASS || !m.matches() || c.details().size() != 1
                    || !c.details().getFirst().startsWith(SITES)) {
                return null;
            }
            String list = c.details().getFirst().substring(SITES.length());
            Set<String> sites = list.isEmpty() ? Set.of() : new TreeSet<>(List.of(list.split(", ")));
            return new FaultFigures(sites, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3)));
        }

        FaultFigures plus(FaultFigures o) {
            Set<String> all = new TreeSet<>(sites);
            all.addAll(o.sites);
            return new FaultFigures(all, injected + o.injected, swept + o.swept, handled + o.handled);
        }
    }

    /**
     * {@code LIBRARY SEQUENCES SEED SHARD FAULTS RACES END FIRST}: runs the {@link #planned} checks from index FIRST
     * to before END on the library, reporting on standard output; SHARD is K/N; FAULTS {@code true} sweeps its
     * cases' faults, RACES {@code true} runs the race stage. END is the end of a stage ({@link #stages}): a stage's checks are one unit (the fault figures and the
     * lock-order graph are over the whole stage).
     */
    public static void main(String[] args) {
        PrintStream out = System.out;
        Harness harness = Harness.load(Path.of(args[0]));
        Differential differential = new Differential(Integer.parseInt(args[1]), Long.parseLong(args[2]),
                Shard.parse(args[3]));
        boolean faults = Boolean.parseBoolean(args[4]);
        boolean races = Boolean.parseBoolean(args[5]) && races(differential.shard());
        int end = Integer.parseInt(args[6]);
        int first = Integer.parseInt(args[7]);
        List<Case> cases = conformanceCases(differential.shard());
        for (Case c : cases.subList(Math.min(first, cases.size()), Math.max(Math.min(first, cases.size()),
                Math.min(end, cases.size())))) {
            begin(out, Kind.conformance, c.name(), c.rule());
            long t0 = System.nanoTime();
            List<Case.Failure> failures;
            try (HarnessTarget target = new HarnessTarget(harness, Case.LINE_BYTES, Case.CACHE_LINES)) {
                if (target.refusal(c.script()) instanceof String why) {
                    // a platform the harness leaves to the model and the simulator: not judged here, and said so
                    end(out, Check.skipped(Kind.conformance, c.name(), c.rule(), why));
                    continue;
                }
                failures = c.check(target);
            }
            // a failed case is reported with the rules its failing lines check, not every rule of the case
            end(out, new Check(Kind.conformance, c.name(), failures.isEmpty() ? c.rule() : c.broken(failures),
                    failures.isEmpty() ? Status.PASS : Status.FAIL, failures.stream().map(Case.Failure::text).toList(),
                    (System.nanoTime() - t0) / 1e9));
        }
        List<Case> swept = faults ? differential.shard().of(cases()) : List.of();
        int faultChecks = faults ? swept.size() + 1 : 0;
        if (faults && first < cases.size() + faultChecks && end > cases.size()) {
            faults(out, harness, swept.subList(Math.max(0, first - cases.size()), swept.size()));
        }
        int raceStart = cases.size() + faultChecks;
        int raceFirst = Math.max(0, first - raceStart);
        if (races && raceFirst <= RaceScenarios.NAMES.size() && end > raceStart) {
            races(out, harness, raceFirst);
        }
        if (end > raceStart + (races ? RaceScenarios.NAMES.size() + 1 : 0)) {
            begin(out, Kind.differential, differentialName(differential), null);
            end(out, differential(harness, differential));
        }
        out.flush();
    }

    /**
     * The race scenarios from the {@code first}-th on, each's concurrent groups as kernel tasks under the
     * harness's scheduler for {@link #RACE_SCHEDULES} PCT schedules ({@link RaceSearch}): a failed schedule is
     * reported with its seed, schedule and the shrunk script that replays it; then the lock-order graph over
     * every schedule run, whose cycles lockdep would report though no schedule deadlocked. A crash of the
     * revision's code in a kernel task takes the child down like any other check.
     */
    private static void races(PrintStream out, Harness harness, int first) {
        RaceRunner runner = new RaceRunner(harness, Case.LINE_BYTES, Case.CACHE_LINES, Case::model);
        runner.resetLockOrder();
        List<String> names = RaceScenarios.NAMES;
        for (String name : names.subList(Math.min(first, names.size()), names.size())) {
            String title = RaceScenarios.title(name);
            begin(out, Kind.race, title, RACE_RULES);
            long t0 = System.nanoTime();
            Script script = RaceScenarios.script(name);
            RaceSearch.Result r = RaceSearch.pct(runner, script, RACE_SCHEDULES, RACE_SEED, RACE_DEPTH);
            if (r.first() == null) {
                end(out, new Check(Kind.race, title, RACE_RULES, Status.PASS, List.of(r.schedules()
                        + " PCT schedules of depth " + RACE_DEPTH + " from seed " + RACE_SEED + ", none failed"),
                        (System.nanoTime() - t0) / 1e9));
                continue;
            }
            RaceSearch.Finding f = r.first();
            List<String> details = new ArrayList<>();
            details.add(r.failed() + " of " + r.schedules() + " schedules failed; the first: "
                    + (f.seed() < 0 ? "the run-on schedule" : "seed " + f.seed()) + ", schedule "
                    + f.run().scheduleText());
            details.addAll(f.run().failures());
            details.add("a minimal script (pcmsim run SCRIPT --target harness --schedule "
                    + f.run().scheduleText() + " replays it):");
            details.addAll(ScriptWriter.write(RaceSearch.shrink(runner, script, f.run())).lines().toList());
            end(out, new Check(Kind.race, title, RACE_RULES, Status.FAIL, details, (System.nanoTime() - t0) / 1e9));
        }
        if (first > 0) {
            // a new child after a crash: the graph holds only the schedules run since
            begin(out, Kind.race, LOCK_ORDER, RACE_RULES);
            end(out, Check.skipped(Kind.race, LOCK_ORDER, RACE_RULES,
                    "a scenario crashed the harness process: the graph misses its schedules"));
            return;
        }
        begin(out, Kind.race, LOCK_ORDER, RACE_RULES);
        List<String> inversions = runner.lockOrderReports();
        end(out, new Check(Kind.race, LOCK_ORDER, RACE_RULES, inversions.isEmpty() ? Status.PASS : Status.FAIL,
                inversions, 0));
    }


    /**
     * Every case's fault sweep ({@link FaultSweep}), one check each, then the figures over them: the distinct
     * fallible call sites the cases reach (every one made to fail at least once) and the failures injected.
     * A case the harness refuses, or one that asks for its own faults, is skipped saying why.
     */
    private static void faults(PrintStream out, Harness harness, List<Case> cases) {
        FaultSweep sweep = new FaultSweep(harness);
        Set<String> sites = new TreeSet<>();
        int injected = 0;
        int mishandled = 0;
        int swept = 0;
        long t0 = System.nanoTime();
        for (Case c : cases) {
            begin(out, Kind.fault, c.name(), FAULT_RULES);
            long t1 = System.nanoTime();
            if (HarnessTarget.refusal(c.script(), harness.revision()) instanceof String why) {
                end(out, Check.skipped(Kind.fault, c.name(), FAULT_RULES, why));
                continue;
            }
            if (c.script().ops().stream().anyMatch(op -> op instanceof Op.FailNth)) {
                end(out, Check.skipped(Kind.fault, c.name(), FAULT_RULES,
                        "asks for its own faults (fail_nth), which the model it runs in lockstep with cannot"));
                continue;
            }
            FaultSweep.Result r = sweep.sweep(c.script());
            swept++;
            sites.addAll(r.sites());
            injected += r.injected();
            List<String> details = new ArrayList<>();
            for (FaultSweep.Finding f : r.findings()) {
                details.add(f.text(c.name()));
            }
            mishandled += r.findings().isEmpty() ? 0 : 1;
            end(out, new Check(Kind.fault, c.name(), FAULT_RULES, r.findings().isEmpty() ? Status.PASS : Status.FAIL,
                    details, (System.nanoTime() - t1) / 1e9));
        }
        // the figures: each case passed or failed (or is a declared finding) above
        begin(out, Kind.fault, FAULT_SUMMARY, null);
        end(out, new FaultFigures(sites, injected, swept, swept - mishandled).check((System.nanoTime() - t0) / 1e9));
    }

    /** The first disagreement fails the check, reported with its script minimized. */
    private static Check differential(Harness harness, Differential differential) {
        String name = differentialName(differential);
        if (differential.sequences() == 0) {
            return Check.skipped(Kind.differential, name, null, "--sequences 0");
        }
        long t0 = System.nanoTime();
        Lockstep lockstep = new Lockstep(harness);
        SplitMix64 r = new SplitMix64(differential.seed());
        for (int i = 0; i < differential.sequences(); i++) {
            // every shard draws every sequence, the generator's state being the draws before, and runs its own
            Script script = Lockstep.draw(i, r);
            if (!differential.shard().has(i)) {
                continue;
            }
            // A drawn script runs as drawn: written out and parsed back, as a ddmin candidate must be (it may not
            // parse), it differs only in its line numbers, and the round trip was a third of the differential's
            // time (JFR). Only a disagreement is confirmed on the round trip, so the verdict stays the same.
            if (disagrees(lockstep, script) && disagreement(lockstep, script) != null) {
                Script least = Ddmin.minimize(script, s -> disagreement(lockstep, s) != null, DDMIN_BUDGET);
                List<String> details = new ArrayList<>();
                details.add("sequence " + (i + 1) + ": " + disagreement(lockstep, least));
                details.add("a minimal script (pcmsim run SCRIPT --target harness runs it on this revision):");
                details.addAll(ScriptWriter.write(least).lines().toList());
                return new Check(Kind.differential, name, null, Status.FAIL, details, (System.nanoTime() - t0) / 1e9);
            }
        }
        return new Check(Kind.differential, differentialPassed(differential, lockstep.opsRun()), null, Status.PASS,
                List.of(), (System.nanoTime() - t0) / 1e9);
    }

    /** Whether {@code script}, run in lockstep as it is, disagrees. */
    private static boolean disagrees(Lockstep lockstep, Script script) {
        try {
            lockstep.run(script);
            return false;
        } catch (AssertionError | RuntimeException e) {
            return true;
        }
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

    private static void begin(PrintStream out, Kind kind, String name, String rule) {
        out.println(String.join("\t", BEGIN, kind.name(), flat(name), rule == null ? "" : flat(rule)));
        out.flush();
    }

    private static void end(PrintStream out, Check c) {
        for (String d : c.details()) {
            out.println(DETAIL + "\t" + flat(d));
        }
        out.println(String.join("\t", END, c.kind().name(), flat(c.name()), c.rule() == null ? "" : flat(c.rule()),
                c.status().name(), Double.toString(c.seconds())));
        out.flush();
    }

    private static String flat(String s) {
        return s.replace('\t', ' ').replace('\n', ' ');
    }
}
