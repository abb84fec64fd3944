package org.pcmdmabuf.conformance.harness;

import java.util.ArrayList;
import java.util.List;
import org.pcmdmabuf.script.Op;
import org.pcmdmabuf.script.Script;

/**
 * Schedules of a script's concurrent groups on the harness ({@link RaceRunner}): PCT runs of consecutive seeds,
 * or every schedule, depth first, as long as the space fits a bound.
 */
public final class RaceSearch {
    private RaceSearch() {
    }

    /** A failed run, with what reproduces it: the seed of its PCT run (-1 for an enumerated one) and its schedule. */
    public record Finding(long seed, RaceRunner.Run run) {
    }

    /**
     * What a search did: schedules run, whether they were every schedule there is, the first failure and how many
     * runs failed.
     */
    public record Result(int schedules, boolean exhaustive, Finding first, int failed) {
    }

    /**
     * {@code n} PCT runs of seeds {@code seed}, {@code seed + 1}, ..., of depth {@code depth}; the number of steps
     * is that of the run-on schedule, which runs first.
     */
    public static Result pct(RaceRunner runner, Script script, int n, long seed, int depth) {
        RaceRunner.Run probe = runner.run(script, List.of(), new RaceRunner.RunOn());
        Finding first = probe.failed() ? new Finding(-1, probe) : null;
        int failed = probe.failed() ? 1 : 0;
        int steps = Math.max(1, probe.steps());
        for (int i = 0; i < n - 1; i++) {
            RaceRunner.Run r = runner.run(script, List.of(), new RaceRunner.Pct(seed + i, depth, steps));
            if (r.failed()) {
                failed++;
                if (first == null) {
                    first = new Finding(seed + i, r);
                }
            }
        }
        return new Result(Math.max(n, 1), false, first, failed);
    }

    /**
     * Every schedule, depth first from the run-on one, up to {@code limit} of them: each run replays the decisions
     * of the last one up to the deepest decision with a task not tried yet there, then runs on.
     */
    public static Result exhaustive(RaceRunner runner, Script script, int limit) {
        List<int[]> stack = new ArrayList<>();  // per decision: {runnable mask, tried mask, chosen}
        List<Integer> prefix = List.of();
        Finding first = null;
        int failed = 0;
        int runs = 0;
        while (runs < limit) {
            RaceRunner.Run r = runner.run(script, prefix, new RaceRunner.RunOn());
            runs++;
            if (r.failed()) {
                failed++;
                if (first == null) {
                    first = new Finding(-1, r);
                }
            }
            for (int d = stack.size(); d < r.schedule().size(); d++) {
                int c = r.schedule().get(d);
                stack.add(new int[] {r.runnable().get(d), 1 << c, c});
            }
            while (!stack.isEmpty() && (stack.getLast()[0] & ~stack.getLast()[1]) == 0) {
                stack.removeLast();
            }
            if (stack.isEmpty()) {
                return new Result(runs, true, first, failed);
            }
            int[] top = stack.getLast();
            int next = Integer.numberOfTrailingZeros(top[0] & ~top[1]);
            top[1] |= 1 << next;
            top[2] = next;
            List<Integer> p = new ArrayList<>();
            for (int[] e : stack) {
                p.add(e[2]);
            }
            prefix = p;
        }
        return new Result(runs, false, first, failed);
    }

    /**
     * {@code script} with every op outside its groups that the failure does not need dropped, one at a time
     * (1-minimal over those ops; the groups stay whole): a smaller script still fails the same way when the
     * failing run's schedule replays on it (a failure of the same text but for its numbers: lines, ids, counts).
     */
    public static Script shrink(RaceRunner runner, Script script, RaceRunner.Run failed) {
        List<Integer> schedule = failed.schedule();
        String same = signature(failed.failures().getFirst());
        Script current = script;
        boolean dropped = true;
        while (dropped) {
            dropped = false;
            for (int i = current.ops().size() - 1; i >= 0; i--) {
                if (current.groupOf(i) != null) {
                    continue;
                }
                Script smaller = without(current, i);
                RaceRunner.Run r;
                try {
                    r = runner.run(smaller, schedule, new RaceRunner.RunOn());
                } catch (IllegalArgumentException e) {
                    continue;
                }
                if (!r.diverged() && r.failures().stream().anyMatch(f -> signature(f).equals(same))) {
                    current = smaller;
                    dropped = true;
                }
            }
        }
        return current;
    }

    private static String signature(String failure) {
        return failure.replaceFirst("^line \\d+ [a-z_]+: ", "").replaceAll("\\d+", "#");
    }

    private static Script without(Script s, int index) {
        List<Op> ops = new ArrayList<>(s.ops());
        ops.remove(index);
        List<Script.Concurrent> groups = new ArrayList<>();
        for (Script.Concurrent c : s.concurrent()) {
            groups.add(c.first() > index ? new Script.Concurrent(c.line(), c.first() - 1, c.size()) : c);
        }
        return new Script(s.devices(), s.procs(), ops, groups);
    }
}
