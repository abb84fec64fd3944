package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** pcmsim simulate and explore on a platform (docs/spec.md section 3): the options, their errors, the report. */
class PcmsimPlatformTest {
    @Test
    void simulateOnAnIommuAndBounceBufferDeviceReportsThePlatformAndNoFinding() {
        PcmsimRunTest.Run r = PcmsimRunTest.pcmsim("simulate", "--clients", "correct,late", "--duration", "2s",
                "--buffer-type", "dev", "--iommu", "--bounce", "--foreign");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("integrity errors 0, protocol violations 0"), r.out());
        assertTrue(r.out().contains("platform: buffer dev, iommu, bounce, foreign dma-buf attached"), r.out());
        assertTrue(r.out().contains("DMA-API debug findings 0"), r.out());
    }

    @Test
    void theJsonNamesThePlatformOnlyWhenThereIsOne() {
        PcmsimRunTest.Run plain = PcmsimRunTest.pcmsim("simulate", "--json", "--duration", "200ms");
        assertTrue(!plain.out().contains("\"platform\"") && !plain.out().contains("dma_debug"), plain.out());
        PcmsimRunTest.Run r = PcmsimRunTest.pcmsim("simulate", "--json", "--duration", "200ms", "--capture",
                "--buffer-type", "dev-wc", "--foreign");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\"platform\":{\"buffer\":\"dev-wc\",\"iommu\":false,\"bounce\":false,"
                + "\"foreign\":true"), r.out());
        assertTrue(r.out().contains("\"overlap\":1"), r.out());
    }

    @Test
    void replayTakesThePlatformFlagsExploreGivesIt() {
        PcmsimRunTest.Run r = PcmsimRunTest.pcmsim("explore", "--clients", "correct", "--duration", "300ms",
                "--seeds", "20", "--jobs", "2", "--platforms");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().startsWith("explored 20 seeds from 1: no failure"), r.out());
        PcmsimRunTest.Run replay = PcmsimRunTest.pcmsim("replay", "--clients", "correct", "--duration", "300ms",
                "--buffer-type", "noncontig", "--iommu", "--bounce", "--foreign");
        assertEquals(0, replay.exit(), replay.err());
        assertTrue(replay.out().contains("platform: buffer noncontig, iommu, bounce"), replay.out());
    }

    /**
     * explore --target harness judges each seed's run on the patch's C code as well: seed 2 of the platforms
     * attaches a foreign DEV export, which the shipped series refuses (EINVAL) where the model attaches it (its
     * declared ATTACH-LIST finding, kernel-patch/series/FINDINGS); the model alone passes the seed.
     */
    @Test
    void exploreOnTheHarnessComparesEachSeedsRunWithTheModel() {
        PcmsimRunTest.Run model = PcmsimRunTest.pcmsim("explore", "--duration", "100ms", "--seeds", "2", "--jobs",
                "1", "--platforms");
        assertEquals(0, model.exit(), model.out() + model.err());
        PcmsimRunTest.Run harness = PcmsimRunTest.pcmsim("explore", "--duration", "100ms", "--seeds", "2",
                "--platforms", "--target", "harness");
        assertEquals(1, harness.exit(), harness.out() + harness.err());
        assertTrue(harness.out().startsWith("explored 2 seeds: seed 2 failed"), harness.out());
        assertTrue(harness.out().contains("dmabuf_attach: the model answers Outcome[ret=0, errno=null, state=SETUP, "
                + "extra={}], the harness Outcome[ret=-1, errno=EINVAL"), harness.out());
        assertTrue(harness.out().contains("--buffer-type dev --foreign"), harness.out());
    }

    @Test
    void aFlawLosesAudioAndItsReplayLineNamesIt() {
        PcmsimRunTest.Run r = PcmsimRunTest.pcmsim("simulate", "--duration", "1s", "--buffer-type", "dev", "--flaw",
                "cacheable-alias");
        assertEquals(0, r.exit(), r.err());
        assertTrue(!r.out().contains("integrity errors 0,"), r.out());
        assertTrue(r.out().contains("flaws cacheable-alias"), r.out());
        PcmsimRunTest.Run e = PcmsimRunTest.pcmsim("explore", "--duration", "500ms", "--seeds", "3", "--jobs", "1",
                "--flaw", "virt-to-page", "--buffer-type", "dev", "--iommu", "--foreign");
        assertEquals(1, e.exit(), e.out() + e.err());
        assertTrue(e.out().contains("--buffer-type dev --iommu --foreign --flaw virt-to-page"), e.out());
        assertEquals(2, PcmsimRunTest.pcmsim("simulate", "--flaw", "typo").exit());
    }

    @Test
    void aBadPlatformIsOneLineAndExitTwo() {
        PcmsimRunTest.Run unknown = PcmsimRunTest.pcmsim("simulate", "--buffer-type", "dma32");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().startsWith("pcmsim: unknown buffer type 'dma32'"), unknown.err());
        PcmsimRunTest.Run noSync = PcmsimRunTest.pcmsim("simulate", "--buffer-type", "vmalloc");
        assertEquals(2, noSync.exit());
        assertTrue(noSync.err().contains("simulate it with --coherent"), noSync.err());
        PcmsimRunTest.Run pages = PcmsimRunTest.pcmsim("simulate", "--buffer-type", "iomem", "--coherent");
        assertEquals(2, pages.exit());
        assertTrue(pages.err().contains("has no struct pages"), pages.err());
        PcmsimRunTest.Run design = PcmsimRunTest.pcmsim("simulate", "--foreign", "--design", "buffer-fd");
        assertEquals(2, design.exit());
        assertTrue(design.err().contains("needs design dmabuf"), design.err());
    }
}
