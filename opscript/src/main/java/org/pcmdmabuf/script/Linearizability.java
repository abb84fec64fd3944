package org.pcmdmabuf.script;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
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
 *
 * <p>Nor does any order give the EBUSY of a runtime's buffer accesses (SCRIPT-CONCURRENT-BUSY): a read or write
 * transfer raises runtime->buffer_accessing while it copies a chunk with the stream lock dropped
 * (__snd_pcm_lib_xfer(), sound/core/pcm_lib.c), and an operation that blocks them (snd_pcm_buffer_access_lock():
 * HW_PARAMS, HW_FREE, PREPARE, RESET and the dma-buf ioctls) fails with EBUSY while it is raised, as the copy
 * does while they are blocked; both before they changed anything. So where a group holds a transfer and such an
 * operation on the same file, either may answer EBUSY with no effect, but not both: the one that held the accesses
 * went on. A PREPARE of a file linked to the transfer's may answer EBUSY too: the series' hook will not drop the
 * member's revoked attachment under the copy. A transfer is refused so only at its first chunk; a later one ends
 * it short, which no order gives. A START on the file of such an operation, or on a file linked to it, may answer
 * EBADFD with no effect while the operation holds the accesses blocked: snd_pcm_pre_start() refuses so after its
 * state check, for every member of the group, and the START does not block them, so the operation goes on.
 */
public final class Linearizability {
    private Linearizability() {
    }

    /** The answers a target gave to a script, or the first group whose answers no order of its ops gives. */
    public sealed interface Verdict {
    }

    /**
     * An order of a group's ops, as indexes into the group in the order they ran, and the ops of it refused (EBUSY,
     * a START EBADFD) before they changed anything, because another op of the group held the runtime's buffer
     * accesses.
     */
    public record Order(List<Integer> ops, Set<Integer> busy) {
        public Order {
            ops = List.copyOf(ops);
            busy = Set.copyOf(busy);
        }

        /** An order that refuses nothing. */
        public static Order of(Integer... ops) {
            return new Order(List.of(ops), Set.of());
        }
    }

    /** One order per group that gives every answer seen. */
    public record Linearizable(List<Order> orders) implements Verdict {
    }

    /**
     * No order of {@code group}'s ops, after orders of the earlier groups that give their answers, gives
     * {@code observed} (the group's answers, in written order); {@code allowed} is what its orders give.
     */
    public record NotLinearizable(Script.Concurrent group, List<Outcome> observed,
            Map<List<Outcome>, List<Order>> allowed) implements Verdict {
    }

    /**
     * Every answer group {@code g} of {@code script} may give, in the ops' written order, with the orders
     * that give it: each order runs on a fresh target of {@code model} after the ops before the group, every
     * earlier group in its written order.
     */
    public static Map<List<Outcome>, List<Order>> allowed(Script script, int g, Supplier<Target> model) {
        List<Order> earlier = new ArrayList<>();
        for (int i = 0; i < g; i++) {
            earlier.add(new Order(identity(script.concurrent().get(i).size()), Set.of()));
        }
        return allowed(script, earlier, model);
    }

    /**
     * Whether {@code observed}, a target's answers to every op of {@code script} in written order, are the
     * answers of some order of each concurrent group; answers are compared with {@link #sameAnswer}.
     */
    public static Verdict check(Script script, List<Outcome> observed, Supplier<Target> model) {
        return new Checker(script, model).check(observed);
    }

    /**
     * {@link #check} of many runs of one script, as a race search judges each of its schedules: what a group's
     * orders give depends on the script and the orders chosen for the groups before it, never on the answers
     * judged, so it is run on the model once per such choice and kept.
     */
    public static final class Checker {
        private final Script script;
        private final Supplier<Target> model;
        private final Map<List<Order>, Map<List<Outcome>, List<Order>>> allowed = new HashMap<>();

        /** {@code model} must give a fresh, deterministic model on every call. */
        public Checker(Script script, Supplier<Target> model) {
            this.script = script;
            this.model = model;
        }

        public Script script() {
            return script;
        }

        /** {@link Linearizability#check} of {@code observed}. */
        public Verdict check(List<Outcome> observed) {
            if (observed.size() != script.ops().size()) {
                throw new IllegalArgumentException("one answer per op: " + observed.size() + " for "
                        + script.ops().size() + " ops");
            }
            List<Order> chosen = new ArrayList<>();
            NotLinearizable[] deepest = new NotLinearizable[1];
            return search(observed, chosen, deepest) ? new Linearizable(List.copyOf(chosen)) : deepest[0];
        }

        private boolean search(List<Outcome> observed, List<Order> chosen, NotLinearizable[] deepest) {
            int g = chosen.size();
            if (g == script.concurrent().size()) {
                return true;
            }
            Script.Concurrent group = script.concurrent().get(g);
            List<Outcome> seen = observed.subList(group.first(), group.first() + group.size());
            Map<List<Outcome>, List<Order>> orders = allowed.computeIfAbsent(List.copyOf(chosen),
                    c -> Linearizability.allowed(script, c, model));
            for (Map.Entry<List<Outcome>, List<Order>> e : orders.entrySet()) {
                if (!sameAnswers(script.ops().subList(group.first(), group.first() + group.size()), e.getKey(),
                        seen)) {
                    continue;
                }
                for (Order order : e.getValue()) {
                    chosen.add(order);
                    if (search(observed, chosen, deepest)) {
                        return true;
                    }
                    chosen.removeLast();
                }
            }
            if (deepest[0] == null || script.concurrent().indexOf(deepest[0].group()) < g) {
                deepest[0] = new NotLinearizable(group, List.copyOf(seen), orders);
            }
            return false;
        }
    }

    /** The answers of every order of the group after {@code chosen}'s groups, keyed by answers in written order. */
    private static Map<List<Outcome>, List<Order>> allowed(Script script, List<Order> chosen,
            Supplier<Target> model) {
        Script.Concurrent group = script.concurrent().get(chosen.size());
        List<Op> ops = script.ops().subList(group.first(), group.first() + group.size());
        Map<String, String> links = links(script.ops().subList(0, group.first()));
        Map<List<Outcome>, List<Order>> out = new LinkedHashMap<>();
        Map<List<Integer>, List<Outcome>> unrefused = new HashMap<>();
        for (Set<Integer> busy : busySets(script, group)) {
            for (List<Integer> permutation : permutations(group.size())) {
                List<Order> orders = new ArrayList<>(chosen);
                Order order = new Order(permutation, busy);
                orders.add(order);
                List<Outcome> answers = run(script, orders, group.first() + group.size(), model);
                List<Outcome> inWrittenOrder = new ArrayList<>();
                for (int i = 0; i < group.size(); i++) {
                    inWrittenOrder.add(answers.get(group.first() + i));
                }
                if (busy.isEmpty()) {
                    unrefused.put(permutation, inWrittenOrder);
                } else if (!refusedByAHolder(ops, busy, unrefused.get(permutation), inWrittenOrder, links)) {
                    continue;
                }
                out.computeIfAbsent(List.copyOf(inWrittenOrder), k -> new ArrayList<>()).add(order);
            }
        }
        // kept by a Checker and handed out in its verdicts: no caller may change it
        Map<List<Outcome>, List<Order>> frozen = new LinkedHashMap<>();
        out.forEach((answers, orders) -> frozen.put(answers, List.copyOf(orders)));
        return Collections.unmodifiableMap(frozen);
    }

    /**
     * Whether every op of {@code busy} got as far as the buffer accesses in the order's run without refusals
     * ({@code unrefused}), and some op it contends with held them in the run with them ({@code answers}): an op
     * that fails its state or argument checks first is not refused with EBUSY, nor refused by one that did.
     */
    private static boolean refusedByAHolder(List<Op> ops, Set<Integer> busy, List<Outcome> unrefused,
            List<Outcome> answers, Map<String, String> links) {
        for (int i : busy) {
            if (!reachedAccesses(ops.get(i), unrefused.get(i))) {
                return false;
            }
            boolean held = false;
            for (int j = 0; j < ops.size() && !held; j++) {
                held = !busy.contains(j) && contend(ops.get(i), ops.get(j), links)
                        && reachedAccesses(ops.get(j), answers.get(j));
            }
            if (!held) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether an op answering {@code o} may have got to the buffer accesses: one that succeeded; a transfer that
     * found the stream stopped after its copy (pcm_accessible_state()'s EPIPE, ESTRPIPE, EBADFD, which its check
     * before the raise gives too); an operation that blocks them and failed a check made after blocking them (a
     * state, an errno of the series' own checks). Not a transfer that would block (EAGAIN) or has the wrong
     * access (EINVAL), nor an mmap that failed: their checks come before the raise.
     */
    private static boolean reachedAccesses(Op op, Outcome o) {
        if (o.errno() == null) {
            return true;
        }
        if (isStart(op)) {
            return o.errno().equals("EPIPE");
        }
        if (op instanceof Op.Xfer) {
            return Set.of("EPIPE", "ESTRPIPE", "EBADFD").contains(o.errno());
        }
        return blocksAccesses(op) != null && Set.of("EBADFD", "EBUSY", "ENXIO", "EACCES", "ENODEV").contains(o.errno());
    }

    /**
     * The sets of the group's ops that may be refused with EBUSY together: none, and every set in which each op
     * refused has a partner on its runtime in the group that is not (SCRIPT-CONCURRENT-BUSY).
     */
    static List<Set<Integer>> busySets(Script script, Script.Concurrent group) {
        List<Op> ops = script.ops().subList(group.first(), group.first() + group.size());
        Map<String, String> links = links(script.ops().subList(0, group.first()));
        List<Integer> refusable = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            for (int j = 0; j < ops.size(); j++) {
                if (contend(ops.get(i), ops.get(j), links)) {
                    refusable.add(i);
                    break;
                }
            }
        }
        List<Set<Integer>> out = new ArrayList<>();
        for (int mask = 0; mask < 1 << refusable.size(); mask++) {
            Set<Integer> busy = new TreeSet<>();
            for (int b = 0; b < refusable.size(); b++) {
                if ((mask & 1 << b) != 0) {
                    busy.add(refusable.get(b));
                }
            }
            if (busy.stream().allMatch(i -> heldBySomeone(i, busy, ops, links))) {
                out.add(Set.copyOf(busy));
            }
        }
        return out;
    }

    private static boolean heldBySomeone(int i, Set<Integer> busy, List<Op> ops, Map<String, String> links) {
        for (int j = 0; j < ops.size(); j++) {
            if (!busy.contains(j) && contend(ops.get(i), ops.get(j), links)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code a} may find the buffer accesses of its runtime held by {@code b}, both of one process: a
     * transfer by an operation that blocks them on the same file, such an operation by a transfer on the same file,
     * and a PREPARE by a transfer on a file linked to its own (snd_pcm_action_group() prepares the member, whose
     * revoked attachment the series' hook must not drop under the copy).
     */
    private static boolean contend(Op a, Op b, Map<String, String> links) {
        if (!Objects.equals(a.proc(), b.proc())) {
            return false;
        }
        if (a instanceof Op.Simple start && isStart(start)) {
            String fd = blocksAccesses(b);
            return fd != null && root(links, key(a.proc(), start.fd())).equals(root(links, key(b.proc(), fd)));
        }
        if (raisesAccesses(a) != null) {
            return raisesAccesses(a).equals(blocksAccesses(b));
        }
        String fd = blocksAccesses(a);
        String raised = raisesAccesses(b);
        if (fd == null || raised == null) {
            return false;
        }
        return fd.equals(raised) || b instanceof Op.Xfer && a instanceof Op.Simple s && s.name().equals("prepare")
                && root(links, key(a.proc(), fd)).equals(root(links, key(b.proc(), raised)));
    }

    /**
     * The file whose runtime's buffer accesses {@code op} raises: a transfer's, and an mmap's, which
     * snd_pcm_mmap_data() raises for a PCM file's data (sound/core/pcm_native.c); an mmap of a dma-buf names
     * no file an operation that blocks accesses names. Null for any other op.
     */
    private static String raisesAccesses(Op op) {
        return switch (op) {
            case Op.Xfer x -> x.fd();
            case Op.Mmap m -> m.fd();
            default -> null;
        };
    }

    /** A START, which snd_pcm_pre_start() refuses while the buffer accesses are blocked. */
    private static boolean isStart(Op op) {
        return op instanceof Op.Simple o && o.name().equals("start");
    }

    /** What a refused op answers: EBADFD for a START (snd_pcm_pre_start()), EBUSY for the others. */
    static String refusal(Op op) {
        return isStart(op) ? "EBADFD" : "EBUSY";
    }

    /** The file an operation that blocks its runtime's buffer accesses names, or null for any other op. */
    static String blocksAccesses(Op op) {
        return switch (op) {
            case Op.HwParamsOp o -> o.fd();
            case Op.Simple o when Set.of("hw_free", "prepare", "reset").contains(o.name()) -> o.fd();
            case Op.DmabufExport o -> o.fd();
            case Op.DmabufAttach o -> o.fd();
            case Op.DmabufDetach o -> o.fd();
            default -> null;
        };
    }

    /** The file of an op that raises or blocks the buffer accesses, or of a START, which they refuse; or null. */
    static String accessFd(Op op) {
        if (raisesAccesses(op) != null) {
            return raisesAccesses(op);
        }
        return op instanceof Op.Simple o && isStart(o) ? o.fd() : blocksAccesses(op);
    }

    /** The link groups the ops before a group made, as a union of the files' names. */
    private static Map<String, String> links(List<Op> before) {
        Map<String, String> parent = new HashMap<>();
        for (Op op : before) {
            if (op instanceof Op.Link l) {
                parent.put(root(parent, key(l.proc(), l.fd())), root(parent, key(l.proc(), l.other())));
            }
        }
        return parent;
    }

    private static String root(Map<String, String> parent, String k) {
        String r = k;
        while (parent.containsKey(r)) {
            r = parent.get(r);
        }
        return r;
    }

    private static String key(String proc, String fd) {
        return proc + " " + fd;
    }

    /**
     * Runs the first {@code length} ops of {@code script} on a fresh target, group {@code i} in {@code orders.get(i)};
     * returns the answers indexed by the ops' written positions.
     */
    private static List<Outcome> run(Script script, List<Order> orders, int length, Supplier<Target> model) {
        List<Op> ops = script.ops();
        int[] position = new int[length];
        for (int i = 0; i < length; i++) {
            position[i] = i;
        }
        Set<Integer> busy = new HashSet<>();
        List<Script.Concurrent> groups = new ArrayList<>();
        for (int g = 0; g < orders.size(); g++) {
            Script.Concurrent c = script.concurrent().get(g);
            groups.add(c);
            for (int k = 0; k < c.size(); k++) {
                position[c.first() + k] = c.first() + orders.get(g).ops().get(k);
            }
            for (int k : orders.get(g).busy()) {
                busy.add(c.first() + k);
            }
        }
        List<Op> ran = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            ran.add(ops.get(position[i]));
        }
        Outcome[] answers = new Outcome[length];
        int[] at = {0};
        try (Target t = model.get()) {
            Target refusing = busy.isEmpty() ? t : new Refusing(t, position, busy);
            ScriptRunner.run(new Script(script.devices(), script.procs(), ran, groups), refusing,
                    step -> answers[position[at[0]++]] = step.outcome());
        }
        return List.of(answers);
    }

    /** The model, but refusing ({@link #refusal}), with no effect, the ops at the written positions {@code busy}. */
    private static final class Refusing implements Target {
        private final Target model;
        private final int[] position;
        private final Set<Integer> busy;
        private int next;

        Refusing(Target model, int[] position, Set<Integer> busy) {
            this.model = model;
            this.position = position;
            this.busy = busy;
        }

        @Override
        public String name() {
            return model.name();
        }

        @Override
        public void declare(Script script) {
            model.declare(script);
        }

        @Override
        public Outcome execute(Op op, Names names) {
            return busy.contains(position[next++]) ? model.refuse(op, names, Linearizability.refusal(op)) : model.execute(op, names);
        }

        @Override
        public void close() {
            model.close();
        }
    }

    /** The extra fields only the harness answers, about the C code rather than the op. */
    private static final Set<String> HARNESS_REPORTS = Set.of("harness", "global_locks");

    /**
     * Whether two answers to one op are the same: errno, state and every extra field but the harness's own
     * reports (its problems and the global locks a hook took: a case reports those apart); the return value too, but of an fd only whether there is one, since
     * fd numbers follow the order the fds were made in.
     */
    public static boolean sameAnswer(Op op, Outcome a, Outcome b) {
        if (!Objects.equals(a.errno(), b.errno()) || !Objects.equals(a.state(), b.state())) {
            return false;
        }
        Map<String, Object> ea = new LinkedHashMap<>(a.extra());
        Map<String, Object> eb = new LinkedHashMap<>(b.extra());
        ea.keySet().removeAll(HARNESS_REPORTS);
        eb.keySet().removeAll(HARNESS_REPORTS);
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
