package org.pcmdmabuf.sim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.pcmdmabuf.model.DmaDirection;

/**
 * The simulator's CONFIG_DMA_API_DEBUG (kernel/dma/debug.c): it keeps an entry per DMA-API allocation and per
 * streaming mapping and reports, as debug.c's err_printk() does, each of: a mapping that a device may write
 * overlapping the first cache line of another such entry (active_cacheline_insert(), "overlapping mappings
 * aren't supported"; a DMA_TO_DEVICE mapping is never tracked), a sync of memory no mapping covers
 * (check_sync(), "sync DMA memory it has not allocated"), a sync in another direction than the mapping's
 * ("syncs DMA memory with different direction"), and entries still pending when the device goes away
 * (dma_debug_device_change(), "has pending DMA allocations while released from device"); the simulated device
 * goes away at the end of the run, once every process has exited. Findings are counted like protocol
 * violations and do not stop the run.
 */
final class DmaDebug {
    enum Kind {
        OVERLAP, SYNC_UNMAPPED, SYNC_DIRECTION, PENDING_AT_REMOVAL;

        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** One allocation or mapping: the first page frame it covers and the direction the device may move data. */
    private record Entry(String what, long firstPfn, DmaDirection direction) {
    }

    private static final int KEPT_MESSAGES = 8;
    private final Map<Object, Entry> active = new LinkedHashMap<>();
    private final long[] counts = new long[Kind.values().length];
    private final List<String> messages = new ArrayList<>();

    /** dma_alloc_*(): debug_dma_alloc_coherent() and debug_dma_alloc_pages() add a DMA_BIDIRECTIONAL entry. */
    void allocated(Object key, String what, long firstPfn) {
        add(key, new Entry(what, firstPfn, DmaDirection.BIDIRECTIONAL));
    }

    /** dma_map_sg(): debug_dma_map_sg() adds an entry at the original page, bounced or not. */
    void mapped(Object key, String what, long firstPfn, DmaDirection dir) {
        add(key, new Entry(what, firstPfn, dir));
    }

    /** dma_free_*() or dma_unmap_*(): the entry goes. */
    void removed(Object key) {
        active.remove(key);
    }

    /** dma_sync_*(): a sync of {@code key}'s memory in direction {@code dir}. */
    void synced(Object key, Supplier<String> what, DmaDirection dir) {
        Entry e = active.get(key);
        if (e == null) {
            finding(Kind.SYNC_UNMAPPED, what.get() + ": sync of DMA memory it has not allocated");
        } else if (e.direction != DmaDirection.BIDIRECTIONAL && e.direction != dir) {
            // check_sync() takes any direction for a BIDIRECTIONAL entry; the read-only and write-only
            // complaints it adds after this one are the same mistake, counted once here.
            finding(Kind.SYNC_DIRECTION, what.get() + ": sync with direction " + dir + ", mapped " + e.direction);
        }
    }

    /** The device goes away (driver unbind): every entry still there is a finding. */
    void deviceRemoved() {
        for (Entry e : active.values()) {
            finding(Kind.PENDING_AT_REMOVAL, e.what + ": pending DMA allocation while released from device");
        }
        active.clear();
    }

    private void add(Object key, Entry entry) {
        if (entry.direction != DmaDirection.TO_DEVICE) {
            for (Entry e : active.values()) {
                if (e.direction != DmaDirection.TO_DEVICE && e.firstPfn == entry.firstPfn) {
                    finding(Kind.OVERLAP, entry.what + " overlaps " + e.what + ": overlapping mappings aren't supported");
                    break;
                }
            }
        }
        active.put(key, entry);
    }

    private void finding(Kind k, String message) {
        counts[k.ordinal()]++;
        if (messages.size() < KEPT_MESSAGES) {
            messages.add(message);
        }
    }

    long count(Kind k) {
        return counts[k.ordinal()];
    }

    long total() {
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        return n;
    }

    /** The first few findings' messages. */
    List<String> messages() {
        return List.copyOf(messages);
    }

    /** Counts by kind, for the report: {@code overlap 1, sync-direction 0, ...}. */
    Map<String, Long> byKind() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Kind k : Kind.values()) {
            m.put(k.label(), counts[k.ordinal()]);
        }
        return m;
    }
}
