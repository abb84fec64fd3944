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

    /**
     * Runs {@code cases}, each on a new target; returns how many failed. A case whose platform the target does
     * not model is skipped, saying why: not judged there, and not a failure of what runs there.
     */
    public static int run(List<Case> cases, Supplier<Target> target, PrintWriter out) {
        int failed = 0;
        int skipped = 0;
        for (Case c : cases) {
            List<Case.Failure> failures;
            try (Target t = target.get()) {
                if (t.refusal(c.script()) instanceof String why) {
                    out.println("SKIP " + c.name() + ": " + why);
                    out.flush();
                    skipped++;
                    continue;
                }
                failures = c.check(t);
            }
            out.println((failures.isEmpty() ? "PASS " + c.name() + " (" + c.rule() + ")"
                    : "FAIL " + c.name() + " (breaks " + c.broken(failures) + ")"));
            failures.forEach(f -> out.println("    " + f.text()));
            out.flush();
            failed += failures.isEmpty() ? 0 : 1;
        }
        out.println((cases.size() - failed - skipped) + " passed, " + failed + " failed"
                + (skipped == 0 ? "" : ", " + skipped + " skipped"));
        out.flush();
        return failed;
    }
}
