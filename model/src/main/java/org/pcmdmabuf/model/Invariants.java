package org.pcmdmabuf.model;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The model's invariants, recomputed from scratch by walking every holder, so bookkeeping bugs cannot hide
 * behind the counters they corrupt. Returns a description of the first broken one, or null.
 *
 * <p>They run after every op, so the simulator spends most of its time here unless the walk is cheap: a first
 * pass ({@link Recount}) recomputes every count into reused arrays indexed by object id and only answers
 * whether all hold; when one does not, the map-based pass below finds and describes the first broken one.
 */
final class Invariants {
    private Invariants() {
    }

    /** {@code recount} is the world's own: a world is used by one thread at a time. */
    static String check(World w, Recount recount, World.Live<File> files, World.Live<DmaBuf> dmaBufs,
                        World.Live<Attachment> attachments, World.Live<Vma> vmas, World.Live<DmaBuffer> buffers) {
        List<Task> tasks = w.tasksInOrder();
        if (recount.holds(w, tasks, files, dmaBufs, attachments, vmas, buffers)) {
            return nothingAfterExit(w, tasks);
        }
        return describe(w, files, dmaBufs, attachments, vmas, buffers);
    }

    private static String describe(World w, Set<File> files, Set<DmaBuf> dmaBufs, Set<Attachment> attachments,
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
        return nothingAfterExit(w, w.tasksInOrder());
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
        for (Pcm pcm : w.pcmsInOrder()) {
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
        for (Pcm pcm : w.pcmsInOrder()) {
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
        for (Pcm pcm : w.pcmsInOrder()) {
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
    private static String nothingAfterExit(World w, List<Task> tasks) {
        if (tasks.isEmpty()) {
            return null;
        }
        for (Task t : tasks) {
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

    /**
     * The same invariants as the map-based pass, as one yes/no. Objects of a world have distinct ids (one
     * counter numbers files, dma-bufs, attachments, buffers and mappings), so a count per id in arrays reused
     * across checks replaces the identity maps; a generation number per check stands for clearing them.
     * Substreams are numbered by their position in the world instead. A set is copied out only when it
     * changed ({@link World.Live}), since iterating a linked hash set costs more than the checks themselves,
     * and each kind of holder is walked once, every invariant about it checked in that walk.
     */
    static final class Recount {
        /** Beyond this many ids the arrays would cost more than the maps; the map-based pass decides. */
        private static final int MAX_ID = 1 << 20;

        private int[] seen = new int[64];
        private int[] count = new int[64];
        private int[] opens = new int[8];
        private int[] maps = new int[8];
        private int[] pcmBase = new int[4];
        private int generation;
        private File[] files = new File[16];
        private DmaBuf[] dmaBufs = new DmaBuf[4];
        private Attachment[] attachments = new Attachment[4];
        private Vma[] vmas = new Vma[8];
        private DmaBuffer[] buffers = new DmaBuffer[4];
        private int nFiles;
        private int nDmaBufs;
        private int nAttachments;
        private int nVmas;
        private int nBuffers;
        /** The sets' change counts when last copied out; -1 before the first copy. */
        private long fileChanges = -1;
        private long dmaBufChanges = -1;
        private long attachmentChanges = -1;
        private long vmaChanges = -1;
        private long bufferChanges = -1;
        private boolean fdTablesHold;
        private final BiConsumer<Integer, File> countFd = (fd, f) -> fdTablesHold &= holdFile(f);

        boolean holds(World w, List<Task> tasks, World.Live<File> fileSet, World.Live<DmaBuf> dmaBufSet,
                      World.Live<Attachment> attachmentSet, World.Live<Vma> vmaSet,
                      World.Live<DmaBuffer> bufferSet) {
            if (++generation == 0) {
                Arrays.fill(seen, 0);
                generation = 1;
            }
            // A set whose change count has not moved holds what was copied out of it last time.
            if (fileSet.changes() != fileChanges) {
                files = fileSet.toArray(files);
                nFiles = fileSet.size();
                fileChanges = fileSet.changes();
            }
            if (dmaBufSet.changes() != dmaBufChanges) {
                dmaBufs = dmaBufSet.toArray(dmaBufs);
                nDmaBufs = dmaBufSet.size();
                dmaBufChanges = dmaBufSet.changes();
            }
            if (attachmentSet.changes() != attachmentChanges) {
                attachments = attachmentSet.toArray(attachments);
                nAttachments = attachmentSet.size();
                attachmentChanges = attachmentSet.changes();
            }
            if (vmaSet.changes() != vmaChanges) {
                vmas = vmaSet.toArray(vmas);
                nVmas = vmaSet.size();
                vmaChanges = vmaSet.changes();
            }
            if (bufferSet.changes() != bufferChanges) {
                buffers = bufferSet.toArray(buffers);
                nBuffers = bufferSet.size();
                bufferChanges = bufferSet.changes();
            }
            List<Pcm> pcms = w.pcmsInOrder();
            return entered() && holdersHold(tasks, pcms) && countsHold(pcms);
        }

        /** Makes every live object a member with no holders yet; ids are distinct across kinds. */
        private boolean entered() {
            for (int i = 0; i < nFiles; i++) {
                if (!enter(files[i].id)) {
                    return false;
                }
            }
            for (int i = 0; i < nBuffers; i++) {
                if (!enter(buffers[i].id)) {
                    return false;
                }
            }
            for (int i = 0; i < nDmaBufs; i++) {
                if (!enter(dmaBufs[i].id)) {
                    return false;
                }
            }
            for (int i = 0; i < nAttachments; i++) {
                if (!enter(attachments[i].id)) {
                    return false;
                }
            }
            return true;
        }

        /**
         * Counts every holder into what it holds, each kind of holder walked once (the check runs after every
         * op, and a walk per invariant cost more than the invariants); false at a holder of a non-member, a
         * released file or a freed buffer, or a stale attachment.
         */
        private boolean holdersHold(List<Task> tasks, List<Pcm> pcms) {
            countSlots(pcms);
            fdTablesHold = true;
            // Indexed loops over the world's lists: an iterator per loop per check shows in the profile.
            for (int i = 0; i < tasks.size(); i++) {
                // forEach runs inside the TreeMap; iterating the unmodifiable view costs an interface call a step.
                tasks.get(i).files.forEach(countFd);
            }
            if (!fdTablesHold) {
                return false;
            }
            for (int i = 0; i < nVmas; i++) {
                Vma v = vmas[i];
                if (!holdFile(v.file) || !holdBuffer(v.buffer)) {
                    return false;
                }
                if (v.substream != null) {
                    maps[slot(v.substream)]++;
                }
            }
            for (int i = 0; i < nAttachments; i++) {
                if (!holdFile(attachments[i].dmaBuf.file)) {
                    return false;
                }
            }
            // An attachment is on its dma-buf's list exactly while its substream points at it, mapped.
            int listed = 0;
            for (int i = 0; i < nDmaBufs; i++) {
                DmaBuf d = dmaBufs[i];
                if (d.released || !holdBuffer(d.buffer)) {
                    return false;
                }
                for (int k = 0; k < d.attachments.size(); k++) {
                    Attachment a = d.attachments.get(k);
                    listed++;
                    if (!member(a.id) || a.dmaBuf != d || !a.mapped) {
                        return false;
                    }
                    PcmRuntime rt = a.substream.runtime;
                    if (rt == null || rt.attachment != a) {
                        return false;
                    }
                }
            }
            if (listed != nAttachments) {
                return false;
            }
            for (int p = 0; p < pcms.size(); p++) {
                List<Substream> subs = pcms.get(p).substreams;
                for (int k = 0; k < subs.size(); k++) {
                    PcmRuntime rt = subs.get(k).runtime;
                    if (rt == null) {
                        continue;
                    }
                    if (rt.dmaBuffer != null && !holdBuffer(rt.dmaBuffer)) {
                        return false;
                    }
                    if (rt.attachment != null && !member(rt.attachment.id)) {
                        return false;
                    }
                }
            }
            return true;
        }

        private boolean holdFile(File f) {
            return hold(f.id) && !f.released();
        }

        private boolean holdBuffer(DmaBuffer b) {
            return hold(b.id) && !b.freed();
        }

        /** Numbers the substreams by their position in the world and clears their open and mapping counts. */
        private void countSlots(List<Pcm> pcms) {
            if (pcmBase.length < pcms.size()) {
                pcmBase = new int[pcms.size() * 2];
            }
            int n = 0;
            for (int p = 0; p < pcms.size(); p++) {
                Pcm pcm = pcms.get(p);
                pcmBase[pcm.index] = n;
                n += pcm.substreams.size();
            }
            if (opens.length < n) {
                opens = new int[n * 2];
                maps = new int[n * 2];
            }
            Arrays.fill(opens, 0, n, 0);
            Arrays.fill(maps, 0, n, 0);
        }

        /**
         * f_count = holders for every file, refcount = holders for every buffer; open counts, mmap_count and
         * each runtime's own invariants for every substream.
         */
        private boolean countsHold(List<Pcm> pcms) {
            for (int i = 0; i < nFiles; i++) {
                File f = files[i];
                if (f.count() != count[f.id]) {
                    return false;
                }
                if (f.privateData instanceof PcmFile pf) {
                    opens[slot(pf.substream())]++;
                }
            }
            for (int i = 0; i < nBuffers; i++) {
                if (buffers[i].refcount() != count[buffers[i].id]) {
                    return false;
                }
            }
            for (int p = 0; p < pcms.size(); p++) {
                List<Substream> subs = pcms.get(p).substreams;
                for (int k = 0; k < subs.size(); k++) {
                    Substream s = subs.get(k);
                    int o = opens[slot(s)];
                    if (s.refCount != o || (s.runtime != null) != (o > 0) || s.mmapCount != maps[slot(s)]) {
                        return false;
                    }
                    if (s.runtime != null && !runtimeHolds(s)) {
                        return false;
                    }
                }
            }
            return true;
        }

        private int slot(Substream s) {
            return pcmBase[s.pcm.index] + s.number;
        }

        /** {@link Invariants#runtime}, with the dma-buf ids entered by {@link #entered} as the set. */
        private boolean runtimeHolds(Substream s) {
            PcmRuntime rt = s.runtime;
            DmaBuf d = rt.export;
            if (d != null && (!member(d.id) || d.exporter != s || d.buffer != rt.dmaBuffer)) {
                return false;
            }
            boolean configured = rt.state != PcmState.OPEN;
            if (configured != (rt.dmaBuffer != null) && rt.state != PcmState.DISCONNECTED) {
                return false;
            }
            if (rt.boundary == 0) {
                return rt.hwPtr == 0 && rt.applPtr == 0;
            }
            if (outside(rt.hwPtr, rt.boundary) || outside(rt.applPtr, rt.boundary)
                    || outside(rt.devicePtr, rt.boundary)) {
                return false;
            }
            boolean ringState = switch (rt.state) {
                case PREPARED, RUNNING, PAUSED, DRAINING -> true;
                default -> false;
            };
            if (ringState && !rt.applPtrWild && rt.stopThreshold <= rt.bufferSize) {
                long avail = s.avail();
                return avail >= 0 && avail <= rt.bufferSize;
            }
            return true;
        }

        private static boolean outside(long p, long boundary) {
            return p < 0 || p >= boundary;
        }

        /** Marks {@code id} a member of this check's sets with no holders yet; false if ids are too large. */
        private boolean enter(int id) {
            if (id < 0 || id >= MAX_ID) {
                return false;
            }
            if (id >= seen.length) {
                int size = Math.max(id + 1, seen.length * 2);
                seen = Arrays.copyOf(seen, size);
                count = Arrays.copyOf(count, size);
            }
            seen[id] = generation;
            count[id] = 0;
            return true;
        }

        private boolean member(int id) {
            return id >= 0 && id < seen.length && seen[id] == generation;
        }

        /** One more holder of a member; false for an object that is not in its set. */
        private boolean hold(int id) {
            if (!member(id)) {
                return false;
            }
            count[id]++;
            return true;
        }
    }
}
