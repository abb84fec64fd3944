package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.pcmdmabuf.cli.PcmsimRunTest.pcmsim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue 20's small inputs: each refused in one line naming what was given, or run as the user meant it. */
class SmallInputsTest {
    private static void refused(PcmsimRunTest.Run r, String line) {
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals("", r.out());
        assertEquals(List.of(line), r.err().lines().toList());
    }

    @ParameterizedTest
    @CsvSource({"0", "-3"})
    void exploreRunsOnAtLeastOneThread(String jobs) {
        refused(pcmsim("explore", "--jobs", jobs, "--seeds", "2", "--duration", "10ms"),
                "pcmsim: --jobs must be at least 1: " + jobs + " (see 'pcmsim explore --help')");
    }

    @Test
    void seedsThatWouldRunPastTheLargestSeedAreRefused() {
        refused(pcmsim("explore", "--seed", "9223372036854775807", "--seeds", "3", "--duration", "10ms"),
                "pcmsim: --seed 9223372036854775807 with --seeds 3 runs past the largest seed, 9223372036854775807: "
                        + "give --seed at most 9223372036854775805 (see 'pcmsim explore --help')");
    }

    @Test
    void theLastSeedsBeforeTheLargestRun() {
        PcmsimRunTest.Run r = pcmsim("explore", "--seed", "9223372036854775805", "--seeds", "3", "--duration", "10ms");
        assertEquals(0, r.exit(), r.err());
        assertEquals("explored 3 seeds from 9223372036854775805: no failure", r.out().strip());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "9223372036854775807  | --jitter-us: 9223372036854775807, more than the limit of 3600000000",
        "-9223372036854775808 | --jitter-us must not be negative: -9223372036854775808",
        "-5                   | --jitter-us must not be negative: -5",
    })
    void jitterIsRefusedInMicrosecondsAsGiven(String jitter, String says) {
        refused(pcmsim("simulate", "--jitter-us", jitter), "pcmsim: " + says + " (see 'pcmsim simulate --help')");
    }

    @ParameterizedTest
    @CsvSource({"simulate, --duration", "validate, --case-timeout", "validate, --stage-timeout"})
    void aDurationTooLongForALongIsRefusedNotWrapped(String command, String option) {
        refused(pcmsim(command, option, "99999999999999999999s"), "pcmsim: Invalid value for option '" + option
                + "': '99999999999999999999s' is longer than the longest duration taken, 2305843009s (see 'pcmsim "
                + command + " --help')");
        refused(pcmsim(command, option, "9999999999999s"), "pcmsim: Invalid value for option '" + option
                + "': '9999999999999s' is longer than the longest duration taken, 2305843009s (see 'pcmsim "
                + command + " --help')");
    }

    @Test
    void replayingAScriptRefusesTheScenarioFlagsItWouldIgnore() {
        String script = PcmsimRunTest.EXAMPLES.resolve("rfc-flow.ops").toString();
        refused(pcmsim("replay", script, "--clients", "late", "--duration", "5s", "--clients", "correct"),
                "pcmsim: replay SCRIPT takes only --line-bytes, --cache-lines, --json; --clients, --duration describe "
                        + "a seed's scenario, not a script (see 'pcmsim replay --help')");
        refused(pcmsim("replay", script, "--seed", "3"), "pcmsim: replay SCRIPT takes only --line-bytes, "
                + "--cache-lines, --json; --seed describes a seed's scenario, not a script (see 'pcmsim replay "
                + "--help')");
    }

    @Test
    void replayingAScriptTakesTheCacheShapeAsRunDoes() {
        String script = PcmsimRunTest.EXAMPLES.resolve("rfc-flow.ops").toString();
        String[] shape = {"--line-bytes", "32", "--cache-lines", "64", "--json"};
        PcmsimRunTest.Run replay = pcmsim("replay", script, shape[0], shape[1], shape[2], shape[3], shape[4]);
        assertEquals(0, replay.exit(), replay.err());
        assertEquals(pcmsim("run", script, shape[0], shape[1], shape[2], shape[3], shape[4]).out(), replay.out());
    }

    @Test
    void aScriptWithCarriageReturnsOnlyRunsLineByLine(@TempDir Path dir) throws IOException {
        Path lf = PcmsimRunTest.EXAMPLES.resolve("rfc-flow.ops");
        Path cr = dir.resolve("cr.ops");
        Path bom = dir.resolve("bom.ops");
        Files.writeString(cr, Files.readString(lf).replace('\n', '\r'));
        Files.writeString(bom, "\uFEFF" + Files.readString(lf));
        String expected = pcmsim("run", lf.toString(), "--json").out();
        assertEquals(32, expected.lines().count(), expected);
        for (Path p : List.of(cr, bom)) {
            PcmsimRunTest.Run r = pcmsim("run", p.toString(), "--json");
            assertEquals(0, r.exit(), r.err());
            assertEquals(expected, r.out(), p.toString());
        }
    }
}
