package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class PcmsimRunTest {
    static final Path EXAMPLES = Path.of("..", "examples");

    record Run(int exit, String out, String err) {
    }

    static Run pcmsim(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Pcmsim.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void theRfcFlowPrintsTheExpectedJson() throws IOException {
        Run r = pcmsim("run", EXAMPLES.resolve("rfc-flow.ops").toString(), "--target", "model", "--json");
        assertEquals(0, r.exit(), r.err());
        assertEquals(Files.readString(EXAMPLES.resolve("rfc-flow.expected.jsonl"), StandardCharsets.UTF_8), r.out());
    }

    @Test
    void textOutputHasOneLinePerOp() {
        Run r = pcmsim("run", EXAMPLES.resolve("rfc-flow.ops").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.contains("start") && l.contains("ENOTTY")), r.out());
        assertEquals(32, r.out().lines().count());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown op            | s frobnicate p                      | line 4: 'frobnicate': unknown op",
        "bad integer           | s hw_params p access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=4x8 period_frames=1 periods=2 | line 4: 'rate=4x8': expected an integer",
        "negative rate         | s hw_params p access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=-1 period_frames=1 periods=2 | line 4: 'rate=-1': must be between 1 and",
        "unknown access        | s hw_params p access=MMAP format=S16_LE channels=2 rate=48000 period_frames=1 periods=2 | line 4: 'access=MMAP': unknown access",
        "unbound name          | s close q                           | line 4: 'q': no fd of that name in process 's'",
        "unknown device        | s open nosuch as x                  | line 4: 'nosuch': no device of that name",
        "unknown process       | t close p                           | line 4: 't': not an op, and no process",
        "bad sync flags        | s sync p start,sideways             | line 4: 'start,sideways': sync flags are",
        "bad duration          | advance 10 parsecs                  | line 4: 'parsecs': expected: advance",
        "unknown argument      | s prepare p now=1                   | line 4: 'now=1': unknown argument for 'prepare'",
        "mapping used as fd    | s close m0                          | line 4: 'm0': no fd of that name",
    })
    void aMalformedScriptGivesOneLineAndExitTwo(String what, String badLine, String message, @TempDir Path dir)
            throws IOException {
        Path script = dir.resolve("bad.ops");
        Files.writeString(script, String.join("\n", List.of("device pcm0 playback", "proc s", "s open pcm0 as p",
                badLine.strip())) + "\n");
        Run r = pcmsim("run", script.toString(), "--json");
        assertEquals(2, r.exit(), what);
        assertEquals("", r.out(), "nothing runs from a malformed script");
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(message.strip()), r.err());
        assertTrue(r.err().startsWith("pcmsim: " + script + ": "), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void anOpAfterExitIsAScriptError(@TempDir Path dir) throws IOException {
        Path script = dir.resolve("late.ops");
        Files.writeString(script, "device pcm0 playback\nproc s\ns exit\ns open pcm0 as p\n");
        Run r = pcmsim("run", script.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("line 4: 'open': process 's' has already exited"), r.err());
    }

    @Test
    void aMissingScriptIsNamed() {
        Run r = pcmsim("run", "no/such/script.ops");
        assertEquals(2, r.exit());
        assertEquals("pcmsim: no such script: no/such/script.ops", r.err().strip());
    }

    @Test
    void anUnknownTargetIsNamedWithTheValidOnes() {
        Run r = pcmsim("run", EXAMPLES.resolve("rfc-flow.ops").toString(), "--target", "fpga");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("fpga") && r.err().contains("model"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void helpIsAvailableEverywhere() {
        assertEquals(0, pcmsim("--help").exit());
        Run r = pcmsim("run", "--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("--target"), r.out());
    }
}
