package org.pcmdmabuf.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /** A copy of a range made at some version stays a copy until a store touches the range's pages. */
    @Test
    void aRangeIsUnstoredUntilAStoreTouchesItsPages() {
        SndDmaBuffer b = buffer(1, 4 * 4096);
        long v0 = b.memoryVersion();
        assertTrue(b.unstoredSince(0, 4096, v0));
        b.writeMemory(1024, new long[] {1, 2}, 2);
        long v1 = b.memoryVersion();
        assertFalse(b.unstoredSince(1024, 1026, v0));
        assertFalse(b.unstoredSince(2047, 2048, v0), "the store's page");
        assertTrue(b.unstoredSince(0, 1024, v0), "the page before");
        assertTrue(b.unstoredSince(2048, 4096, v0), "the pages after");
        assertTrue(b.unstoredSince(0, 4096, v1), "nothing since the store");
        b.writeMemory(2047, new long[] {3, 4}, 2);
        assertFalse(b.unstoredSince(2048, 2049, v1), "a store across a page boundary touches both");
        assertFalse(b.unstoredSince(1024, 1025, v1));
        long v2 = b.memoryVersion();
        b.setWord(4095, 9);
        assertFalse(b.unstoredSince(3072, 4096, v2));
        assertTrue(b.unstoredSince(0, 3072, v2));
        long v3 = b.memoryVersion();
        b.clearMemory();
        assertFalse(b.unstoredSince(0, 1, v3), "a cleared buffer is stored all over");
        assertFalse(b.unstoredSince(3072, 3073, v3));
    }
}
