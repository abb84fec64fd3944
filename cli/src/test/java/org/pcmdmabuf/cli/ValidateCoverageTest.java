package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code validate --coverage} of the shipped series: the JSON report carries the coverage of its pcm_dmabuf.c,
 * counted over the cases and the random sequences in the sandbox, with the lines no harness run can reach among
 * the unreached (the ioctl's ENOTTY, which the PCM core never calls it for), and the same figures for the same
 * seed.
 */
class ValidateCoverageTest {
    private static final Pattern TOTALS = Pattern.compile("\"coverage\": \\{\"file\": \"sound/core/pcm_dmabuf\\.c\", "
            + "\"lines\": (\\d+), \"linesReached\": (\\d+), \"branches\": (\\d+), \"branchesTaken\": (\\d+)");

    @Test
    void coverageOfTheShippedSeriesIsReportedAndDeterministic() {
        String first = validate();
        Matcher m = TOTALS.matcher(first);
        assertTrue(m.find(), "no coverage in the JSON report:\n" + first);
        int lines = Integer.parseInt(m.group(1));
        int reached = Integer.parseInt(m.group(2));
        int branches = Integer.parseInt(m.group(3));
        int taken = Integer.parseInt(m.group(4));
        assertTrue(reached > lines / 2 && reached < lines && taken > branches / 2 && taken < branches, m.group());
        assertTrue(first.contains("\"text\": \"return -ENOTTY;\""), first);
        assertTrue(first.contains("\"failed\": 0,"), first);
        String second = validate();
        assertEquals(coverage(first), coverage(second), "the same seed counted differently");
        System.out.println("validate --coverage: " + m.group());
    }

    private static String coverage(String json) {
        return json.substring(json.indexOf("\"coverage\": "));
    }

    private static String validate() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Pcmsim.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute("validate", "--no-kernel-checks", "--coverage", "--sequences", "100", "--format",
                "json");
        assertEquals(0, exit, out + "\n" + err);
        return out.toString();
    }
}
