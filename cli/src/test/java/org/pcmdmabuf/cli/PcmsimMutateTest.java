package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pcmdmabuf.cli.PcmsimRunTest.pcmsim;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pcmdmabuf.cli.PcmsimRunTest.Run;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** {@code pcmsim mutate}: a few mutants of the shipped series judged end to end, and bad input. */
class PcmsimMutateTest {
    static final Path SERIES = PcmsimValidateTest.SERIES;

    @TempDir
    Path tmp;

    /**
     * Four mutants of EXPORT's opt-in check, as JUnit XML: one test case each, named by its id and change; the
     * progress on standard output. Each of these is killed (the suite checks every errno of the opt-in).
     */
    @Test
    void aFewMutantsAsJunit() throws Exception {
        Path xml = tmp.resolve("mutants.xml");
        Run r = pcmsim("mutate", SERIES.toString(), "--lines", CoreLines.optInLines(), "--operators",
                "return-zero,errno", "--limit", "4", "--sequences", "20", "--jobs", "2", "--format", "junit", "--output", xml.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("baseline: the revision passes"), r.out());
        assertEquals("", r.err());
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
        Element suite = doc.getDocumentElement();
        assertEquals("testsuite", suite.getTagName());
        assertEquals("4", suite.getAttribute("tests"));
        assertEquals("0", suite.getAttribute("failures"));
        NodeList cases = suite.getElementsByTagName("testcase");
        assertEquals(4, cases.getLength());
        for (int i = 0; i < cases.getLength(); i++) {
            Element c = (Element) cases.item(i);
            assertTrue(c.getAttribute("name").matches("(return-zero|errno):\\d+:\\d+ pcm_dmabuf\\.c:\\d+ .* -> .*"),
                    c.getAttribute("name"));
            assertTrue(c.getElementsByTagName("system-out").item(0).getTextContent().startsWith("killed by conformance "),
                    c.getAttribute("name"));
        }
        assertEquals("100.0", ((Element) suite.getElementsByTagName("property").item(1)).getAttribute("value"));
    }

    /**
     * A mutant no check can kill, the flags of a DMA mapping the harness ignores: listed as a survivor with its line
     * and change, and below --min-score the exit status is 1.
     */
    @Test
    void aSurvivorIsListedAndFailsMinScore() {
        int line = CoreLines.lineOf("err = dma_map_sgtable(m->dev, &m->sgt, m->dir, 0);");
        Run r = pcmsim("mutate", SERIES.toString(), "--lines", String.valueOf(line), "--operators", "constant",
                "--sequences", "0", "--min-score", "50");
        assertEquals(1, r.exit(), r.out() + r.err());
        List<String> all = r.out().lines().toList();
        int total = CoreLines.mutants();
        List<String> lines = all.subList(all.indexOf("pcmsim mutate " + SERIES + ": " + total + " mutants of pcm_dmabuf.c, "
                + "--operators constant --lines " + line + ", 1 run"), all.size());
        assertEquals("1 mutants run (of " + total + "): 0 killed, 1 survived, 0 stillborn, 0 timed out", lines.get(1),
                r.out());
        assertEquals("score 0.0% (killed and timed out / (run - stillborn))", lines.get(2), r.out());
        assertTrue(lines.get(3).matches("run time [0-9.]+ s, [0-9.]+ mutants/minute"), r.out());
        assertEquals(List.of("survived:", "  pcm_dmabuf.c:" + line + " constant off by one: err = dma_map_sgtable(m->dev, "
                + "&m->sgt, m->dir, 0); -> err = dma_map_sgtable(m->dev, &m->sgt, m->dir, 1);  [constant:" + line
                + ":49]"),
                lines.subList(4, lines.size()), r.out());
    }

    @Test
    void badInputIsExitTwoNamingTheValue() throws Exception {
        Path missing = tmp.resolve("no-such-series");
        assertBad("pcmsim mutate: " + missing + " is not a directory", "mutate", missing.toString());
        assertBad("pcmsim mutate: unknown operator 'negate' in --operators (known: negate-condition, relational, "
                + "logical, errno, return-zero, drop-call, drop-assignment, drop-lock, boolean, increment, constant)",
                "mutate", "--operators", "errno,negate");
        assertBad("pcmsim mutate: --lines takes A-B or A (lines of pcm_dmabuf.c), not '10-'", "mutate", "--lines",
                "10-");
        assertBad("pcmsim mutate: --lines 20-10 is no range of lines: A-B with 1 <= A <= B", "mutate", "--lines",
                "20-10");
        assertBad("pcmsim mutate: --jobs must be at least 1, not 0", "mutate", "--jobs", "0");
        assertBad("pcmsim mutate: --min-score must be a percentage from 0 to 100, not 101.0", "mutate",
                "--min-score", "101");
        assertBad("pcmsim mutate: cannot write --output " + missing.resolve("r.xml") + ": no such directory "
                + missing, "mutate", "--output", missing.resolve("r.xml").toString());
        assertBad("pcmsim mutate: no mutant selected: " + SERIES + ": " + CoreLines.mutants() + " mutants of pcm_dmabuf.c, --lines 1-40",
                "mutate", SERIES.toString(), "--lines", "1-40");
        // a patch whose pcm_dmabuf.c hunk announces more lines than it has does not parse
        Path broken = tmp.resolve("broken");
        Files.createDirectories(broken);
        int lines = CoreLines.source().size();
        String header = "@@ -0,0 +1," + lines + " @@";
        try (Stream<Path> files = Files.list(SERIES)) {
            for (Path p : files.sorted().toList()) {
                String text = Files.readString(p, StandardCharsets.UTF_8);
                assertTrue(!p.getFileName().toString().startsWith("0002-") || text.contains(header), header);
                Files.writeString(broken.resolve(p.getFileName()),
                        text.replace(header, "@@ -0,0 +1," + (lines + 8) + " @@"), StandardCharsets.UTF_8);
            }
        }
        Path patch = broken.resolve("0002-ALSA-pcm-Share-the-PCM-buffer-via-dma-buf.patch");
        Run r = pcmsim("mutate", broken.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().matches("pcmsim mutate: " + java.util.regex.Pattern.quote(patch.toString())
                + ": line \\d+: the hunk of sound/core/pcm_dmabuf.c announces " + (lines + 8) + " lines but has "
                + lines + "\n"), r.err());
    }

    private static void assertBad(String message, String... args) {
        Run r = pcmsim(args);
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(List.of(message), r.err().lines().toList());
        assertEquals("", r.out());
    }
}
