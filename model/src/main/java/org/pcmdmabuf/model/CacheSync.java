package org.pcmdmabuf.model;

import java.util.BitSet;

/**
 * The cache-sync protocol state of one buffer: which words the CPU wrote that no sync has cleaned yet, which
 * words a device wrote that no sync has invalidated yet, and which DMA_BUF_IOCTL_SYNC windows are open.
 * It does not hold cache contents (the simulator does); it tells when a sync the protocol requires was
 * skipped, which on a non-coherent device means wrong audio.
 */
public final class CacheSync {
    private final BitSet dirty;
    private final BitSet deviceWritten;
    private boolean cpuReadWindow;
    private boolean cpuWriteWindow;

    CacheSync(int words) {
        this.dirty = new BitSet(words);
        this.deviceWritten = new BitSet(words);
    }

    /** DMA_BUF_SYNC_START: dma_buf_begin_cpu_access(); a READ start invalidates what devices wrote. */
    void begin(DmaDirection dir) {
        if (dir != DmaDirection.TO_DEVICE) {
            cpuReadWindow = true;
            deviceWritten.clear();
        }
        if (dir != DmaDirection.FROM_DEVICE) {
            cpuWriteWindow = true;
        }
    }

    /** DMA_BUF_SYNC_END: dma_buf_end_cpu_access(); a WRITE end cleans what the CPU wrote. */
    void end(DmaDirection dir) {
        if (dir != DmaDirection.TO_DEVICE) {
            cpuReadWindow = false;
        }
        if (dir != DmaDirection.FROM_DEVICE) {
            cpuWriteWindow = false;
            dirty.clear();
        }
    }

    /** snd_pcm_dma_buffer_sync(SNDRV_DMA_SYNC_DEVICE): the PCM core cleans before the device reads. */
    void syncForDevice() {
        dirty.clear();
    }

    /** snd_pcm_dma_buffer_sync(SNDRV_DMA_SYNC_CPU): the PCM core invalidates before the CPU reads. */
    void syncForCpu() {
        deviceWritten.clear();
    }

    void cpuWrote(int fromWord, int toWord) {
        dirty.set(fromWord, toWord);
    }

    void deviceWrote(int fromWord, int toWord) {
        deviceWritten.set(fromWord, toWord);
        dirty.clear(fromWord, toWord);
    }

    /** Words in [from, to) the CPU wrote and nothing cleaned: a non-coherent device would read stale memory. */
    int uncleaned(int fromWord, int toWord) {
        return dirty.get(fromWord, toWord).cardinality();
    }

    /** Words in [from, to) a device wrote and nothing invalidated: the CPU may read stale cache lines. */
    int uninvalidated(int fromWord, int toWord) {
        return deviceWritten.get(fromWord, toWord).cardinality();
    }

    public boolean cpuWriteWindow() {
        return cpuWriteWindow;
    }

    public boolean cpuReadWindow() {
        return cpuReadWindow;
    }
}
