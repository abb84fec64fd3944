package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** pcmsim bench zero-copy: what it must show, and that it shows the same every time. Never how fast it ran. */
class BenchCommandTest {
    static final String[] BENCH = {"bench", "zero-copy", "--json", "--duration", "2s", "--streams", "2", "--seed", "7"};

    @Test
    void theJsonIsTheSameOnEveryRun() {
        PcmsimRunTest.Run first = PcmsimRunTest.pcmsim(BENCH);
        assertEquals(0, first.exit(), first.err());
        assertEquals(first.out(), PcmsimRunTest.pcmsim(BENCH).out());
        assertTrue(first.out().startsWith("{\"seed\":7,\"streams\":2,"), first.out());
        assertFalse(first.out().contains("wall"), "no wall-clock figure in JSON: " + first.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"non-coherent", "coherent"})
    void zeroCopyCopiesNothingAndSwitchesLessThanTheCopyPath(String device) {
        String[] args = device.equals("coherent")
                ? new String[] {"bench", "zero-copy", "--json", "--duration", "1s", "--coherent"}
                : new String[] {"bench", "zero-copy", "--json", "--duration", "1s"};
        PcmsimRunTest.Run r = PcmsimRunTest.pcmsim(args);
        assertEquals(0, r.exit(), r.err());
        String[] paths = r.out().split("\\{\"path\":");
        String zeroCopy = paths[1];
        String copy = paths[2];
        assertTrue(zeroCopy.startsWith("\"zero-copy"), zeroCopy);
        assertEquals(0, number(zeroCopy, "bytes_copied"));
        assertTrue(number(copy, "bytes_copied") > 0, copy);
        assertTrue(number(zeroCopy, "context_switches") < number(copy, "context_switches"), r.out());
        assertTrue(number(zeroCopy, "cpu_us_per_period") < number(copy, "cpu_us_per_period"), r.out());
        assertEquals(0, number(zeroCopy, "integrity_errors"), "both paths play every frame right");
        assertEquals(0, number(copy, "integrity_errors"));
        assertTrue(number(zeroCopy, "latency_samples") > 0 && number(copy, "latency_samples") > 0, r.out());
        if (device.equals("coherent")) {
            assertEquals(0, number(zeroCopy, "lines_cleaned"), "a coherent device needs no cache maintenance");
        } else {
            assertTrue(number(zeroCopy, "lines_cleaned") > 0, "END|WRITE cleans the buffer: " + r.out());
        }
    }

    @Test
    void theTableNamesBothPathsAndKeepsWallClockApart() {
        PcmsimRunTest.Run r = PcmsimRunTest.pcmsim("bench", "zero-copy", "--duration", "1s");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("zero-copy (dma-buf)"), r.out());
        assertTrue(r.out().contains("copy-through-server"), r.out());
        assertTrue(r.out().contains("cost model (docs/cost-model.md)"), r.out());
        assertTrue(r.out().strip().lines().reduce((a, b) -> b).orElseThrow().startsWith("wall clock (varies)"),
                "the only varying line is the last one: " + r.out());
    }

    @Test
    void thePlotIsAnSvgOfBothPathsAndTheSameEveryTime(@TempDir Path dir) throws IOException {
        Path a = dir.resolve("a.svg");
        Path b = dir.resolve("b.svg");
        assertEquals(0, PcmsimRunTest.pcmsim("bench", "zero-copy", "--duration", "1s", "--plot", a.toString()).exit());
        assertEquals(0, PcmsimRunTest.pcmsim("bench", "zero-copy", "--duration", "1s", "--plot", b.toString()).exit());
        String svg = Files.readString(a);
        assertEquals(svg, Files.readString(b));
        assertTrue(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""), svg);
        assertTrue(svg.contains("zero-copy (dma-buf)") && svg.contains("copy-through-server"), svg);
        assertTrue(svg.strip().endsWith("</svg>"), svg);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--clients=late", "--shared", "--capture", "--streams=0", "--streams=65", "--rate=12",
        "--ns-per-byte=-1", "--ns-per-switch=lots"})
    void badInputIsOneLineAndExitCode2(String bad) {
        PcmsimRunTest.Run r = PcmsimRunTest.pcmsim("bench", "zero-copy", "--duration", "1s", bad);
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().startsWith("pcmsim: "), r.err());
        assertEquals("", r.out());
    }

    @Test
    void pricesFromTheCommandLineChangeOnlyTheCpuTime() {
        PcmsimRunTest.Run free = PcmsimRunTest.pcmsim("bench", "zero-copy", "--json", "--duration", "1s",
                "--ns-per-byte", "0", "--ns-per-switch", "0", "--ns-per-line", "0");
        assertEquals(0, free.exit(), free.err());
        assertEquals(0, number(free.out(), "cpu_us_per_period"));
        String counts = PcmsimRunTest.pcmsim("bench", "zero-copy", "--json", "--duration", "1s").out()
                .replaceAll("\\{\"ns_per.*?\\}|\"cpu_us_per_period\":[0-9.]+", "");
        assertEquals(counts, free.out().replaceAll("\\{\"ns_per.*?\\}|\"cpu_us_per_period\":[0-9.]+", ""));
    }

    @Test
    void aRunTooLongToRecordIsRefusedBeforeItStarts() {
        PcmsimRunTest.Run r = PcmsimRunTest.pcmsim("bench", "zero-copy", "--streams", "61", "--duration", "60s");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("pcmsim: --streams times --duration must be at most 3600 stream-seconds"),
                r.err());
    }

    @Test
    void benchWithoutABenchmarkSaysWhichThereAre() {
        PcmsimRunTest.Run r = PcmsimRunTest.pcmsim("bench");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("pcmsim: name a benchmark: zero-copy"), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"NaN", "Infinity", "-Infinity", "1e400"})
    void aPriceThatIsNoNumberIsRefusedByName(String price) {
        PcmsimRunTest.Run r = PcmsimRunTest.pcmsim("bench", "zero-copy", "--json", "--ns-per-byte", price);
        assertEquals(2, r.exit());
        assertEquals("", r.out());
        assertEquals("pcmsim: Invalid value for option '--ns-per-byte': '" + price + "' is not a finite number (see "
                + "'pcmsim bench zero-copy --help')", r.err().strip());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "1e308", "1000000000001"})
    void aPriceBeyondTheRangeIsRefusedByName(String price) {
        PcmsimRunTest.Run r = PcmsimRunTest.pcmsim("bench", "zero-copy", "--json", "--ns-per-switch", price);
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("pcmsim: --ns-per-switch must be between 0 and 1000000000000 ns: " + price),
                r.err());
    }

    @Test
    void theDearestPricesStillPrintJsonNumbers() {
        PcmsimRunTest.Run r = PcmsimRunTest.pcmsim("bench", "zero-copy", "--json", "--duration", "1s", "--streams",
                "4", "--ns-per-byte", "1e12", "--ns-per-switch", "1e12", "--ns-per-line", "1e12");
        assertEquals(0, r.exit(), r.err());
        // Every value is a string, an integer or a decimal: no NaN, no Infinity, no exponent JSON lacks.
        String values = r.out().strip().replaceAll("\"[^\"]*\"", "\"\"");
        assertTrue(values.matches("[\\[\\]{}:,\"a-z0-9.-]*"), values);
        assertFalse(values.contains("NaN") || values.contains("Infinity"), values);
    }

    private static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":(-?[0-9.]+)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return Double.parseDouble(m.group(1));
    }
}
