package org.pcmdmabuf.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.pcmdmabuf.model.SndDmaBuffer;
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
            if (lineBytes < SndDmaBuffer.WORD_BYTES || Integer.bitCount(lineBytes) != 1) {
                throw new IllegalArgumentException("cache line must be a power of two >= 4 bytes: " + lineBytes);
            }
            if (capacityLines < 1) {
                throw new IllegalArgumentException("cache capacity must be at least one line: " + capacityLines);
            }
            // NaN passes "< 0" and makes the mean gap between events 0: one event per nanosecond, forever.
            if (!(evictionsPerSecond >= 0) || !(refillsPerSecond >= 0) || Double.isInfinite(evictionsPerSecond)
                    || Double.isInfinite(refillsPerSecond)) {
                throw new IllegalArgumentException("random eviction and refill rates must be finite and not negative");
            }
        }

        public static Config defaults() {
            return new Config(64, 512, 200, 200);
        }
    }

    /**
     * A cached line, on the LRU list (most recent at the head) while resident. Dropped lines are kept for the
     * next miss (a streaming workload misses on every line), so a fill costs a copy and no allocation.
     */
    private static final class Line {
        final long[] data;
        SndDmaBuffer buffer;
        /** The buffer's line table, so an eviction needs no look-up. */
        Line[] table;
        int index;
        boolean dirty;
        Line newer;
        Line older;

        Line(int words) {
            data = new long[words];
        }
    }

    private final Config config;
    private final int lineWords;
    private final int lineShift;
    private final int wordMask;
    private final SplitMix64 rng;
    private final Map<SndDmaBuffer, Line[]> lines = new IdentityHashMap<>();
    private final List<SndDmaBuffer> buffers = new ArrayList<>();
    private int resident;
    /** The last buffer looked up, and its lines: accesses come in runs over one buffer. */
    private SndDmaBuffer lastBuffer;
    private Line[] lastLines;
    /** The LRU list: most recently used first. */
    private Line newest;
    private Line oldest;
    /** Dropped lines, linked by {@code older}. */
    private Line free;
    private long writeBacks;
    private long linesCleaned;
    private long linesInvalidated;
    private long evictions;
    private long refills;

    public Cache(Config config, SplitMix64 rng) {
        this.config = config;
        this.lineWords = config.lineBytes() / SndDmaBuffer.WORD_BYTES;
        this.lineShift = Integer.numberOfTrailingZeros(lineWords);
        this.wordMask = lineWords - 1;
        this.rng = rng;
    }

    /**
     * A cache without random evictions or refills: what it holds follows from the accesses alone, so a script
     * run on it answers the same every time, and two targets behind two such caches can be compared op by op.
     */
    public static Cache exact(int lineBytes, int capacityLines) {
        return new Cache(new Config(lineBytes, capacityLines, 0, 0), new SplitMix64(0));
    }

    public Config config() {
        return config;
    }

    private Line[] linesOf(SndDmaBuffer b) {
        if (b == lastBuffer) {
            return lastLines;
        }
        Line[] l = lines.get(b);
        if (l == null) {
            l = new Line[(int) ((b.bytes / SndDmaBuffer.WORD_BYTES + lineWords - 1) / lineWords)];
            lines.put(b, l);
            buffers.add(b);
        }
        lastBuffer = b;
        lastLines = l;
        return l;
    }

    /** The lines of {@code b} if any of it was ever cached, else null; no table is created. */
    private Line[] peekLines(SndDmaBuffer b) {
        if (b == lastBuffer) {
            return lastLines;
        }
        Line[] l = lines.get(b);
        if (l != null) {
            lastBuffer = b;
            lastLines = l;
        }
        return l;
    }

    /** The line holding {@code word}, loaded from memory if absent (write-allocate for stores too). */
    private Line load(SndDmaBuffer b, int word) {
        Line[] ls = linesOf(b);
        int idx = word >>> lineShift;
        Line line = ls[idx];
        if (line == null) {
            if (resident >= config.capacityLines()) {
                evict(oldest.buffer, oldest.table, oldest.index);
            }
            line = fill(b, ls, idx);
            ls[idx] = line;
            resident++;
            linkNewest(line);
        } else if (line != newest) {
            unlink(line);
            linkNewest(line);
        }
        return line;
    }

    @Override
    public void cpuWrite(SndDmaBuffer b, int word, long value) {
        Line line = load(b, word);
        line.data[word & wordMask] = value;
        line.dirty = true;
    }

    /** Line by line: each line is loaded once, as the first of its words would load it, then stored into. */
    @Override
    public void cpuWriteRange(SndDmaBuffer b, int from, int to, long[] values, int at) {
        int w = from;
        while (w < to) {
            Line line = load(b, w);
            int end = Math.min(to, ((w >>> lineShift) + 1) << lineShift);
            System.arraycopy(values, at + w - from, line.data, w & wordMask, end - w);
            line.dirty = true;
            w = end;
        }
    }

    @Override
    public long cpuRead(SndDmaBuffer b, int word) {
        return load(b, word).data[word & wordMask];
    }

    /**
     * The CPU's loads of words {@code from} to {@code to} in order, line by line: each line is loaded once, as the
     * first of its words would load it (the rest of its words find it newest already), then copied out.
     */
    void cpuReadRange(SndDmaBuffer b, int from, int to, long[] out, int at) {
        int w = from;
        while (w < to) {
            Line line = load(b, w);
            int end = Math.min(to, ((w >>> lineShift) + 1) << lineShift);
            System.arraycopy(line.data, w & wordMask, out, at + w - from, end - w);
            w = end;
        }
    }

    @Override
    public long dmaRead(SndDmaBuffer b, int word, boolean coherent) {
        if (coherent) {
            Line[] ls = peekLines(b);
            Line line = ls == null ? null : ls[word >>> lineShift];
            if (line != null && line.dirty) {
                return line.data[word & wordMask];
            }
        }
        return b.word(word);
    }

    /** Line by line: memory, except that a coherent device snoops the dirty lines. */
    @Override
    public void dmaReadRange(SndDmaBuffer b, int from, int to, boolean coherent, long[] out, int at) {
        Line[] ls = coherent ? peekLines(b) : null;
        if (ls == null) {
            b.readMemory(from, out, at, to - from);
            return;
        }
        int w = from;
        while (w < to) {
            int end = Math.min(to, ((w >>> lineShift) + 1) << lineShift);
            Line line = ls[w >>> lineShift];
            if (line != null && line.dirty) {
                System.arraycopy(line.data, w & wordMask, out, at + w - from, end - w);
            } else {
                b.readMemory(w, out, at + w - from, end - w);
            }
            w = end;
        }
    }

    @Override
    public void dmaWrite(SndDmaBuffer b, int word, long value, boolean coherent) {
        setMemory(b, word, value);
        if (coherent) {
            Line[] ls = peekLines(b);
            Line line = ls == null ? null : ls[word >>> lineShift];
            if (line != null) {
                line.data[word & wordMask] = value;
            }
        }
    }

    /**
     * Counts every line of the range as maintained, cached or not: dcache_clean_poc() and friends walk a
     * virtual address range line by line, so that is what a sync costs.
     */
    @Override
    public void clean(SndDmaBuffer b, int from, int to) {
        linesCleaned += linesIn(from, to);
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
    public void invalidate(SndDmaBuffer b, int from, int to) {
        linesInvalidated += linesIn(from, to);
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
            drop(ls, idx);
        }
    }

    @Override
    public void freed(SndDmaBuffer b) {
        Line[] ls = lines.get(b);
        if (ls != null) {
            for (int i = 0; i < ls.length; i++) {
                if (ls[i] != null) {
                    drop(ls, i);
                }
            }
            lines.remove(b);
            buffers.remove(b);
            if (lastBuffer == b) {
                lastBuffer = null;
                lastLines = null;
            }
        }
    }

    /** A random line of a random buffer is evicted, written back if dirty. */
    public void randomEviction() {
        Pick p = pick(rng);
        if (p != null && p.line() != null) {
            evict(p.buffer, p.lines, p.index);
        }
    }

    /** A random line of a random buffer is loaded from memory if it is not cached: a speculative prefetch. */
    public void randomRefill() {
        Pick p = pick(rng);
        if (p != null && p.line() == null) {
            load(p.buffer, p.index * lineWords);
            refills++;
        }
    }

    /**
     * Whether the next {@link #randomEviction()} leaves memory and every dirty line as they are: its line is not
     * cached, or clean. Nothing is drawn.
     */
    public boolean nextEvictionWritesNothing() {
        Pick p = pick(rng.copy());
        return p == null || p.line() == null || !p.line().dirty;
    }

    /** Whether the next {@link #randomRefill()} does nothing: its line is cached already. Nothing is drawn. */
    public boolean nextRefillLoadsNothing() {
        Pick p = pick(rng.copy());
        return p == null || p.line() != null;
    }

    /** A line slot of a buffer, cached or not. */
    private record Pick(SndDmaBuffer buffer, Line[] lines, int index) {
        Line line() {
            return lines[index];
        }
    }

    /** The random events' draw: a buffer ever cached, then one of its line slots; null when there is none. */
    private Pick pick(SplitMix64 r) {
        if (buffers.isEmpty()) {
            return null;
        }
        SndDmaBuffer b = buffers.get(r.nextInt(buffers.size()));
        Line[] ls = lines.get(b);
        return new Pick(b, ls, r.nextInt(ls.length));
    }

    private long linesIn(int from, int to) {
        return to <= from ? 0 : ((to - 1L) >>> lineShift) - (from >>> lineShift) + 1;
    }

    /** A line of {@code b} at {@code idx} with memory's contents, reusing a dropped line when there is one. */
    private Line fill(SndDmaBuffer b, Line[] ls, int idx) {
        Line line = free;
        if (line != null) {
            free = line.older;
            line.older = null;
            line.dirty = false;
        } else {
            line = new Line(lineWords);
        }
        line.buffer = b;
        line.table = ls;
        line.index = idx;
        int n = b.readMemory(idx * lineWords, line.data, lineWords);
        if (n < lineWords) {
            Arrays.fill(line.data, n, lineWords, 0L);
        }
        return line;
    }

    private void linkNewest(Line line) {
        line.older = newest;
        line.newer = null;
        if (newest != null) {
            newest.newer = line;
        }
        newest = line;
        if (oldest == null) {
            oldest = line;
        }
    }

    private void unlink(Line line) {
        if (line.newer != null) {
            line.newer.older = line.older;
        } else {
            newest = line.older;
        }
        if (line.older != null) {
            line.older.newer = line.newer;
        } else {
            oldest = line.newer;
        }
        line.newer = null;
        line.older = null;
    }

    /** Drops a resident line from the cache (its data is lost unless the caller wrote it back). */
    private void drop(Line[] ls, int idx) {
        Line line = ls[idx];
        unlink(line);
        ls[idx] = null;
        resident--;
        line.buffer = null;
        line.table = null;
        line.older = free;
        free = line;
    }

    private void evict(SndDmaBuffer b, Line[] ls, int idx) {
        if (ls[idx].dirty) {
            writeBack(b, idx, ls[idx]);
        }
        drop(ls, idx);
        evictions++;
    }

    private void writeBack(SndDmaBuffer b, int idx, Line line) {
        b.writeMemory(idx * lineWords, line.data, lineWords);
        line.dirty = false;
        writeBacks++;
    }

    private static void setMemory(SndDmaBuffer b, int word, long value) {
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

    /** Cache lines a clean (dma_sync_*_for_device) walked, over the whole run. */
    public long linesCleaned() {
        return linesCleaned;
    }

    /** Cache lines an invalidate (dma_sync_*_for_cpu) walked, over the whole run. */
    public long linesInvalidated() {
        return linesInvalidated;
    }
}
