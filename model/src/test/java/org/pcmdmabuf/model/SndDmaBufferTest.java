package org.pcmdmabuf.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Memory is materialised on first store: until then it must read, copy and compare as all zeros. */
class SndDmaBufferTest {
    private static SndDmaBuffer buffer(int id, long bytes) {
        return new SndDmaBuffer(id, bytes, true, null);
    }

    @Test
    void neverWrittenMemoryReadsAsZerosAndKeepsItsBounds() {
        SndDmaBuffer b = buffer(1, 64);
        assertEquals(0, b.word(15));
        assertEquals(0, b.logical(15));
        // out of bounds fails as an array access always did, materialised or not
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> b.word(16));
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> b.logical(-1));
        long[] dst = {7, 7, 7, 7, 7};
        assertEquals(2, b.readMemory(14, dst, 1, 4));
        assertArrayEquals(new long[] {7, 0, 0, 7, 7}, dst);
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> b.readMemory(17, dst, 0, 1));
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> b.readMemory(0, dst, 3, 4));
    }

    @Test
    void aStoreIsSeenAndComparedAgainstABufferNeverWritten() {
        SndDmaBuffer written = buffer(1, 64);
        SndDmaBuffer blank = buffer(2, 64);
        assertEquals(-1, written.firstDifference(blank));
        written.setWord(9, 0);
        assertEquals(-1, written.firstDifference(blank), "a stored 0 is no difference");
        written.writeMemory(3, new long[] {0, 5}, 2);
        assertEquals(5, written.word(4));
        assertEquals(4, written.firstDifference(blank));
        assertEquals(4, blank.firstDifference(written));
        long v = written.memoryVersion();
        written.clearMemory();
        assertEquals(0, written.word(4));
        assertEquals(-1, written.firstDifference(blank));
        assertEquals(v + 1, written.memoryVersion());
    }

    @Test
    void buffersOfDifferentSizesStillFailToCompare() {
        SndDmaBuffer big = buffer(1, 64);
        SndDmaBuffer small = buffer(2, 32);
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> big.firstDifference(small));
        big.setWord(0, 1);
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> big.firstDifference(small));
        assertEquals(0, small.firstDifference(big));
    }

    @Test
    void theCoherentViewIsMaterialisedApartFromMemory() {
        SndDmaBuffer b = buffer(1, 10);
        assertEquals(3, b.wordCount);
        b.logical()[2] = 42;
        assertEquals(42, b.logical(2));
        assertEquals(0, b.word(2));
    }
}
