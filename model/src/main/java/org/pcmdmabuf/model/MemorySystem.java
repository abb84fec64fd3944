package org.pcmdmabuf.model;

/**
 * How the CPU and the DMA reach buffer memory, one 4-byte word at a time, or a run of words with the same
 * effect as the word-by-word accesses in order. The model's default is memory itself (everything coherent);
 * the simulator puts a write-back cache between the CPU and memory, so a skipped sync really leaves stale
 * data where the CACHE-* rules of docs/spec.md say it would.
 */
public interface MemorySystem {
    void cpuWrite(SndDmaBuffer b, int word, long value);

    long cpuRead(SndDmaBuffer b, int word);

    /** A DMA read; a coherent device snoops the CPU's cache, a non-coherent one reads memory. */
    long dmaRead(SndDmaBuffer b, int word, boolean coherent);

    /** A DMA write; a coherent device keeps the CPU's cache consistent, a non-coherent one writes memory only. */
    void dmaWrite(SndDmaBuffer b, int word, long value, boolean coherent);

    /**
     * The CPU stores {@code values[at ..]} into words [from, to): a copy_to_user()-sized store, which a cache
     * can take a line at a time instead of a word at a time.
     */
    default void cpuWriteRange(SndDmaBuffer b, int from, int to, long[] values, int at) {
        for (int w = from; w < to; w++) {
            cpuWrite(b, w, values[at + w - from]);
        }
    }

    /** A DMA burst reading words [from, to) into {@code out} from index {@code at}. */
    default void dmaReadRange(SndDmaBuffer b, int from, int to, boolean coherent, long[] out, int at) {
        for (int w = from; w < to; w++) {
            out[at + w - from] = dmaRead(b, w, coherent);
        }
    }

    /** dma_sync_*_for_device(): write back what the CPU wrote in words [from, to). */
    void clean(SndDmaBuffer b, int from, int to);

    /** dma_sync_*_for_cpu() of a FROM_DEVICE mapping: drop cached copies of words [from, to). */
    void invalidate(SndDmaBuffer b, int from, int to);

    /** The buffer's memory was freed; forget anything cached for it. */
    default void freed(SndDmaBuffer b) {
    }

    // ---- the platform (docs/spec.md section 3): who accesses, through which mapping ----------------------
    // The model's accesses name the user mapping or the device; memory without a platform ignores both.

    /** A CPU store through a user mapping, whose memory attributes may differ from the kernel's mapping's. */
    default void cpuWriteRange(Vma via, SndDmaBuffer b, int from, int to, long[] values, int at) {
        cpuWriteRange(b, from, to, values, at);
    }

    /** A CPU load through a user mapping. */
    default long cpuRead(Vma via, SndDmaBuffer b, int word) {
        return cpuRead(b, word);
    }

    /** The DMA of {@code s} reads words [from, to) of {@code b}, the buffer it runs on, by its device address. */
    default void dmaReadRange(Substream s, SndDmaBuffer b, int from, int to, long[] out, int at) {
        dmaReadRange(b, from, to, s.pcm.hw.coherent() || s.pcm.hw.cpuMovesData(), out, at);
    }

    /** The DMA of {@code s} writes a word of {@code b}, the buffer it runs on, by its device address. */
    default void dmaWrite(Substream s, SndDmaBuffer b, int word, long value) {
        dmaWrite(b, word, value, s.pcm.hw.coherent() || s.pcm.hw.cpuMovesData());
    }

    /** ATTACH mapped the attachment for its device (dma_buf_map_attachment()). */
    default void mapped(Attachment a) {
    }

    /** DETACH or HW_FREE unmapped it (dma_buf_unmap_attachment()). */
    default void unmapped(Attachment a) {
    }

    /**
     * A dma-buf CPU access synced a mapped attachment's mapping, for the device or for the CPU, after the cache
     * maintenance {@link #clean} and {@link #invalidate} did (dma_sync_sgtable_for_device/cpu()).
     */
    default void synced(Attachment a, boolean forDevice) {
    }

    /** No cache: the CPU and every device see memory directly. */
    MemorySystem DIRECT = new MemorySystem() {
        @Override
        public void cpuWrite(SndDmaBuffer b, int word, long value) {
            b.setWord(word, value);
        }

        @Override
        public void cpuWriteRange(SndDmaBuffer b, int from, int to, long[] values, int at) {
            b.writeMemory(from, values, at, to - from);
        }

        @Override
        public void dmaReadRange(SndDmaBuffer b, int from, int to, boolean coherent, long[] out, int at) {
            b.readMemory(from, out, at, to - from);
        }

        @Override
        public long cpuRead(SndDmaBuffer b, int word) {
            return b.word(word);
        }

        @Override
        public long dmaRead(SndDmaBuffer b, int word, boolean coherent) {
            return b.word(word);
        }

        @Override
        public void dmaWrite(SndDmaBuffer b, int word, long value, boolean coherent) {
            b.setWord(word, value);
        }

        @Override
        public void clean(SndDmaBuffer b, int from, int to) {
        }

        @Override
        public void invalidate(SndDmaBuffer b, int from, int to) {
        }
    };
}
