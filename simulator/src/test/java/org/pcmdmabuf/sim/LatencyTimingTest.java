package org.pcmdmabuf.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pcmdmabuf.model.BufferType;
import org.pcmdmabuf.model.DmaClock;
import org.pcmdmabuf.model.PcmStream;

/**
 * A latency sample is timed at the moment the DMA moved the frame, not at the end of the time step that moved it:
 * on a coherent device, where the cache's random evictions and refills change no frame but add time steps, every
 * sample is the same at any rate of them (decisions.md 79).
 */
class LatencyTimingTest {
    private static final long SECOND = 1_000_000_000L;

    private static long[] latencies(PcmStream stream, long driftPpm, long jitterNs, double noisePerSecond) {
        Scenario sc = new Scenario(5, stream, true, 48000, 1024, 4, 5 * SECOND, List.of(Behaviour.CORRECT), false,
                new Cache.Config(64, 512, noisePerSecond, noisePerSecond), driftPpm, jitterNs, 2048, Design.DMABUF,
                new Platform(BufferType.DEV, false, false, false));
        Report r = new Simulation(sc).run();
        assertEquals(0, r.integrityErrors(), r.table());
        return r.clients().getFirst().latencies();
    }

    @ParameterizedTest
    @CsvSource({"PLAYBACK, 0, 0", "PLAYBACK, 150, 300000", "PLAYBACK, -333, 0", "CAPTURE, 77, 0",
            "CAPTURE, -20, 250000"})
    void theCacheNoiseMovesNoSample(PcmStream stream, long driftPpm, long jitterNs) {
        long[] quiet = latencies(stream, driftPpm, jitterNs, 0);
        assertTrue(quiet.length > 200, "samples: " + quiet.length);
        assertArrayEquals(quiet, latencies(stream, driftPpm, jitterNs, 200));
        assertArrayEquals(quiet, latencies(stream, driftPpm, jitterNs, 5000));
    }

    @ParameterizedTest
    @CsvSource({"48000, 0, 0, 0", "48000, 150, 999999999, 123456", "44100, -333, 5, -999999", "8000, 1, 0, 999999"})
    void theClockNamesTheFirstNanosecondTheFrameIsMoved(long rate, long ppm, long nsRemainder, long driftRemainder) {
        DmaClock clock = new DmaClock(rate, ppm, nsRemainder, driftRemainder);
        for (long k = 1; k < 5000; k += 7) {
            long c = clock.nanosUntil(k);
            assertTrue(moved(clock, c) >= k, "k " + k + " not moved at " + c);
            assertTrue(c == 0 || moved(clock, c - 1) < k, "k " + k + " already moved before " + c);
        }
    }

    /** Frames moved in {@code ns} CPU nanoseconds, as PcmDmaEngine.advanceNanos counts them. */
    private static long moved(DmaClock clock, long ns) {
        long device = ns + (ns * clock.driftPpm() + clock.driftRemainder()) / 1_000_000;
        return (device * clock.rate() + clock.nsRemainder()) / 1_000_000_000L;
    }
}
