package org.pcmdmabuf.model;

import java.util.Arrays;

/**
 * The memory a PCM's DMA runs on: struct snd_dma_buffer given a reference count, as the patch does so that
 * an exported buffer outlives hw_free. Holders: the runtime that allocated it, every dma-buf wrapping it and
 * every CPU mapping of it (LIFETIME-HANDOVER, LIFETIME-FREE-LAST in docs/spec.md).
 *
 * <p>Contents are kept as one stamp per 4-byte word (0: never written), enough to tell which write a reader
 * sees; the simulator adds the cache between CPU and memory.
 */
public final class SndDmaBuffer {
    public static final int WORD_BYTES = 4;
    private static final int PAGE_WORDS = (int) (Substream.PAGE_SIZE / WORD_BYTES);

    public final int id;
    public final long bytes;
    /** Physically contiguous, or scattered pages (the buffer type is DEV_SG, NONCONTIG or VMALLOC). */
    public final boolean contiguous;
    /** The card the memory is charged to (card->total_pcm_alloc_bytes) until it is freed. */
    public final Pcm card;
    /** Whole or partial 4-byte words of memory. */
    final int wordCount;
    /**
     * Memory, one stamp per word; null while every word is 0, until the first store: a differential run makes a
     * world per sequence, most of their buffers are never written, and zeroing them cost more than the sequences'
     * ops. An access out of bounds materialises the array and fails on it, so it fails exactly as it always did.
     */
    private long[] words;
    /**
     * What every word would hold with no cache at all (the last value any CPU or device stored); null while all
     * are 0, until the first store or a comparison that reads it as an array.
     */
    private long[] logical;
    final CacheSync sync;
    private int refcount = 1;
    private boolean freed;
    /** Stores into memory so far: memory two checks saw equal and no store touched since is still equal. */
    private long memoryVersion;
    /** By page: the {@link #memoryVersion} of the last store that touched it. */
    private final long[] pageStoredAt;

    SndDmaBuffer(int id, long bytes, boolean contiguous, Pcm card) {
        this.id = id;
        this.bytes = bytes;
        this.contiguous = contiguous;
        this.card = card;
        this.wordCount = (int) ((bytes + WORD_BYTES - 1) / WORD_BYTES);
        this.sync = new CacheSync(wordCount);
        this.pageStoredAt = new long[(wordCount + PAGE_WORDS - 1) / PAGE_WORDS];
    }

    public int refcount() {
        return refcount;
    }

    public boolean freed() {
        return freed;
    }

    /** The word as memory holds it (not what a CPU cache may hold). */
    public long word(int index) {
        if (words == null && index >= 0 && index < wordCount) {
            return 0;
        }
        return memory()[index];
    }

    /** Memory as an array to store into. */
    private long[] memory() {
        if (words == null) {
            words = new long[wordCount];
        }
        return words;
    }

    /** The coherent view ({@link #logical(int)}) as an array to read or store into. */
    long[] logical() {
        if (logical == null) {
            logical = new long[wordCount];
        }
        return logical;
    }

    /**
     * How many times memory was stored into; unchanged means memory is unchanged. Lets a comparison that
     * runs after every op skip memory no op touched since it last compared.
     */
    public long memoryVersion() {
        return memoryVersion;
    }

    /**
     * Whether no store into memory touched words [{@code from}, {@code to}) since {@link #memoryVersion()} was
     * {@code version}: a copy made then is still a copy (a bounce slot's, PlatformMemory). Answered by page,
     * so a store near the range may make it answer false, never a store in it true.
     */
    public boolean unstoredSince(int from, int to, long version) {
        for (int p = from / PAGE_WORDS; p < pageStoredAt.length && p * PAGE_WORDS < to; p++) {
            if (pageStoredAt[p] > version) {
                return false;
            }
        }
        return true;
    }

    private void stored(int from, int n) {
        memoryVersion++;
        for (int p = Math.max(0, from) / PAGE_WORDS; p < pageStoredAt.length && p * PAGE_WORDS < from + n; p++) {
            pageStoredAt[p] = memoryVersion;
        }
    }

    /**
     * The first of this buffer's whole words that {@code other}'s memory holds differently, or -1: two
     * targets' memories compared after every op of a differential run, so in one vectorised pass.
     */
    public int firstDifference(SndDmaBuffer other) {
        int n = (int) (bytes / WORD_BYTES);
        if ((words == null || other.words == null) && n <= other.wordCount) {
            return firstNonZero(words != null ? words : other.words, n);
        }
        return Arrays.mismatch(memory(), 0, n, other.memory(), 0, n);
    }

    /** The index of the first of {@code n} words of {@code a} that is not 0 (-1 for none, or a null array). */
    private static int firstNonZero(long[] a, int n) {
        if (a != null) {
            for (int i = 0; i < n; i++) {
                if (a[i] != 0) {
                    return i;
                }
            }
        }
        return -1;
    }

    /**
     * Copies {@code n} words of memory from word {@code from} into {@code dst} (a cache line fill); returns how
     * many there were (fewer at the end of the buffer).
     */
    public int readMemory(int from, long[] dst, int n) {
        return readMemory(from, dst, 0, n);
    }

    /** As {@link #readMemory(int, long[], int)}, into {@code dst} from index {@code at}. */
    public int readMemory(int from, long[] dst, int at, int n) {
        int copied = Math.min(n, wordCount - from);
        if (words == null && from >= 0 && copied >= 0 && at >= 0 && at <= dst.length - copied) {
            Arrays.fill(dst, at, at + copied, 0L);
            return copied;
        }
        System.arraycopy(memory(), from, dst, at, copied);
        return copied;
    }

    /** Stores {@code n} words of {@code src} into memory from word {@code from} (a cache line write-back). */
    public void writeMemory(int from, long[] src, int n) {
        writeMemory(from, src, 0, n);
    }

    /** As {@link #writeMemory(int, long[], int)}, from {@code src} index {@code at}. */
    public void writeMemory(int from, long[] src, int at, int n) {
        int stored = Math.min(n, wordCount - from);
        System.arraycopy(src, at, memory(), from, stored);
        stored(from, stored);
    }

    /** Stores one word into memory. */
    void setWord(int index, long value) {
        memory()[index] = value;
        stored(index, 1);
    }

    /** Memory reused by a new hw_params starts as never written, for every observer. */
    void clearMemory() {
        words = null;
        logical = null;
        stored(0, wordCount);
    }

    /** The word as a coherent system would hold it: the last value stored by anyone. */
    public long logical(int index) {
        if (logical == null && index >= 0 && index < wordCount) {
            return 0;
        }
        return logical()[index];
    }

    public CacheSync sync() {
        return sync;
    }

    void get() {
        if (freed) {
            throw new InvariantViolation("get on freed buffer " + id);
        }
        refcount++;
    }

    /** Drops one reference; returns true when that freed the memory. */
    boolean put() {
        if (freed || refcount <= 0) {
            throw new InvariantViolation("put on freed buffer " + id);
        }
        if (--refcount == 0) {
            freed = true;
            return true;
        }
        return false;
    }

    @Override
    public String toString() {
        return "buffer#" + id + "(" + bytes + "B, ref " + refcount + ")";
    }
}
