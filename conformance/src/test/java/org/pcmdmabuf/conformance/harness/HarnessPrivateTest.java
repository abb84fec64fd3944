package org.pcmdmabuf.conformance.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.pcmdmabuf.sim.SplitMix64;

/**
 * {@link Harness#loadPrivate}: lockstep workers that run at once each drive a kernel of their own, which the
 * benchmark's workers (docs/benchmarks.md) rely on.
 */
class HarnessPrivateTest {
    private static final Path LIBRARY = Path.of(System.getProperty(Harness.LIBRARY_PROPERTY));

    @Test
    void aPrivateInstanceHasItsOwnKernel() {
        Harness a = Harness.loadPrivate(LIBRARY);
        Harness b = Harness.loadPrivate(LIBRARY);
        a.reset();
        b.reset();
        // a substream no one added: a bug of the C side's, in a's kernel only
        a.state(12345);
        assertEquals(1, a.bugs(), a.lastBug());
        assertEquals(0, b.bugs(), b.lastBug());
    }

    @Test
    void twoWorkersRunInLockstepAtOnceAsOneDoesInTurn() throws Exception {
        long alone = run(Harness.loadPrivate(LIBRARY), 1) + run(Harness.loadPrivate(LIBRARY), 2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Long>> workers = new ArrayList<>();
            for (int seed = 1; seed <= 2; seed++) {
                Harness h = Harness.loadPrivate(LIBRARY);
                int s = seed;
                workers.add(pool.submit(() -> run(h, s)));
            }
            long together = 0;
            for (Future<Long> w : workers) {
                together += w.get();
            }
            assertTrue(alone > 1000, "ops run: " + alone);
            assertEquals(alone, together, "ops run by two workers at once vs one after the other");
        } finally {
            pool.shutdownNow();
        }
    }

    /** 100 random sequences from {@code seed} in lockstep (any disagreement throws); the ops run. */
    private static long run(Harness harness, long seed) {
        Lockstep lockstep = new Lockstep(harness);
        SplitMix64 r = new SplitMix64(seed);
        for (int i = 0; i < 100; i++) {
            lockstep.run(Lockstep.drawRandom(r));
        }
        return lockstep.opsRun();
    }
}
