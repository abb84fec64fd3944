package org.pcmdmabuf.conformance.validate;

import java.util.List;

/**
 * One line of a validation report: a kernel check of check.sh, the harness build, a conformance case (whose
 * {@code rule} is what a failure says was broken), a case's fault sweep (every error path it reaches, run), a race
 * scenario under the harness's scheduler, or the differential run against the model.
 */
public record Check(Kind kind, String name, String rule, Status status, List<String> details, double seconds) {
    public enum Kind {
        kernel, harness, conformance, fault, race, differential
    }

    public enum Status {
        /** KNOWN: failed as the revision's own FINDINGS file declares ({@link Findings}): reported, not counted. */
        PASS, FAIL, SKIP, KNOWN
    }

    public Check {
        details = List.copyOf(details);
    }

    public static Check skipped(Kind kind, String name, String rule, String why) {
        return new Check(kind, name, rule, Status.SKIP, List.of(why), 0);
    }

    /** The same check with no time measured: what {@code --no-times} reports. */
    public Check untimed() {
        return new Check(kind, name, rule, status, details, 0);
    }

    /** The name with what it checks, as a report shows it: {@code sync-flags.ops (UAPI-SYNC-FLAGS)}. */
    public String title() {
        return rule == null ? name : name + " (" + rule + ")";
    }
}
