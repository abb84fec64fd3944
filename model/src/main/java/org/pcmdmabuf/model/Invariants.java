package org.pcmdmabuf.model;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.LongStream;

/**
 * The model's consistency: invariants recomputed from scratch by walking every holder, so bookkeeping bugs
 * cannot hide behind the counters they corrupt. Each is one predicate below, named by an {@link Invariant}
 * and listed here in report order:
 *
 * <ol>
 * <li>{@link Invariant#FILE_HOLDERS_LIVE}: every file an fd-table entry, a mapping or an attachment holds is
 *     live and not released. fput() (fs/file_table.c) releases a file at its last reference, so a holder left
 *     after that is a use after free.
 * <li>{@link Invariant#FILE_COUNT}: a live file's f_count is its holders and nothing else: fd-table entries
 *     (fd_install(), fs/file.c), mappings (vm_file, taken by mmap in mm/mmap.c), attachments (the patch's
 *     ATTACH keeps its dma_buf_get() reference until DETACH, sound/core/pcm_dmabuf.c) and the exporting runtime
 *     (snd_pcm_dmabuf_get() keeps the export's first reference in runtime->dmabuf until
 *     snd_pcm_dmabuf_hw_free() drops it: EXPORT-COUNTED-REF). So a dma-buf is released exactly when its last
 *     holder goes (LIFETIME-FREE-LAST), and a runtime's export is never a weak pointer.
 * <li>{@link Invariant#DMABUF_UNRELEASED}: no live dma-buf has been released: dma_buf_release()
 *     (drivers/dma-buf/dma-buf.c) ends it; and one whose file was released is kept by a path reference on its
 *     dentry, whose last dput() runs dma_buf_release() as d_release (PLAT-FILE-LIFETIME).
 * <li>{@link Invariant#BUFFER_HOLDERS_LIVE}: every buffer a runtime, a dma-buf or a mapping holds is live and
 *     not freed.
 * <li>{@link Invariant#BUFFER_REFCOUNT}: a live buffer's refcount is its holders: the runtime that allocated it,
 *     every dma-buf wrapping it and every mapping of it (the patch's Lifetime rule, sound/core/pcm_dmabuf.c),
 *     so an export outlives hw_free and nothing outlives its last holder; a revoked dma-buf and a zapped
 *     mapping hold nothing.
 * <li>{@link Invariant#CARD_CHARGED}: a card's total_pcm_alloc_bytes is the bytes of its live buffers:
 *     do_alloc_pages() charges an allocation and do_free_pages() takes it back (sound/core/pcm_memory.c), and
 *     memory handed over to a dma-buf stays charged until its last holder frees it (LIFETIME-CHARGED).
 * <li>{@link Invariant#ATTACHMENT_LISTED_LIVE}: an attachment on a dma-buf's list is live, of that dma-buf, and
 *     mapped: the patch maps right after dma_buf_attach() puts it on dmabuf->attachments and unmaps right
 *     before dma_buf_detach() takes it off (drivers/dma-buf/dma-buf.c).
 * <li>{@link Invariant#ATTACHMENT_LISTED_HELD}: the substream of a listed attachment has a runtime pointing at
 *     it, so its DMA runs on that dma-buf exactly while it is listed.
 * <li>{@link Invariant#ATTACHMENTS_LISTED}: as many attachments are on dma-bufs' lists as are live.
 * <li>{@link Invariant#RUNTIME_ATTACHMENT_LIVE}: a runtime's attachment is live.
 * <li>{@link Invariant#SUBSTREAM_OPENS}: a substream's ref_count is its live files, and it has a runtime exactly
 *     while that is above 0 (snd_pcm_attach_substream() and snd_pcm_detach_substream(), sound/core/pcm.c).
 * <li>{@link Invariant#SUBSTREAM_MMAP_COUNT}: a substream's mmap_count is its live PCM-fd data mappings
 *     (snd_pcm_mmap_data_open() and snd_pcm_mmap_data_close(), sound/core/pcm_native.c).
 * <li>{@link Invariant#SUBSTREAM_GROUP}: a linked substream is open and on its group's list, and a group has at
 *     least two members, each linked in it (snd_pcm_link() and snd_pcm_unlink(), which dissolves a group of one;
 *     the last close unlinks, pcm_release_private()).
 * <li>{@link Invariant#RUNTIME_EXPORT}: a runtime's export is a live dma-buf that this substream exported and
 *     that wraps the runtime's buffer: the patch's hw_free hook hands it over or revokes it, and drops the
 *     runtime's reference, when the runtime lets go.
 * <li>{@link Invariant#RUNTIME_BUFFER}: a runtime has a buffer exactly when configured (past OPEN), except on a
 *     disconnected card: hw_params allocates it and hw_free frees it (sound/core/pcm_native.c).
 * <li>{@link Invariant#RUNTIME_POINTERS_UNSET}: before the first hw_params (boundary 0) hw_ptr and appl_ptr are
 *     0.
 * <li>{@link Invariant#RUNTIME_POINTERS_BOUNDED}: after it hw_ptr, appl_ptr and the device's position are in
 *     [0, boundary), where snd_pcm_update_hw_ptr0() and the appl_ptr updates (sound/core/pcm_lib.c) wrap them.
 * <li>{@link Invariant#RUNTIME_AVAIL}: in PREPARED, RUNNING, PAUSED and DRAINING, with a stop_threshold within
 *     the buffer and appl_ptr not put out of the window by SYNC_PTR, avail (snd_pcm_playback_avail() and
 *     snd_pcm_capture_avail(), include/sound/pcm.h) is in [0, buffer_size]: the core stops the stream at an
 *     xrun before it could leave.
 * <li>{@link Invariant#EXITED_HOLDS_NOTHING}: an exited process holds no fd and no mapping (do_exit() drops them,
 *     kernel/exit.c), whatever the other processes do.
 * <li>{@link Invariant#NOTHING_LEFT}: once every process has exited no file, dma-buf, attachment, mapping or
 *     buffer is left, and no byte is charged to a card.
 * </ol>
 *
 * <p>They run after every op, so the simulator spends most of its time here unless the walk is cheap: a first
 * pass ({@link Recount}) recomputes every count into reused arrays indexed by object id and only answers which
 * invariants broke; when one did, the map-based full recount ({@link #full}) finds them again and describes
 * the first. Both apply the same predicates, so each rule is written once; they differ only in how they count
 * and walk, and {@link #bothWays} runs the full recount unconditionally so tests can hold the fast pass to it.
 */
final class Invariants {
    private Invariants() {
    }

    /** {@code recount} is the world's own: a world is used by one thread at a time. */
    static String check(World w, Recount recount, World.Live<File> files, World.Live<DmaBuf> dmaBufs,
                        World.Live<Attachment> attachments, World.Live<Vma> vmas, World.Live<SndDmaBuffer> buffers) {
        long fast = recount.broken(w, files, dmaBufs, attachments, vmas, buffers);
        if (fast == 0) {
            return null;
        }
        Findings full = full(w, files, dmaBufs, attachments, vmas, buffers);
        if (fast == Recount.UNDECIDED || fast == full.broken) {
            return full.description;
        }
        // The two passes disagree: a bug in the check itself, as serious as a broken invariant.
        return "the fast invariant check found " + Invariant.of(fast) + " broken, the full recount "
                + Invariant.of(full.broken) + (full.description == null ? "" : ": " + full.description);
    }

    /** Both passes on the current state; the fast one's verdict is the full one's where it cannot decide. */
    static InvariantVerdicts bothWays(World w, Recount recount, World.Live<File> files, World.Live<DmaBuf> dmaBufs,
                                      World.Live<Attachment> attachments, World.Live<Vma> vmas,
                                      World.Live<SndDmaBuffer> buffers) {
        long fast = recount.broken(w, files, dmaBufs, attachments, vmas, buffers);
        Findings full = full(w, files, dmaBufs, attachments, vmas, buffers);
        return new InvariantVerdicts(Invariant.of(fast == Recount.UNDECIDED ? full.broken : fast),
                Invariant.of(full.broken), full.description);
    }

    // ---- the predicates: each invariant once, applied by both passes ---------------------------------------
    // A pass counts holders its own way and passes the counts in, with "live": whether the object is among the
    // world's live ones of its kind.

    private static boolean fileHoldersLive(File f, boolean live) {
        return live && !f.released();
    }

    private static boolean fileCount(File f, int holders) {
        return f.count() == holders;
    }

    /** A registered dma-buf whose file went is kept by a path reference on its dentry (PLAT-FILE-LIFETIME). */
    private static boolean dmaBufUnreleased(DmaBuf d) {
        return !d.released && (!d.file.released() || d.pathRefs > 0);
    }

    private static boolean bufferHoldersLive(SndDmaBuffer b, boolean live) {
        return live && !b.freed();
    }

    private static boolean bufferRefcount(SndDmaBuffer b, int holders) {
        return b.refcount() == holders;
    }

    /** A revoked dma-buf gave its memory back to its owner (LIFETIME-REVOKE): it is no holder. */
    private static boolean holdsBuffer(DmaBuf d) {
        return !d.revoked;
    }

    /**
     * The export whose file {@code s}'s runtime holds a counted reference on (EXPORT-COUNTED-REF), or null: a
     * holder of that file as an fd is.
     */
    private static DmaBuf exportHeld(Substream s) {
        return s.runtime == null ? null : s.runtime.export;
    }

    /** A zapped mapping has no pages (LIFETIME-REVOKE-ZAP): it is no holder. */
    private static boolean holdsBuffer(Vma v) {
        return !v.zapped;
    }

    /** {@code liveBytes}: the bytes of the live buffers charged to {@code card}. */
    private static boolean cardCharged(Pcm card, long liveBytes) {
        return card.totalPcmAllocBytes == liveBytes;
    }

    /** {@code list}: the dma-buf whose list {@code a} is on. */
    private static boolean attachmentListedLive(Attachment a, DmaBuf list, boolean live) {
        return live && a.dmaBuf == list && a.mapped;
    }

    private static boolean attachmentListedHeld(Attachment a) {
        PcmRuntime rt = a.substream.runtime;
        return rt != null && rt.attachment == a;
    }

    private static boolean attachmentsListed(int listed, int live) {
        return listed == live;
    }

    /** {@code live}: whether the runtime has an attachment and it is live. */
    private static boolean runtimeAttachmentLive(PcmRuntime rt, boolean live) {
        return rt.attachment == null || live;
    }

    private static boolean substreamOpens(Substream s, int openFiles) {
        return s.refCount == openFiles && (s.runtime != null) == (openFiles > 0);
    }

    private static boolean substreamGroup(Substream s) {
        PcmGroup g = s.group;
        if (g == null) {
            return true;
        }
        if (s.runtime == null || g.members.size() < 2 || !g.members.contains(s)) {
            return false;
        }
        for (Substream m : g.members) {
            if (m.group != g) {
                return false;
            }
        }
        return true;
    }

    private static boolean substreamMmapCount(Substream s, int mappings) {
        return s.mmapCount == mappings;
    }

    /** {@code live}: whether the runtime has an export and it is live. */
    private static boolean runtimeExport(Substream s, boolean live) {
        PcmRuntime rt = s.runtime;
        DmaBuf d = rt.export;
        return d == null || live && d.exporter == s && d.buffer == rt.dmaBuffer;
    }

    private static boolean runtimeBuffer(PcmRuntime rt) {
        boolean configured = rt.state != PcmState.OPEN;
        return configured == (rt.dmaBuffer != null) || rt.state == PcmState.DISCONNECTED;
    }

    private static boolean runtimePointersUnset(PcmRuntime rt) {
        return rt.boundary != 0 || rt.hwPtr == 0 && rt.applPtr == 0;
    }

    private static boolean runtimePointersBounded(PcmRuntime rt) {
        return rt.boundary == 0 || !outside(rt.hwPtr, rt.boundary) && !outside(rt.applPtr, rt.boundary)
                && !outside(rt.devicePtr, rt.boundary);
    }

    private static boolean outside(long p, long boundary) {
        return p < 0 || p >= boundary;
    }

    private static boolean runtimeAvail(Substream s) {
        PcmRuntime rt = s.runtime;
        boolean ringState = switch (rt.state) {
            case PREPARED, RUNNING, PAUSED, DRAINING -> true;
            default -> false;
        };
        if (rt.boundary == 0 || !ringState || rt.applPtrWild || rt.stopThreshold > rt.bufferSize) {
            return true;
        }
        long avail = s.avail();
        return avail >= 0 && avail <= rt.bufferSize;
    }

    /** {@link Invariant#EXITED_HOLDS_NOTHING}: the first process breaking it, or null. */
    private static Task exitedHolding(List<Task> tasks) {
        for (int i = 0; i < tasks.size(); i++) {
            Task t = tasks.get(i);
            if (t.exited && (!t.files.isEmpty() || !t.vmas.isEmpty())) {
                return t;
            }
        }
        return null;
    }

    /** {@code left} is asked only once every process has exited. */
    private static boolean nothingLeft(List<Task> tasks, Supplier<Leaks> left) {
        if (tasks.isEmpty()) {
            return true;
        }
        for (int i = 0; i < tasks.size(); i++) {
            if (!tasks.get(i).exited) {
                return true;
            }
        }
        return left.get().none();
    }

    // ---- the full recount: identity maps, every invariant described -------------------------------------

    /** What the full recount found: every broken invariant, and the first of them in report order described. */
    private static final class Findings {
        long broken;
        String description;
        private Invariant first;

        void add(Invariant i, String what) {
            broken |= i.bit();
            if (first == null || i.ordinal() < first.ordinal()) {
                first = i;
                description = what;
            }
        }
    }

    private static Findings full(World w, Set<File> files, Set<DmaBuf> dmaBufs, Set<Attachment> attachments,
                                 Set<Vma> vmas, Set<SndDmaBuffer> buffers) {
        Findings found = new Findings();
        fileCounts(w, files, attachments, vmas, found);
        bufferCounts(w, dmaBufs, vmas, buffers, found);
        cardCharges(w, buffers, found);
        attachmentLists(w, dmaBufs, attachments, found);
        substreams(w, files, vmas, dmaBufs, found);
        List<Task> tasks = w.tasksInOrder();
        Task holding = exitedHolding(tasks);
        if (holding != null) {
            found.add(Invariant.EXITED_HOLDS_NOTHING, holding + " exited with fds or mappings left");
        }
        if (!nothingLeft(tasks, w::leaks)) {
            found.add(Invariant.NOTHING_LEFT, "every process exited but objects remain: " + w.leaks());
        }
        return found;
    }

    private static void fileCounts(World w, Set<File> files, Set<Attachment> attachments, Set<Vma> vmas,
                                   Findings found) {
        Map<File, Integer> holders = new IdentityHashMap<>(w.fdReferences());
        for (Vma v : vmas) {
            holders.merge(v.file, 1, Integer::sum);
        }
        for (Attachment a : attachments) {
            holders.merge(a.dmaBuf.file, 1, Integer::sum);
        }
        for (Pcm pcm : w.pcmsInOrder()) {
            for (Substream s : pcm.substreams) {
                DmaBuf d = exportHeld(s);
                if (d != null) {
                    holders.merge(d.file, 1, Integer::sum);
                }
            }
        }
        holders.forEach((f, n) -> {
            if (!fileHoldersLive(f, files.contains(f))) {
                found.add(Invariant.FILE_HOLDERS_LIVE, "released " + f + " still reachable (" + n + " holders)");
            }
        });
        for (File f : files) {
            int n = holders.getOrDefault(f, 0);
            if (!fileCount(f, n)) {
                found.add(Invariant.FILE_COUNT, f + ": f_count " + f.count() + " but " + n + " holders");
            }
        }
    }

    private static void cardCharges(World w, Set<SndDmaBuffer> buffers, Findings found) {
        Map<Pcm, Long> live = new IdentityHashMap<>();
        for (SndDmaBuffer b : buffers) {
            live.merge(b.card, b.bytes, Long::sum);
        }
        for (Pcm pcm : w.pcmsInOrder()) {
            long n = live.getOrDefault(pcm, 0L);
            if (!cardCharged(pcm, n)) {
                found.add(Invariant.CARD_CHARGED, pcm.name() + ": total_pcm_alloc_bytes " + pcm.totalPcmAllocBytes
                        + " but " + n + " bytes of live buffers");
            }
        }
    }

    private static void bufferCounts(World w, Set<DmaBuf> dmaBufs, Set<Vma> vmas, Set<SndDmaBuffer> buffers,
                                     Findings found) {
        Map<SndDmaBuffer, Integer> holders = new IdentityHashMap<>();
        for (Pcm pcm : w.pcmsInOrder()) {
            for (Substream s : pcm.substreams) {
                if (s.runtime != null && s.runtime.dmaBuffer != null) {
                    holders.merge(s.runtime.dmaBuffer, 1, Integer::sum);
                }
            }
        }
        for (DmaBuf d : dmaBufs) {
            if (!dmaBufUnreleased(d)) {
                found.add(Invariant.DMABUF_UNRELEASED, d + " released, or its file released with no path reference,"
                        + " but still registered");
            }
            if (holdsBuffer(d)) {
                holders.merge(d.buffer, 1, Integer::sum);
            }
        }
        for (Vma v : vmas) {
            if (holdsBuffer(v)) {
                holders.merge(v.buffer, 1, Integer::sum);
            }
        }
        for (SndDmaBuffer b : holders.keySet()) {
            if (!bufferHoldersLive(b, buffers.contains(b))) {
                found.add(Invariant.BUFFER_HOLDERS_LIVE, "freed " + b + " still reachable");
            }
        }
        for (SndDmaBuffer b : buffers) {
            int n = holders.getOrDefault(b, 0);
            if (!bufferRefcount(b, n)) {
                found.add(Invariant.BUFFER_REFCOUNT, b + ": refcount " + b.refcount() + " but " + n + " holders");
            }
        }
    }

    private static void attachmentLists(World w, Set<DmaBuf> dmaBufs, Set<Attachment> attachments,
                                        Findings found) {
        int listed = 0;
        for (DmaBuf d : dmaBufs) {
            for (Attachment a : d.attachments) {
                listed++;
                if (!attachmentListedLive(a, d, attachments.contains(a))) {
                    found.add(Invariant.ATTACHMENT_LISTED_LIVE, "attachment " + a.id + " on " + d + " is stale");
                }
                if (!attachmentListedHeld(a)) {
                    found.add(Invariant.ATTACHMENT_LISTED_HELD,
                            "attachment " + a.id + " on " + d + " not held by " + a.substream);
                }
            }
        }
        if (!attachmentsListed(listed, attachments.size())) {
            found.add(Invariant.ATTACHMENTS_LISTED,
                    attachments.size() + " attachments alive but " + listed + " on dma-buf lists");
        }
        for (Pcm pcm : w.pcmsInOrder()) {
            for (Substream s : pcm.substreams) {
                PcmRuntime rt = s.runtime;
                if (rt != null && !runtimeAttachmentLive(rt, rt.attachment != null
                        && attachments.contains(rt.attachment))) {
                    found.add(Invariant.RUNTIME_ATTACHMENT_LIVE, s + " points at a detached attachment");
                }
            }
        }
    }

    private static void substreams(World w, Set<File> files, Set<Vma> vmas, Set<DmaBuf> dmaBufs, Findings found) {
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
                if (!substreamOpens(s, o)) {
                    found.add(Invariant.SUBSTREAM_OPENS,
                            s + ": ref_count " + s.refCount + ", " + o + " open files, runtime " + s.runtime);
                }
                int m = maps.getOrDefault(s, 0);
                if (!substreamMmapCount(s, m)) {
                    found.add(Invariant.SUBSTREAM_MMAP_COUNT, s + ": mmap_count " + s.mmapCount + " but " + m
                            + " mappings");
                }
                if (!substreamGroup(s)) {
                    found.add(Invariant.SUBSTREAM_GROUP, s + ": linked in a group of " + s.group.members
                            + ", runtime " + s.runtime);
                }
                if (s.runtime != null) {
                    runtime(s, dmaBufs, found);
                }
            }
        }
    }

    private static void runtime(Substream s, Set<DmaBuf> dmaBufs, Findings found) {
        PcmRuntime rt = s.runtime;
        if (!runtimeExport(s, rt.export != null && dmaBufs.contains(rt.export))) {
            found.add(Invariant.RUNTIME_EXPORT, s + ": export pointer to " + rt.export + " is stale");
        }
        if (!runtimeBuffer(rt)) {
            found.add(Invariant.RUNTIME_BUFFER, s + " in " + rt.state + " with buffer " + rt.dmaBuffer);
        }
        if (!runtimePointersUnset(rt)) {
            found.add(Invariant.RUNTIME_POINTERS_UNSET, s + ": pointers set before hw_params");
        }
        if (!runtimePointersBounded(rt)) {
            long p = LongStream.of(rt.hwPtr, rt.applPtr, rt.devicePtr).filter(x -> outside(x, rt.boundary))
                    .findFirst().orElseThrow();
            found.add(Invariant.RUNTIME_POINTERS_BOUNDED,
                    s + ": pointer " + p + " outside [0, boundary " + rt.boundary + ")");
        }
        if (!runtimeAvail(s)) {
            found.add(Invariant.RUNTIME_AVAIL, s + " in " + rt.state + ": avail " + s.avail() + " outside [0, "
                    + rt.bufferSize + "] (hw_ptr " + rt.hwPtr + ", appl_ptr " + rt.applPtr + ")");
        }
    }

    /**
     * The same predicates over counts kept differently: objects of a world have distinct ids (one counter
     * numbers files, dma-bufs, attachments, buffers and mappings), so a count per id in arrays reused across
     * checks replaces the identity maps; a generation number per check stands for clearing them. Substreams
     * are numbered by their position in the world instead. A set is copied out only when it changed
     * ({@link World.Live}), since iterating a linked hash set costs more than the checks themselves, and each
     * kind of holder is walked once, every invariant about it checked in that walk. The answer is the broken
     * invariants' {@link Invariant#bit}s: no allocation, and nothing to describe.
     */
    static final class Recount {
        /** What {@link #broken} answers when ids outgrew the arrays: the full recount must decide. */
        static final long UNDECIDED = -1;
        /** Beyond this many ids the arrays would cost more than the maps. */
        private static final int MAX_ID = 1 << 20;

        private int[] seen = new int[64];
        private int[] count = new int[64];
        private int[] opens = new int[8];
        private int[] maps = new int[8];
        private int[] pcmBase = new int[4];
        /** Bytes of live buffers per card, by {@link Pcm#index}; and what the cards say is charged in all. */
        private long[] liveBytes = new long[4];
        private long charged;
        private int generation;
        private File[] files = new File[16];
        private DmaBuf[] dmaBufs = new DmaBuf[4];
        private Attachment[] attachments = new Attachment[4];
        private Vma[] vmas = new Vma[8];
        private SndDmaBuffer[] buffers = new SndDmaBuffer[4];
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
        /** The invariants found broken so far in this check. */
        private long broken;
        private final Consumer<File> countFd = this::holdFile;
        private final Supplier<Leaks> left = () -> new Leaks(nFiles, nDmaBufs, nAttachments, nVmas, nBuffers, charged,
                pathFiles());

        private int pathFiles() {
            int n = 0;
            for (int i = 0; i < nFiles; i++) {
                if (files[i].privateData instanceof PathFile) {
                    n++;
                }
            }
            return n;
        }

        long broken(World w, World.Live<File> fileSet, World.Live<DmaBuf> dmaBufSet,
                    World.Live<Attachment> attachmentSet, World.Live<Vma> vmaSet, World.Live<SndDmaBuffer> bufferSet) {
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
                // toArray clears only the slot after the last: a freed buffer left further on would be kept alive.
                Arrays.fill(buffers, nBuffers, buffers.length, null);
                bufferChanges = bufferSet.changes();
            }
            if (!entered()) {
                return UNDECIDED;
            }
            broken = 0;
            List<Task> tasks = w.tasksInOrder();
            List<Pcm> pcms = w.pcmsInOrder();
            countHolders(tasks, pcms);
            compareCounts(pcms);
            if (exitedHolding(tasks) != null) {
                fail(Invariant.EXITED_HOLDS_NOTHING);
            }
            if (!nothingLeft(tasks, left)) {
                fail(Invariant.NOTHING_LEFT);
            }
            return broken;
        }

        private void fail(Invariant i) {
            broken |= i.bit();
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
         * op, and a walk per invariant cost more than the invariants), checking the invariants about holders
         * on the way.
         */
        private void countHolders(List<Task> tasks, List<Pcm> pcms) {
            countSlots(pcms);
            // Indexed loops over the world's lists: an iterator per loop per check shows in the profile.
            for (int i = 0; i < tasks.size(); i++) {
                tasks.get(i).files.forEachFile(countFd);
            }
            for (int i = 0; i < nVmas; i++) {
                Vma v = vmas[i];
                holdFile(v.file);
                if (holdsBuffer(v)) {
                    holdBuffer(v.buffer);
                }
                if (v.substream != null) {
                    maps[slot(v.substream)]++;
                }
            }
            for (int i = 0; i < nAttachments; i++) {
                holdFile(attachments[i].dmaBuf.file);
            }
            int listed = 0;
            for (int i = 0; i < nDmaBufs; i++) {
                DmaBuf d = dmaBufs[i];
                if (!dmaBufUnreleased(d)) {
                    fail(Invariant.DMABUF_UNRELEASED);
                }
                if (holdsBuffer(d)) {
                    holdBuffer(d.buffer);
                }
                for (int k = 0; k < d.attachments.size(); k++) {
                    Attachment a = d.attachments.get(k);
                    listed++;
                    if (!attachmentListedLive(a, d, member(a.id))) {
                        fail(Invariant.ATTACHMENT_LISTED_LIVE);
                    }
                    if (!attachmentListedHeld(a)) {
                        fail(Invariant.ATTACHMENT_LISTED_HELD);
                    }
                }
            }
            if (!attachmentsListed(listed, nAttachments)) {
                fail(Invariant.ATTACHMENTS_LISTED);
            }
            for (int p = 0; p < pcms.size(); p++) {
                List<Substream> subs = pcms.get(p).substreams;
                for (int k = 0; k < subs.size(); k++) {
                    PcmRuntime rt = subs.get(k).runtime;
                    if (rt == null) {
                        continue;
                    }
                    if (rt.dmaBuffer != null) {
                        holdBuffer(rt.dmaBuffer);
                    }
                    DmaBuf held = exportHeld(subs.get(k));
                    if (held != null) {
                        holdFile(held.file);
                    }
                    if (!runtimeAttachmentLive(rt, rt.attachment != null && member(rt.attachment.id))) {
                        fail(Invariant.RUNTIME_ATTACHMENT_LIVE);
                    }
                }
            }
        }

        private void holdFile(File f) {
            if (!fileHoldersLive(f, hold(f.id))) {
                fail(Invariant.FILE_HOLDERS_LIVE);
            }
        }

        private void holdBuffer(SndDmaBuffer b) {
            if (!bufferHoldersLive(b, hold(b.id))) {
                fail(Invariant.BUFFER_HOLDERS_LIVE);
            }
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

        /** Every live file's and buffer's count against its holders; every substream's and runtime's. */
        private void compareCounts(List<Pcm> pcms) {
            for (int i = 0; i < nFiles; i++) {
                File f = files[i];
                if (!fileCount(f, count[f.id])) {
                    fail(Invariant.FILE_COUNT);
                }
                if (f.privateData instanceof PcmFile pf) {
                    opens[slot(pf.substream())]++;
                }
            }
            if (liveBytes.length < pcms.size()) {
                liveBytes = new long[pcms.size() * 2];
            }
            Arrays.fill(liveBytes, 0, pcms.size(), 0);
            for (int i = 0; i < nBuffers; i++) {
                if (!bufferRefcount(buffers[i], count[buffers[i].id])) {
                    fail(Invariant.BUFFER_REFCOUNT);
                }
                liveBytes[buffers[i].card.index] += buffers[i].bytes;
            }
            charged = 0;
            for (int p = 0; p < pcms.size(); p++) {
                Pcm pcm = pcms.get(p);
                charged += pcm.totalPcmAllocBytes;
                if (!cardCharged(pcm, liveBytes[pcm.index])) {
                    fail(Invariant.CARD_CHARGED);
                }
            }
            for (int p = 0; p < pcms.size(); p++) {
                List<Substream> subs = pcms.get(p).substreams;
                for (int k = 0; k < subs.size(); k++) {
                    Substream s = subs.get(k);
                    if (!substreamOpens(s, opens[slot(s)])) {
                        fail(Invariant.SUBSTREAM_OPENS);
                    }
                    if (!substreamMmapCount(s, maps[slot(s)])) {
                        fail(Invariant.SUBSTREAM_MMAP_COUNT);
                    }
                    if (!substreamGroup(s)) {
                        fail(Invariant.SUBSTREAM_GROUP);
                    }
                    if (s.runtime != null) {
                        runtime(s);
                    }
                }
            }
        }

        /** The dma-buf ids entered by {@link #entered} are the set of live dma-bufs. */
        private void runtime(Substream s) {
            PcmRuntime rt = s.runtime;
            if (!runtimeExport(s, rt.export != null && member(rt.export.id))) {
                fail(Invariant.RUNTIME_EXPORT);
            }
            if (!runtimeBuffer(rt)) {
                fail(Invariant.RUNTIME_BUFFER);
            }
            if (!runtimePointersUnset(rt)) {
                fail(Invariant.RUNTIME_POINTERS_UNSET);
            }
            if (!runtimePointersBounded(rt)) {
                fail(Invariant.RUNTIME_POINTERS_BOUNDED);
            }
            if (!runtimeAvail(s)) {
                fail(Invariant.RUNTIME_AVAIL);
            }
        }

        private int slot(Substream s) {
            return pcmBase[s.pcm.index] + s.number;
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
