package org.pcmdmabuf.conformance.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.pcmdmabuf.script.Op;
import org.pcmdmabuf.script.Outcome;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.ScriptWriter;

/**
 * Every error path of the code under test, run: for each op of a script and each N from 1 until the op makes
 * fewer than N fallible calls, the ops before it run in lockstep on a fresh model and a fresh harness
 * ({@link Lockstep}), then the op runs on the harness with its N-th fallible call failing (fail-nth,
 * kernel-patch/harness/shim/linux/fault-inject.h). The op must then fail with exactly the errno of the call made
 * to fail and change nothing (FAULT-NO-CHANGE: the C code's state equals the model's, which did not run the op),
 * or succeed as the model does where the kernel path cannot report the failure (a hook returning void, a mapping
 * that faults its pages in later). Every op after it runs in lockstep to the end of the script, where nothing
 * may be left held (FAULT-NO-LEAK).
 */
public final class FaultSweep {
    /** The fallible calls that copy an ioctl's argument (kernel-patch/harness/README.md, fault injection). */
    private static final Set<String> USER_COPIES = Set.of("copy_from_user", "copy_to_user", "get_user", "put_user");

    private final Lockstep lockstep;

    public FaultSweep(Harness harness) {
        this.lockstep = new Lockstep(harness);
    }

    /** A fault the code under test did not handle: where, which call failed, and what differed. */
    public record Finding(int line, String op, int nth, String call, String what) {
        /**
         * {@code export.ops:12 server dmabuf_export p as d, fail_nth 2 (kzalloc at sound/core/pcm_dmabuf.c:552
         * (ENOMEM)): ...}; {@code nth} 0: the script disagreed without a fault.
         */
        public String text(String script) {
            return script + ":" + line + " " + op + (nth == 0 ? "" : ", fail_nth " + nth)
                    + (call == null ? "" : " (" + call + ")") + ": " + what;
        }
    }

    /**
     * What sweeping one script found: the distinct call sites made to fail ({@code kzalloc at
     * sound/core/pcm_dmabuf.c:905}), how many runs injected a failure, and the findings, the first per op.
     */
    public record Result(Set<String> sites, int injected, List<Finding> findings) {
    }

    /**
     * Sweeps every op of {@code script}, which must run in lockstep without faults first (a disagreement there is
     * the one finding); stops at an op's first finding and goes on with the next op. A script that asks for its
     * own faults ({@code fail_nth}) is none to sweep: the model cannot run it.
     */
    public Result sweep(Script script) {
        Set<String> sites = new TreeSet<>();
        List<Finding> findings = new ArrayList<>();
        List<Op> ops = script.ops();
        int[] calls = new int[ops.size()];
        Lockstep.Session plain = lockstep.start(script);
        for (int i = 0; i < ops.size(); i++) {
            try {
                plain.step(ops.get(i));
            } catch (AssertionError | RuntimeException e) {
                findings.add(new Finding(ops.get(i).line(), ScriptWriter.line(ops.get(i)), 0, null,
                        "without a fault already: " + firstLine(e)));
                return new Result(sites, 0, findings);
            }
            calls[i] = plain.harnessTarget().lastFault().calls();
        }
        int injected = 0;
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            for (int nth = 1; nth <= calls[i]; nth++) {
                Run run = run(script, i, nth);
                if (run.fault != null) {
                    injected++;
                    sites.add(run.fault.kind() + " at " + run.fault.site());
                }
                if (run.what != null) {
                    findings.add(new Finding(op.line(), ScriptWriter.line(op), nth,
                            run.fault == null ? null : run.fault.describe(), run.what));
                    break;
                }
            }
        }
        return new Result(sites, injected, findings);
    }

    private static String firstLine(Throwable e) {
        return String.valueOf(e.getMessage()).lines().findFirst().orElse(e.toString());
    }

    /** One run with the {@code nth} fallible call of op {@code i} failing: the fault (null: none) and what differed. */
    private record Run(HarnessDriver.Fault fault, String what) {
    }

    private Run run(Script script, int i, int nth) {
        List<Op> ops = script.ops();
        Lockstep.Session s = lockstep.start(script);
        HarnessDriver.Fault fault = null;
        try {
            for (int k = 0; k < i; k++) {
                s.step(ops.get(k));
            }
            Op op = ops.get(i);
            s.harness(new Op.FailNth(op.line(), nth));
            Outcome h = s.harness(op);
            HarnessDriver.Fault f = s.harnessTarget().lastFault();
            if (!f.injected()) {
                return new Run(null, "made " + f.calls() + " fallible calls, " + nth + " without faults");
            }
            fault = f;
            if (h.extra().get("harness") instanceof List<?> problems) {
                return new Run(fault, "the C code went wrong: " + problems);
            }
            if (h.errno() != null) {
                if (!h.errno().equals(String.valueOf(f.errno()))) {
                    return new Run(fault, "the op failed with " + h.errno() + ", not with the injected " + f.errno());
                }
                // the model does not run the op: nothing may have changed (FAULT-NO-CHANGE), but what the op did
                // before its argument's copy faulted, or past it before another call failed
                s.unbound(op);
                if (!USER_COPIES.contains(f.kind())) {
                    s.failedPastArgument(op);
                }
                s.compare(op);
            } else {
                Outcome m = s.model(op);
                Outcome plain = new Outcome(h.ret(), h.errno(), h.state(), withoutFault(h));
                if (!m.equals(plain)) {
                    return new Run(fault, "the op answered " + plain + " with the call failed, the model " + m);
                }
                s.compare(op);
            }
            for (int k = i + 1; k < ops.size(); k++) {
                s.step(ops.get(k));
            }
            s.end();
            return new Run(fault, null);
        } catch (AssertionError | RuntimeException e) {
            return new Run(fault, fault == null ? "before the fault: " + firstLine(e) : firstLine(e));
        }
    }

    private static java.util.Map<String, Object> withoutFault(Outcome o) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>(o.extra());
        m.remove("fault");
        return m;
    }
}
