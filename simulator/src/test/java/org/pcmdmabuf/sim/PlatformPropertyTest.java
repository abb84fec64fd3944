package org.pcmdmabuf.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pcmdmabuf.model.BufferType;
import org.pcmdmabuf.model.PcmStream;
import org.quicktheories.core.Gen;

/**
 * Random scenarios on random valid platforms (QuickTheories): clients that do every sync lose no frame and
 * leave nothing behind, the only DMA-API debug findings are the overlaps debug.c reports for a capture device
 * mapping a foreign DMA-API allocation, and one seed gives the same report twice. The QuickTheories seed is 1, or
 * {@code -Dpcmdmabuf.seed=N}: CI runs the same examples every time.
 */
class PlatformPropertyTest {
    private static final int EXAMPLES = 60;

    /** The scenario and its platform, drawn from one number per choice. */
    private static Gen<Scenario> scenarios() {
        Behaviour[] syncing = {Behaviour.CORRECT, Behaviour.LATE, Behaviour.CRASH, Behaviour.HOSTILE,
            Behaviour.COPY_THROUGH_SERVER, Behaviour.TIMING_MODEL};
        return longs().between(1, 1L << 40).zip(integers().between(0, Integer.MAX_VALUE), (seed, bits) -> {
            boolean coherent = (bits & 1) != 0;
            PcmStream stream = (bits & 2) != 0 ? PcmStream.CAPTURE : PcmStream.PLAYBACK;
            BufferType[] types = Platform.typesFor(coherent);
            BufferType type = types[(bits >>> 2) % types.length];
            boolean iommu = (bits & 64) != 0;
            boolean bounce = (bits & 128) != 0;
            boolean foreign = (bits & 256) != 0;
            boolean shared = (bits & 512) != 0;
            int n = 1 + (bits >>> 10) % 3;
            List<Behaviour> clients = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Behaviour b = syncing[(bits >>> (13 + 3 * i)) % syncing.length];
                // Copy-through-server clients cannot share a buffer; timing models keep their margin only in
                // playback.
                if (shared && b == Behaviour.COPY_THROUGH_SERVER || stream == PcmStream.CAPTURE
                        && b == Behaviour.TIMING_MODEL) {
                    b = Behaviour.CORRECT;
                }
                clients.add(b);
            }
            int period = 128 << ((bits >>> 22) % 3);
            return new Scenario(seed, stream, coherent, 48000, period, 4, 300_000_000L, clients, shared,
                    Cache.Config.defaults(), 0, 200_000, 2L * period, Design.DMABUF,
                    new Platform(type, iommu, bounce, foreign));
        });
    }

    @Test
    void clientsThatSyncLoseNothingOnAnyPlatformAndOneSeedIsOneRun() {
        var theory = qt().withExamples(EXAMPLES)
                .withFixedSeed(Long.getLong("pcmdmabuf.seed", 1L));
        theory.forAll(scenarios()).checkAssert(sc -> {
            Report r = new Simulation(sc).run();
            String why = sc.toCliArgs() + "\n" + r.table();
            assertEquals(0, r.integrityErrorsExcept(Behaviour.TIMING_MODEL), why);
            assertEquals(0, r.errnoMismatches(), why);
            assertTrue(r.leaks().none(), why);
            assertEquals(r.dmaDebugFindings(), r.dmaDebug().get("overlap"), why);
            if (r.dmaDebugFindings() > 0) {
                assertTrue(sc.platform().foreign() && sc.stream() == PcmStream.CAPTURE, why);
            }
            assertEquals(r.json(), new Simulation(sc).run().json(), "the same seed, another run: " + why);
        });
    }
}
