package org.pcmdmabuf.conformance.harness;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.pcmdmabuf.model.DmaBuf;
import org.pcmdmabuf.model.InvariantViolation;
import org.pcmdmabuf.model.LimitExceeded;
import org.pcmdmabuf.script.Linearizability;
import org.pcmdmabuf.script.Names;
import org.pcmdmabuf.script.Op;
import org.pcmdmabuf.script.Outcome;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.Target;

/**
 * An op script on the patch's C code with its concurrent groups (docs/spec.md SCRIPT-CONCURRENT) run as kernel
 * tasks under the harness's seeded scheduler (shim/src/kernel/sched/core.c): the ops before a group run one
 * after another, then each op of the group in a thread of its own, one running at a time and switching only at
 * the C code's scheduling points, then the rest. A run is judged (PLAT-CONCURRENCY): no problem of the C code
 * (WARN, lock misuse, sleeping in atomic context, use after free), no deadlock, no data race (PLAT-DATA-RACE), the host consistent, no
 * mapping of a revoked dma-buf left reaching its memory, and answers some order of each group gives on the model.
 */
public final class RaceRunner {
    private static final long JOIN_MILLIS = 60_000;

    private final Harness harness;
    private final int lineBytes;
    private final int cacheLines;
    private final Supplier<Target> model;
    private Linearizability.Checker checker;

    public RaceRunner(Harness harness, int lineBytes, int cacheLines, Supplier<Target> model) {
        this.harness = harness;
        this.lineBytes = lineBytes;
        this.cacheLines = cacheLines;
        this.model = model;
    }

    /** How the scheduler decides after the schedule's prefix. */
    public sealed interface Policy {
    }

    /** The running task runs on until it waits or ends: the first schedule of the depth-first enumeration. */
    public record RunOn() implements Policy {
    }

    /** PCT of {@code seed}: priority change points at {@code depth - 1} random steps of {@code steps}. */
    public record Pct(long seed, int depth, int steps) implements Policy {
    }

    /**
     * One run: the answers in written order (null past an op that ended the run), its schedule (the task chosen at
     * every decision, group after group) with the tasks that could run there, its scheduling points, what failed,
     * and whether the prefix it was given did not fit the run (a schedule of another script or library).
     */
    public record Run(List<Outcome> answers, List<Integer> schedule, List<Integer> runnable, int steps,
            List<String> failures, boolean diverged) {
        public boolean failed() {
            return !failures.isEmpty();
        }

        /** The schedule as {@code --schedule} takes it: {@code 0,0,1,1}, {@code -} for none. */
        public String scheduleText() {
            return schedule.isEmpty() ? "-"
                    : String.join(",", schedule.stream().map(String::valueOf).toList());
        }
    }

    /** Runs {@code script} with {@code prefix} as its schedule's first decisions, then {@code policy}. */
    public Run run(Script script, List<Integer> prefix, Policy policy) {
        List<String> failures = new ArrayList<>();
        List<Integer> schedule = new ArrayList<>();
        List<Integer> runnable = new ArrayList<>();
        Outcome[] answers = new Outcome[script.ops().size()];
        int steps = 0;
        boolean diverged = false;
        boolean complete = false;
        int group = 0;
        try (HarnessTarget target = new HarnessTarget(harness, lineBytes, cacheLines)) {
            target.declare(script);
            Names names = new Names();
            int i = 0;
            try {
                while (i < script.ops().size()) {
                    Script.Concurrent g = script.groupOf(i);
                    if (g == null) {
                        answers[i] = target.execute(script.ops().get(i), names);
                        i++;
                        continue;
                    }
                    List<Integer> rest = schedule.size() < prefix.size()
                            ? prefix.subList(schedule.size(), prefix.size()) : List.of();
                    int status;
                    target.world().deferInvariants(true);
                    try {
                        status = group(target, names, script, g, answers, rest, policy, group++, failures);
                    } finally {
                        target.world().deferInvariants(false);
                        int n = harness.schedDecisions();
                        for (int d = 0; d < n; d++) {
                            schedule.add(harness.schedChoice(d));
                            runnable.add(harness.schedRunnable(d));
                        }
                        steps += harness.schedSteps();
                    }
                    target.world().checkInvariants();
                    if ((status & Harness.SCHED_DEADLOCK) != 0) {
                        failures.add(harness.schedReport());
                    }
                    if ((status & Harness.SCHED_RACE) != 0) {
                        failures.add(harness.kcsanReport());
                    }
                    if ((status & Harness.SCHED_DIVERGED) != 0) {
                        diverged = true;
                    }
                    if ((status & Harness.SCHED_TRUNCATED) != 0) {
                        failures.add("the group at line " + g.line() + " made more decisions than the scheduler records");
                    }
                    if (!failures.isEmpty()) {
                        break;
                    }
                    i = g.first() + g.size();
                }
                complete = failures.isEmpty();
                if (complete) {
                    target.world().checkInvariants();
                    failures.addAll(revokedStillReached(target));
                }
            } catch (InvariantViolation e) {
                failures.add("the host was left inconsistent: " + e.getMessage().lines().findFirst().orElse(""));
                complete = false;
            } catch (LimitExceeded e) {
                failures.add("an op went past a run-time limit: " + e.getMessage());
                complete = false;
            }
        }
        for (int i = 0; i < answers.length; i++) {
            if (answers[i] != null && answers[i].extra().get("harness") instanceof List<?> problems) {
                for (Object p : problems) {
                    failures.add("line " + script.ops().get(i).line() + " " + script.ops().get(i).name() + ": " + p);
                }
            }
        }
        if (complete && failures.isEmpty() && !script.concurrent().isEmpty()
                && checker(script).check(withoutState(Arrays.asList(answers)))
                        instanceof Linearizability.NotLinearizable n) {
            failures.add(notLinearizable(script, n));
        }
        return new Run(Arrays.asList(answers), List.copyOf(schedule), List.copyOf(runnable), steps,
                List.copyOf(failures), diverged);
    }

    /** The linearizability check of {@code script}: a search runs one script schedule after schedule. */
    private Linearizability.Checker checker(Script script) {
        if (checker == null || checker.script() != script) {
            checker = new Linearizability.Checker(script, this::statelessModel);
        }
        return checker;
    }

    /** The group's ops as kernel tasks; returns harness_sched_finish()'s bits. */
    private int group(HarnessTarget target, Names names, Script script, Script.Concurrent g, Outcome[] answers,
            List<Integer> prefix, Policy policy, int index, List<String> failures) {
        switch (policy) {
            case RunOn r -> harness.schedStart(g.size(), Harness.SCHED_FIRST, 0, 1, 1);
            // each group its own stream of the seed, so that a group's schedule does not depend on the groups before
            case Pct p -> harness.schedStart(g.size(), Harness.SCHED_PCT, p.seed() + 0x9e3779b97f4a7c15L * index,
                    p.depth(), p.steps());
        }
        for (int d = 0; d < prefix.size(); d++) {
            harness.schedPrefix(d, prefix.get(d));
        }
        Thread[] threads = new Thread[g.size()];
        Throwable[] thrown = new Throwable[g.size()];
        for (int k = 0; k < g.size(); k++) {
            int task = k;
            Op op = script.ops().get(g.first() + k);
            threads[k] = Thread.ofPlatform().daemon().name("kernel-task-" + k).unstarted(() -> {
                harness.taskBegin(task);
                try {
                    answers[g.first() + task] = target.execute(op, names);
                } catch (Throwable t) {
                    thrown[task] = t;
                } finally {
                    harness.taskEnd();
                }
            });
        }
        for (Thread t : threads) {
            t.start();
        }
        for (Thread t : threads) {
            try {
                t.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the group at line " + g.line() + " ran", e);
            }
            if (t.isAlive()) {
                throw new IllegalStateException("a kernel task of the group at line " + g.line()
                        + " never returned: the harness's scheduler is stuck");
            }
        }
        int status = harness.schedFinish();
        for (int k = 0; k < g.size(); k++) {
            switch (thrown[k]) {
                case null -> {
                }
                case InvariantViolation e -> throw e;
                case LimitExceeded e -> throw e;
                case RuntimeException e -> failures.add("line " + script.ops().get(g.first() + k).line()
                        + ": the host failed: " + e);
                case Error e -> throw e;
                default -> failures.add("line " + script.ops().get(g.first() + k).line() + ": " + thrown[k]);
            }
        }
        return status;
    }

    /**
     * What still reaches a revoked dma-buf's memory on the C side once the group is over: a CPU mapping made
     * concurrently that the revocation's zap missed, whose page table reaches memory given back to its owner or
     * freed (LIFETIME-REVOKE-ZAP), an importer attached concurrently that it did not stop, or one the C keeps and
     * the host does not (LIFETIME-REVOKE-DETACH).
     */
    private List<String> revokedStillReached(HarnessTarget target) {
        List<String> out = new ArrayList<>();
        for (DmaBuf d : target.world().dmaBufs()) {
            int key = (int) target.world().dmaBufKey(d);
            if (harness.revoked(key) == 1) {
                int mappings = harness.mappings(key);
                int sigbus = harness.sigbus(key);
                if (mappings > sigbus) {
                    out.add("dma-buf " + key + " is revoked but " + (mappings - sigbus) + " of its " + mappings
                            + " CPU mapping(s) still reach its memory (LIFETIME-REVOKE-ZAP)");
                }
                out.addAll(target.driver().revokedImporters(d));
            }
        }
        return out;
    }

    /**
     * The answers without the PCM state each op reads when it returns: an op of a group returns after others
     * of the group ran, so the state it reads is not the state at its linearization point (a system call
     * answers its return value and errno; the state is a separate observation).
     */
    private static List<Outcome> withoutState(List<Outcome> answers) {
        return answers.stream().map(o -> o == null ? null : withoutState(o)).toList();
    }

    private static Outcome withoutState(Outcome o) {
        return new Outcome(o.ret(), o.errno(), null, o.extra());
    }

    private Target statelessModel() {
        Target t = model.get();
        return new Target() {
            @Override
            public String name() {
                return t.name();
            }

            @Override
            public void declare(Script script) {
                t.declare(script);
            }

            @Override
            public Outcome execute(Op op, Names names) {
                return withoutState(t.execute(op, names));
            }

            @Override
            public Outcome refuse(Op op, Names names, String errno) {
                return withoutState(t.refuse(op, names, errno));
            }

            @Override
            public void close() {
                t.close();
            }
        };
    }

    private static String notLinearizable(Script script, Linearizability.NotLinearizable n) {
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < n.group().size(); i++) {
            Op op = script.ops().get(n.group().first() + i);
            seen.append(i == 0 ? "" : ", ").append("line ").append(op.line()).append(' ').append(op.name())
                    .append(' ').append(answer(n.observed().get(i)));
        }
        StringBuilder allowed = new StringBuilder();
        for (List<Outcome> a : n.allowed().keySet()) {
            allowed.append(allowed.isEmpty() ? "" : "; ")
                    .append(String.join(", ", a.stream().map(RaceRunner::answer).toList()));
        }
        return "not linearizable (SCRIPT-CONCURRENT): the group at line " + n.group().line() + " answered " + seen
                + "; its orders give " + allowed;
    }

    private static String answer(Outcome o) {
        return o == null ? "(none)" : (o.errno() != null ? o.errno() : "ok " + o.ret()) + (o.state() == null ? "" : " " + o.state());
    }

    /** Every lock-order inversion and recursive locking the lock-order graph saw since {@link #resetLockOrder}. */
    public List<String> lockOrderReports() {
        List<String> out = new ArrayList<>();
        int n = harness.lockdepReports();
        for (int i = 0; i < n; i++) {
            out.add(harness.lockdepReport(i));
        }
        return out;
    }

    public void resetLockOrder() {
        harness.lockdepReset();
    }
}
