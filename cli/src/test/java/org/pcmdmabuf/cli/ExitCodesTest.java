package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** Exit codes that never lie: output that could not be written is exit 2 with one line, whatever the command. */
class ExitCodesTest {
    private static final String SCRIPT = PcmsimRunTest.EXAMPLES.resolve("rfc-flow.ops").toString();
    private static final String FULL = "pcmsim: cannot write standard output: No space left on device";

    /** A standard output on a full disk: every write fails as the kernel's ENOSPC does. */
    private static final class FullDisk extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            throw new IOException("No space left on device");
        }
    }

    private static PcmsimRunTest.Run withOutput(PrintWriter out, String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = Pcmsim.commandLine();
        cl.setOut(out);
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new PcmsimRunTest.Run(exit, "", err.toString());
    }

    /** Every command, and help and version, each with what it prints on standard output. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "run SCRIPT --json",
        "run SCRIPT",
        "conformance --case attach.ops",
        "simulate --duration 100ms --json",
        "explore --seeds 2 --duration 100ms",
        "explore --seeds 4 --duration 1s --clients correct,forget-end-write",
        "replay --duration 100ms",
        "replay SCRIPT",
        "bench zero-copy --duration 100ms --json",
        "validate --no-kernel-checks --sequences 0",
        "mutate --lines OPT_IN --operators return-zero --sequences 0",
        "generate-completion",
        "--help",
        "--version",
        "help run",
    })
    void aFullDiskIsExitTwoInOneLine(String command) {
        // OPT_IN: the line of EXPORT's opt-in return, wherever the series has it now
        String args[] = command.replace("SCRIPT", SCRIPT)
                .replace("OPT_IN", String.valueOf(CoreLines.lineOf("if (!(runtime->info & SNDRV_PCM_INFO_MMAP))") + 1))
                .split(" ");
        PcmsimRunTest.Run r = withOutput(StandardOutput.of(new FullDisk(), StandardCharsets.UTF_8), args);
        assertEquals(2, r.exit(), r.err());
        assertEquals(List.of(FULL), r.err().lines().toList());
    }

    @Test
    void aWriterThatFailsWithoutAReasonIsAWriteError() {
        Writer broken = new Writer() {
            @Override
            public void write(char[] buf, int off, int len) throws IOException {
                throw new IOException();
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        PcmsimRunTest.Run r = withOutput(new PrintWriter(broken, true), "run", SCRIPT);
        assertEquals(2, r.exit(), r.err());
        assertEquals(List.of("pcmsim: cannot write standard output: write error"), r.err().lines().toList());
    }

    @Test
    void aCommandThatFailedKeepsItsExitCodeAndSaysItsOutputWasLost() {
        PcmsimRunTest.Run r = withOutput(StandardOutput.of(new FullDisk(), StandardCharsets.UTF_8), "run",
                "no/such.ops");
        assertEquals(2, r.exit());
        assertEquals(List.of("pcmsim: no such script: no/such.ops"), r.err().lines().toList(), "nothing was printed");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void jsonToDevFullIsExitTwoWithOneLine() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Pcmsim.class.getName(), "run", SCRIPT, "--json"));
        Process p = new ProcessBuilder(cmd).redirectOutput(new File("/dev/full")).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.waitFor(), err);
        assertEquals(List.of(FULL), err.lines().toList());
    }
}
