package org.pcmdmabuf.sim;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.pcmdmabuf.model.DmaBuffer;
import org.pcmdmabuf.model.MemorySystem;

/**
 * A write-back, write-allocate CPU data cache in front of buffer memory: what makes a skipped sync wrong
 * audio on a non-coherent device. CPU accesses go through it; a non-coherent DMA sees memory only, a coherent
 * one snoops it. Lines are evicted (written back) when the cache is full, least recently used first, and at
 * random times; lines are also speculatively refilled from memory at random times, as prefetchers do.
 */
public final class Cache implements MemorySystem {
    /** Cache geometry and the rates of the random events. */
    public record Config(int lineBytes, int capacityLines, double evictionsPerSecond, double refillsPerSecond) {
        public Config {
            if (lineBytes < DmaBuffer.WORD_BYTES || Integer.bitCount(lineBytes) != 1) {
                throw new IllegalArgumentException("cache line must be a power of two >= 4 bytes: " + lineBytes);
            }
            if (capacityLines < 1) {
                throw new IllegalArgumentException("cache capacity must be at least one line: " + capacityLines);
            }
            if (evictionsPerSecond < 0 || refillsPerSecond < 0) {
                throw new IllegalArgumentException("random eviction and refill rates must not be negative");
            }
        }

        public static Config defaults() {
            return new Config(64, 512, 200, 200);
        }
    }

    private static final class Line {
        final long[] data;
        boolean dirty;
        long used;

        Line(int words) {
            data = new long[words];
        }
    }

    private final Config config;
    private final int lineWords;
    private final SplitMix64 rng;
    private final Map<DmaBuffer, Line[]> lines = new IdentityHashMap<>();
    private final List<DmaBuffer> buffers = new ArrayList<>();
    private int resident;
    private long tick;
    private long writeBacks;
    private long evictions;
    private long refills;

    public Cache(Config config, SplitMix64 rng) {
        this.config = config;
        this.lineWords = config.lineBytes() / DmaBuffer.WORD_BYTES;
        this.rng = rng;
    }

    public Config config() {
        return config;
    }

    private Line[] linesOf(DmaBuffer b) {
        Line[] l = lines.get(b);
        if (l == null) {
            l = new Line[(int) ((b.bytes / DmaBuffer.WORD_BYTES + lineWords - 1) / lineWords)];
            lines.put(b, l);
            buffers.add(b);
        }
        return l;
    }

    /** The line holding {@code word}, loaded from memory if absent (write-allocate for stores too). */
    private Line load(DmaBuffer b, int word) {
        Line[] ls = linesOf(b);
        int idx = word / lineWords;
        Line line = ls[idx];
        if (line == null) {
            if (resident >= config.capacityLines()) {
                evictLeastRecentlyUsed();
            }
            line = new Line(lineWords);
            int base = idx * lineWords;
            for (int i = 0; i < lineWords && base + i < bufferWords(b); i++) {
                line.data[i] = b.word(base + i);
            }
            ls[idx] = line;
            resident++;
        }
        line.used = ++tick;
        return line;
    }

    private static int bufferWords(DmaBuffer b) {
        return (int) (b.bytes / DmaBuffer.WORD_BYTES);
    }

    @Override
    public void cpuWrite(DmaBuffer b, int word, long value) {
        Line line = load(b, word);
        line.data[word % lineWords] = value;
        line.dirty = true;
    }

    @Override
    public long cpuRead(DmaBuffer b, int word) {
        return load(b, word).data[word % lineWords];
    }

    @Override
    public long dmaRead(DmaBuffer b, int word, boolean coherent) {
        if (coherent) {
            Line[] ls = lines.get(b);
            Line line = ls == null ? null : ls[word / lineWords];
            if (line != null && line.dirty) {
                return line.data[word % lineWords];
            }
        }
        return b.word(word);
    }

    @Override
    public void dmaWrite(DmaBuffer b, int word, long value, boolean coherent) {
        setMemory(b, word, value);
        if (coherent) {
            Line[] ls = lines.get(b);
            Line line = ls == null ? null : ls[word / lineWords];
            if (line != null) {
                line.data[word % lineWords] = value;
            }
        }
    }

    @Override
    public void clean(DmaBuffer b, int from, int to) {
        Line[] ls = lines.get(b);
        if (ls == null) {
            return;
        }
        for (int idx = from / lineWords; idx < ls.length && idx * lineWords < to; idx++) {
            if (ls[idx] != null && ls[idx].dirty) {
                writeBack(b, idx, ls[idx]);
            }
        }
    }

    /** Lines wholly inside the range are dropped; a dirty line straddling its edge is cleaned first. */
    @Override
    public void invalidate(DmaBuffer b, int from, int to) {
        Line[] ls = lines.get(b);
        if (ls == null) {
            return;
        }
        for (int idx = from / lineWords; idx < ls.length && idx * lineWords < to; idx++) {
            Line line = ls[idx];
            if (line == null) {
                continue;
            }
            boolean partial = idx * lineWords < from || (idx + 1) * lineWords > to;
            if (partial && line.dirty) {
                writeBack(b, idx, line);
            }
            ls[idx] = null;
            resident--;
        }
    }

    @Override
    public void freed(DmaBuffer b) {
        Line[] ls = lines.remove(b);
        if (ls != null) {
            for (Line l : ls) {
                if (l != null) {
                    resident--;
                }
            }
            buffers.remove(b);
        }
    }

    /** A random line of a random buffer is evicted, written back if dirty. */
    public void randomEviction() {
        if (buffers.isEmpty()) {
            return;
        }
        DmaBuffer b = buffers.get(rng.nextInt(buffers.size()));
        Line[] ls = lines.get(b);
        int idx = rng.nextInt(ls.length);
        if (ls[idx] != null) {
            evict(b, ls, idx);
        }
    }

    /** A random line of a random buffer is loaded from memory if it is not cached: a speculative prefetch. */
    public void randomRefill() {
        if (buffers.isEmpty()) {
            return;
        }
        DmaBuffer b = buffers.get(rng.nextInt(buffers.size()));
        Line[] ls = lines.get(b);
        int idx = rng.nextInt(ls.length);
        if (ls[idx] == null) {
            load(b, idx * lineWords);
            refills++;
        }
    }

    private void evictLeastRecentlyUsed() {
        DmaBuffer victimBuffer = null;
        int victim = -1;
        long oldest = Long.MAX_VALUE;
        for (DmaBuffer b : buffers) {
            Line[] ls = lines.get(b);
            for (int i = 0; i < ls.length; i++) {
                if (ls[i] != null && ls[i].used < oldest) {
                    oldest = ls[i].used;
                    victimBuffer = b;
                    victim = i;
                }
            }
        }
        if (victimBuffer != null) {
            evict(victimBuffer, lines.get(victimBuffer), victim);
        }
    }

    private void evict(DmaBuffer b, Line[] ls, int idx) {
        if (ls[idx].dirty) {
            writeBack(b, idx, ls[idx]);
        }
        ls[idx] = null;
        resident--;
        evictions++;
    }

    private void writeBack(DmaBuffer b, int idx, Line line) {
        int base = idx * lineWords;
        for (int i = 0; i < lineWords && base + i < bufferWords(b); i++) {
            setMemory(b, base + i, line.data[i]);
        }
        line.dirty = false;
        writeBacks++;
    }

    private static void setMemory(DmaBuffer b, int word, long value) {
        MemorySystem.DIRECT.dmaWrite(b, word, value, false);
    }

    public long writeBacks() {
        return writeBacks;
    }

    public long evictions() {
        return evictions;
    }

    public long refills() {
        return refills;
    }

    public int resident() {
        return resident;
    }
}
