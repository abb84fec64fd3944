package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** pcmsim simulate, explore, replay and completion, as a user runs them. */
class PcmsimSimulateTest {
    static final String[] SIMULATE = {"simulate", "--json", "--clients", "correct,late,hostile,crash,forget-end-write",
        "--duration", "2s", "--seed", "42"};

    @Test
    void theSameSeedInTwoJvmsGivesByteIdenticalJson() throws Exception {
        String first = otherJvm(SIMULATE);
        String second = otherJvm(SIMULATE);
        assertEquals(first, second);
        assertEquals(PcmsimRunTest.pcmsim(SIMULATE).out(), first, "and the same as in this JVM");
        assertTrue(first.contains("\"seed\":42"), first);
    }

    private static String otherJvm(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Pcmsim.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void theReportTableShowsTheForgetfulClientsGlitches() {
        PcmsimRunTest.Run r = PcmsimRunTest.pcmsim("simulate", "--clients", "correct,forget-end-write", "--duration", "5s");
        assertEquals(0, r.exit(), r.err());
        String forgetful = r.out().lines().filter(l -> l.startsWith("client1-forget-end-write")).findFirst().orElseThrow();
        assertFalse(forgetful.matches(".*\\s0\\s+0\\s+0\\s+0\\s+0\\s+0\\s.*"), forgetful);
    }

    @Test
    void replayOfTheSameFlagsPrintsTheSameReport() {
        String[] replay = SIMULATE.clone();
        replay[0] = "replay";
        assertEquals(PcmsimRunTest.pcmsim(SIMULATE).out(), PcmsimRunTest.pcmsim(replay).out());
    }

    @Test
    void exploreStopsAtTheFailureAndItsReproducerRunsUnderPcmsimRun(@TempDir Path dir) throws IOException {
        Path repro = dir.resolve("repro.ops");
        PcmsimRunTest.Run r = PcmsimRunTest.pcmsim("explore", "--clients", "correct,forget-end-write", "--duration",
                "1s", "--seeds", "6", "--jobs", "2", "--out", repro.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("failed check: client1-forget-end-write"), r.out());
        assertTrue(r.out().contains("replay: pcmsim replay --clients"), r.out());
        String cacheLines = r.out().replaceAll("(?s).*--cache-lines (\\d+)\\n.*", "$1");
        PcmsimRunTest.Run run = PcmsimRunTest.pcmsim("run", repro.toString(), "--json", "--cache-lines", cacheLines);
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("\"stale\":"), "the reproducer shows the stale frames:\n"
                + Files.readString(repro) + "\n" + run.out());
    }

    @Test
    void exploreOfCorrectClientsSaysSo() {
        PcmsimRunTest.Run r = PcmsimRunTest.pcmsim("explore", "--clients", "correct", "--duration", "500ms",
                "--seeds", "4");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("explored 4 seeds from 1: no failure"), r.out());
    }

    @Test
    void theTraceOpensAsChromeTraceEventJson(@TempDir Path dir) throws IOException {
        Path trace = dir.resolve("t.json");
        PcmsimRunTest.Run r = PcmsimRunTest.pcmsim("simulate", "--clients", "correct,forget-end-write", "--duration",
                "1s", "--trace", trace.toString());
        assertEquals(0, r.exit(), r.err());
        String t = Files.readString(trace);
        assertTrue(t.startsWith("{\"displayTimeUnit\":\"ms\",\"traceEvents\":["), t.substring(0, 80));
        for (String track : List.of("DMA pcm0/0", "client0-correct", "syncs", "integrity errors")) {
            assertTrue(t.contains("\"name\":\"" + track + "\""), "track " + track);
        }
        assertTrue(t.strip().endsWith("]}"));
    }

    @Test
    void aCompletionScriptIsGenerated() {
        PcmsimRunTest.Run r = PcmsimRunTest.pcmsim("generate-completion");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("complete -F") && r.out().contains("explore"), r.out());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "dmabuf     | --reconfigure-at | server_reconfigure",
        "restricted | --reconfigure-at | server_reconfigure",
        "buffer-fd  | --reconfigure-at | server_reconfigure",
        "dmabuf     | --restart-at     | server_restart",
        "restricted | --restart-at     | server_restart",
        "buffer-fd  | --restart-at     | server_restart",
    })
    void aServerEventRunsOnEachDesignAndReplaysTheSame(String design, String option, String field) {
        String[] args = {"simulate", "--json", "--design", design.strip(), "--duration", "2s", option.strip(), "1s"};
        PcmsimRunTest.Run r = PcmsimRunTest.pcmsim(args);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\"" + field.strip() + "\":{\"at_ns\":1000000000,"), r.out());
        String[] replay = args.clone();
        replay[0] = "replay";
        assertEquals(r.out(), PcmsimRunTest.pcmsim(replay).out());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown behaviour      | --clients correct,sloppy            | unknown behaviour 'sloppy' (one of correct,",
        "negative rate          | --rate -48000                       | rate must be between 1000 and 768000 Hz: -48000",
        "period over buffer     | --period 8192 --buffer 4096         | period (8192 frames) is larger than the buffer (4096 frames)",
        "not a duration         | --duration soon                     | 'soon' is not a duration",
        "periods and buffer     | --periods 4 --buffer 4096           | give --periods or --buffer, not both",
        "drift out of range     | --drift-ppm 900000                  | drift must be within +-500000 ppm: 900000",
        "reconfigure after end  | --duration 2s --reconfigure-at 3s   | --reconfigure-at must be within the run (0..2000000000 ns",
        "reconfigure at zero    | --reconfigure-at 0s                 | --reconfigure-at must be within the run",
        "restart not a duration | --restart-at soon                   | 'soon' is not a duration",
        "restart after end      | --duration 2s --restart-at 2s       | --restart-at must be within the run (0..2000000000 ns",
        "restart of copy client | --clients copy-through-server --restart-at 1s | --restart-at re-shares the buffer: copy-through-server",
        "both at once           | --reconfigure-at 1s --restart-at 1s | --reconfigure-at and --restart-at must differ",
    })
    void badScenarioInputGivesOneLineAndExitTwo(String what, String args, String message) {
        List<String> argv = new ArrayList<>(List.of("simulate"));
        argv.addAll(List.of(args.strip().split("\\s+")));
        PcmsimRunTest.Run r = PcmsimRunTest.pcmsim(argv.toArray(String[]::new));
        assertEquals(2, r.exit(), what);
        assertEquals("", r.out());
        assertTrue(r.err().lines().findFirst().orElse("").contains(message.strip()), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
    }
}
