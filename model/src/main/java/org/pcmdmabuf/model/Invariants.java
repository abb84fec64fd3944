package org.pcmdmabuf.model;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The model's invariants, recomputed from scratch by walking every holder, so bookkeeping bugs cannot hide
 * behind the counters they corrupt. Returns a description of the first broken one, or null.
 */
final class Invariants {
    private Invariants() {
    }

    static String check(World w, Set<File> files, Set<DmaBuf> dmaBufs, Set<Attachment> attachments,
                        Set<Vma> vmas, Set<DmaBuffer> buffers) {
        String r;
        if ((r = fileCounts(w, files, attachments, vmas)) != null) {
            return r;
        }
        if ((r = bufferCounts(w, dmaBufs, vmas, buffers)) != null) {
            return r;
        }
        if ((r = attachmentLists(w, dmaBufs, attachments)) != null) {
            return r;
        }
        if ((r = substreams(w, files, vmas, dmaBufs)) != null) {
            return r;
        }
        return nothingAfterExit(w);
    }

    /** f_count = fd-table entries + mappings + attachments; nothing reaches a released file. */
    private static String fileCounts(World w, Set<File> files, Set<Attachment> attachments, Set<Vma> vmas) {
        Map<File, Integer> holders = new IdentityHashMap<>(w.fdReferences());
        for (Vma v : vmas) {
            holders.merge(v.file, 1, Integer::sum);
        }
        for (Attachment a : attachments) {
            holders.merge(a.dmaBuf.file, 1, Integer::sum);
        }
        for (Map.Entry<File, Integer> e : holders.entrySet()) {
            if (e.getKey().released() || !files.contains(e.getKey())) {
                return "released " + e.getKey() + " still reachable (" + e.getValue() + " holders)";
            }
        }
        for (File f : files) {
            int expected = holders.getOrDefault(f, 0);
            if (f.count() != expected) {
                return f + ": f_count " + f.count() + " but " + expected + " holders";
            }
        }
        return null;
    }

    /** Buffer refcount = runtimes owning it + dma-bufs wrapping it + mappings of it; none reachable once freed. */
    private static String bufferCounts(World w, Set<DmaBuf> dmaBufs, Set<Vma> vmas, Set<DmaBuffer> buffers) {
        Map<DmaBuffer, Integer> holders = new IdentityHashMap<>();
        for (Pcm pcm : w.pcms()) {
            for (Substream s : pcm.substreams) {
                if (s.runtime != null && s.runtime.dmaBuffer != null) {
                    holders.merge(s.runtime.dmaBuffer, 1, Integer::sum);
                }
            }
        }
        for (DmaBuf d : dmaBufs) {
            if (d.released) {
                return d + " released but still registered";
            }
            holders.merge(d.buffer, 1, Integer::sum);
        }
        for (Vma v : vmas) {
            holders.merge(v.buffer, 1, Integer::sum);
        }
        for (Map.Entry<DmaBuffer, Integer> e : holders.entrySet()) {
            if (e.getKey().freed() || !buffers.contains(e.getKey())) {
                return "freed " + e.getKey() + " still reachable";
            }
        }
        for (DmaBuffer b : buffers) {
            int expected = holders.getOrDefault(b, 0);
            if (b.refcount() != expected) {
                return b + ": refcount " + b.refcount() + " but " + expected + " holders";
            }
        }
        return null;
    }

    /** An attachment is on its dma-buf's list exactly while its substream points at it, mapped. */
    private static String attachmentLists(World w, Set<DmaBuf> dmaBufs, Set<Attachment> attachments) {
        int listed = 0;
        for (DmaBuf d : dmaBufs) {
            for (Attachment a : d.attachments) {
                listed++;
                if (!attachments.contains(a) || a.dmaBuf != d || !a.mapped) {
                    return "attachment " + a.id + " on " + d + " is stale";
                }
                PcmRuntime rt = a.substream.runtime;
                if (rt == null || rt.attachment != a) {
                    return "attachment " + a.id + " on " + d + " not held by " + a.substream;
                }
            }
        }
        if (listed != attachments.size()) {
            return attachments.size() + " attachments alive but " + listed + " on dma-buf lists";
        }
        for (Pcm pcm : w.pcms()) {
            for (Substream s : pcm.substreams) {
                if (s.runtime != null && s.runtime.attachment != null && !attachments.contains(s.runtime.attachment)) {
                    return s + " points at a detached attachment";
                }
            }
        }
        return null;
    }

    /** Open counts, mmap_count, the export pointer, pointers below boundary and avail within the ring. */
    private static String substreams(World w, Set<File> files, Set<Vma> vmas, Set<DmaBuf> dmaBufs) {
        Map<Substream, Integer> opens = new IdentityHashMap<>();
        for (File f : files) {
            if (f.privateData instanceof PcmFile pf) {
                opens.merge(pf.substream(), 1, Integer::sum);
            }
        }
        Map<Substream, Integer> maps = new IdentityHashMap<>();
        for (Vma v : vmas) {
            if (v.substream != null) {
                maps.merge(v.substream, 1, Integer::sum);
            }
        }
        for (Pcm pcm : w.pcms()) {
            for (Substream s : pcm.substreams) {
                int o = opens.getOrDefault(s, 0);
                if (s.refCount != o || (s.runtime != null) != (o > 0)) {
                    return s + ": ref_count " + s.refCount + ", " + o + " open files, runtime " + s.runtime;
                }
                if (s.mmapCount != maps.getOrDefault(s, 0)) {
                    return s + ": mmap_count " + s.mmapCount + " but " + maps.getOrDefault(s, 0) + " mappings";
                }
                if (s.runtime != null) {
                    String r = runtime(s, dmaBufs);
                    if (r != null) {
                        return r;
                    }
                }
            }
        }
        return null;
    }

    private static String runtime(Substream s, Set<DmaBuf> dmaBufs) {
        PcmRuntime rt = s.runtime;
        DmaBuf d = rt.export;
        if (d != null && (!dmaBufs.contains(d) || d.exporter != s || d.buffer != rt.dmaBuffer)) {
            return s + ": export pointer to " + d + " is stale";
        }
        boolean configured = rt.state != PcmState.OPEN;
        if (configured != (rt.dmaBuffer != null) && rt.state != PcmState.DISCONNECTED) {
            return s + " in " + rt.state + " with buffer " + rt.dmaBuffer;
        }
        if (rt.boundary == 0) {
            return rt.hwPtr == 0 && rt.applPtr == 0 ? null : s + ": pointers set before hw_params";
        }
        for (long p : new long[] {rt.hwPtr, rt.applPtr, rt.devicePtr}) {
            if (p < 0 || p >= rt.boundary) {
                return s + ": pointer " + p + " outside [0, boundary " + rt.boundary + ")";
            }
        }
        boolean ringState = switch (rt.state) {
            case PREPARED, RUNNING, PAUSED, DRAINING -> true;
            default -> false;
        };
        if (ringState && !rt.applPtrWild && rt.stopThreshold <= rt.bufferSize) {
            long avail = s.avail();
            if (avail < 0 || avail > rt.bufferSize) {
                return s + " in " + rt.state + ": avail " + avail + " outside [0, " + rt.bufferSize
                        + "] (hw_ptr " + rt.hwPtr + ", appl_ptr " + rt.applPtr + ")";
            }
        }
        return null;
    }

    /** Once every process has exited nothing remains: no file, dma-buf, attachment, mapping or buffer. */
    private static String nothingAfterExit(World w) {
        if (w.tasks().isEmpty()) {
            return null;
        }
        for (Task t : w.tasks()) {
            if (!t.exited) {
                return null;
            }
            if (!t.files.entries().isEmpty() || !t.vmas.isEmpty()) {
                return t + " exited with fds or mappings left";
            }
        }
        Leaks l = w.leaks();
        return l.none() ? null : "every process exited but objects remain: " + l;
    }
}
