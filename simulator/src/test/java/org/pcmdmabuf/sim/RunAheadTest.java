package org.pcmdmabuf.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pcmdmabuf.model.BufferType;
import org.pcmdmabuf.model.PcmStream;
import org.quicktheories.core.Gen;

/**
 * The cache's random events that change nothing a DMA can see run ahead of their time, and the DMA is not
 * stopped for them (Simulation.scheduleCacheNoise, EventLoop.atUnseen; decisions.md 80). A run is then the same,
 * bit for bit, as with every event at its time, which a traced run still does: every report field, every
 * latency sample. The scenarios are those where it could not be: evictions that write back, clients that
 * skip the end sync (a violation per DMA transfer), drift, capture, several streams, server events.
 */
class RunAheadTest {
    private static final long SECOND = 1_000_000_000L;

    private static Scenario scenario(long seed, PcmStream stream, boolean coherent, List<Behaviour> clients,
                                     boolean shared, Cache.Config cache, long driftPpm, Platform platform) {
        return new Scenario(seed, stream, coherent, 48000, 256, 4, 2 * SECOND, clients, shared, cache, driftPpm,
                300_000, 512, Design.DMABUF, platform);
    }

    static Stream<Arguments> scenarios() {
        Cache.Config noisy = new Cache.Config(64, 8, 5000, 5000);
        Cache.Config small = new Cache.Config(16, 64, 3000, 3000);
        Platform dmaIommuBounce = new Platform(BufferType.DEV, true, true, true);
        return Stream.of(
                Arguments.of("one correct client", scenario(1, PcmStream.PLAYBACK, false, List.of(Behaviour.CORRECT),
                        false, Cache.Config.defaults(), 0, Platform.DEFAULT)),
                Arguments.of("a noisy 8-line cache", scenario(2, PcmStream.PLAYBACK, false,
                        List.of(Behaviour.CORRECT, Behaviour.LATE), false, noisy, 0, Platform.DEFAULT)),
                Arguments.of("a client that skips END|WRITE", scenario(3, PcmStream.PLAYBACK, false,
                        List.of(Behaviour.FORGET_END_WRITE, Behaviour.CORRECT), false, noisy, 0, Platform.DEFAULT)),
                Arguments.of("drift and a shared buffer", scenario(4, PcmStream.PLAYBACK, false,
                        List.of(Behaviour.CORRECT, Behaviour.FORGET_END_WRITE, Behaviour.TIMING_MODEL), true, small,
                        -230, Platform.DEFAULT)),
                Arguments.of("capture that skips START|READ", scenario(5, PcmStream.CAPTURE, false,
                        List.of(Behaviour.FORGET_START_READ, Behaviour.CORRECT), false, small, 150, Platform.DEFAULT)),
                Arguments.of("8 streams through an IOMMU and bounce buffers", scenario(6, PcmStream.PLAYBACK, false,
                        java.util.Collections.nCopies(8, Behaviour.CORRECT), false, noisy, 0, dmaIommuBounce)),
                Arguments.of("a scattered buffer the CPU caches", scenario(7, PcmStream.PLAYBACK, false,
                        List.of(Behaviour.CORRECT, Behaviour.FORGET_END_WRITE), false, noisy, 11,
                        new Platform(BufferType.DEV_SG, true, true, true))),
                // The interrupt's moment must not depend on where the last step ended (the server's copy is
                // scheduled at it): a drift of -30 % is where an estimate that left out the carried drift was late.
                Arguments.of("a strong negative drift and the copy path", scenario(9, PcmStream.PLAYBACK, false,
                        List.of(Behaviour.COPY_THROUGH_SERVER, Behaviour.CORRECT), false,
                        new Cache.Config(64, 64, 20000, 20000), -300_000, Platform.DEFAULT)),
                Arguments.of("a reconfiguration and a restart", scenario(8, PcmStream.PLAYBACK, false,
                        List.of(Behaviour.CORRECT, Behaviour.LATE), false, noisy, 0, Platform.DEFAULT)
                        .withServerEvents(SECOND / 2, 3 * SECOND / 2)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void aRunIsTheSameAsWithEveryEventAtItsTime(String name, Scenario sc) {
        Simulation ahead = new Simulation(sc);
        Simulation atTime = new Simulation(sc, new TraceLog(), false);
        assertSame(atTime.run(), ahead.run());
        assertTrue(ahead.loop.ranAhead() > 0, "nothing ran ahead");
        assertEquals(0, atTime.loop.ranAhead());
    }

    @Test
    void theCacheNoiseOfTheseScenariosWritesBackAndViolatesWhereItShould() {
        // Without write-backs and violations the cases above would not show a wrong run-ahead.
        List<Report> reports = scenarios().map(a -> new Simulation((Scenario) a.get()[1]).run()).toList();
        assertTrue(reports.stream().filter(r -> r.cacheWriteBacks() > 0).count() >= 4);
        assertTrue(reports.stream().filter(r -> r.violations() > 0).count() >= 3);
        assertTrue(reports.stream().filter(r -> r.integrityErrors() > 0).count() >= 3);
    }

    /**
     * What the cache says of its next random event before drawing it is what the event then does: an eviction
     * writes back exactly when it was said not to write nothing, a refill loads exactly when it was said not to
     * do nothing. Asked twice in a row, the answers stay right, so asking draws nothing. On a run's live buffer,
     * with the CPU dirtying lines between the events.
     */
    @Test
    void theCacheForetellsItsRandomEventsWithoutDrawingThem() {
        Simulation sim = new Simulation(scenario(9, PcmStream.PLAYBACK, false, List.of(Behaviour.CORRECT), false,
                new Cache.Config(64, 8, 0, 0), 0, Platform.DEFAULT));
        int[] seen = new int[4];
        sim.loop.at(SECOND / 2, "probe", () -> {
            org.pcmdmabuf.model.SndDmaBuffer b = sim.server.streams().getFirst().substream.runtime().activeBuffer();
            SplitMix64 r = new SplitMix64(42);
            for (int i = 0; i < 4000; i++) {
                sim.cache.cpuWrite(b, r.nextInt(256), 1 + i);
                boolean writesNothing = sim.cache.nextEvictionWritesNothing();
                assertEquals(writesNothing, sim.cache.nextEvictionWritesNothing());
                long writeBacks = sim.cache.writeBacks();
                sim.cache.randomEviction();
                assertEquals(writesNothing, sim.cache.writeBacks() == writeBacks, "eviction " + i);
                seen[writesNothing ? 0 : 1]++;
                boolean loadsNothing = sim.cache.nextRefillLoadsNothing();
                long refills = sim.cache.refills();
                sim.cache.randomRefill();
                assertEquals(loadsNothing, sim.cache.refills() == refills, "refill " + i);
                seen[loadsNothing ? 2 : 3]++;
            }
        });
        sim.run();
        for (int n : seen) {
            assertTrue(n > 100, "each answer is seen: " + java.util.Arrays.toString(seen));
        }
    }

    /** Random scenarios, any behaviour and platform, a noisy cache: QuickTheories seed 1, as CI runs it. */
    @Test
    void randomScenariosAreTheSameRunAheadOrNot() {
        Behaviour[] behaviours = {Behaviour.CORRECT, Behaviour.LATE, Behaviour.FORGET_END_WRITE,
            Behaviour.TIMING_MODEL, Behaviour.CRASH, Behaviour.HOSTILE, Behaviour.COPY_THROUGH_SERVER};
        long[] drifts = {0, 77, -150, -50_000, -300_000, 250_000};
        Gen<Scenario> scenarios = longs().between(1, 1L << 40).zip(integers().between(0, Integer.MAX_VALUE),
                (seed, bits) -> {
                    boolean coherent = (bits & 1) != 0;
                    BufferType[] types = Platform.typesFor(coherent);
                    List<Behaviour> clients = new ArrayList<>();
                    for (int i = 0; i < 1 + (bits >>> 9) % 3; i++) {
                        clients.add(behaviours[(bits >>> (11 + 3 * i)) % behaviours.length]);
                    }
                    Cache.Config cache = new Cache.Config(64, 4 << ((bits >>> 20) % 4), 4000, 4000);
                    long drift = drifts[(bits >>> 23) % drifts.length];
                    return scenario(seed, PcmStream.PLAYBACK, coherent, clients, false, cache, drift,
                            new Platform(types[(bits >>> 2) % types.length], (bits & 32) != 0, (bits & 64) != 0,
                                    (bits & 128) != 0));
                });
        // Few shrink cycles: each candidate is two simulations, and the first failing scenario already tells.
        qt().withExamples(30).withShrinkCycles(5).withFixedSeed(Long.getLong("pcmdmabuf.seed", 1L)).forAll(scenarios)
                .checkAssert(sc -> assertSame(new Simulation(sc, new TraceLog(), false).run(), new Simulation(sc).run()));
    }

    private static void assertSame(Report expected, Report actual) {
        assertEquals(expected.json(), actual.json());
        assertEquals(expected.table(), actual.table());
        for (int i = 0; i < expected.clients().size(); i++) {
            assertArrayEquals(expected.clients().get(i).latencies(), actual.clients().get(i).latencies());
        }
    }
}
