package org.pcmdmabuf.script;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What ops in flight together may answer (docs/spec.md SCRIPT-CONCURRENT): the results of some sequential
 * order of them on the model, and nothing else. The model has no notion of time inside a system call, so a
 * group of {@code n} concurrent ops allows exactly the answers of its {@code n!} orders, each run on a fresh
 * model after the ops before the group; a target's answers are correct when one order per group, chosen group
 * after group, gives them all (Herlihy and Wing's definition, checked as Lincheck checks it: by search).
 *
 * <p>One answer no order gives is the kernel's all the same: an ioctl in flight when a disconnect of its card
 * runs (LINUX-DISCONNECT). The model answers ENODEV after a disconnect, as snd_card_disconnect()'s
 * snd_shutdown_f_ops do for a call that starts after it; a call already past the file's operations finds the
 * stream DISCONNECTED and answers EBADFD (snd_pcm_common_ioctl() and every state check of sound/core/pcm_native.c),
 * with the same lack of effect. So where a group holds a disconnect, an op of a process the model answers ENODEV
 * may answer EBADFD.
 */
public final class Linearizability {
    private Linearizability() {
    }

    /** The answers a target gave to a script, or the first group whose answers no order of its ops gives. */
    public sealed interface Verdict {
    }

    /** One order per group, as indexes into the group in the order the ops ran, that gives every answer seen. */
    public record Linearizable(List<List<Integer>> orders) implements Verdict {
    }

    /**
     * No order of {@code group}'s ops, after orders of the earlier groups that give their answers, gives
     * {@code observed} (the group's answers, in written order); {@code allowed} is what its orders give.
     */
    public record NotLinearizable(Script.Concurrent group, List<Outcome> observed,
            Map<List<Outcome>, List<List<Integer>>> allowed) implements Verdict {
    }

    /**
     * Every answer group {@code g} of {@code script} may give, in the ops' written order, with the orders
     * that give it: each order runs on a fresh target of {@code model} after the ops before the group, every
     * earlier group in its written order.
     */
    public static Map<List<Outcome>, List<List<Integer>>> allowed(Script script, int g, Supplier<Target> model) {
        List<List<Integer>> earlier = new ArrayList<>();
        for (int i = 0; i < g; i++) {
            earlier.add(identity(script.concurrent().get(i).size()));
        }
        return allowed(script, earlier, model);
    }

    /**
     * Whether {@code observed}, a target's answers to every op of {@code script} in written order, are the
     * answers of some order of each concurrent group; answers are compared with {@link #sameAnswer}.
     */
    public static Verdict check(Script script, List<Outcome> observed, Supplier<Target> model) {
        if (observed.size() != script.ops().size()) {
            throw new IllegalArgumentException("one answer per op: " + observed.size() + " for "
                    + script.ops().size() + " ops");
        }
        List<List<Integer>> chosen = new ArrayList<>();
        NotLinearizable[] deepest = new NotLinearizable[1];
        return search(script, observed, model, chosen, deepest) ? new Linearizable(List.copyOf(chosen)) : deepest[0];
    }

    private static boolean search(Script script, List<Outcome> observed, Supplier<Target> model,
            List<List<Integer>> chosen, NotLinearizable[] deepest) {
        int g = chosen.size();
        if (g == script.concurrent().size()) {
            return true;
        }
        Script.Concurrent group = script.concurrent().get(g);
        List<Outcome> seen = observed.subList(group.first(), group.first() + group.size());
        Map<List<Outcome>, List<List<Integer>>> allowed = allowed(script, chosen, model);
        for (Map.Entry<List<Outcome>, List<List<Integer>>> e : allowed.entrySet()) {
            if (!sameAnswers(script.ops().subList(group.first(), group.first() + group.size()), e.getKey(), seen)) {
                continue;
            }
            for (List<Integer> order : e.getValue()) {
                chosen.add(order);
                if (search(script, observed, model, chosen, deepest)) {
                    return true;
                }
                chosen.removeLast();
            }
        }
        if (deepest[0] == null || script.concurrent().indexOf(deepest[0].group()) < g) {
            deepest[0] = new NotLinearizable(group, List.copyOf(seen), allowed);
        }
        return false;
    }

    /** The answers of every order of the group after {@code chosen}'s groups, keyed by answers in written order. */
    private static Map<List<Outcome>, List<List<Integer>>> allowed(Script script, List<List<Integer>> chosen,
            Supplier<Target> model) {
        Script.Concurrent group = script.concurrent().get(chosen.size());
        Map<List<Outcome>, List<List<Integer>>> out = new LinkedHashMap<>();
        for (List<Integer> order : permutations(group.size())) {
            List<List<Integer>> orders = new ArrayList<>(chosen);
            orders.add(order);
            List<Outcome> answers = run(script, orders, group.first() + group.size(), model);
            List<Outcome> inWrittenOrder = new ArrayList<>();
            for (int i = 0; i < group.size(); i++) {
                inWrittenOrder.add(answers.get(group.first() + i));
            }
            out.computeIfAbsent(List.copyOf(inWrittenOrder), k -> new ArrayList<>()).add(order);
        }
        return out;
    }

    /**
     * Runs the first {@code length} ops of {@code script} on a fresh target, group {@code i} in {@code orders.get(i)};
     * returns the answers indexed by the ops' written positions.
     */
    private static List<Outcome> run(Script script, List<List<Integer>> orders, int length, Supplier<Target> model) {
        List<Op> ops = script.ops();
        int[] position = new int[length];
        for (int i = 0; i < length; i++) {
            position[i] = i;
        }
        List<Script.Concurrent> groups = new ArrayList<>();
        for (int g = 0; g < orders.size(); g++) {
            Script.Concurrent c = script.concurrent().get(g);
            groups.add(c);
            for (int k = 0; k < c.size(); k++) {
                position[c.first() + k] = c.first() + orders.get(g).get(k);
            }
        }
        List<Op> ran = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            ran.add(ops.get(position[i]));
        }
        Outcome[] answers = new Outcome[length];
        int[] at = {0};
        try (Target t = model.get()) {
            ScriptRunner.run(new Script(script.devices(), script.procs(), ran, groups), t,
                    step -> answers[position[at[0]++]] = step.outcome());
        }
        return List.of(answers);
    }

    /**
     * Whether two answers to one op are the same: errno, state and every extra field but the harness's own
     * reports (a case reports those apart); the return value too, but of an fd only whether there is one, since
     * fd numbers follow the order the fds were made in.
     */
    public static boolean sameAnswer(Op op, Outcome a, Outcome b) {
        if (!Objects.equals(a.errno(), b.errno()) || !Objects.equals(a.state(), b.state())) {
            return false;
        }
        Map<String, Object> ea = new LinkedHashMap<>(a.extra());
        Map<String, Object> eb = new LinkedHashMap<>(b.extra());
        ea.remove("harness");
        eb.remove("harness");
        return ea.equals(eb) && (a.ret() == b.ret() || returnsFd(op) && a.ret() >= 0 && b.ret() >= 0);
    }

    private static boolean returnsFd(Op op) {
        return op instanceof Op.Open || op instanceof Op.DmabufExport || op instanceof Op.Dup || op instanceof Op.Send
                || op instanceof Op.BufferFd;
    }

    /** {@code a} the model's answers of an order, {@code b} the target's. */
    private static boolean sameAnswers(List<Op> ops, List<Outcome> a, List<Outcome> b) {
        boolean disconnect = ops.stream().anyMatch(o -> o instanceof Op.CardEvent c && c.name().equals("disconnect"));
        for (int i = 0; i < a.size(); i++) {
            Outcome want = a.get(i);
            if (disconnect && ops.get(i).proc() != null && "ENODEV".equals(want.errno())
                    && "EBADFD".equals(b.get(i).errno())) {
                want = new Outcome(want.ret(), "EBADFD", want.state(), want.extra());
            }
            if (!sameAnswer(ops.get(i), want, b.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static List<Integer> identity(int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(i);
        }
        return out;
    }

    /** Every order of {@code 0..n-1}, the written order first, then lexicographically. */
    static List<List<Integer>> permutations(int n) {
        List<List<Integer>> out = new ArrayList<>();
        permute(new ArrayList<>(), new boolean[n], out);
        return out;
    }

    private static void permute(List<Integer> prefix, boolean[] used, List<List<Integer>> out) {
        if (prefix.size() == used.length) {
            out.add(List.copyOf(prefix));
            return;
        }
        for (int i = 0; i < used.length; i++) {
            if (!used[i]) {
                used[i] = true;
                prefix.add(i);
                permute(prefix, used, out);
                prefix.removeLast();
                used[i] = false;
            }
        }
    }
}
