package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pcmdmabuf.cli.PcmsimRunTest.pcmsim;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pcmdmabuf.cli.PcmsimRunTest.Run;
import org.pcmdmabuf.conformance.Case;
import org.pcmdmabuf.conformance.harness.RaceScenarios;
import org.pcmdmabuf.conformance.validate.Findings;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * {@code pcmsim validate} on the shipped series and on bad input. The kernel checks (check.sh) are left to
 * run-tests, which validates the shipped series with them; here they run only as far as a series that does
 * not apply, which needs the kernel tree but no build.
 */
class PcmsimValidateTest {
    static final Path SERIES = Path.of("..", "kernel-patch", "series").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    /**
     * The shipped series passes every check but the kernel's (run-tests runs those), the findings it declares
     * (kernel-patch/series/FINDINGS), shown as known, and the cases on an IOMMU or bounce buffers, which the
     * harness skips. Every case's fault sweep passes, but for those: the declared findings' are known, and the
     * case that asks for its own faults is not swept. Its KTAP has a plan and one line per check, its JUnit XML one
     * testcase per check.
     */
    @Test
    void theShippedSeriesPassesInEveryFormat() throws Exception {
        // one run, its KTAP and JUnit reports written beside (aReportFileIsWhatFormatPrints)
        Path ktap = tmp.resolve("report.ktap");
        Path junit = tmp.resolve("report.xml");
        Run r = pcmsim("validate", "--no-kernel-checks", "--report", "ktap=" + ktap, "--report", "junit=" + junit,
                SERIES.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        ktapHasAPlanAndOneLinePerCheck(Files.readString(ktap));
        junitIsXmlWithOneTestcasePerCheck(Files.readString(junit));
        int cases = Case.all().size();
        int known = knownCases();
        int races = RaceScenarios.NAMES.size();
        int knownRaces = Findings.read(SERIES).byCase().size() - known;
        assertEquals(known, r.out().lines().filter(l -> l.startsWith("known  conformance ")).count(), r.out());
        assertEquals(knownRaces, r.out().lines().filter(l -> l.startsWith("known  race ")).count(), r.out());
        assertEquals(races - knownRaces + 1, r.out().lines().filter(l -> l.startsWith("ok    race ")).count(),
                r.out());
        // every platform runs on the harness (an IOMMU and swiotlb in its shims): no case is skipped
        assertEquals(1, r.out().lines().filter(l -> l.startsWith("ok    conformance attach-platform.ops")).count(),
                r.out());
        assertEquals(cases - known, r.out().lines().filter(l -> l.startsWith("ok    conformance ")).count(),
                r.out());
        assertTrue(r.out().contains("skip  kernel "), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("ok    differential 2000 random op sequences agree with "
                + "the model, op by op \\(seed 1\\): \\d+ ops .*")), r.out());
        assertEquals(known, r.out().lines().filter(l -> l.startsWith("known  fault ")).count(), r.out());
        assertEquals(cases - known - 1, r.out().lines().filter(l -> l.startsWith("ok    fault       ")
                && l.contains(" (FAULT-NO-CHANGE FAULT-NO-LEAK)")).count(), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("ok    fault       every error path the cases reach: "
                + "\\d+ fallible call sites, \\d+ failures injected .*")), r.out());
        // the tally names known findings only when there are some
        int knownTotal = 2 * known + knownRaces;
        assertTrue(r.out().strip().endsWith((2 * (cases - known) - 1 + 3 + races - knownRaces + 1) + " passed, 0 failed, "
                + (knownTotal == 0 ? "" : knownTotal + " known findings (FINDINGS: not fixed), ") + "2 skipped"), r.out());
    }

    /** The conformance cases the shipped series declares it fails; its other findings are race scenarios. */
    private static int knownCases() throws Exception {
        return Findings.read(SERIES).cases().size();
    }

    private static void ktapHasAPlanAndOneLinePerCheck(String ktap) throws Exception {
        List<String> lines = ktap.lines().toList();
        assertEquals("KTAP version 1", lines.getFirst());
        int plan = Integer.parseInt(lines.stream().filter(l -> l.startsWith("1..")).findFirst().orElseThrow()
                .substring(3));
        List<String> results = lines.stream().filter(l -> l.matches("(not )?ok \\d+ .*")).toList();
        assertEquals(plan, results.size(), ktap);
        // the kernel's, the build, every case, every case's fault sweep and their figures, every race scenario
        // and the lock order, the differential
        assertEquals(2 * Case.all().size() + 4 + RaceScenarios.NAMES.size() + 1, plan);
        assertTrue(results.getFirst().matches("ok 1 kernel: .* # SKIP --no-kernel-checks"), results.getFirst());
        for (int i = 0; i < results.size(); i++) {
            String line = results.get(i);
            // a finding the series declares is TAP's TODO: not ok, and not a failure of the run
            assertTrue(line.startsWith("ok " + (i + 1) + " ")
                    || line.startsWith("not ok " + (i + 1) + " ") && line.contains(" # TODO a finding FINDINGS declares"),
                    line);
        }
    }

    private static void junitIsXmlWithOneTestcasePerCheck(String junit) throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(junit.getBytes(StandardCharsets.UTF_8)));
        Element suite = doc.getDocumentElement();
        assertEquals("testsuite", suite.getTagName());
        int cases = doc.getElementsByTagName("testcase").getLength();
        assertEquals(2 * Case.all().size() + 4 + RaceScenarios.NAMES.size() + 1, cases);
        assertEquals(String.valueOf(cases), suite.getAttribute("tests"));
        assertEquals("0", suite.getAttribute("failures"));
        // the kernel's, the sweep of the case that asks for its own faults, every declared finding and its sweep
        int notRun = 2 + 2 * knownCases() + (Findings.read(SERIES).byCase().size() - knownCases());
        assertEquals(String.valueOf(notRun), suite.getAttribute("skipped"));
        assertEquals(notRun, doc.getElementsByTagName("skipped").getLength());
    }

    /**
     * {@code --report FORMAT=FILE} writes what {@code --format FORMAT} prints, byte for byte (--no-times), whatever
     * standard output's format: the text report too, progress and tally.
     */
    @Test
    void aReportFileIsWhatFormatPrints() throws Exception {
        List<String> run = List.of("validate", "--no-kernel-checks", "--no-faults", "--no-races", "--sequences", "0",
                "--no-times", SERIES.toString());
        List<String> args = new ArrayList<>(run);
        for (String format : List.of("text", "junit", "ktap", "json")) {
            args.addAll(List.of("--report", format + "=" + tmp.resolve("report." + format)));
        }
        args.addAll(List.of("--format", "json"));
        Run all = pcmsim(args.toArray(String[]::new));
        assertEquals(0, all.exit(), all.out() + all.err());
        for (String format : List.of("text", "junit", "ktap", "json")) {
            Run alone = pcmsim(Stream.concat(run.stream(), Stream.of("--format", format)).toArray(String[]::new));
            assertEquals(0, alone.exit(), alone.out() + alone.err());
            assertEquals(alone.out(), Files.readString(tmp.resolve("report." + format)), format);
        }
        assertEquals(Files.readString(tmp.resolve("report.json")), all.out());
    }

    @Test
    void aBrokenCaseIsNamedWithItsRuleInEveryFormat() throws Exception {
        Path series = copy(text -> text.replace("+\tif (dmabuf->size < runtime->dma_bytes)\n",
                "+\tif (!dmabuf->size)\n"));
        Run text = pcmsim("validate", "--no-kernel-checks", series.toString());
        assertEquals(1, text.exit(), text.out() + text.err());
        // the lines that fail check ATTACH-SIZE, and the other checks of attach.ops that an accepted small
        // dma-buf throws off (the same p attaches later); the report names those, not the case's every rule
        String rules = "ATTACH-SIZE ATTACH-REACH ATTACH-OWN-EXPORT";
        assertTrue(text.out().contains("FAIL  conformance attach.ops (" + rules + ")"), text.out());
        assertTrue(text.out().contains("breaks " + rules + " (attach.ops)"), text.out());
        assertTrue(text.out().contains("attach.ops:23 server dmabuf_attach: expected EINVAL, got success (0) (ATTACH-SIZE)"),
                text.out());
        // the random sequences find it too, and print the script ddmin left of the first that disagreed
        assertTrue(text.out().contains("FAIL  differential "), text.out());
        assertTrue(text.out().contains("a minimal script (pcmsim run SCRIPT --target harness"), text.out());
        assertTrue(text.out().lines().anyMatch(l -> l.strip().matches("\\w+ dmabuf_attach \\w+ \\w+")), text.out());
        // the other formats of the same failed case: the stages after the cases add nothing to what they show
        Run junit = pcmsim("validate", "--no-kernel-checks", "--no-faults", "--no-races", "--sequences", "0", "--format",
                "junit", series.toString());
        assertEquals(1, junit.exit());
        assertTrue(junit.out().contains("<failure message=\"breaks " + rules + "\">"), junit.out());
        Run ktap = pcmsim("validate", "--no-kernel-checks", "--no-faults", "--no-races", "--sequences", "0", "--format",
                "ktap", series.toString());
        assertEquals(1, ktap.exit());
        assertTrue(ktap.out().lines().anyMatch(l -> l.matches("not ok \\d+ conformance: attach\\.ops \\(.*")),
                ktap.out());
        // each stage left out is one skipped check saying which option left it out
        for (String skipped : List.of("fault: every error path the cases reach (FAULT-NO-CHANGE FAULT-NO-LEAK) # SKIP "
                + "--no-faults", "race: every race scenario and the lock order over their schedules (PLAT-CONCURRENCY "
                + "PLAT-DATA-RACE) # SKIP --no-races")) {
            assertTrue(ktap.out().lines().anyMatch(l -> l.matches("ok \\d+ " + Pattern.quote(skipped))), ktap.out());
        }
        assertFalse(ktap.out().contains("races/"), ktap.out());
    }

    @Test
    void aFolderThatIsNoSeriesIsOneLineAndExit2() throws IOException {
        oneLine(pcmsim("validate", tmp.resolve("missing").toString()), tmp.resolve("missing") + " is not a directory");
        oneLine(pcmsim("validate", tmp.toString()), tmp + " is not a patch series: it has no NNNN-*.patch file");
        Files.writeString(tmp.resolve("0001-notes.patch"), "just prose\n");
        oneLine(pcmsim("validate", tmp.toString()), tmp.resolve("0001-notes.patch") + " is not a patch");
    }

    @Test
    void aSeriesWhoseNewFileDoesNotApplyIsOneLineAndExit2() throws IOException {
        Path series = copy(text -> text.replaceFirst("(?m)^@@ -0,0 \\+1,(\\d+) @@(.*\\n\\+// SPDX-License-Identifier)",
                "@@ -0,0 +1,99999 @@$2"));
        Run r = pcmsim("validate", "--no-kernel-checks", series.toString());
        oneLine(r, "does not apply");
        assertTrue(r.err().contains(series.resolve(patch0002().getFileName()).toString()), r.err());
    }

    @Test
    void aSeriesThatDoesNotApplyToTheKernelIsOneLineAndExit2() throws IOException {
        // a context line of the pcm_native.c hunk no longer matches Linux 6.12
        Path series = copy(text -> {
            int at = text.indexOf("\n ", text.indexOf("+++ b/sound/core/pcm_native.c"));
            return text.substring(0, at + 2) + "XX" + text.substring(at + 2);
        });
        Run r = pcmsim("validate", series.toString());
        oneLine(r, series.resolve(patch0002().getFileName()) + " does not apply to ");
        assertTrue(r.err().contains("FAILED at") && r.err().contains("in sound/core/pcm_native.c"), r.err());
    }

    @Test
    void badOptionsAreOneLineAndExit2() {
        Run r = pcmsim("validate", "--format", "html");
        assertEquals(2, r.exit());
        assertTrue(r.err().lines().findFirst().orElse("").contains("'html'"), r.err());
        oneLine(pcmsim("validate", "-j", "0"), "--jobs must be at least 1, not 0");
        oneLine(pcmsim("validate", "--sequences", "-5"), "--sequences must be 0 or more, not -5");
        oneLine(pcmsim("validate", "--case-timeout", "0s"), "--case-timeout and --stage-timeout must be longer than 0");
        Run r2 = pcmsim("validate", "--stage-timeout", "1h");
        assertEquals(2, r2.exit());
        assertTrue(r2.err().lines().findFirst().orElse("").contains("'1h' is not a duration"), r2.err());
        oneLine(pcmsim("validate", "--report", "ktap=" + tmp), "cannot write --report ktap=" + tmp
                + ": it is a directory");
        Path nowhere = tmp.resolve("missing/report.ktap");
        oneLine(pcmsim("validate", "--report", "ktap=" + nowhere), "cannot write --report ktap=" + nowhere
                + ": no such directory " + nowhere.getParent());
        Run html = pcmsim("validate", "--report", "html=" + tmp.resolve("r.html"));
        assertEquals(2, html.exit());
        assertEquals("pcmsim: Invalid value for option '--report' (FORMAT=FILE): expected one of [text, junit, ktap, "
                + "json] (case-sensitive) but was 'html' (see 'pcmsim validate --help')\n", html.err());
        Run bare = pcmsim("validate", "--report", "ktap");
        assertEquals(2, bare.exit());
        assertEquals("pcmsim: Value for option '--report' (FORMAT=FILE) should be in KEY=VALUE format but was ktap "
                + "(see 'pcmsim validate --help')\n", bare.err());
    }

    /**
     * The real path of an interrupted run: SIGINT to a pcmsim JVM (not to its process group, as a terminal's
     * Ctrl-C would) while its harness process runs the differential check. The harness process is stopped, the
     * temporary folder removed, and the exit status is 130.
     */
    @Test
    void sigintStopsTheHarnessProcessRemovesTheTemporaryFilesAndExits130() throws Exception {
        Path tmpdir = Files.createDirectories(tmp.resolve("tmpdir"));
        // env (coreutils) execs the JVM with SIGINT at its default: a JVM that starts with SIGINT ignored, as
        // under a shell's background job, keeps ignoring it and would never see the signal this test sends
        Process p = new ProcessBuilder("env", "--default-signal=INT",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=" + tmpdir, "-cp",
                System.getProperty("java.class.path"), Pcmsim.class.getName(), "validate", "--no-kernel-checks",
                "--sequences", "100000000", SERIES.toString()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        StringBuilder out = new StringBuilder();
        List<ProcessHandle> children;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            int cases = 0;
            for (String line; cases < Case.all().size() && (line = r.readLine()) != null;) {
                out.append(line).append('\n');
                cases += line.matches("(ok|FAIL|skip|known) +conformance .*") ? 1 : 0;
            }
            // every case reported: the harness process is in the differential run, which takes hours
            children = p.descendants().toList();
            assertTrue(children.stream().anyMatch(h -> h.info().command().orElse("").endsWith("/java")),
                    "no harness process runs:\n" + out);
            assertEquals(0, new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor());
            r.lines().forEach(l -> out.append(l).append('\n'));
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out.toString());
        assertEquals(130, p.exitValue(), out.toString());
        for (ProcessHandle h : children) {
            h.onExit().get(30, TimeUnit.SECONDS);
        }
        try (Stream<Path> left = Files.list(tmpdir)) {
            assertEquals(List.of(), left.toList(), "left behind in java.io.tmpdir");
        }
    }

    private static void oneLine(Run r, String contains) {
        assertEquals(2, r.exit(), r.out() + r.err());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.getFirst().startsWith("pcmsim validate: ") && lines.getFirst().contains(contains),
                lines.getFirst());
    }

    private static Path patch0002() throws IOException {
        try (Stream<Path> s = Files.list(SERIES)) {
            return s.filter(p -> p.getFileName().toString().startsWith("0002-")).findFirst().orElseThrow();
        }
    }

    /** The shipped series in a temporary folder, patch 0002 edited. */
    private Path copy(java.util.function.UnaryOperator<String> edit0002) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("series"));
        try (Stream<Path> s = Files.list(SERIES)) {
            for (Path p : s.toList()) {
                String text = Files.readString(p, StandardCharsets.UTF_8);
                String edited = p.getFileName().toString().startsWith("0002-") ? edit0002.apply(text) : text;
                if (p.getFileName().toString().startsWith("0002-")) {
                    assertTrue(!edited.equals(text), "the edit did not change patch 0002");
                }
                Files.writeString(dir.resolve(p.getFileName()), edited, StandardCharsets.UTF_8);
            }
        }
        return dir;
    }
}
