package org.pcmdmabuf.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pcmdmabuf.model.PcmStream;

/** The simulator's must-shows (issue 3), each a scenario and what its report has to say. */
class SimulationTest {
    static final long SECOND = 1_000_000_000L;

    static Scenario scenario(long seed, PcmStream stream, boolean coherent, long seconds, long driftPpm,
                             Behaviour... clients) {
        return new Scenario(seed, stream, coherent, 48000, 1024, 4, seconds * SECOND, List.of(clients), false,
                Cache.Config.defaults(), driftPpm, 2_000_000, 2048);
    }

    @ParameterizedTest(name = "{0}, coherent={1}")
    @CsvSource({"PLAYBACK,false", "PLAYBACK,true", "CAPTURE,false", "CAPTURE,true"})
    void correctClientsLoseNoFrameInSixtySeconds(PcmStream stream, boolean coherent) {
        Report r = new Simulation(scenario(7, stream, coherent, 60, 0, Behaviour.CORRECT, Behaviour.CORRECT)).run();
        assertEquals(0, r.integrityErrors(), r.table());
        assertTrue(r.leaks().none(), r.table());
        for (ClientStats c : r.clients()) {
            assertTrue(c.good() > 60 * 48000 - 2 * 4096, c.name + " judged too few frames: " + c.good());
        }
    }

    @Test
    void correctClientsSharingOneBufferLoseNoFrame() {
        Scenario sc = new Scenario(3, PcmStream.PLAYBACK, false, 48000, 256, 8, 10 * SECOND,
                List.of(Behaviour.CORRECT, Behaviour.CORRECT, Behaviour.LATE), true, Cache.Config.defaults(), 0,
                200_000, 1024);
        Report r = new Simulation(sc).run();
        assertEquals(0, r.integrityErrors(), r.table());
        assertTrue(r.clients().stream().allMatch(c -> c.good() > 100_000), r.table());
    }

    @Test
    void forgettingEndWriteOnANonCoherentDevicePlaysStaleFrames() {
        Report r = new Simulation(scenario(1, PcmStream.PLAYBACK, false, 10, 0, Behaviour.CORRECT,
                Behaviour.FORGET_END_WRITE)).run();
        assertTrue(r.clients().get(1).stale() > 0, r.table());
        assertEquals(0, r.clients().get(0).integrityErrors(), r.table());
    }

    @Test
    void forgettingEndWriteOnACoherentDeviceIsHarmless() {
        Report r = new Simulation(scenario(1, PcmStream.PLAYBACK, true, 10, 0, Behaviour.CORRECT,
                Behaviour.FORGET_END_WRITE)).run();
        assertEquals(0, r.integrityErrors(), r.table());
    }

    @Test
    void forgettingStartReadOnNonCoherentCaptureReadsStaleFrames() {
        Scenario sc = scenario(5, PcmStream.CAPTURE, false, 10, 0, Behaviour.FORGET_START_READ);
        assertTrue(sc.cache().refillsPerSecond() > 0, "speculative refill is on");
        Report r = new Simulation(sc).run();
        assertTrue(r.clients().getFirst().stale() > 0, r.table());
        Report coherent = new Simulation(scenario(5, PcmStream.CAPTURE, true, 10, 0, Behaviour.FORGET_START_READ))
                .run();
        assertEquals(0, coherent.integrityErrors(), coherent.table());
    }

    @ParameterizedTest(name = "drift {0} ppm")
    @CsvSource({"1000", "-1000"})
    void aTimingModelClientGlitchesWhenDriftExceedsItsMargin(long ppm) {
        // 60 s at 48 kHz and 1000 ppm: 2880 frames of error, more than the 2048-frame margin.
        Report r = new Simulation(scenario(2, PcmStream.PLAYBACK, false, 60, ppm, Behaviour.TIMING_MODEL)).run();
        assertTrue(r.integrityErrors() > 0, r.table());
    }

    @ParameterizedTest(name = "drift {0} ppm")
    @CsvSource({"100", "-100", "0"})
    void aTimingModelClientIsCleanWithinItsMargin(long ppm) {
        // 60 s at 100 ppm: 288 frames of error, well inside the margin.
        Report r = new Simulation(scenario(2, PcmStream.PLAYBACK, false, 60, ppm, Behaviour.TIMING_MODEL)).run();
        assertEquals(0, r.integrityErrors(), r.table());
    }

    @Test
    void aHostileClientGetsTheDesignErrnoForEveryBadCallAndHurtsNobody() {
        for (long seed = 1; seed <= 4; seed++) {
            Report r = new Simulation(scenario(seed, PcmStream.PLAYBACK, false, 20, 0, Behaviour.CORRECT,
                    Behaviour.HOSTILE, Behaviour.CORRECT)).run();
            ClientStats hostile = r.clients().get(1);
            assertTrue(hostile.badCalls() > 200, r.table());
            assertEquals(List.of(), hostile.errnoMismatches(), r.table());
            assertEquals(0, r.integrityErrorsExcept(Behaviour.HOSTILE), r.table());
            assertTrue(r.leaks().none(), r.table());
        }
    }

    @Test
    void aClientCrashLeavesTheServerRunningAndNothingLeaks() {
        Report r = new Simulation(scenario(9, PcmStream.PLAYBACK, false, 20, 0, Behaviour.CORRECT, Behaviour.CRASH,
                Behaviour.COPY_THROUGH_SERVER)).run();
        ClientStats crashed = r.clients().get(1);
        ClientStats survivor = r.clients().get(0);
        assertTrue(crashed.contextSwitches() < survivor.contextSwitches() * 3 / 4, "it crashed mid-stream\n"
                + r.table());
        assertEquals(0, r.integrityErrors(), r.table());
        assertTrue(survivor.good() > 19 * 48000, r.table());
        assertTrue(r.leaks().none(), r.table());
    }

    @Test
    void theCopyPathCopiesAndWakesTheServerEveryPeriod() {
        Report r = new Simulation(scenario(4, PcmStream.PLAYBACK, false, 10, 0, Behaviour.COPY_THROUGH_SERVER,
                Behaviour.CORRECT)).run();
        ClientStats copy = r.clients().get(0);
        ClientStats zero = r.clients().get(1);
        assertEquals(0, r.integrityErrors(), r.table());
        assertTrue(copy.bytesCopied() > 3L * 10 * 48000 * 4 * 9 / 10, r.table());
        assertEquals(0, zero.bytesCopied(), r.table());
        assertTrue(r.serverContextSwitches() > 2 * 10 * 46, r.table());
    }

    @Test
    void exploreFindsAForgottenEndWriteAndItsReproducerReproduces() {
        Scenario base = scenario(100, PcmStream.PLAYBACK, false, 1, 0, Behaviour.CORRECT, Behaviour.FORGET_END_WRITE);
        Explorer.Outcome o = Explorer.explore(base, 8, 2, done -> { });
        assertNotNull(o.failure(), "explore found nothing");
        assertTrue(o.failure().check().contains("forget-end-write"), o.failure().check());
        assertNotNull(o.failure().reproducer(), o.failure().reproducerNote());
        assertTrue(Explorer.reproduces(o.failure().reproducer(), o.failure().scenario().cache()));
        assertTrue(o.failure().reproducer().ops().size() < 40, "not minimized: " + o.failure().reproducer().ops().size());
    }

    @Test
    void exploreOfCorrectClientsFindsNothing() {
        Scenario base = scenario(200, PcmStream.CAPTURE, false, 1, 0, Behaviour.CORRECT, Behaviour.LATE);
        Explorer.Outcome o = Explorer.explore(base, 12, 2, done -> { });
        assertEquals(12, o.runs());
        assertEquals(null, o.failure());
    }

    @Test
    void aClientLateByMoreThanAPeriodStillRunsAndGlitches() {
        // Jitter of 40 ms on 21 ms periods: wake-ups pile up behind each other and frames go late.
        Scenario sc = new Scenario(8, PcmStream.PLAYBACK, false, 48000, 1024, 4, 10 * SECOND,
                List.of(Behaviour.LATE, Behaviour.CORRECT), false, Cache.Config.defaults(), 0, 40_000_000, 2048);
        Report r = new Simulation(sc).run();
        assertTrue(r.clients().get(0).integrityErrors() > 0, r.table());
        assertEquals(0, r.clients().get(1).integrityErrors(), r.table());
    }

    @Test
    void oneSeedIsOneRunBitForBit() {
        Scenario sc = scenario(11, PcmStream.PLAYBACK, false, 5, 50, Behaviour.CORRECT, Behaviour.LATE,
                Behaviour.HOSTILE, Behaviour.CRASH, Behaviour.FORGET_END_WRITE, Behaviour.COPY_THROUGH_SERVER);
        assertEquals(new Simulation(sc).run().json(), new Simulation(sc).run().json());
    }
}
