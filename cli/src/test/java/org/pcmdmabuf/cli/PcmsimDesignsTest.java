package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pcmdmabuf.cli.PcmsimRunTest.pcmsim;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The designs of docs/designs.md through the CLI: model-only ops refused elsewhere, {@code --design} checked. */
class PcmsimDesignsTest {
    static final Path RESTRICTED = Path.of("..", "conformance", "src", "main", "resources", "cases", "designs",
            "restricted.ops");

    @Test
    void theModelRunsADesignCase() {
        PcmsimRunTest.Run r = pcmsim("run", RESTRICTED.toString(), "--target", "model");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.contains("restrict") && l.contains("EPERM")), r.out());
    }

    @Test
    void theHarnessRefusesADesignCaseInOneLine() {
        PcmsimRunTest.Run r = pcmsim("run", RESTRICTED.toString(), "--target", "harness");
        assertEquals(2, r.exit());
        assertEquals("pcmsim: " + RESTRICTED + ": line 12: op restrict is model-only (docs/designs.md); --target"
                + " harness does not implement it\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void theRestrictedDesignWithTwoStreamsIsABadInput() {
        PcmsimRunTest.Run r = pcmsim("simulate", "--design", "restricted", "--clients", "correct,correct",
                "--duration", "100ms");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("design restricted needs --shared or one client"), r.err());
    }

    @Test
    void anUnknownDesignIsNamed() {
        PcmsimRunTest.Run r = pcmsim("simulate", "--design", "pipewire", "--duration", "100ms");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown design 'pipewire' (dmabuf, restricted, buffer-fd)"), r.err());
    }

    @Test
    void aBufferFdRunSaysWhichDesignItRan() {
        PcmsimRunTest.Run r = pcmsim("simulate", "--design", "buffer-fd", "--coherent", "--duration", "1s");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("design buffer-fd: server HW_FREE refused 0 times"), r.out());
        assertTrue(r.out().contains("integrity errors 0,"), r.out());
    }
    @Test
    void theCommittedPageIsWhatPcmsimDesignsMakes() {
        Path doc = Path.of("..", "docs", "designs.md");
        PcmsimRunTest.Run r = pcmsim("designs", "--series", Path.of("..", "kernel-patch", "series").toString(),
                "--check", doc.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals(doc + " is up to date\n", r.out());
    }

    @Test
    void aStalePageIsReportedWithTheCommandThatRegeneratesIt(@org.junit.jupiter.api.io.TempDir Path dir)
            throws java.io.IOException {
        Path stale = dir.resolve("designs.md");
        java.nio.file.Files.writeString(stale, "# an old page\n");
        PcmsimRunTest.Run r = pcmsim("designs", "--series", Path.of("..", "kernel-patch", "series").toString(),
                "--check", stale.toString());
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.out().contains("is stale") && r.out().contains("pcmsim designs --output " + stale), r.out());
    }

    @Test
    void aMissingSeriesIsNamed() {
        PcmsimRunTest.Run r = pcmsim("designs", "--series", "no/such/series");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--series no/such/series is not a directory"), r.err());
    }
}
