package org.pcmdmabuf.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * The cache-sync protocol state of one buffer: which words the CPU wrote that no sync has cleaned yet, which
 * words a device wrote that no sync has invalidated yet, and whether a START|WRITE window is open.
 * It does not hold cache contents (the simulator does); it tells when a sync the protocol requires was
 * skipped, which on a non-coherent device means wrong audio.
 *
 * <p>The word sets are plain bit arrays rather than {@link java.util.BitSet}s: every DMA transfer counts a
 * range, and counting in place costs nothing where {@code BitSet.get(from, to)} allocates a copy.
 */
public final class CacheSync {
    private final long[] dirty;
    private final long[] deviceWritten;
    /** The bits set in {@link #dirty}: whether any word is uncleaned is asked between every two time steps. */
    private int dirtyWords;
    private boolean cpuWriteWindow;

    CacheSync(int words) {
        this.dirty = new long[(words + 63) >>> 6];
        this.deviceWritten = new long[(words + 63) >>> 6];
    }

    /** DMA_BUF_SYNC_START: dma_buf_begin_cpu_access(); a READ start invalidates what devices wrote. */
    void begin(DmaDirection dir) {
        if (dir != DmaDirection.TO_DEVICE) {
            Arrays.fill(deviceWritten, 0);
        }
        if (dir != DmaDirection.FROM_DEVICE) {
            cpuWriteWindow = true;
        }
    }

    /** DMA_BUF_SYNC_END: dma_buf_end_cpu_access(); a WRITE end cleans what the CPU wrote. */
    void end(DmaDirection dir) {
        if (dir != DmaDirection.FROM_DEVICE) {
            cpuWriteWindow = false;
            cleanAll();
        }
    }

    /** snd_pcm_dma_buffer_sync(SNDRV_DMA_SYNC_DEVICE): the PCM core cleans before the device reads. */
    void syncForDevice() {
        cleanAll();
    }

    private void cleanAll() {
        Arrays.fill(dirty, 0);
        dirtyWords = 0;
    }

    /** snd_pcm_dma_buffer_sync(SNDRV_DMA_SYNC_CPU): the PCM core invalidates before the CPU reads. */
    void syncForCpu() {
        Arrays.fill(deviceWritten, 0);
    }

    /** A sync for the device of words [from, to) only: what the CPU wrote there is in memory. */
    void cleaned(int fromWord, int toWord) {
        dirtyWords += set(dirty, fromWord, toWord, false);
    }

    void cpuWrote(int fromWord, int toWord) {
        dirtyWords += set(dirty, fromWord, toWord, true);
    }

    void deviceWrote(int fromWord, int toWord) {
        set(deviceWritten, fromWord, toWord, true);
        dirtyWords += set(dirty, fromWord, toWord, false);
    }

    /** Words in [from, to) the CPU wrote and nothing cleaned: a non-coherent device would read stale memory. */
    int uncleaned(int fromWord, int toWord) {
        return count(dirty, fromWord, toWord);
    }

    /** Whether any word the CPU wrote is uncleaned: {@code uncleaned(0, words) > 0}, without the count. */
    boolean anyUncleaned() {
        return dirtyWords > 0;
    }

    /** Words in [from, to) a device wrote and nothing invalidated: the CPU may read stale cache lines. */
    int uninvalidated(int fromWord, int toWord) {
        return count(deviceWritten, fromWord, toWord);
    }

    public boolean cpuWriteWindow() {
        return cpuWriteWindow;
    }

    /**
     * Sets or clears bits [from, to); a reversed or negative range throws, as BitSet's does. Returns how the
     * number of set bits changed.
     */
    private static int set(long[] bits, int from, int to, boolean value) {
        Objects.checkFromToIndex(from, to, Integer.MAX_VALUE);
        if (from == to) {
            return 0;
        }
        int changed = 0;
        int first = from >>> 6;
        int last = (to - 1) >>> 6;
        long firstMask = -1L << from;
        long lastMask = -1L >>> -to;
        for (int i = first; i <= last; i++) {
            long m = -1L;
            if (i == first) {
                m &= firstMask;
            }
            if (i == last) {
                m &= lastMask;
            }
            long was = bits[i];
            if (value) {
                bits[i] = was | m;
                changed += Long.bitCount(m & ~was);
            } else {
                bits[i] = was & ~m;
                changed -= Long.bitCount(m & was);
            }
        }
        return changed;
    }

    private static int count(long[] bits, int from, int to) {
        Objects.checkFromToIndex(from, to, Integer.MAX_VALUE);
        if (from == to) {
            return 0;
        }
        int first = from >>> 6;
        int last = (to - 1) >>> 6;
        int n = 0;
        for (int i = first; i <= last; i++) {
            long m = -1L;
            if (i == first) {
                m &= -1L << from;
            }
            if (i == last) {
                m &= -1L >>> -to;
            }
            n += Long.bitCount(bits[i] & m);
        }
        return n;
    }
}
