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
            return b.words[word];
        }

        @Override
        public long dmaRead(SndDmaBuffer b, int word, boolean coherent) {
            return b.words[word];
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
