package org.pcmdmabuf.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.pcmdmabuf.model.Attachment;
import org.pcmdmabuf.model.BufferType;
import org.pcmdmabuf.model.DmaDirection;
import org.pcmdmabuf.model.MemorySystem;
import org.pcmdmabuf.model.SndDmaBuffer;
import org.pcmdmabuf.model.Substream;
import org.pcmdmabuf.model.Vma;

/**
 * The simulated machine's memory system on a {@link Platform} (docs/spec.md section 3), in front of the
 * {@link Cache}: physical page frames, the memory attributes of each mapping, the IOMMU, swiotlb bounce slots
 * and the DMA-API debug checks. A run on the default platform does without it (the cache alone), so its output
 * stays what it was.
 *
 * <ul>
 * <li>Memory attributes (CACHE-MEMORY-ATTRIBUTES): per buffer type the kernel's mapping and the PCM's own mmap
 * (snd_pcm_mmap_data() calls snd_dma_buffer_mmap(), sound/core/memalloc.c) are cacheable, uncached (DEV on a
 * non-coherent device: dma_mmap_coherent() with dma_pgprot(), kernel/dma/direct.c) or write-combined (DEV_WC:
 * snd_dma_wc_mmap()). An uncached or write-combined access bypasses the cache; a write-combined store reaches
 * memory at the next barrier, which every ioctl and the driver's doorbell imply, so it is modelled as reaching
 * it at once. A dma-buf's user mapping gets the same attributes unless the {@link Platform.Flaw#CACHEABLE_ALIAS}
 * variant makes it cacheable. Only NONCOHERENT and NONCONTIG buffers have a sync op in memalloc.c
 * (snd_dma_noncoherent_sync(), snd_dma_noncontig_sync()): the exporter's sync of any other type does nothing.</li>
 * <li>Page frames: a buffer's pages get frame numbers when it is first touched, consecutive for a contiguous
 * type and shuffled for a scattered one. A frame no buffer has is someone else's memory: it reads as what was
 * last stored there (0 at first) and keeps what is stored.</li>
 * <li>IOMMU (drivers/iommu/dma-iommu.c): every device address is an IOVA translated through the table page by
 * page; an allocation (iommu_dma_alloc()) and a streaming mapping (iommu_dma_map_sg()) each get one contiguous
 * IOVA range, allocated top down below 4 GiB as iommu_dma_alloc_iova() does, whatever their frames.</li>
 * <li>Kernel addresses: a coherent allocation is remapped outside the linear map (iommu_dma_alloc_remap(), or
 * dma_direct_alloc() with DMA_DIRECT_REMAP on a non-coherent device), as are VMALLOC, DEV_SG and an IOMMU's
 * NONCONTIG buffers; virt_to_page() of such an address names a frame of no buffer. The
 * {@link Platform.Flaw#VIRT_TO_PAGE} variant builds an attachment's sg table so.</li>
 * <li>swiotlb (kernel/dma/swiotlb.c): a streaming mapping on a bouncing device takes a slot and copies memory
 * into it (swiotlb_tbl_map_single() copies in every direction); the device reaches the slot only;
 * sync_for_device copies memory to the slot for TO_DEVICE and BIDIRECTIONAL (swiotlb_sync_single_for_device()),
 * sync_for_cpu and unmap copy the slot to memory for FROM_DEVICE and BIDIRECTIONAL
 * (swiotlb_sync_single_for_cpu(), swiotlb_tbl_unmap_single(); but see {@link #SKIP_CPU_SYNC}). A released slot
 * keeps its contents
 * (swiotlb_release_slots() clears nothing) and a new one holds garbage past the mapping.</li>
 * </ul>
 * The copies go through the buffer's kernel mapping with its attributes (swiotlb_bounce() memcpy()s through the
 * linear map; a second, cacheable alias of a remapped coherent buffer is not modelled: docs/decisions.md).
 * Only streaming mappings are made by the dma-buf flow: ATTACH of a dma-buf another substream exported. ATTACH
 * of the own export makes none (ATTACH-OWN-NO-MAPPING): the device keeps the allocation's address.
 */
final class PlatformMemory implements MemorySystem {
    static final int PAGE_WORDS = (int) (Substream.PAGE_SIZE / SndDmaBuffer.WORD_BYTES);
    /** Where buffers' frames start (2 GiB), where swiotlb's pool is (256 MiB), and the vmalloc area's offset. */
    private static final long FIRST_PFN = 0x80000;
    private static final long SWIOTLB_PFN = 0x10000;
    private static final long VMALLOC_BOGUS_PFN = 0x7_0000_0000L;
    /** IOVAs are allocated top down from 4 GiB (the 32-bit DMA mask). */
    private static final long IOVA_TOP_PAGE = 1L << 20;
    /** What a fresh swiotlb slot holds past what was copied in: garbage, not zeros. */
    static final long SLOT_GARBAGE = 0x5107_5107_5107_5107L;

    /**
     * The patch maps and unmaps an attachment with DMA_ATTR_SKIP_CPU_SYNC (its CPU-access syncs do the syncing):
     * swiotlb_tbl_map_single() bounces in any case, swiotlb_tbl_unmap_single() then copies nothing back.
     */
    static final boolean SKIP_CPU_SYNC = true;

    enum Attr { CACHED, UNCACHED, WRITE_COMBINED }

    /** A page frame: a page of a buffer's memory (through the cache), or raw memory (a slot, a stray page). */
    private record Frame(SndDmaBuffer buffer, long[] raw, int word) {
    }

    /**
     * How a device reaches a range: frames per page, through the IOMMU from an IOVA page when iovaPage >= 0. It
     * keeps the frame each page resolved to until the frames or the IOMMU's table change ({@link #layout}): a
     * period's DMA looks its pages up again and again, and they stay put between a mapping and its unmapping.
     */
    private static final class View {
        final long[] pfns;
        final long iovaPage;
        final Frame[] resolved;
        long resolvedAt = -1;

        View(long[] pfns, long iovaPage) {
            this.pfns = pfns;
            this.iovaPage = iovaPage;
            this.resolved = new Frame[pfns.length];
        }
    }

    /**
     * A bounce slot of swiotlb's pool. It remembers, by page, which buffer's memory it last copied and as of
     * which store: a sync bounces the whole mapping, and a page no store touched since would copy the same words
     * again.
     */
    private static final class Slot {
        final long[] words;
        final long firstPfn;
        private final SndDmaBuffer[] copiedFrom;
        private final int[] copiedWord;
        private final long[] copiedVersion;
        private final long[] copiedRawStores;

        Slot(long[] words, long firstPfn) {
            this.words = words;
            this.firstPfn = firstPfn;
            int pages = words.length / PAGE_WORDS;
            this.copiedFrom = new SndDmaBuffer[pages];
            this.copiedWord = new int[pages];
            this.copiedVersion = new long[pages];
            this.copiedRawStores = new long[pages];
        }

        /** Page {@code page} holds words [word, word + n) of {@code b}'s memory, raw stores so far {@code raw}. */
        void copied(int page, SndDmaBuffer b, int word, long raw) {
            copiedFrom[page] = b;
            copiedWord[page] = word;
            copiedVersion[page] = b.memoryVersion();
            copiedRawStores[page] = raw;
        }

        void forget(int page) {
            copiedFrom[page] = null;
        }

        void forgetAll() {
            Arrays.fill(copiedFrom, null);
        }

        /** Whether page {@code page} still holds what a copy of words [word, word + n) of {@code b} would put. */
        boolean holds(int page, SndDmaBuffer b, int word, int n, long raw) {
            return copiedFrom[page] == b && copiedWord[page] == word && copiedRawStores[page] == raw
                    && b.unstoredSince(word, word + n, copiedVersion[page]);
        }
    }

    /** An attachment's streaming mapping. */
    private record Mapping(Attachment attachment, SndDmaBuffer buffer, DmaDirection dir, View orig, Slot slot,
                           View view) {
    }

    private final Cache cache;
    private final Platform platform;
    private final boolean coherent;
    private final BufferType type;
    private final SplitMix64 rng;
    final DmaDebug debug = new DmaDebug();

    private long nextPfn = FIRST_PFN;
    private long nextSlotPfn = SWIOTLB_PFN;
    private long nextVmap;
    private long nextIovaTop = IOVA_TOP_PAGE;
    private final Map<SndDmaBuffer, long[]> pfns = new IdentityHashMap<>();
    private final Map<SndDmaBuffer, View> allocViews = new IdentityHashMap<>();
    private final Map<SndDmaBuffer, Long> vmapBase = new IdentityHashMap<>();
    private final Map<Long, Frame> frames = new HashMap<>();
    private final Map<Long, Long> iommuTable = new HashMap<>();
    private final Map<Attachment, Mapping> mappings = new IdentityHashMap<>();
    private final List<Slot> freeSlots = new ArrayList<>();
    /** Stores into raw frames (slots, stray pages) so far: a slot's page copy holds while none was made. */
    private long rawStores;
    /** Moves whenever a frame or an IOMMU entry is set or removed: what a {@link View} resolved may be stale. */
    private long layout;
    private long bounced;

    PlatformMemory(Cache cache, Platform platform, boolean coherent, SplitMix64 rng) {
        this.cache = cache;
        this.platform = platform;
        this.coherent = coherent;
        this.type = platform.bufferOn(coherent);
        this.rng = rng;
    }

    // ---- memory attributes ------------------------------------------------------------------------------

    /** The attributes of the buffer's kernel mapping, and of the PCM's own mmap of it (snd_dma_buffer_mmap()). */
    Attr kernelAttr() {
        return switch (type) {
            case DEV, DEV_SG -> coherent ? Attr.CACHED : Attr.UNCACHED;
            case DEV_WC -> Attr.WRITE_COMBINED;
            default -> Attr.CACHED;
        };
    }

    /** A user mapping's attributes: the PCM's own, unless a broken dma-buf mmap made a cacheable alias. */
    Attr userAttr(Vma via) {
        if (via.dmaBuf() != null && platform.flaws().contains(Platform.Flaw.CACHEABLE_ALIAS)) {
            return Attr.CACHED;
        }
        return kernelAttr();
    }

    /** Whether the exporter's sync does cache maintenance: memalloc.c has a sync op for these types only. */
    private boolean typeSyncs() {
        return type == BufferType.NONCOHERENT || type == BufferType.NONCONTIG;
    }

    private void write(Attr attr, SndDmaBuffer b, int from, int to, long[] values, int at) {
        touch(b);
        if (attr == Attr.CACHED) {
            cache.cpuWriteRange(b, from, to, values, at);
        } else {
            b.writeMemory(from, values, at, to - from);
        }
    }

    private long read(Attr attr, SndDmaBuffer b, int word) {
        touch(b);
        return attr == Attr.CACHED ? cache.cpuRead(b, word) : b.word(word);
    }

    /** The loads of {@link #read} of words {@code from} to {@code to}, in order, a line or a run at a time. */
    private void readRange(Attr attr, SndDmaBuffer b, int from, int to, long[] out, int at) {
        touch(b);
        if (attr == Attr.CACHED) {
            cache.cpuReadRange(b, from, to, out, at);
        } else {
            b.readMemory(from, out, at, to - from);
        }
    }

    @Override
    public void cpuWrite(SndDmaBuffer b, int word, long value) {
        touch(b);
        if (kernelAttr() == Attr.CACHED) {
            cache.cpuWrite(b, word, value);
        } else {
            b.writeMemory(word, new long[] {value}, 1);
        }
    }

    @Override
    public void cpuWriteRange(SndDmaBuffer b, int from, int to, long[] values, int at) {
        write(kernelAttr(), b, from, to, values, at);
    }

    @Override
    public long cpuRead(SndDmaBuffer b, int word) {
        return read(kernelAttr(), b, word);
    }

    @Override
    public void cpuWriteRange(Vma via, SndDmaBuffer b, int from, int to, long[] values, int at) {
        write(userAttr(via), b, from, to, values, at);
    }

    @Override
    public long cpuRead(Vma via, SndDmaBuffer b, int word) {
        return read(userAttr(via), b, word);
    }

    @Override
    public void clean(SndDmaBuffer b, int from, int to) {
        if (typeSyncs()) {
            cache.clean(b, from, to);
        }
    }

    @Override
    public void invalidate(SndDmaBuffer b, int from, int to) {
        if (typeSyncs()) {
            cache.invalidate(b, from, to);
        }
    }

    // ---- page frames, kernel addresses, the IOMMU -------------------------------------------------------

    private static int words(SndDmaBuffer b) {
        return (int) ((b.bytes + SndDmaBuffer.WORD_BYTES - 1) / SndDmaBuffer.WORD_BYTES);
    }

    private static int pages(SndDmaBuffer b) {
        return (words(b) + PAGE_WORDS - 1) / PAGE_WORDS;
    }

    /** The buffer's frames; the first touch allocates them (and the DMA-API debug entry of the allocation). */
    long[] touch(SndDmaBuffer b) {
        long[] p = pfns.get(b);
        if (p != null) {
            return p;
        }
        int n = pages(b);
        p = new long[n];
        // Scattered pages: every other frame, shuffled, so that no page's frame follows its neighbour's.
        int stride = type.scattered ? 2 : 1;
        for (int i = 0; i < n; i++) {
            p[i] = nextPfn + (long) stride * i;
        }
        if (type.scattered) {
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                long t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
        }
        nextPfn += (long) stride * n + 16;
        for (int i = 0; i < n; i++) {
            frames.put(p[i], new Frame(b, null, i * PAGE_WORDS));
            layout++;
        }
        pfns.put(b, p);
        if (!linear()) {
            vmapBase.put(b, nextVmap);
            nextVmap += n + 1;
        }
        allocViews.put(b, new View(p, platform.iommu() ? mapIova(p) : -1));
        if (type != BufferType.CONTINUOUS && type != BufferType.VMALLOC) {
            debug.allocated(b, "allocation of buffer " + b.id, p[0]);
        }
        return p;
    }

    /** Whether the buffer's kernel address lies in the linear map, where virt_to_page() is right. */
    boolean linear() {
        return switch (type) {
            case CONTINUOUS, NONCOHERENT -> true;
            case NONCONTIG -> !platform.iommu();
            case DEV, DEV_WC -> coherent && !platform.iommu();
            default -> false;
        };
    }

    /** virt_to_page() of the kernel address of each page of {@code b}. */
    private long[] virtToPage(SndDmaBuffer b) {
        long[] p = touch(b);
        if (linear()) {
            return p.clone();
        }
        long[] out = new long[p.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = VMALLOC_BOGUS_PFN + vmapBase.get(b) + i;
        }
        return out;
    }

    /** A contiguous IOVA range over {@code pfns}; its first IOVA page. */
    private long mapIova(long[] p) {
        nextIovaTop -= p.length + 1;
        long base = nextIovaTop;
        for (int i = 0; i < p.length; i++) {
            iommuTable.put(base + i, p[i]);
            layout++;
        }
        return base;
    }

    private void unmapIova(View v) {
        if (v.iovaPage >= 0) {
            for (int i = 0; i < v.pfns.length; i++) {
                iommuTable.remove(v.iovaPage + i);
                layout++;
            }
        }
    }

    /** The frame the device reaches at page {@code page} of a view: through the IOMMU's table if it has one. */
    private Frame frame(View v, int page) {
        if (page >= v.resolved.length) {
            return resolve(v, page);
        }
        if (v.resolvedAt != layout) {
            Arrays.fill(v.resolved, null);
            v.resolvedAt = layout;
        }
        Frame f = v.resolved[page];
        if (f == null) {
            // a stray frame made here is a new key: no page resolved before resolves differently
            f = resolve(v, page);
            v.resolved[page] = f;
        }
        return f;
    }

    private Frame resolve(View v, int page) {
        long pfn;
        if (v.iovaPage >= 0) {
            Long t = iommuTable.get(v.iovaPage + page);
            pfn = t == null ? -1 - page : t;
        } else {
            pfn = v.pfns[page];
        }
        return frames.computeIfAbsent(pfn, k -> new Frame(null, new long[PAGE_WORDS], 0));
    }

    /** The device address of page {@code page} of the buffer {@code s}'s DMA runs on: an IOVA or a frame's. */
    long deviceAddress(Substream s, SndDmaBuffer b, int page) {
        View v = view(s, b);
        return (v.iovaPage >= 0 ? v.iovaPage + page : v.pfns[page]) * Substream.PAGE_SIZE;
    }

    /** The frame a CPU access to page {@code page} of {@code b} reaches. */
    long pfn(SndDmaBuffer b, int page) {
        return touch(b)[page];
    }

    private View view(Substream s, SndDmaBuffer b) {
        Attachment a = s.runtime() == null ? null : s.runtime().attachment();
        if (a != null && a.dmaBuf.buffer == b) {
            Mapping m = mappings.get(a);
            if (m != null) {
                return m.view;
            }
        }
        touch(b);
        return allocViews.get(b);
    }

    // ---- the DMA engine ---------------------------------------------------------------------------------

    @Override
    public void dmaReadRange(Substream s, SndDmaBuffer b, int from, int to, long[] out, int at) {
        View v = view(s, b);
        // A device whose data the CPU moves reaches memory through the cache (PcmHardware.cpuMovesData()).
        boolean coherent = this.coherent || s.pcm.hw.cpuMovesData();
        int w = from;
        while (w < to) {
            int page = w / PAGE_WORDS;
            int end = Math.min(to, (page + 1) * PAGE_WORDS);
            int n = end - w;
            Frame f = frame(v, page);
            int off = f.word + w % PAGE_WORDS;
            if (f.buffer != null) {
                int inside = Math.max(0, Math.min(n, words(f.buffer) - off));
                cache.dmaReadRange(f.buffer, off, off + inside, coherent, out, at + w - from);
                Arrays.fill(out, at + w - from + inside, at + w - from + n, 0L);
            } else {
                System.arraycopy(f.raw, off, out, at + w - from, n);
            }
            w = end;
        }
    }

    @Override
    public void dmaWrite(Substream s, SndDmaBuffer b, int word, long value) {
        Frame f = frame(view(s, b), word / PAGE_WORDS);
        int off = f.word + word % PAGE_WORDS;
        if (f.buffer != null) {
            if (off < words(f.buffer)) {
                cache.dmaWrite(f.buffer, off, value, coherent || s.pcm.hw.cpuMovesData());
            }
        } else {
            f.raw[off] = value;
            rawStores++;
        }
    }

    @Override
    public long dmaRead(SndDmaBuffer b, int word, boolean coherentDevice) {
        return cache.dmaRead(b, word, coherentDevice);
    }

    @Override
    public void dmaWrite(SndDmaBuffer b, int word, long value, boolean coherentDevice) {
        cache.dmaWrite(b, word, value, coherentDevice);
    }

    // ---- streaming mappings: dma_buf_map_attachment(), syncs, unmap ------------------------------------

    @Override
    public void mapped(Attachment a) {
        if (!a.streaming()) {
            return;
        }
        SndDmaBuffer b = a.dmaBuf.buffer;
        View orig = new View(platform.flaws().contains(Platform.Flaw.VIRT_TO_PAGE) ? virtToPage(b) : touch(b).clone(),
                -1);
        Slot slot = null;
        long[] devicePfns = orig.pfns;
        if (platform.bounce()) {
            slot = takeSlot(devicePfns.length);
            devicePfns = new long[devicePfns.length];
            for (int i = 0; i < devicePfns.length; i++) {
                devicePfns[i] = slot.firstPfn + i;
            }
            bounce(orig, slot, true);
        }
        View v = new View(devicePfns, platform.iommu() ? mapIova(devicePfns) : -1);
        mappings.put(a, new Mapping(a, b, a.direction, orig, slot, v));
        debug.mapped(a, "mapping of attachment " + a.id, orig.pfns[0], a.direction);
    }

    @Override
    public void unmapped(Attachment a) {
        Mapping m = mappings.remove(a);
        if (m == null) {
            return;
        }
        if (platform.flaws().contains(Platform.Flaw.LEAK_MAPPING)) {
            // The device no longer runs on it, but the mapping, its slot and its IOVAs stay.
            return;
        }
        if (m.slot != null) {
            if (!SKIP_CPU_SYNC && m.dir != DmaDirection.TO_DEVICE) {
                bounce(m.orig, m.slot, false);
            }
            freeSlots.add(m.slot);
        }
        unmapIova(m.view);
        debug.removed(a);
    }

    @Override
    public void synced(Attachment a, boolean forDevice) {
        Mapping m = mappings.get(a);
        if (m == null && a.dmaBuf.exporter() == a.substream) {
            // The own export: the exporter syncs its allocation (snd_dma_buffer_sync()), no mapping of this one.
            return;
        }
        DmaDirection dir = a.direction;
        if (platform.flaws().contains(Platform.Flaw.WRONG_DIRECTION_SYNC)) {
            dir = dir == DmaDirection.TO_DEVICE ? DmaDirection.FROM_DEVICE : DmaDirection.TO_DEVICE;
        }
        // Named only for a finding: a sync runs at every period of every stream.
        debug.synced(a, () -> "sync of attachment " + a.id, dir);
        if (m == null) {
            return;
        }
        SndDmaBuffer b = m.buffer;
        int n = words(b);
        if (forDevice) {
            // dma_direct_sync_sg_for_device(): swiotlb copies first, then the arch cleans what the device reads.
            if (m.slot != null && dir != DmaDirection.FROM_DEVICE
                    && !platform.flaws().contains(Platform.Flaw.BOUNCE_NO_SYNC_FOR_DEVICE)) {
                bounce(m.orig, m.slot, true);
            }
            if (m.slot == null && !coherent) {
                cache.clean(b, 0, n);
            }
        } else {
            // dma_direct_sync_sg_for_cpu(): the arch invalidates, then swiotlb copies back.
            if (m.slot == null && !coherent && dir != DmaDirection.TO_DEVICE) {
                cache.invalidate(b, 0, n);
            }
            if (m.slot != null && dir != DmaDirection.TO_DEVICE) {
                bounce(m.orig, m.slot, false);
            }
        }
    }

    /** A slot of {@code pages} pages: a released one as it was left, else a new one of garbage. */
    private Slot takeSlot(int pages) {
        for (int i = 0; i < freeSlots.size(); i++) {
            if (freeSlots.get(i).words.length >= pages * PAGE_WORDS) {
                Slot s = freeSlots.remove(i);
                s.forgetAll();
                return s;
            }
        }
        long[] w = new long[pages * PAGE_WORDS];
        Arrays.fill(w, SLOT_GARBAGE);
        Slot s = new Slot(w, nextSlotPfn);
        for (int i = 0; i < pages; i++) {
            frames.put(nextSlotPfn + i, new Frame(null, w, i * PAGE_WORDS));
            layout++;
        }
        nextSlotPfn += pages;
        return s;
    }

    /**
     * swiotlb_bounce(): copies between the original frames and the slot, through the kernel's mapping, {@code
     * toSlot} for the DMA_TO_DEVICE copy. Only what the mapping covers (the buffer's words) is copied.
     */
    private void bounce(View orig, Slot slot, boolean toSlot) {
        Attr attr = kernelAttr();
        for (int page = 0; page < orig.pfns.length; page++) {
            Frame f = frame(orig, page);
            int base = page * PAGE_WORDS;
            int n = f.buffer != null ? Math.max(0, Math.min(PAGE_WORDS, words(f.buffer) - f.word)) : PAGE_WORDS;
            if (toSlot && f.buffer != null) {
                // Through an uncached mapping a copy reads memory only; through the cache it moves lines.
                if (attr == Attr.CACHED) {
                    readRange(attr, f.buffer, f.word, f.word + n, slot.words, base);
                    slot.forget(page);
                } else if (slot.holds(page, f.buffer, f.word, n, rawStores)) {
                    touch(f.buffer);
                } else {
                    readRange(attr, f.buffer, f.word, f.word + n, slot.words, base);
                    slot.copied(page, f.buffer, f.word, rawStores);
                }
            } else if (toSlot) {
                System.arraycopy(f.raw, f.word, slot.words, base, n);
                slot.forget(page);
            } else if (f.buffer != null) {
                write(attr, f.buffer, f.word, f.word + n, slot.words, base);
            } else {
                System.arraycopy(slot.words, base, f.raw, f.word, n);
                rawStores++;
            }
            bounced += n;
        }
    }

    /** Words swiotlb copied between memory and slots over the run. */
    long bouncedWords() {
        return bounced;
    }

    @Override
    public void freed(SndDmaBuffer b) {
        cache.freed(b);
        long[] p = pfns.remove(b);
        if (p != null) {
            for (long pfn : p) {
                frames.remove(pfn);
                layout++;
            }
            View v = allocViews.remove(b);
            unmapIova(v);
            vmapBase.remove(b);
            debug.removed(b);
        }
    }

    /** The device goes away at the end of the run: what DMA-API debug still tracks is pending. */
    void deviceRemoved() {
        debug.deviceRemoved();
    }
}
