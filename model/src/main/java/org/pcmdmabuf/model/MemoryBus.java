package org.pcmdmabuf.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * The memory bus: every CPU and DMA access to buffer memory, through the pluggable {@link MemorySystem}
 * (memory itself, or the simulator's cache). Each access is judged on the way by the dma-buf protocol (a
 * {@link ProtocolViolation} where the CPU or a device touches memory it should not, stale words counted), the
 * dma-buf syncs do the DMA API's cache maintenance here, and the {@link DmaObserver} hears what the
 * devices played and captured.
 */
final class MemoryBus {
    final MemorySystem mem;
    private final Registry registry;
    private DmaObserver observer = DmaObserver.NONE;
    /** The last stamp a fill used. */
    private long stamp;
    private long staleDmaReads;
    /** Scratch for one DMA transfer's words (the model is single-threaded). */
    private long[] dmaWords = new long[0];
    /** Words a fill stores, or a check classifies, at a time: an op's memory stays bounded whatever its length. */
    private static final int CHUNK_WORDS = 1 << 14;
    /** Grown on demand up to {@link #CHUNK_WORDS}: a world is made per differential sequence, most never fill. */
    private long[] chunk = new long[0];

    MemoryBus(MemorySystem mem, Registry registry) {
        this.mem = mem;
        this.registry = registry;
    }

    void setObserver(DmaObserver observer) {
        this.observer = observer;
    }

    /** Words a playback DMA read that differ from what was last stored there: stale memory. */
    long staleDmaReads() {
        return staleDmaReads;
    }

    /** Stale words of DMA reads that were counted without being done ({@link PcmDmaEngine} skipping cycles). */
    void addStaleDmaReads(long words) {
        staleDmaReads += words;
    }

    /** Whether someone hears every frame the devices move, so that none of it may be skipped. */
    boolean observed() {
        return observer != DmaObserver.NONE;
    }

    // ---- the CPU through a mapping -------------------------------------------------------------------

    /**
     * Op {@code fill}: the CPU stores a new stamp into each 4-byte word of {@code len} bytes at byte {@code off}
     * of a mapping, a chunk at a time. A fill uses up one stamp per word it names, stored or not.
     */
    Result<Long> cpuFill(Task task, Vma vma, long off, long len) {
        long first = stamp;
        stamp += Math.max(0, len / SndDmaBuffer.WORD_BYTES);
        if (denied(task, vma, off, len, vma.write) instanceof Result<?> no) {
            return no.cast();
        }
        SndDmaBuffer b = vma.buffer;
        long start = vma.offset + off;
        long end = Math.min(start + len, b.bytes);
        if (start >= end) {
            return Result.ok(0L);
        }
        judgeWrite(vma, start, end);
        registry.touch(end - start);
        int w0 = (int) (start / SndDmaBuffer.WORD_BYTES);
        int w1 = (int) (end / SndDmaBuffer.WORD_BYTES);
        long[] chunk = chunk(w1 - w0);
        for (int w = w0; w < w1; w += CHUNK_WORDS) {
            int n = Math.min(CHUNK_WORDS, w1 - w);
            for (int i = 0; i < n; i++) {
                chunk[i] = first + 1 + (w - w0) + i;
            }
            mem.cpuWriteRange(vma, b, w, w + n, chunk, 0);
            System.arraycopy(chunk, 0, b.logical(), w, n);
        }
        b.sync.cpuWrote(w0, w1);
        return Result.ok(0L);
    }

    /**
     * The CPU stores {@code values} (one per 4-byte word) at byte {@code off} of a mapping. Words past the end
     * of the buffer (the mapping's page padding) are dropped.
     */
    Result<Long> cpuWrite(Task task, Vma vma, long off, long len, long[] values) {
        if (denied(task, vma, off, len, vma.write) instanceof Result<?> no) {
            return no.cast();
        }
        SndDmaBuffer b = vma.buffer;
        long start = vma.offset + off;
        long end = Math.min(start + len, b.bytes);
        if (start >= end) {
            return Result.ok(0L);
        }
        judgeWrite(vma, start, end);
        registry.touch(end - start);
        int w0 = (int) (start / SndDmaBuffer.WORD_BYTES);
        int w1 = (int) (end / SndDmaBuffer.WORD_BYTES);
        mem.cpuWriteRange(vma, b, w0, w1, values, 0);
        System.arraycopy(values, 0, b.logical(), w0, w1 - w0);
        b.sync.cpuWrote(w0, w1);
        return Result.ok(0L);
    }

    /** The protocol's verdict on a CPU store to bytes [start, end) of a mapping's buffer. */
    private void judgeWrite(Vma vma, long start, long end) {
        SndDmaBuffer b = vma.buffer;
        if (vma.dmaBuf() != null && usedByNonCoherentDevice(b) && !b.sync.cpuWriteWindow()) {
            registry.violation(ProtocolViolation.WRITE_OUTSIDE_WINDOW, "write to dma-buf " + vma.dmaBuf().id
                    + " without DMA_BUF_SYNC_START|WRITE");
        }
        checkDmaOwnership(b, start, end, "wrote");
    }

    /** The CPU loads the words at byte {@code off} of a mapping. */
    Result<long[]> cpuRead(Task task, Vma vma, long off, long len) {
        if (denied(task, vma, off, len, vma.read) instanceof Result<?> no) {
            return no.cast();
        }
        int[] words = judgeRead(vma, off, len);
        long[] out = new long[words[1] - words[0]];
        for (int w = words[0]; w < words[1]; w++) {
            out[w - words[0]] = mem.cpuRead(vma, vma.buffer, w);
        }
        return Result.ok(out);
    }

    /**
     * Op {@code check}: the CPU loads the words at byte {@code off} of a mapping, a chunk at a time, and each
     * frame of {@code frameWords} words (counted from the first) is classified against what was last stored.
     */
    Result<CheckCounts> cpuCheck(Task task, Vma vma, long off, long len, int frameWords) {
        if (denied(task, vma, off, len, vma.read) instanceof Result<?> no) {
            return no.cast();
        }
        int[] words = judgeRead(vma, off, len);
        // Whole frames per chunk, so that no frame is split between two classifications (a frame is at most
        // 256 channels of 8 bytes: 512 words).
        int step = CHUNK_WORDS / frameWords * frameWords;
        CheckCounts counts = new CheckCounts(0, 0, 0, 0);
        long[] chunk = chunk(Math.min(step, words[1] - words[0]));
        for (int w = words[0]; w < words[1]; w += step) {
            int n = Math.min(step, words[1] - w);
            for (int i = 0; i < n; i++) {
                chunk[i] = mem.cpuRead(vma, vma.buffer, w + i);
            }
            counts = counts.plus(CheckCounts.of(chunk, n, vma.buffer.logical(), w, frameWords));
        }
        return Result.ok(counts);
    }

    /** The chunk buffer, at least {@code words} long (at most {@link #CHUNK_WORDS}). */
    private long[] chunk(int words) {
        int n = Math.min(CHUNK_WORDS, words);
        if (chunk.length < n) {
            chunk = new long[Math.max(n, Math.min(CHUNK_WORDS, chunk.length * 2))];
        }
        return chunk;
    }

    /** The protocol's verdict on a CPU load of {@code len} bytes at {@code off}; the words loaded, [from, to). */
    private int[] judgeRead(Vma vma, long off, long len) {
        SndDmaBuffer b = vma.buffer;
        long start = vma.offset + off;
        long end = Math.max(start, Math.min(start + len, b.bytes));
        int w0 = (int) (start / SndDmaBuffer.WORD_BYTES);
        int w1 = (int) (end / SndDmaBuffer.WORD_BYTES);
        int stale = b.sync.uninvalidated(w0, w1);
        if (stale > 0) {
            registry.violation(ProtocolViolation.MISSING_START_READ, stale + " words of buffer " + b.id
                    + " read after device writes without DMA_BUF_SYNC_START|READ");
        }
        if (start < end) {
            checkDmaOwnership(b, start, end, "read");
        }
        registry.touch(end - start);
        return new int[] {w0, w1};
    }

    /**
     * Why an access is not done, or null: outside the mapping or against its protection it faults (EFAULT, the
     * model's SIGSEGV), finer than a word it is refused, through a zapped mapping it raises SIGBUS.
     */
    private static Result<Long> denied(Task task, Vma vma, long off, long len, boolean allowed) {
        if (vma.unmapped || vma.task != task || !allowed || off < 0 || len < 0 || off + len > vma.length) {
            return Result.err(Errno.EFAULT);
        }
        if (off % SndDmaBuffer.WORD_BYTES != 0 || len % SndDmaBuffer.WORD_BYTES != 0) {
            return Result.err(Errno.EINVAL);
        }
        // A zapped mapping has no pages, and the revoked dma-buf's fault handler gives none (LIFETIME-REVOKE-ZAP).
        if (vma.zapped && len > 0) {
            return Result.fault(Signal.SIGBUS);
        }
        return null;
    }

    // ---- the PCM core and the devices ----------------------------------------------------------------

    /**
     * snd_pcm_hw_params() (sound/core/pcm_native.c) memsets a buffer it reuses through the kernel's mapping,
     * "for avoiding possible kernel info leaks", so neither the CPU nor a device sees the previous stream's
     * frames (PERM-NO-STALE-DATA). The model lands the zeros in memory and drops the cache's copies, which is
     * what the memset's stores come to once written back; no word is left for a sync to owe.
     */
    void clearForReuse(SndDmaBuffer b) {
        registry.touch(b.bytes);
        mem.invalidate(b, 0, b.wordCount);
        b.clearMemory();
        b.sync.syncForDevice();
        b.sync.syncForCpu();
    }

    /**
     * The PCM core copies frames of a write() into the buffer (the CPU, through the cache): frame
     * {@code firstFrame + i} gets the stamp of {@code source} for that frame.
     */
    void copyFrames(SndDmaBuffer b, long offset, long frames, int frameBytes, int source, long firstFrame) {
        int perFrame = Math.max(1, frameBytes / SndDmaBuffer.WORD_BYTES);
        registry.touch(frames * perFrame * SndDmaBuffer.WORD_BYTES);
        int w0 = (int) (offset / SndDmaBuffer.WORD_BYTES);
        for (long i = 0; i < frames; i++) {
            long value = Stamp.of(source, firstFrame + i);
            for (int k = 0; k < perFrame; k++) {
                int w = (int) (w0 + i * perFrame + k);
                if (w < b.wordCount) {
                    mem.cpuWrite(b, w, value);
                    b.logical()[w] = value;
                }
            }
        }
        int end = (int) Math.min(b.wordCount, w0 + frames * perFrame);
        b.sync.cpuWrote(Math.min(w0, end), end);
    }

    /**
     * The DMA of {@code s} moves over {@code frames} frames of {@code b} from byte {@code offset}, the first
     * being frame {@code firstFrame} in hw_ptr space: playback reads them (a non-coherent device reads memory,
     * so uncleaned CPU writes are lost), capture writes the device's stamps.
     */
    void dmaTransfer(Substream s, SndDmaBuffer b, long offset, long frames, long firstFrame) {
        int perFrame = Math.max(1, s.runtime.frameBytes() / SndDmaBuffer.WORD_BYTES);
        // A stream attached to a dma-buf may be larger than the exporter's buffer, up to the dma-buf's page-aligned
        // size: the frames past the buffer's end are past every word, wherever they start.
        int w1 = (int) Math.min(b.wordCount, offset / SndDmaBuffer.WORD_BYTES + frames * perFrame);
        int w0 = (int) Math.min(w1, offset / SndDmaBuffer.WORD_BYTES);
        registry.touch(Registry.DMA_STEP_BYTES + frames * perFrame * SndDmaBuffer.WORD_BYTES);
        boolean coherent = s.pcm.hw.syncFree();
        if (s.stream == PcmStream.PLAYBACK) {
            int lost = coherent ? 0 : b.sync.uncleaned(w0, w1);
            if (lost > 0) {
                registry.violation(ProtocolViolation.MISSING_END_WRITE, s + " DMA read " + lost + " words of buffer "
                        + b.id + " the CPU wrote without DMA_BUF_SYNC_END|WRITE");
            }
            int n = (int) (frames * perFrame);
            if (dmaWords.length < n) {
                dmaWords = new long[n];
            }
            // Words past the buffer's end read as 0 and are not judged.
            int inside = Math.max(0, w1 - w0);
            mem.dmaReadRange(s, b, w0, w0 + inside, dmaWords, 0);
            // Stale words are rare: mismatch() skips the matching stretches between them in vector steps.
            for (int i = 0; i < inside; i++) {
                int m = Arrays.mismatch(dmaWords, i, inside, b.logical(), w0 + i, w0 + inside);
                if (m < 0) {
                    break;
                }
                staleDmaReads++;
                i += m;
            }
            Arrays.fill(dmaWords, inside, n, 0L);
            observer.played(s, firstFrame, (int) frames, dmaWords, perFrame);
            return;
        }
        int source = Stamp.deviceSource(s);
        for (long i = 0; i < frames; i++) {
            long value = Stamp.of(source, firstFrame + i);
            for (int k = 0; k < perFrame; k++) {
                int w = (int) (w0 + i * perFrame + k);
                if (w < b.wordCount) {
                    mem.dmaWrite(s, b, w, value);
                    b.logical()[w] = value;
                }
            }
            observer.captured(s, firstFrame + i);
        }
        if (!coherent) {
            b.sync.deviceWrote(w0, w1);
        }
    }

    void xrun(Substream s) {
        observer.xrun(s);
    }

    void advancing(Substream s, long ns, DmaClock clock) {
        observer.advancing(s, ns, clock);
    }

    void periodElapsed(Substream s) {
        observer.periodElapsed(s);
    }

    /** A sync of {@code b}'s memory, cache maintenance over all of it: what it costs the run. */
    void touchSync(SndDmaBuffer b) {
        registry.touch(b.bytes);
    }

    /**
     * The syncs a dma-buf's begin/end_cpu_access do on the memory (kernel-patch decision 8): every device that
     * uses it, by a mapped attachment or as the exporter still owning it, is synced with the direction of its
     * mapping; the arm64 DMA API cleans for the device in every direction and invalidates for the CPU unless
     * the mapping is TO_DEVICE. Coherent devices need nothing.
     */
    void syncUsers(DmaBuf d, boolean forDevice) {
        SndDmaBuffer b = d.buffer;
        List<Substream> synced = users(b);
        // The exporting runtime's own buffer is synced as long as it owns it (snd_dma_buffer_sync()), also
        // while its DMA runs on another dma-buf it attached.
        if (d.exporter != null && !synced.contains(d.exporter)) {
            synced.add(d.exporter);
        }
        for (Substream s : synced) {
            if (s.pcm.hw.syncFree()) {
                continue;
            }
            if (forDevice) {
                mem.clean(b, 0, b.wordCount);
            } else if (s.stream == PcmStream.CAPTURE) {
                mem.invalidate(b, 0, b.wordCount);
            }
        }
        // Then each mapped attachment's own mapping, coherent or not: it may bounce (PLAT-BOUNCE). After every
        // cache maintenance of the memory, or an invalidate for the CPU would drop what a bounce slot's copy
        // just put in the cache (docs/decisions.md, decision 32).
        for (Substream s : synced) {
            Attachment a = s.runtime == null ? null : s.runtime.attachment;
            if (a != null && a.dmaBuf == d && a.streaming) {
                mem.synced(a, forDevice);
            }
        }
    }

    /** ATTACH mapped an attachment for its device. */
    void mapped(Attachment a) {
        mem.mapped(a);
    }

    /** DETACH or HW_FREE unmapped an attachment. */
    void unmapped(Attachment a) {
        mem.unmapped(a);
    }

    /**
     * dma_sync_*_for_device() of words [from, to) of {@code b} for every device whose DMA uses it: the CPU's
     * writes there reach memory where a device does not see the cache, and no sync is owed for them.
     */
    void syncForDevices(SndDmaBuffer b, int from, int to) {
        registry.touch((long) (to - from) * SndDmaBuffer.WORD_BYTES);
        if (usedByNonCoherentDevice(b)) {
            mem.clean(b, from, to);
        }
        b.sync.cleaned(from, to);
    }

    private boolean usedByNonCoherentDevice(SndDmaBuffer b) {
        return firstUser(b, s -> !s.pcm.hw.syncFree()) != null;
    }

    /** Whether the DMA of {@code s} runs on {@code b}. */
    private static boolean runsOn(Substream s, SndDmaBuffer b) {
        return s.runtime != null && s.runtime.dmaTarget(s.pcm.hw) == b;
    }

    /**
     * The first substream, in the world's order, whose DMA runs on {@code b} and which {@code test} accepts, or
     * null: a walk that allocates no list, for the checks every CPU access makes.
     */
    private Substream firstUser(SndDmaBuffer b, Predicate<Substream> test) {
        for (Pcm pcm : registry.pcmsInOrder()) {
            for (Substream s : pcm.substreams) {
                if (runsOn(s, b) && test.test(s)) {
                    return s;
                }
            }
        }
        return null;
    }

    /** Substreams whose DMA runs on {@code b}. */
    private List<Substream> users(SndDmaBuffer b) {
        List<Substream> out = new ArrayList<>(2);
        for (Pcm pcm : registry.pcmsInOrder()) {
            for (Substream s : pcm.substreams) {
                if (runsOn(s, b)) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    /** Words per frame of the stream whose DMA runs on {@code b}, for classifying what a CPU read saw. */
    int frameWords(SndDmaBuffer b) {
        Substream s = firstUser(b, u -> u.runtime.frameBits > 0);
        return s == null ? 1 : Math.max(1, s.runtime.frameBytes() / SndDmaBuffer.WORD_BYTES);
    }

    /**
     * While a stream runs, the frames between hw_ptr and appl_ptr belong to the DMA (queued playback, or
     * capture not yet produced); a CPU access there is a protocol violation.
     */
    private void checkDmaOwnership(SndDmaBuffer b, long start, long end, String verb) {
        // the first violation is recorded, and the walk stops there
        firstUser(b, s -> !keptOffDmaFrames(s, start, end, verb));
    }

    /**
     * Whether a CPU access to bytes [start, end) of the buffer {@code s}'s DMA runs on kept off the frames that DMA
     * owns; if not, the violation is recorded.
     */
    private boolean keptOffDmaFrames(Substream s, long start, long end, String verb) {
        PcmRuntime rt = s.runtime;
        if (rt.state != PcmState.RUNNING && rt.state != PcmState.DRAINING && rt.state != PcmState.PAUSED) {
            return true;
        }
        long fb = rt.frameBytes();
        long size = rt.bufferSize;
        long first = start / fb;
        long last = Math.min((end - 1) / fb, size - 1);
        if (first > last) {
            return true;
        }
        long cpuPart = Math.min(s.stream == PcmStream.PLAYBACK ? rt.playbackAvail() : rt.captureAvail(), size);
        long applSlot = rt.applPtr % size;
        // Frames [first, last] as distances from appl_ptr's slot; the CPU owns distances below cpuPart.
        long d0 = Math.floorMod(first - applSlot, size);
        long span = last - first;
        if (d0 + span < cpuPart) {
            return true;
        }
        long bad = d0 < cpuPart ? first + (cpuPart - d0) : first;
        registry.violation(ProtocolViolation.CPU_TOUCHED_DMA_FRAMES, "CPU " + verb + " frame " + (bad % size)
                + " of " + s + " (hw_ptr " + rt.hwPtr + ", appl_ptr " + rt.applPtr + ")");
        return false;
    }
}
