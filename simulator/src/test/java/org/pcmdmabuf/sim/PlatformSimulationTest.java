package org.pcmdmabuf.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.pcmdmabuf.model.BufferType;
import org.pcmdmabuf.model.PcmStream;
import org.pcmdmabuf.model.SndDmaBuffer;
import org.pcmdmabuf.model.Substream;

/**
 * The simulated platform (docs/spec.md section 3, issue 12): for each mechanism, correct clients lose nothing and
 * a broken variant ({@link Platform.Flaw}) or a client that skips a sync is caught, as lost audio or as a DMA-API
 * debug finding.
 */
class PlatformSimulationTest {
    static final long SECOND = 1_000_000_000L;

    static Scenario scenario(PcmStream stream, boolean coherent, long seconds, Platform p, Behaviour... clients) {
        return new Scenario(5, stream, coherent, 48000, 1024, 4, seconds * SECOND, List.of(clients), false,
                Cache.Config.defaults(), 0, 2_000_000, 2048, Design.DMABUF, p);
    }

    static Report run(PcmStream stream, boolean coherent, Platform p, Behaviour... clients) {
        return new Simulation(scenario(stream, coherent, 3, p, clients)).run();
    }

    static long findings(Report r, String kind) {
        return r.dmaDebug().getOrDefault(kind, 0L);
    }

    static Stream<Arguments> everyValidPlatform() {
        List<Arguments> out = new ArrayList<>();
        for (boolean coherent : new boolean[] {false, true}) {
            for (BufferType t : Platform.typesFor(coherent)) {
                for (int bits = 0; bits < 8; bits++) {
                    for (PcmStream stream : PcmStream.values()) {
                        out.add(Arguments.of(stream, coherent, t, (bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}, coherent={1}, {2}, iommu={3}, bounce={4}, foreign={5}")
    @MethodSource("everyValidPlatform")
    void correctClientsLoseNothingOnEveryPlatform(PcmStream stream, boolean coherent, BufferType type, boolean iommu,
                                                  boolean bounce, boolean foreign) {
        Report r = new Simulation(new Scenario(11, stream, coherent, 48000, 256, 4, SECOND / 2,
                List.of(Behaviour.CORRECT, Behaviour.LATE), false, Cache.Config.defaults(), 0, 200_000, 512,
                Design.DMABUF, new Platform(type, iommu, bounce, foreign))).run();
        assertEquals(0, r.integrityErrors(), r.table());
        assertEquals(0, r.violations(), r.table());
        assertTrue(r.leaks().none(), r.table());
        assertTrue(r.clients().stream().allMatch(c -> c.good() > 20_000), r.table());
        // A device that may write the memory maps a foreign DMA-API allocation over the allocation's own entry:
        // debug.c reports that overlap; nothing else is a finding.
        boolean overlaps = foreign && stream == PcmStream.CAPTURE && type != BufferType.CONTINUOUS
                && type != BufferType.VMALLOC;
        assertEquals(overlaps ? 2 : 0, r.dmaDebugFindings(), r.table());
        assertEquals(overlaps ? 2 : 0, findings(r, "overlap"), r.table());
        // A device whose data the CPU moves (VMALLOC) has no streaming mapping to bounce (docs/decisions.md 47).
        assertEquals(foreign && bounce && type != BufferType.VMALLOC, r.bouncedWords() > 0, r.table());
    }

    @Test
    void iommuAndBounceBuffersWithCorrectClientsLoseNoFrameInSixtySeconds() {
        Platform p = new Platform(BufferType.DEV, true, true, true);
        Report r = new Simulation(scenario(PcmStream.PLAYBACK, false, 60, p, Behaviour.CORRECT, Behaviour.CORRECT))
                .run();
        assertEquals(0, r.integrityErrors(), r.table());
        assertEquals(0, r.dmaDebugFindings(), r.table());
        assertTrue(r.bouncedWords() > 0, r.table());
        assertTrue(r.clients().stream().allMatch(c -> c.good() > 60 * 48000 - 2 * 4096), r.table());
    }

    @ParameterizedTest(name = "{0}, coherent={1}")
    @CsvSource({"PLAYBACK,false", "CAPTURE,false", "PLAYBACK,true", "CAPTURE,true"})
    void theDefaultPlatformIsItsBufferTypeSpelledOut(PcmStream stream, boolean coherent) {
        // The cache alone and the platform's memory with the implied type move the same data, draw for draw.
        Behaviour[] clients = {Behaviour.CORRECT, Behaviour.LATE, Behaviour.CRASH,
            stream == PcmStream.PLAYBACK ? Behaviour.FORGET_END_WRITE : Behaviour.FORGET_START_READ};
        Report implied = new Simulation(scenario(stream, coherent, 2, Platform.DEFAULT, clients)).run();
        Report spelled = new Simulation(scenario(stream, coherent, 2,
                new Platform(BufferType.implied(coherent, true), false, false, false), clients)).run();
        assertEquals(implied.table(), spelled.table().substring(0, implied.table().length()));
        assertEquals(implied.violations(), spelled.violations());
    }

    @Test
    void aRunOnAPlatformIsTheSameBitForBit() {
        Platform p = new Platform(BufferType.NONCONTIG, true, true, true);
        Scenario sc = scenario(PcmStream.CAPTURE, false, 2, p, Behaviour.CORRECT, Behaviour.LATE, Behaviour.CRASH);
        assertEquals(new Simulation(sc).run().json(), new Simulation(sc).run().json());
    }

    // ---- memory attributes (CACHE-MEMORY-ATTRIBUTES) ------------------------------------------------------

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"PLAYBACK,DEV", "CAPTURE,DEV", "PLAYBACK,DEV_WC", "CAPTURE,DEV_WC", "PLAYBACK,DEV_SG"})
    void aCacheableAliasOfUncachedMemoryLosesFramesOnANonCoherentDevice(PcmStream stream, BufferType type) {
        Platform right = new Platform(type, false, false, false);
        Report good = run(stream, false, right, Behaviour.CORRECT);
        assertEquals(0, good.integrityErrors(), good.table());
        Report broken = run(stream, false, right.withFlaws(Platform.Flaw.CACHEABLE_ALIAS), Behaviour.CORRECT);
        assertTrue(broken.integrityErrors() > 1000, broken.table());
        // The client did every sync: the protocol saw nothing wrong, only the audio did.
        assertEquals(0, broken.violations(), broken.table());
    }

    @Test
    void aCacheableAliasIsHarmlessOnACoherentDevice() {
        Platform p = new Platform(BufferType.DEV, false, false, false, Set.of(Platform.Flaw.CACHEABLE_ALIAS));
        assertEquals(0, run(PcmStream.PLAYBACK, true, p, Behaviour.CORRECT).integrityErrors());
    }

    @Test
    void aSyncOfACoherentAllocationIsANoOp() {
        Simulation dev = new Simulation(scenario(PcmStream.PLAYBACK, false, 1,
                new Platform(BufferType.DEV, false, false, false), Behaviour.CORRECT));
        assertEquals(0, dev.run().integrityErrors());
        assertEquals(0, dev.cache.linesCleaned(), "dma_alloc_coherent() memory has no sync op in memalloc.c");
        Simulation noncoherent = new Simulation(scenario(PcmStream.PLAYBACK, false, 1,
                new Platform(BufferType.NONCOHERENT, false, false, false), Behaviour.CORRECT));
        assertEquals(0, noncoherent.run().integrityErrors());
        assertTrue(noncoherent.cache.linesCleaned() > 0);
    }

    @Test
    void uncachedMemoryNeedsNoSyncForTheAudioButTheProtocolStillWantsIt() {
        Report r = run(PcmStream.PLAYBACK, false, new Platform(BufferType.DEV, false, false, false),
                Behaviour.FORGET_END_WRITE);
        assertEquals(0, r.integrityErrors(), r.table());
        assertTrue(r.violations() > 0, r.table());
    }

    // ---- IOMMU (PLAT-IOMMU) -------------------------------------------------------------------------------

    @Test
    void scatteredPagesGetContiguousIovas() {
        Simulation sim = new Simulation(scenario(PcmStream.PLAYBACK, false, 1,
                new Platform(BufferType.NONCONTIG, true, false, false), Behaviour.CORRECT));
        List<String> seen = new ArrayList<>();
        sim.loop.at(SECOND / 2, "probe", () -> {
            Substream s = sim.server.streams().getFirst().substream;
            SndDmaBuffer b = s.runtime().activeBuffer();
            int pages = (int) (b.bytes / Substream.PAGE_SIZE);
            boolean scattered = false;
            for (int i = 1; i < pages; i++) {
                scattered |= sim.platform.pfn(b, i) != sim.platform.pfn(b, i - 1) + 1;
                assertEquals(sim.platform.deviceAddress(s, b, i - 1) + Substream.PAGE_SIZE,
                        sim.platform.deviceAddress(s, b, i));
            }
            assertTrue(scattered, "a NONCONTIG buffer's frames are scattered");
            assertTrue(sim.platform.deviceAddress(s, b, 0) < 1L << 32);
            assertTrue(sim.platform.deviceAddress(s, b, 0) != sim.platform.pfn(b, 0) * Substream.PAGE_SIZE);
            seen.add("probed");
        });
        assertEquals(0, sim.run().integrityErrors());
        assertEquals(List.of("probed"), seen);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"PLAYBACK", "CAPTURE"})
    void virtToPageOfARemappedCoherentBufferNamesTheWrongPage(PcmStream stream) {
        Platform right = new Platform(BufferType.DEV, true, false, true);
        Report good = run(stream, false, right, Behaviour.CORRECT);
        assertEquals(0, good.integrityErrors(), good.table());
        Report broken = run(stream, false, right.withFlaws(Platform.Flaw.VIRT_TO_PAGE), Behaviour.CORRECT);
        assertTrue(broken.clients().getFirst().missing() > 100_000, broken.table());
        assertEquals(0, broken.clients().getFirst().good(), broken.table());
    }

    @Test
    void virtToPageIsRightInTheLinearMap() {
        // A NONCOHERENT buffer without an IOMMU is in the linear map: the same shortcut names the right pages.
        Platform p = new Platform(BufferType.NONCOHERENT, false, false, true, Set.of(Platform.Flaw.VIRT_TO_PAGE));
        assertEquals(0, run(PcmStream.PLAYBACK, false, p, Behaviour.CORRECT).integrityErrors());
    }

    // ---- bounce buffers (PLAT-BOUNCE) ---------------------------------------------------------------------

    @ParameterizedTest(name = "coherent={0}")
    @CsvSource({"false", "true"})
    void bouncingWithoutTheSyncForDeviceCopyPlaysStaleFrames(boolean coherent) {
        Platform right = new Platform(BufferType.NONCOHERENT, false, true, true);
        Report good = run(PcmStream.PLAYBACK, coherent, right, Behaviour.CORRECT);
        assertEquals(0, good.integrityErrors(), good.table());
        Report broken = run(PcmStream.PLAYBACK, coherent, right.withFlaws(Platform.Flaw.BOUNCE_NO_SYNC_FOR_DEVICE),
                Behaviour.CORRECT);
        // The slot keeps what the mapping copied in at ATTACH, before the client wrote anything: silence.
        assertTrue(broken.clients().getFirst().missing() > 100_000, broken.table());
        assertEquals(0, broken.clients().getFirst().good(), broken.table());
    }

    @Test
    void aMissingSyncLosesAudioOnACoherentDeviceThatBounces() {
        Platform own = new Platform(BufferType.DEV, false, true, false);
        assertEquals(0, run(PcmStream.PLAYBACK, true, own, Behaviour.FORGET_END_WRITE).integrityErrors());
        Platform bounced = new Platform(BufferType.DEV, false, true, true);
        Report r = run(PcmStream.PLAYBACK, true, bounced, Behaviour.FORGET_END_WRITE);
        assertTrue(r.clients().getFirst().stale() > 100_000, r.table());
        Report capture = run(PcmStream.CAPTURE, true, bounced, Behaviour.FORGET_START_READ);
        assertTrue(capture.integrityErrors() > 100_000, capture.table());
    }

    // ---- DMA-API debug (PLAT-DMA-DEBUG) -------------------------------------------------------------------

    @Test
    void aWrongDirectionSyncIsAFindingAndLosesBouncedAudio() {
        Platform right = new Platform(BufferType.NONCOHERENT, false, true, true);
        Report good = run(PcmStream.PLAYBACK, false, right, Behaviour.CORRECT);
        assertEquals(0, good.dmaDebugFindings(), good.table());
        Report broken = run(PcmStream.PLAYBACK, false, right.withFlaws(Platform.Flaw.WRONG_DIRECTION_SYNC),
                Behaviour.CORRECT);
        assertTrue(findings(broken, "sync-direction") > 100, broken.table());
        assertTrue(broken.integrityErrors() > 0, broken.table());
        assertTrue(broken.table().contains("DMA-API debug: sync of attachment"), broken.table());
    }

    @Test
    void aMappingLeftAtDetachIsPendingWhenTheDeviceGoesAway() {
        Platform p = new Platform(BufferType.DEV, true, true, true, Set.of(Platform.Flaw.LEAK_MAPPING));
        Report r = run(PcmStream.PLAYBACK, false, p, Behaviour.CORRECT, Behaviour.CORRECT);
        assertEquals(2, findings(r, "pending-at-removal"), r.table());
        assertEquals(0, r.integrityErrors(), r.table());
    }

    @Test
    void aCaptureDeviceMappingAForeignAllocationOverlapsIt() {
        Report r = run(PcmStream.CAPTURE, false, new Platform(BufferType.DEV, false, false, true), Behaviour.CORRECT);
        assertEquals(1, findings(r, "overlap"), r.table());
        Report playback = run(PcmStream.PLAYBACK, false, new Platform(BufferType.DEV, false, false, true),
                Behaviour.CORRECT);
        assertEquals(0, playback.dmaDebugFindings(), playback.table());
    }

    @Test
    void dmaDebugReportsASyncOutsideAMapping() {
        DmaDebug d = new DmaDebug();
        d.mapped("a", "mapping a", 7, org.pcmdmabuf.model.DmaDirection.TO_DEVICE);
        d.synced("a", () -> "sync a", org.pcmdmabuf.model.DmaDirection.TO_DEVICE);
        assertEquals(0, d.total());
        d.removed("a");
        d.synced("a", () -> "sync a", org.pcmdmabuf.model.DmaDirection.TO_DEVICE);
        assertEquals(1, d.count(DmaDebug.Kind.SYNC_UNMAPPED));
        d.allocated("b", "allocation b", 9);
        d.synced("b", () -> "sync b", org.pcmdmabuf.model.DmaDirection.FROM_DEVICE);
        assertEquals(0, d.count(DmaDebug.Kind.SYNC_DIRECTION), "a BIDIRECTIONAL entry takes any direction");
        d.mapped("c", "mapping c", 9, org.pcmdmabuf.model.DmaDirection.TO_DEVICE);
        assertEquals(0, d.count(DmaDebug.Kind.OVERLAP), "a DMA_TO_DEVICE mapping is not tracked");
        d.mapped("e", "mapping e", 9, org.pcmdmabuf.model.DmaDirection.FROM_DEVICE);
        assertEquals(1, d.count(DmaDebug.Kind.OVERLAP));
        d.deviceRemoved();
        assertEquals(3, d.count(DmaDebug.Kind.PENDING_AT_REMOVAL));
    }

    // ---- explore ----------------------------------------------------------------------------------------

    @Test
    void exploreSwarmsValidPlatformsAndKeepsTheCacheDraws() {
        Scenario base = scenario(PcmStream.PLAYBACK, false, 1, Platform.DEFAULT, Behaviour.CORRECT);
        Set<BufferType> types = EnumSet.noneOf(BufferType.class);
        int iommu = 0;
        int bounce = 0;
        int foreign = 0;
        for (long seed = 0; seed < 200; seed++) {
            Scenario sc = Explorer.perturbPlatform(base, seed);
            assertEquals(Explorer.perturb(base, seed).cache(), sc.cache());
            assertNotNull(sc.platform().buffer());
            types.add(sc.platform().buffer());
            iommu += sc.platform().iommu() ? 1 : 0;
            bounce += sc.platform().bounce() ? 1 : 0;
            foreign += sc.platform().foreign() ? 1 : 0;
        }
        assertEquals(EnumSet.of(BufferType.DEV, BufferType.DEV_WC, BufferType.DEV_SG, BufferType.NONCONTIG,
                BufferType.NONCOHERENT), types);
        assertTrue(iommu > 50 && bounce > 50 && foreign > 50, iommu + " " + bounce + " " + foreign);
        Explorer.Outcome o = Explorer.explore(base, 24, 4, true, n -> {
        });
        assertEquals(24, o.runs());
        assertEquals(null, o.failure());
    }

    @Test
    void exploreFindsACacheableAliasAndNamesItsPlatform() {
        Scenario base = scenario(PcmStream.PLAYBACK, false, 1, new Platform(null, false, false, false,
                Set.of(Platform.Flaw.CACHEABLE_ALIAS)), Behaviour.CORRECT);
        Explorer.Outcome o = Explorer.explore(base, 50, 2, true, n -> {
        });
        assertNotNull(o.failure());
        assertTrue(o.failure().scenario().toCliArgs().contains("--buffer-type dev"), o.failure().scenario().toCliArgs());
    }
}
