package org.pcmdmabuf.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The sync state's word sets against a BitSet doing the same: the counts of ranges, and whether any word is
 * uncleaned, which the simulator asks between every two time steps and which is kept as a count, not
 * recounted (QuickTheories seed 1, or {@code -Dpcmdmabuf.seed=N}).
 */
class CacheSyncTest {
    private static final int WORDS = 300;

    @Test
    void theSetsAndTheUncleanedCountFollowEveryCall() {
        qt().withExamples(300).withFixedSeed(Long.getLong("pcmdmabuf.seed", 1L))
                .forAll(lists().of(integers().between(0, Integer.MAX_VALUE)).ofSizeBetween(1, 60))
                .checkAssert(CacheSyncTest::replay);
    }

    private static void replay(List<Integer> calls) {
        CacheSync sync = new CacheSync(WORDS);
        BitSet dirty = new BitSet();
        BitSet deviceWritten = new BitSet();
        for (int call : calls) {
            int from = (call >>> 3) % (WORDS + 1);
            int to = from + (call >>> 12) % (WORDS + 1 - from);
            switch (call & 7) {
                case 0 -> {
                    sync.cpuWrote(from, to);
                    dirty.set(from, to);
                }
                case 1 -> {
                    sync.cleaned(from, to);
                    dirty.clear(from, to);
                }
                case 2 -> {
                    sync.deviceWrote(from, to);
                    deviceWritten.set(from, to);
                    dirty.clear(from, to);
                }
                case 3 -> {
                    sync.end(DmaDirection.TO_DEVICE);
                    dirty.clear();
                }
                case 4 -> {
                    sync.begin(DmaDirection.FROM_DEVICE);
                    deviceWritten.clear();
                }
                case 5 -> {
                    sync.syncForDevice();
                    dirty.clear();
                }
                case 6 -> {
                    sync.end(DmaDirection.FROM_DEVICE);
                }
                default -> {
                    sync.syncForCpu();
                    deviceWritten.clear();
                }
            }
            assertEquals(dirty.get(from, to).cardinality(), sync.uncleaned(from, to));
            assertEquals(deviceWritten.get(from, to).cardinality(), sync.uninvalidated(from, to));
            assertEquals(dirty.cardinality(), sync.uncleaned(0, WORDS));
            assertEquals(!dirty.isEmpty(), sync.anyUncleaned());
        }
    }
}
