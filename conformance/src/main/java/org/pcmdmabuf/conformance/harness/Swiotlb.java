package org.pcmdmabuf.conformance.harness;

import java.util.LinkedHashMap;
import java.util.Map;
import org.pcmdmabuf.model.MemorySystem;
import org.pcmdmabuf.model.PcmHardware;
import org.pcmdmabuf.model.SndDmaBuffer;
import org.pcmdmabuf.model.Substream;

/**
 * The bounce slots of the harness's swiotlb (its kernel/dma/swiotlb.c shim decides when to copy, this holds the
 * words): a device that bounces (docs/spec.md PLAT-BOUNCE) DMAs the slot of its streaming mapping of a buffer,
 * never the buffer; every other access goes to the memory behind. The copies between slot and memory are CPU
 * copies (swiotlb_bounce() memcpy()s through the kernel's mapping), so they see and leave the CPU's cache as a
 * memcpy would. A slot holds what the last copy put there until the next one: a device's writes reach memory
 * only by a sync for the CPU or the unmap, the CPU's only by a sync for the device or the map.
 */
final class Swiotlb implements MemorySystem {
    private final MemorySystem mem;

    /** One slot of a live streaming mapping: the device that maps, the buffer, the slot's words. */
    private record Slot(int device, SndDmaBuffer buffer, long[] words) {
    }

    /** By the C's slot number, in mapping order. */
    private final Map<Integer, Slot> slots = new LinkedHashMap<>();

    Swiotlb(MemorySystem mem) {
        this.mem = mem;
    }

    /** swiotlb_tbl_map_single(): a slot for {@code device}'s mapping of {@code b}, the memory copied in. */
    void map(int slot, int device, SndDmaBuffer b) {
        Slot s = new Slot(device, b, new long[(int) ((b.bytes + SndDmaBuffer.WORD_BYTES - 1) / SndDmaBuffer.WORD_BYTES)]);
        slots.put(slot, s);
        toSlot(slot);
    }

    /** swiotlb_bounce() towards the device: what the CPU sees of the memory, into the slot. */
    boolean toSlot(int slot) {
        Slot s = slots.get(slot);
        if (s == null) {
            return false;
        }
        for (int w = 0; w < s.words.length; w++) {
            s.words[w] = mem.cpuRead(s.buffer, w);
        }
        return true;
    }

    /** swiotlb_bounce() towards the CPU: the slot over the memory. */
    boolean fromSlot(int slot) {
        Slot s = slots.get(slot);
        if (s == null) {
            return false;
        }
        mem.cpuWriteRange(s.buffer, 0, s.words.length, s.words, 0);
        return true;
    }

    /** swiotlb_tbl_unmap_single(): the slot goes back to the pool. */
    boolean unmap(int slot) {
        return slots.remove(slot) != null;
    }

    /**
     * The slot {@code s}'s DMA on {@code b} moves, null when its device reaches {@code b} directly or its data is
     * moved by the CPU (a scattered device, a VMALLOC buffer or a driver whose CPU moves the data: the harness's
     * harness_dma_target()), which copies
     * into the memory whatever the device maps.
     */
    private long[] slotOf(Substream s, SndDmaBuffer b) {
        PcmHardware hw = s.pcm.hw;
        if (!hw.bounce() || !hw.contiguous() || hw.cpuMovesData()) {
            return null;
        }
        for (Slot slot : slots.values()) {
            if (slot.device == s.pcm.index && slot.buffer == b) {
                return slot.words;
            }
        }
        return null;
    }

    @Override
    public void dmaReadRange(Substream s, SndDmaBuffer b, int from, int to, long[] out, int at) {
        long[] slot = slotOf(s, b);
        if (slot == null) {
            mem.dmaReadRange(s, b, from, to, out, at);
        } else {
            System.arraycopy(slot, from, out, at, to - from);
        }
    }

    @Override
    public void dmaWrite(Substream s, SndDmaBuffer b, int word, long value) {
        long[] slot = slotOf(s, b);
        if (slot == null) {
            mem.dmaWrite(s, b, word, value);
        } else {
            slot[word] = value;
        }
    }

    @Override
    public void cpuWrite(SndDmaBuffer b, int word, long value) {
        mem.cpuWrite(b, word, value);
    }

    @Override
    public void cpuWriteRange(SndDmaBuffer b, int from, int to, long[] values, int at) {
        mem.cpuWriteRange(b, from, to, values, at);
    }

    @Override
    public long cpuRead(SndDmaBuffer b, int word) {
        return mem.cpuRead(b, word);
    }

    @Override
    public long dmaRead(SndDmaBuffer b, int word, boolean coherent) {
        return mem.dmaRead(b, word, coherent);
    }

    @Override
    public void dmaReadRange(SndDmaBuffer b, int from, int to, boolean coherent, long[] out, int at) {
        mem.dmaReadRange(b, from, to, coherent, out, at);
    }

    @Override
    public void dmaWrite(SndDmaBuffer b, int word, long value, boolean coherent) {
        mem.dmaWrite(b, word, value, coherent);
    }

    @Override
    public void clean(SndDmaBuffer b, int from, int to) {
        mem.clean(b, from, to);
    }

    @Override
    public void invalidate(SndDmaBuffer b, int from, int to) {
        mem.invalidate(b, from, to);
    }

    @Override
    public void freed(SndDmaBuffer b) {
        mem.freed(b);
    }
}
