package org.pcmdmabuf.conformance;

import java.io.PrintWriter;
import java.util.List;
import java.util.function.Supplier;
import org.pcmdmabuf.script.Target;

/**
 * The conformance cases on a target that answers exactly (the model, the harness): one line per case,
 * {@code PASS} with the rules it checks or {@code FAIL} with the rules it found broken and every op that
 * missed its expectation, then
 * {@code N passed, N failed}. The device target, whose streams run on the wall clock, has its own runner
 * ({@code device.DeviceConformance}).
 */
public final class Suite {
    private Suite() {
    }

    /** Runs {@code cases}, each on a new target; returns how many failed. */
    public static int run(List<Case> cases, Supplier<Target> target, PrintWriter out) {
        int failed = 0;
        for (Case c : cases) {
            List<Case.Failure> failures;
            try (Target t = target.get()) {
                failures = c.check(t);
            }
            out.println((failures.isEmpty() ? "PASS " + c.name() + " (" + c.rule() + ")"
                    : "FAIL " + c.name() + " (breaks " + c.broken(failures) + ")"));
            failures.forEach(f -> out.println("    " + f.text()));
            out.flush();
            failed += failures.isEmpty() ? 0 : 1;
        }
        out.println((cases.size() - failed) + " passed, " + failed + " failed");
        out.flush();
        return failed;
    }
}
