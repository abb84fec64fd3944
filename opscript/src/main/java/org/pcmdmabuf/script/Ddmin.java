package org.pcmdmabuf.script;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Zeller's delta debugging (ddmin) over a script's ops, its declarations kept. */
public final class Ddmin {
    private Ddmin() {
    }

    /**
     * A smaller script that still {@code fails}, as small as {@code budget} test runs can find: a 1-minimal
     * one when the budget suffices. {@code fails} must answer false, not throw, for a script it cannot run.
     */
    public static Script minimize(Script script, Predicate<Script> fails, int budget) {
        List<Op> ops = new ArrayList<>(script.ops());
        int n = 2;
        int left = budget;
        while (ops.size() >= 2 && left > 0) {
            int chunk = (int) Math.ceil(ops.size() / (double) n);
            boolean reduced = false;
            for (int start = 0; start < ops.size() && left > 0; start += chunk) {
                List<Op> complement = new ArrayList<>(ops.subList(0, start));
                complement.addAll(ops.subList(Math.min(ops.size(), start + chunk), ops.size()));
                left--;
                if (!complement.isEmpty() && fails.test(new Script(script.devices(), script.procs(), complement))) {
                    ops = complement;
                    n = Math.max(n - 1, 2);
                    reduced = true;
                    break;
                }
            }
            if (!reduced) {
                if (n >= ops.size()) {
                    break;
                }
                n = Math.min(ops.size(), n * 2);
            }
        }
        return new Script(script.devices(), script.procs(), ops);
    }
}
