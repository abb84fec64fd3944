package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pcmdmabuf.cli.PcmsimRunTest.pcmsim;

import org.junit.jupiter.api.Test;
import org.pcmdmabuf.cli.PcmsimRunTest.Run;

/**
 * {@code pcmsim validate --quick}, and the harness stages run at once ({@code --jobs}): their report is the one
 * a single child gives, check by check, but for the times.
 */
class ValidateStagesTest {
    private static final String SERIES = PcmsimValidateTest.SERIES.toString();

    @Test
    void stagesRunAtOnceReportWhatOneChildReports() {
        Run one = pcmsim("validate", "--quick", "--sequences", "40", "--format", "json", "--jobs", "1", SERIES);
        Run atOnce = pcmsim("validate", "--quick", "--sequences", "40", "--format", "json", "--jobs", "4", SERIES);
        assertEquals(0, one.exit(), one.out() + one.err());
        assertEquals(0, atOnce.exit(), atOnce.out() + atOnce.err());
        assertTrue(one.out().contains("\"kind\": \"race\"") && one.out().contains("\"kind\": \"differential\""),
                one.out());
        assertEquals(untimed(one.out()), untimed(atOnce.out()));
    }

    @Test
    void quickSaysWhatItSkipped() {
        Run r = pcmsim("validate", "--quick", SERIES);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals("--quick: skipped check.sh (apply, checkpatch, kernel builds), the fault sweep, 1800 of the 2000 "
                + "random sequences; validate without --quick runs them", r.out().lines().toList().get(2), r.out());
        assertTrue(r.out().contains("skip  kernel      check.sh"), r.out());
        assertTrue(r.out().contains("skip  fault       every error path the cases reach"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("ok    differential 200 random op sequences")), r.out());
    }

    private static String untimed(String json) {
        return json.replaceAll("\"seconds\": [0-9.]+", "\"seconds\": T");
    }
}
