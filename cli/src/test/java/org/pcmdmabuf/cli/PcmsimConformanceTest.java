package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pcmdmabuf.cli.PcmsimRunTest.EXAMPLES;
import static org.pcmdmabuf.cli.PcmsimRunTest.pcmsim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.pcmdmabuf.conformance.validate.Findings;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code pcmsim conformance} on every target, and {@code --target device} reached from the CLI: on a host
 * without a patched kernel it can only bind (dry run) or refuse with one line, which is what this checks; the
 * QEMU run of kernel-patch/e2e runs the same command on a real kernel.
 */
class PcmsimConformanceTest {
    @ParameterizedTest
    @ValueSource(strings = {"model", "harness"})
    void everyCasePassesOnTheExactTargets(String target) throws Exception {
        PcmsimRunTest.Run r = pcmsim("conformance", "--target", target);
        assertTrue(r.out().lines().filter(l -> l.startsWith("PASS ")).count() >= 16, r.out());
        if (target.equals("model")) {
            assertEquals(0, r.exit(), r.out() + r.err());
            // the model refuses the case that asks for a fault (fail_nth), which only the harness injects
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith("SKIP fault-attach.ops: ")
                    && l.contains("cannot inject faults")), r.out());
            assertTrue(r.out().strip().endsWith(" passed, 0 failed, 1 skipped"), r.out());
            return;
        }
        // the harness runs the shipped series, every platform included: it fails exactly the findings it declares
        Findings findings = Findings.read(PcmsimValidateTest.SERIES);
        assertEquals(findings.cases().isEmpty() ? 0 : 1, r.exit(), r.out() + r.err());
        assertEquals(findings.cases().keySet(), r.out().lines().filter(l -> l.startsWith("FAIL "))
                .map(l -> l.split(" ")[1]).collect(java.util.stream.Collectors.toSet()), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("PASS attach-platform.ops ")), r.out());
        assertTrue(r.out().strip().endsWith(" passed, " + findings.cases().size() + " failed"), r.out());
    }

    @Test
    void aBrokenExpectationFailsItsCaseAndTheRun(@TempDir Path dir) throws IOException {
        Path c = dir.resolve("wrong.ops");
        Files.writeString(c, "# rule: EXPORT-STATE\ndevice pcm0 playback\nproc s\ns open pcm0 as p\n"
                + "s dmabuf_export p as d     #=> EINVAL OPEN\n");
        PcmsimRunTest.Run r = pcmsim("conformance", "--script", c.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("FAIL wrong.ops (breaks EXPORT-STATE)\n    wrong.ops:5 s dmabuf_export: expected EINVAL, got EBADFD"), r.out());
        assertTrue(r.out().strip().endsWith("0 passed, 1 failed"), r.out());
    }

    @Test
    void theDeviceTargetBindsEveryCaseToRealPcmKinds() {
        PcmsimRunTest.Run r = pcmsim("conformance", "--target", "device", "--dry-run", "--card", "dummy=0",
                "--card", "hda=1", "--card", "aloop=2", "--card", "pcmtest=3");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("WOULD RUN examples/rfc-flow.ops: {pcm0=dummy pcmC0D0p}"), r.out());
        assertTrue(r.out().contains("WOULD RUN pause-info.ops: {pcm0=hda pcmC1D0p"), r.out());
        // the series' snd-hda-intel opts in to EXPORT only, and no other card needs contiguous memory
        assertTrue(r.out().contains("SKIP attach.ops: device pcm0: no real PCM matches (dummy pcmC0D0p: does not need"
                + " contiguous memory; hda pcmC1D0p: its driver does not opt in to ATTACH"), r.out());
        assertTrue(r.out().contains("SKIP suspend-disconnect.ops: line 14: suspend"), r.out());
        // a platform the script asks for is never silently replaced by whatever card is free
        assertTrue(r.out().contains("SKIP revoke-reused-memory.ops: device pre: its platform (driver=prealloc) is not"
                + " matched to a real card"), r.out());
        assertTrue(r.out().contains("conformance: uAPI revision 2 (EXPORT 0xc0204170, ATTACH 0x40204171: struct "
                + "argument), the series'\n"), r.out());
    }

    /** The revision is the caller's, and the header says which one judges the kernel. */
    @Test
    void uapiOneIsChosenNeverGuessed() {
        PcmsimRunTest.Run r = pcmsim("conformance", "--target", "device", "--dry-run", "--uapi", "1", "--card",
                "dummy=0", "--card", "hda=1", "--card", "aloop=2", "--card", "pcmtest=3");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("conformance: uAPI revision 1 (EXPORT 0x80044170, ATTACH 0x40044171: bare int "
                + "argument), kernel-patch/known-bad/v1's (UAPI-V1)\n"), r.out());
        assertTrue(r.out().contains("SKIP export-rdwr-eacces.ops: line 11: dmabuf_export rdonly (uAPI revision 1 "
                + "has no access mode: every export is O_RDWR)"), r.out());
    }

    @Test
    void runOnTheDeviceTargetNamesWhatIsMissing() {
        PcmsimRunTest.Run r = pcmsim("run", EXAMPLES.resolve("rfc-flow.ops").toString(), "--target", "device",
                "--card", "dummy=57");
        assertEquals(Pcmsim.EXIT_USAGE, r.exit(), r.out());
        assertEquals("pcmsim: " + EXAMPLES.resolve("rfc-flow.ops") + " cannot run on this machine's PCMs: device "
                + "pcm0: no real PCM matches (no /dev/snd PCM of the known cards {dummy=57}, from "
                + "/proc/asound/cards and --card)\n", r.err().replaceAll("\\{[^}]*dummy=57[^}]*}", "{dummy=57}"));
    }

    @Test
    void badArgumentsGetOneLine() {
        assertEquals("pcmsim: --card foo=1: unknown kind 'foo' (known: aloop, dummy, hda, pcmtest)\n",
                pcmsim("conformance", "--target", "device", "--card", "foo=1", "--dry-run").err());
        assertEquals("pcmsim: --card, --uapi, --dry-run, --no-warmup, --disconnect-by-unbind, --known-bug and "
                + "--json apply to --target device only, not to --target harness\n",
                pcmsim("conformance", "--target", "harness", "--dry-run").err());
        assertEquals("pcmsim: --card, --uapi, --dry-run, --no-warmup, --disconnect-by-unbind, --known-bug and "
                + "--json apply to --target device only, not to --target model\n",
                pcmsim("conformance", "--uapi", "1").err());
        assertEquals("pcmsim: --uapi 3: no such uAPI revision (1 or 2)\n",
                pcmsim("conformance", "--target", "device", "--uapi", "3", "--dry-run", "--card", "dummy=0").err());
        assertTrue(pcmsim("conformance", "--case", "nope.ops").err()
                .startsWith("pcmsim: --case nope.ops: no such case (the suite: examples/rfc-flow.ops, "));
        assertTrue(pcmsim("conformance", "--target", "device", "--dry-run", "--case", "nope.ops").err()
                .startsWith("pcmsim: --case nope.ops: no such case (the suite: examples/rfc-flow.ops, "));
        assertEquals("pcmsim: --card and --uapi apply to --target device only, not to --target model\n",
                pcmsim("run", EXAMPLES.resolve("rfc-flow.ops").toString(), "--card", "dummy=0").err());
    }
}
