package org.pcmdmabuf.conformance.mutate;

import java.util.List;

/** What validate made of a mutant. */
public sealed interface Outcome {
    /** A check failed: the suite or the random sequences told the mutant from the revision. */
    /**
     * @param check the first failed check, as validate names it ({@code conformance export.ops})
     * @param rule the docs/spec.md rules it reports broken, or null (the differential run)
     */
    record Killed(String check, String rule, List<String> details) implements Outcome {
        public Killed {
            details = List.copyOf(details);
        }
    }

    /** Every check passed: nothing tells the mutant from the revision. */
    record Survived() implements Outcome {
    }

    /**
     * The mutant is no revision: its harness does not build (gcc -Werror), or it does not apply; it counts for
     * nothing in the score.
     */
    record Stillborn(List<String> why) implements Outcome {
        public Stillborn {
            why = List.copyOf(why);
        }
    }

    /**
     * The mutant ran past its time limit (a case, or the whole run): it hangs, which the judge would see, so it
     * counts as killed, but it is reported apart since the limit rather than a check decided.
     */
    record TimedOut(String where, List<String> details) implements Outcome {
        public TimedOut {
            details = List.copyOf(details);
        }
    }
}
