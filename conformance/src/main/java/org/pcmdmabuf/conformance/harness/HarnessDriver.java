package org.pcmdmabuf.conformance.harness;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.pcmdmabuf.conformance.Uapi;
import org.pcmdmabuf.model.Attachment;
import org.pcmdmabuf.model.BufferType;
import org.pcmdmabuf.model.DmaBuf;
import org.pcmdmabuf.model.DriverProfile;
import org.pcmdmabuf.model.PcmGroup;
import org.pcmdmabuf.model.PcmHardware;
import org.pcmdmabuf.model.SndDmaBuffer;
import org.pcmdmabuf.model.DmaDirection;
import org.pcmdmabuf.model.DmabufArg;
import org.pcmdmabuf.model.DmabufDriver;
import org.pcmdmabuf.model.Errno;
import org.pcmdmabuf.model.File;
import org.pcmdmabuf.model.MemorySystem;
import org.pcmdmabuf.model.Pcm;
import org.pcmdmabuf.model.PcmRuntime;
import org.pcmdmabuf.model.PcmState;
import org.pcmdmabuf.model.Result;
import org.pcmdmabuf.model.Substream;
import org.pcmdmabuf.model.Task;
import org.pcmdmabuf.model.Vma;
import org.pcmdmabuf.model.World;

/**
 * The patch's pcm_dmabuf.c as the {@link World}'s dma-buf logic: every hook mirrors the substream's runtime
 * into the C shim (state, access, buffer, mmap count), calls the C code, and answers what it answered. The C
 * side owns the dma-buf objects and their file reference counts; its DMA syncs come back here and clean or
 * invalidate the simulator's cache, so a sync the C code skips leaves stale data. What the C code does that
 * the host cannot apply (freeing a dma-buf the host still holds, a WARN, a lock error) is a {@link #problems()
 * problem}.
 */
public final class HarnessDriver implements DmabufDriver {
    private static final int FD_NONE = 0;
    private static final int FD_OTHER = -1;
    private static final int ENOENT = 2;
    private static final int EBUSY = 16;

    private final Harness harness;
    private final MemorySystem mem;
    private final Map<Integer, Pcm> devices = new HashMap<>();
    private final Map<Integer, SndDmaBuffer> buffers = new HashMap<>();
    /** {@link World#bufferChanges()} when {@link #buffers} last dropped the freed ones. */
    private long buffersCheckedAt = -1;
    /**
     * The host's holds of each substream around the hooks ({@link #pcmLock}), by the kernel task (thread) that
     * holds them: a dma-buf ioctl lets its hold go in the C while it runs, so another task may hold one too.
     */
    private final Map<Hold, Integer> pcmHolds = new HashMap<>();

    private record Hold(Substream s, Thread task) {
        static Hold of(Substream s) {
            return new Hold(s, Thread.currentThread());
        }
    }
    /**
     * Revoked exports whose CPU mappings are checked once the host's PCM ioctl dropped buffer_mutex: revision 5
     * finishes a hw_free's revocation there (snd_pcm_dmabuf_hw_free_finish()), its zap of the mappings made
     * while it ran included.
     */
    private final Map<Substream, List<DmaBuf>> zapChecksDue = new HashMap<>();
    /** The C side's id of every linked group whose lock a linked action took. */
    private final Map<PcmGroup, Integer> groups = new IdentityHashMap<>();
    /** The C side's number of every process whose mm it keeps: dense, in the order their first syscall came. */
    private final Map<Task, Integer> procs = new HashMap<>();
    /** The C side's id of every substream mirrored so far: dense, in the order they were first mirrored. */
    private final Map<Substream, Integer> sids = new HashMap<>();
    /** Upcalls of the C code running now: while one runs, its C call is not over. */
    private int upcalls;
    /** By sid: the runtime last mirrored, and {@link Harness#changes()} right after; null before the first. */
    private final List<Mirror> mirrored = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    /** The C side's handle of each path reference an O_PATH file of the host holds on a dma-buf's dentry. */
    private final Map<File, Integer> paths = new HashMap<>();
    private World world;
    private int bugsSeen;
    /** Whether the C's fault injection may hold a fail-nth or a failure since its last reset ({@link #failNth}). */
    private boolean injectionArmed;
    /** The C's count of fallible calls when the op began. */
    private int callsBefore;
    /** FMODE_WRITE of the file of the dma-buf the last EXPORT returned, -1 after a failed EXPORT. */
    private int lastExportWritable = -1;
    /** The substream of the last ATTACH or DETACH. */
    private Substream lastControlled;
    /** Whether the last ATTACH made a streaming DMA mapping. */
    private boolean attachMapped;
    /** The buffer the PCM core just wrote, during {@link #coreWrote}; whether the C cleaned it for a device. */
    private SndDmaBuffer coreWritten;
    private boolean coreCleaned;

    public HarnessDriver(Harness harness, MemorySystem mem) {
        this.harness = harness;
        this.mem = mem;
        harness.claim(this);
    }

    /** The world this driver serves; set once, right after the world is made with this driver. */
    public void bind(World w) {
        this.world = w;
    }

    /** The script is over: the C side lets go of everything this driver made. */
    public void release() {
        harness.release(this);
    }

    /** What went wrong in the C code so far (WARNs, lock errors, use after free), oldest first. */
    public List<String> problems() {
        checkBugs();
        return List.copyOf(problems);
    }

    /** How many {@link #problems()} there are, without copying them. */
    public int problemCount() {
        checkBugs();
        return problems.size();
    }

    // ---- the hooks -----------------------------------------------------------------------------------

    /**
     * EXPORT with the argument the script's dmabuf_export passes on a PCM file with the open's f_mode; revision
     * 1's C takes no flags and is asked the same whatever the script wants (HarnessTarget refuses a script whose
     * argument only revision 2 could carry).
     */
    @Override
    public Result<Long> export(Substream s, File pcmFile, DmabufArg arg) {
        int sid = lock(s);
        try {
            int ret = harness.export(sid, arg, pcmFile.writable);
            lastExportWritable = ret > 0 ? harness.fileWritable(ret) : -1;
            if (ret > 0 && (s.runtime() == null || s.runtime().dmaBuffer() == null)) {
                // a HW_FREE ran between the ioctl's critical sections: its second check had to refuse
                problem("EXPORT of " + s + " gave dma-buf " + ret + " of a runtime that has no buffer (state "
                        + (s.runtime() == null ? "closed" : s.runtime().state()) + ")");
                return Result.err(Errno.EBADFD);
            }
            if (ret > 0) {
                checkInstalled(s, ret);
            }
            return result(ret);
        } finally {
            harness.pcmUnlock(sid);
        }
    }

    /**
     * The file EXPORT installed is of the runtime's own export: a dma-buf the host knows under key {@code key}
     * must be one {@code s} exported and still holds. Another's is a stale file pointer the C revalidated after
     * its file was freed and its slot reused by that dma-buf's file (PLAT-FILE-LIFETIME): the new fd refers to
     * the wrong buffer.
     */
    private void checkInstalled(Substream s, int key) {
        for (DmaBuf d : world.dmaBufs()) {
            if (world.dmaBufKey(d) == key && d.exporter() != s) {
                problem("EXPORT of " + s + " installed the file of dma-buf " + key + ", which "
                        + (d.exporter() == null ? "no runtime" : d.exporter().toString())
                        + " holds, not its own export: a stale struct file pointer revalidated after the file's"
                        + " slot was reused (PLAT-FILE-LIFETIME)");
            }
        }
    }

    /**
     * The access mode of the file the C code just gave its new dma-buf (its f_mode from the export flags):
     * revision 2 the one asked for, revision 1 always O_RDWR (UAPI-V1).
     */
    @Override
    public boolean readOnlyFile(boolean readOnly) {
        if (lastExportWritable < 0) {
            problem("the host asked the access mode of a dma-buf file the C code did not just export");
        }
        return lastExportWritable == 0;
    }

    /** The fd flags the C code reserved the new fd with: revision 1 always O_CLOEXEC. */
    @Override
    public boolean closeOnExec(DmabufArg arg) {
        return harness.installedCloexec();
    }

    @Override
    public Result<Long> attach(Substream s, File f, DmabufArg arg) {
        int sid = lock(s);
        try {
            int target = f == null ? FD_NONE
                    : f.privateData instanceof DmaBuf d ? (int) world.dmaBufKey(d) : FD_OTHER;
            // The C side sees one fd, the one ATTACH names; its number is not compared.
            int before = harness.dmaMappings();
            Result<Long> r = result(harness.attach(sid, 3, target, arg));
            // after the call: another task's ATTACH or DETACH may run while it has the hold let go
            lastControlled = s;
            attachMapped = harness.dmaMappings() > before;
            return r;
        } finally {
            harness.pcmUnlock(sid);
        }
    }

    /** The C side's importer: no PCM substream is involved, so no stream lock is taken. */
    @Override
    public Result<Long> foreignImport(DmaBuf d, boolean dmaMask) {
        return result(harness.foreignImport(3, (int) world.dmaBufKey(d), dmaMask));
    }

    /**
     * The C dropped the import a revocation left where it holds none after the ATTACH (or a new one: success);
     * an ATTACH whose argument copy faulted keeps it (docs/decisions.md, decision 55).
     */
    @Override
    public boolean droppedRevoked(Substream s, DmabufArg arg, Result<Long> r) {
        return r.isOk() || !harness.attached(sid(s));
    }

    /**
     * Whether the ATTACH just allowed made a streaming DMA mapping in the C (dma_map_sgtable(), counted by the
     * shim's DMA-API debugging): revision 2 maps no memory the device owns already (ATTACH-OWN-NO-MAPPING),
     * revision 1 every dma-buf a device moves.
     */
    @Override
    public boolean streamingMapping(Substream s, DmaBuf d) {
        return attachMapped;
    }

    /**
     * Whether the simulated driver's DMA runs on the memory the runtime uses after the last ATTACH or DETACH once
     * the driver prepares: a driver that programmed its DMA once (descriptors at HW_PARAMS, an address kept from
     * open) runs where it programmed it, unless revision 2's ATTACH opt-in made it rebuild at prepare
     * (docs/decisions.md 3d); revision 1 has no opt-in, so such a driver stays on its old memory and the host's
     * DMA engine reads there. The stream is in SETUP here, so preparing the driver now moves no DMA early.
     */
    @Override
    public boolean tellsDriver() {
        if (lastControlled == null) {
            return false;
        }
        int sid = mirror(lastControlled);
        if (harness.driverPrepare(sid) != 0) {
            return false;
        }
        int target = harness.dmaTarget(sid);
        return target > 0 && target == harness.runtimeBuffer(sid);
    }

    @Override
    public Result<Long> detach(Substream s) {
        int sid = lock(s);
        Result<Long> r;
        try {
            r = result(harness.detach(sid));
            lastControlled = s;
        } finally {
            harness.pcmUnlock(sid);
        }
        if (r.isOk() && (s.runtime().attachment() == null || s.runtime().attachment().revoked())) {
            // In flight together with a revocation, the DETACH took the import first and the revocation found
            // none, but the host ran its revocation before this answer: the DETACH is linearized before it.
            if (world.inFlightTogether()) {
                return r;
            }
            // The C detached, as a live one, the import a revocation left (LIFETIME-REVOKE-DETACH: ATTACH and
            // DETACH drop it first, and DETACH then finds nothing attached); the host answers as its state says.
            problem("DETACH of " + s + " found an import on the C side that the host drops as revoked");
            return Result.err(Errno.EINVAL);
        }
        int state = harness.state(sid);
        if (r.isOk() && state != Uapi.state(PcmState.SETUP)) {
            problem("DETACH left " + s + " in state " + stateName(state) + ", not SETUP");
        }
        return r;
    }

    /**
     * snd_pcm_dmabuf_prepare() of a member being prepared, under the locks the host's PREPARE holds (the
     * initiator's buffer_mutex, the other members' through {@link #lockGroup}); revisions 1 and 2 have no such
     * hook, and the harness answers 0 for them.
     */
    @Override
    public Result<Boolean> prepare(Substream s) {
        int sid = mirror(s);
        Errno busy = busy(harness.prepare(sid), "snd_pcm_dmabuf_prepare() of " + s);
        return busy != null ? Result.err(busy) : Result.ok(!harness.attached(sid));
    }

    /**
     * EBUSY for the C's -EBUSY where another op in flight holds the buffer accesses; any other errno, or an EBUSY
     * with no op in flight, is a problem of the C's.
     */
    private Errno busy(int ret, String call) {
        if (ret == -EBUSY && world.inFlightTogether()) {
            return Errno.EBUSY;
        }
        if (ret != 0) {
            problem(call + " answered errno " + -ret + " with no transfer in flight");
        }
        return null;
    }

    /** The PCM core's own snd_pcm_buffer_access_lock(), under the host's lock of the substream. */
    @Override
    public Errno lockBufferAccess(Substream s) {
        return busy(harness.bufferAccess(mirror(s), true), "snd_pcm_buffer_access_lock() of " + s);
    }

    @Override
    public void unlockBufferAccess(Substream s) {
        harness.bufferAccess(sid(s), false);
    }

    @Override
    public boolean accessesBlocked(Substream s) {
        int r = harness.accessesBlocked(sid(s));
        if (r < 0) {
            problem("snd_pcm_pre_start()'s read of the buffer accesses of " + s + ": the harness answered errno " + -r);
        }
        return r == 1;
    }

    /**
     * A transfer's copy raises the runtime's buffer accesses in the C, under its stream lock, as __snd_pcm_lib_xfer()
     * does; the host holds no lock of the substream around a transfer or its sync ({@link #coreWrote}), so other
     * kernel tasks run during both, a linked PREPARE's hook among them.
     */
    @Override
    public Errno beginCopy(Substream s) {
        return busy(harness.xferCopy(sid(s), true), "the raise of a transfer's accesses on " + s);
    }

    @Override
    public void endCopy(Substream s) {
        harness.xferCopy(sid(s), false);
        checkBugs();
    }

    /**
     * snd_pcm_post_prepare()'s question, asked of the C code under the stream lock as the series' PCM core asks it;
     * revisions 1 and 2 have no snd_pcm_dmabuf_revoked(), and the host decides as the model does.
     */
    @Override
    public boolean postPrepareRevoked(Substream s) {
        int r = harness.postPrepareRevoked(mirror(s));
        if (r == -ENOENT) {
            return DmabufDriver.super.postPrepareRevoked(s);
        }
        if (r < 0) {
            problem("snd_pcm_dmabuf_revoked() of " + s + ": the harness answered errno " + -r);
            return DmabufDriver.super.postPrepareRevoked(s);
        }
        return r == 1;
    }

    /**
     * The PCM core's sync after it wrote into the memory its DMA uses: revision 2's snd_pcm_data_sync(), which
     * syncs attached memory for every device that has it mapped (snd_pcm_dmabuf_sync()); revision 1 keeps
     * 6.12's snd_pcm_dma_buffer_sync(), which leaves shared memory unsynced. Words the C cleaned for a device
     * count as synced for the cache protocol.
     */
    @Override
    public void coreWrote(Substream s, SndDmaBuffer b, int fromWord, int toWord) {
        // no buffer_mutex: the copy's raised accesses keep the runtime's buffer where it is (beginCopy)
        int sid = mirror(s);
        coreWritten = b;
        coreCleaned = false;
        harness.dataSync(sid, true);
        coreWritten = null;
        checkBugs();
        if (coreCleaned) {
            world.coreWritesCleaned(b, fromWord, toWord);
        }
    }

    /**
     * snd_pcm_dmabuf_hw_free(), answering whether the C code revoked the runtime's export (its revoked flag:
     * revision 2 revokes memory the card reuses, revision 1 hands every export over). A revoked export's CPU
     * mappings must all fault with SIGBUS in the C's mm (zapped, and the fault handler gives no page), a handed
     * over one's none.
     */
    @Override
    public boolean hwFree(Substream s) {
        int sid = lock(s);
        mirrorImporters();
        List<DmaBuf> exports = exportsOf(s);
        try {
            harness.hwFree(sid);
        } finally {
            harness.pcmUnlock(sid);
        }
        checkBugs();
        boolean revoked = false;
        for (DmaBuf d : exports) {
            int r = harness.revoked((int) world.dmaBufKey(d));
            revoked |= r == 1;
            if (r == 1 && pcmHolds.getOrDefault(Hold.of(s), 0) > 0) {
                if (!world.inFlightTogether()) {
                    checkImportersStopped(d);
                }
                zapChecksDue.computeIfAbsent(s, k -> new ArrayList<>()).add(d);
            } else {
                checkZapped(d, r == 1);
            }
        }
        return revoked;
    }

    /** The dma-bufs the C code may still count as {@code s}'s runtime's export: the host's, live. */
    private List<DmaBuf> exportsOf(Substream s) {
        List<DmaBuf> out = new ArrayList<>();
        for (DmaBuf d : world.dmaBufs()) {
            if (d.exporter() == s && !d.released()) {
                out.add(d);
            }
        }
        return out;
    }

    /**
     * The C's mm agrees with its revoked flag: every mapping of a revoked dma-buf SIGBUS, of any other none; and
     * the importers of a revoked dma-buf are stopped on the C side (LIFETIME-REVOKE-DETACH: they stay attached
     * until their own next buffer operation, which Lockstep compares with the host's).
     */
    private void checkZapped(DmaBuf d, boolean revoked) {
        // With ops in flight together, an ATTACH about to fail may hold an attachment yet, and the host moves
        // streams it has not told the C about: the race runner checks the importers once the group is over.
        if (world.inFlightTogether()) {
            // Nor the mappings: the C's mm takes each mapping's mmap_lock to fault it, a scheduling point where
            // an munmap of the group frees the mapping this walk stands on; the race runner touches every mapping
            // of a revoked dma-buf once the group is over (LIFETIME-REVOKE-ZAP).
            return;
        }
        if (revoked) {
            checkImportersStopped(d);
        }
        checkMappings(d, revoked);
    }

    /** Every CPU mapping of a revoked dma-buf gets SIGBUS in the C's mm, of any other none. */
    private void checkMappings(DmaBuf d, boolean revoked) {
        int key = (int) world.dmaBufKey(d);
        int mappings = harness.mappings(key);
        int sigbus = harness.sigbus(key);
        if (mappings < 0) {
            return;
        }
        if (revoked && sigbus != mappings) {
            problem("dma-buf " + key + " is revoked but " + (mappings - sigbus) + " of its " + mappings
                    + " CPU mapping(s) still reach its memory: no unmap_mapping_range() reached them"
                    + " (LIFETIME-REVOKE-ZAP)");
        } else if (!revoked && sigbus != 0) {
            problem("dma-buf " + key + " is not revoked but " + sigbus + " of its " + mappings
                    + " CPU mapping(s) get SIGBUS");
        }
    }

    /**
     * The C code left each importer of a dma-buf it revoked where the model's revocation is about to take it
     * (LIFETIME-REVOKE-DETACH): a moving, suspended or prepared one in XRUN (docs/decisions.md, decision 52),
     * any other as it was. The host has not run its own revocation yet.
     */
    private void checkImportersStopped(DmaBuf d) {
        for (Attachment a : d.attachments()) {
            Substream s = a.substream;
            PcmState now = s.runtime().state();
            PcmState expected = switch (now) {
                case RUNNING, PAUSED, DRAINING, SUSPENDED, PREPARED -> PcmState.XRUN;
                default -> now;
            };
            int state = harness.state(sid(s));
            if (state != Uapi.state(expected)) {
                problem("the revocation of dma-buf " + world.dmaBufKey(d) + " left its importer " + s + " in state "
                        + stateName(state) + ", not " + expected + " (LIFETIME-REVOKE-DETACH)");
            }
        }
    }

    /** The dma-bufs of the card being disconnected, as the C code left them: revoked or not. */
    private final List<Boolean> disconnected = new ArrayList<>();

    @Override
    public void disconnect(Substream s) {
        int sid = mirror(s);
        mirrorImporters();
        harness.disconnect(sid);
        checkBugs();
        for (DmaBuf d : world.dmaBufs()) {
            // a handed-over export is revoked at the disconnect of the substream that exported it
            // (snd_pcm_dmabuf_disconnect() walks the handed-over list for buf->exporter == substream), which the
            // model no longer knows: asked once every substream of the card was disconnected
            boolean mine = d.exporter() == null ? s == s.pcm.substreams().getLast() : d.exporter() == s;
            if (d.exporterPcm == s.pcm && !d.released() && mine) {
                int key = (int) world.dmaBufKey(d);
                int r = harness.revoked(key);
                // a file whose count reached 0 is in its release, in another kernel task: it left the card's list
                if (r >= 0 && harness.fileCount(key) > 0) {
                    disconnected.add(r == 1);
                    checkZapped(d, r == 1);
                }
            }
        }
    }

    /**
     * Whether the C code revoked the disconnected card's exports (revision 2, LIFETIME-DISCONNECT) or left them
     * orphaned (revision 1, kernel-patch decisions 10-11), as its revoked flags say; a card with no export
     * leaves nothing to ask, and gets the library's revision's answer.
     */
    @Override
    public boolean revokesOnDisconnect() {
        boolean revoked = disconnected.isEmpty() ? harness.revision() >= 2 : disconnected.contains(true);
        if (disconnected.contains(!revoked)) {
            problem("the disconnect revoked some of the card's dma-bufs and not others");
        }
        disconnected.clear();
        return revoked;
    }

    @Override
    public void release(DmaBuf d) {
        long key = world.dmaBufKey(d);
        long count = harness.fileCount((int) key);
        if (count >= 0) {
            problem("dma-buf " + key + ": every holder is gone but the C code still counts " + count
                    + " reference(s) on its file");
        }
    }

    @Override
    public void enter(Task task) {
        harness.process(proc(task));
    }

    @Override
    public void exitMm(Task task) {
        harness.processExit(proc(task));
    }

    private int proc(Task task) {
        Integer known = procs.get(task);
        if (known != null) {
            return known;
        }
        if (procs.size() == Harness.MAX_PROCS) {
            // the op-script limits allow fewer processes than the C side keeps mms for
            throw new IllegalStateException("more than " + Harness.MAX_PROCS + " processes");
        }
        procs.put(task, procs.size());
        return procs.size() - 1;
    }

    /**
     * The C side's mm maps the dma-buf's file as mm/mmap.c does (do_mmap(): a shared mapping of a file without
     * FMODE_WRITE has VM_MAYSHARE but not VM_SHARED); every page the mmap put in the page table must be the page
     * of the dma-buf's memory at its offset, and so must every page left to fault in, touched here as a first
     * access would fault it in (outside concurrent groups).
     * The answer is the C mapping's handle.
     */
    @Override
    public Result<Long> mmap(DmaBuf d, long offset, long length, boolean write, boolean shared) {
        int handle = harness.mmap((int) world.dmaBufKey(d), offset / Substream.PAGE_SIZE,
                length / Substream.PAGE_SIZE, write, shared);
        if (handle < 0) {
            return result(handle);
        }
        checkMapped(d, handle, offset, length);
        return Result.ok((long) handle);
    }

    private void checkMapped(DmaBuf d, int handle, long offset, long length) {
        SndDmaBuffer expected = d.buffer;
        for (long i = 0; i < length / Substream.PAGE_SIZE; i++) {
            long page = harness.mappedPage(handle, i);
            long want = offset / Substream.PAGE_SIZE + i;
            // a page left to fault in is reached as the first access will reach it; not while ops are in flight
            // together, where a revocation may legally come between the mmap and that access
            if (page == -ENOENT && !world.inFlightTogether()) {
                page = harness.touchPage(handle, i);
            }
            if (page == -ENOENT) {
                continue;
            }
            if (page < 0) {
                problem("page " + i + " of a new mapping of dma-buf " + world.dmaBufKey(d) + " at offset " + offset
                        + " reaches no memory (errno " + -page + ")");
                return;
            }
            SndDmaBuffer reached = buffers.get((int) (page >>> 32));
            if (reached != expected || (page & 0xffffffffL) != want) {
                problem("page " + i + " of a new mapping of dma-buf " + world.dmaBufKey(d) + " at offset " + offset
                        + " reaches page " + (page & 0xffffffffL) + " of buffer " + (page >>> 32)
                        + ", not page " + want + " of the dma-buf's memory");
                return;
            }
        }
        checkBugs();
    }

    /**
     * A fill or check of a dma-buf mapping while ops are in flight together: the C side's mm faults the pages of
     * the range in first (handle_mm_fault() under the mm's mmap_lock, the exporter's vm_ops fault for an empty
     * entry) in the op's kernel task, so the fault races the group's other ops as an access of a thread does
     * (PLAT-CONCURRENCY). Whatever the page table reaches after the group is judged with every mapping of a
     * revoked dma-buf (LIFETIME-REVOKE-ZAP).
     */
    public void touch(Vma v, long offset, long length) {
        if (length <= 0 || offset < 0 || offset + length > v.length()) {
            return;
        }
        for (long p = offset / Substream.PAGE_SIZE; p <= (offset + length - 1) / Substream.PAGE_SIZE; p++) {
            harness.touchPage((int) v.driverHandle(), p);
        }
        checkBugs();
    }

    @Override
    public void munmap(DmaBuf d, long handle) {
        harness.munmap((int) handle);
        checkBugs();
    }

    @Override
    public void munmapTail(DmaBuf d, long handle, long keep) {
        harness.munmapTail((int) handle, keep / Substream.PAGE_SIZE);
        checkBugs();
    }

    /** get_user_pages() through the C side's mapping: its page table as the revision filled it (mm/gup.c). */
    @Override
    public Result<Long> gup(DmaBuf d, long handle, boolean write) {
        long r = harness.gup((int) handle, write);
        return result(r < 0 ? (int) r : (int) Math.min(r, Integer.MAX_VALUE));
    }

    @Override
    public void unpin(DmaBuf d, long handle) {
        if (harness.unpin((int) handle) < 0) {
            problem("the C side held no pin taken through mapping " + handle);
        }
        checkBugs();
    }

    @Override
    public Result<Long> cpuAccess(DmaBuf d, boolean begin, DmaDirection dir) {
        return result(harness.cpuAccess((int) world.dmaBufKey(d), begin, dir.ordinal()));
    }

    @Override
    public void fileReference(DmaBuf d, boolean get) {
        harness.fileRef((int) world.dmaBufKey(d), get);
        checkBugs();
    }

    /** The O_PATH open's path_get() of the dma-buf's dentry, or its last dput(): d_release at the last. */
    @Override
    public void pathReference(File path, DmaBuf d, boolean get) {
        if (get) {
            int handle = harness.pathGet((int) world.dmaBufKey(d));
            if (handle >= 0) {
                paths.put(path, handle);
            } else {
                problem("the harness took no path reference on dma-buf " + world.dmaBufKey(d) + ": errno " + -handle);
            }
        } else {
            Integer handle = paths.remove(path);
            if (handle != null) {
                harness.pathPut(handle);
            }
        }
        checkBugs();
    }

    /**
     * snd_pcm_action_group()'s locks, in the C where the patch's code takes them too: an atomic action (START,
     * STOP) the group's lock, then the initiator's stream lock, then every other member's, nested; a nonatomic one
     * (PREPARE) every other member's runtime->buffer_mutex, nested (the initiator's is the ioctl's,
     * {@link #pcmLock}). So a linked action waits for an ATTACH or EXPORT that holds a member's lock, and one
     * that slips between two of their critical sections changes the state the patch reads next.
     */
    @Override
    public void lockGroup(Substream initiator, List<Substream> members, boolean nonatomic) {
        if (!nonatomic) {
            harness.groupLock(gid(initiator.group()), true);
            harness.streamLock(sid(initiator), 0, true);
        }
        int depth = 1;
        for (Substream m : members) {
            if (m == initiator) {
                continue;
            }
            if (nonatomic) {
                harness.bufferLock(sid(m), depth++, true);
            } else {
                harness.streamLock(sid(m), depth++, true);
            }
        }
    }

    /** The members' new states into the C runtimes, under the action's locks, then the locks released. */
    @Override
    public void unlockGroup(Substream initiator, List<Substream> members, boolean nonatomic) {
        for (Substream m : members) {
            // a nonatomic post-action's snd_pcm_set_state() takes the member's stream lock; an atomic one holds it
            if (nonatomic) {
                harness.streamLock(sid(m), 0, true);
            }
            harness.setState(sid(m), Uapi.state(m.state()));
            if (nonatomic) {
                harness.streamLock(sid(m), 0, false);
            }
        }
        for (Substream m : members.reversed()) {
            if (m == initiator) {
                continue;
            }
            if (nonatomic) {
                harness.bufferLock(sid(m), 0, false);
            } else {
                harness.streamLock(sid(m), 0, false);
            }
        }
        if (!nonatomic) {
            harness.streamLock(sid(initiator), 0, false);
            harness.groupLock(gid(initiator.group()), false);
        }
        checkBugs();
    }

    /**
     * The substream's stream lock in the C, taken by the host where the PCM core takes it outside the ioctl's
     * buffer_mutex (snd_pcm_hw_free() in sound/core/pcm_native.c, snd_pcm_dev_disconnect() in sound/core/pcm.c):
     * the state the host checked or set under it reaches the C's runtime before the release, as
     * __snd_pcm_set_state() under the lock does, so the patch's own reads of the state under that lock
     * (snd_pcm_dmabuf_let_go()'s DISCONNECTED) see the state at the kernel's moment, not at the host's next hook.
     */
    @Override
    public void streamLock(Substream s, boolean lock) {
        int sid = sid(s);
        if (lock) {
            harness.streamLock(sid, 0, true);
            return;
        }
        if (s.runtime() != null) {
            harness.setState(sid, Uapi.state(s.runtime().state()));
        }
        harness.streamLock(sid, 0, false);
        checkBugs();
    }

    /** The C side's id of a group's lock: one per group the host made, never reused. */
    private int gid(PcmGroup g) {
        return groups.computeIfAbsent(g, k -> groups.size());
    }

    @Override
    public void pcmLock(Substream s) {
        harness.pcmLock(sid(s));
        pcmHolds.merge(Hold.of(s), 1, Integer::sum);
    }

    /**
     * The host's op is over: the state it set (a HW_FREE's OPEN) reaches the C before the hold goes, under the
     * stream lock, as snd_pcm_set_state() publishes it under buffer_mutex, for a dma-buf ioctl that runs between
     * its own critical sections (harness.c, dmabuf_ioctl()) to check. The rest of the runtime follows at the next
     * mirror: a revoked export's memory stays until the hw_free's second half zapped its mappings.
     */
    @Override
    public void pcmUnlock(Substream s) {
        Hold hold = Hold.of(s);
        if (pcmHolds.getOrDefault(hold, 0) == 1) {
            publishState(s);
        }
        harness.pcmUnlock(sid(s));
        if (pcmHolds.merge(hold, -1, Integer::sum) > 0) {
            return;
        }
        pcmHolds.remove(hold);
        checkBugs();
        List<DmaBuf> due = zapChecksDue.remove(s);
        // in a group the race runner touches the mappings once the group is over (checkZapped())
        if (due == null || world.inFlightTogether()) {
            return;
        }
        for (DmaBuf d : due) {
            if (!d.released()) {
                checkMappings(d, true);
            }
        }
    }

    /** The host's state into the C under the stream lock ({@link #streamLock}), where the two differ. */
    private void publishState(Substream s) {
        if (s.runtime() != null && harness.state(sid(s)) != Uapi.state(s.runtime().state())) {
            streamLock(s, true);
            streamLock(s, false);
        }
    }

    // ---- the C side's state, for comparison with the model -------------------------------------------

    /**
     * The C side's view of the host's dma-bufs {@code ds}, read in one call: what Lockstep compares after every
     * op.
     */
    public DmaBufs dmaBufs(List<DmaBuf> ds) {
        int[] ids = new int[ds.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (int) world.dmaBufKey(ds.get(i));
        }
        long[] view = new long[3 * ids.length];
        int live = harness.dmabufs(ids, view);
        return new DmaBufs(live, view);
    }

    /** The C dma-bufs as {@link #dmaBufs} read them: by the index of the host's dma-buf in the list asked about. */
    public record DmaBufs(int live, long[] view) {
        /** The C dma-buf's file reference count, -1 once the C code freed it. */
        public long fileCount(int i) {
            return view[3 * i];
        }

        /** The patch's orphan flag (1 when revoked too), -1 once the C code freed the dma-buf. */
        public int orphaned(int i) {
            return (int) view[3 * i + 1];
        }

        /** Attachments on the C dma-buf, -1 once the C code freed it. */
        public int attachments(int i) {
            return (int) view[3 * i + 2];
        }
    }

    /** Live streaming DMA mappings of the C code, as DMA-API debugging counts them. */
    public int dmaMappings() {
        return harness.dmaMappings();
    }

    /** Of those, the ones of memory their device owns already. */
    public int dmaOverlaps() {
        return harness.dmaOverlaps();
    }

    public int liveDmabufs() {
        return harness.liveDmabufs();
    }

    /** Buffers the C side holds, after every substream's runtime is mirrored (the PCM core frees lazily). */
    public int liveBuffers() {
        for (Pcm p : world.pcms()) {
            for (Substream s : p.substreams()) {
                mirror(s);
            }
        }
        return harness.liveBuffers();
    }

    /** get_device() minus put_device() over every device: the orphaned pages hold their device. */
    public int deviceReferences() {
        return harness.deviceRefs();
    }

    /**
     * What fault injection did during one op (kernel-patch/harness/shim/linux/fault-inject.h): the fallible calls
     * the code under test made, and the one made to fail, if any: the errno its failure means, the kernel function
     * and the line of the code under test that called it.
     */
    public record Fault(int calls, Errno errno, String kind, String site) {
        public boolean injected() {
            return kind != null;
        }

        /** {@code kzalloc at sound/core/pcm_dmabuf.c:905 (ENOMEM)}. */
        public String describe() {
            return kind + " at " + site + " (" + errno + ")";
        }
    }

    /**
     * Counts the fallible calls from now, the {@code nth} failing (0: none), as a write to fail-nth does. With
     * none armed since the C last reset its injection, nothing can have failed, and the count goes on from where
     * it stands: no call, where most ops arm nothing.
     */
    public void failNth(int nth) {
        if (nth != 0 || injectionArmed) {
            harness.failNth(nth);
            injectionArmed = nth != 0;
            callsBefore = 0;
        } else {
            callsBefore = harness.fallibleCalls();
        }
    }

    /** The fault injection since the last {@link #failNth}. */
    public Fault fault() {
        int calls = harness.fallibleCalls() - callsBefore;
        int e = harness.failedErrno();
        if (e == 0) {
            return new Fault(calls, null, null, null);
        }
        Errno errno = Uapi.errno(-e);
        if (errno == null) {
            problem("the harness injected errno " + -e + ", which the model has no name for");
        }
        return new Fault(calls, errno, harness.failedKind(), harness.failedSite());
    }

    /**
     * The closes of a disconnected card's substreams, which the C learns of at once: once the last is closed the
     * driver lets the device go (snd_card_free() waits for the card's last file), and kernel/dma/debug.c reports
     * whatever DMA-API memory is still held against it (dma_debug_device_change(), PLAT-DMA-DEBUG).
     */
    public void disconnectedClosed() {
        // After every op, and hardly ever a card is gone: a plain walk, with nothing allocated when none is.
        List<Map.Entry<Substream, Integer>> closed = null;
        for (Map.Entry<Substream, Integer> e : sids.entrySet()) {
            if (e.getKey().pcm.disconnected() && e.getKey().runtime() == null) {
                if (closed == null) {
                    closed = new ArrayList<>();
                }
                closed.add(e);
            }
        }
        if (closed != null) {
            // by sid: the order the C first heard of them, the same on every run
            closed.sort(Map.Entry.comparingByValue());
            for (Map.Entry<Substream, Integer> e : closed) {
                mirror(e.getKey());
            }
        }
    }

    /**
     * Nothing may be held by the C code now (the host holds no object of it): whatever it still holds is a
     * leak, a {@link #problems() problem} naming each object's kind and the line that acquired it.
     */
    public void accountCheck() {
        harness.accountCheck();
        checkBugs();
    }

    /**
     * Once a group of ops in flight together is over, after the host's revocation of {@code d}: the C keeps as
     * many importers on it as the host (each drops its own at its next buffer operation) (LIFETIME-REVOKE-DETACH).
     * Their states are the host's: the host mirrors its own into the C at each hook, over what a concurrent
     * revocation set there, so the C's say nothing once a group is over. The problems found, for the race runner.
     */
    public List<String> revokedImporters(DmaBuf d) {
        List<String> out = new ArrayList<>();
        int key = (int) world.dmaBufKey(d);
        int attachments = harness.attachments(key);
        if (attachments != d.attachments().size()) {
            out.add("dma-buf " + key + " is revoked and the host keeps " + d.attachments().size()
                    + " importer(s) until they drop it, but the C code " + attachments + " (LIFETIME-REVOKE-DETACH)");
        }
        return out;
    }

    /**
     * The PCM core's mmap of the substream's PCM data runs the series' hook in the C, under the task's mmap_lock
     * only, as 6.12 runs snd_pcm_mmap_data(): the C's own check and mmap_count decide, not the host's.
     */
    @Override
    public boolean pcmMmap(Substream s) {
        int r = harness.pcmMmap(mirror(s));
        checkBugs();
        return r == 0;
    }

    @Override
    public void pcmMunmap(Substream s) {
        harness.pcmMunmap(sid(s));
        checkBugs();
    }

    /**
     * The C runtimes as Lockstep compares them after every op: every substream with a host runtime mirrored, then
     * what each C runtime's DMA uses, read in one call.
     */
    public Runtimes runtimes() {
        for (Pcm p : world.pcms()) {
            for (Substream s : p.substreams()) {
                if (s.runtime() != null) {
                    mirror(s);
                }
            }
        }
        int[] view = new int[2 * sids.size()];
        harness.runtimes(view);
        return new Runtimes(view);
    }

    /** The C runtimes as {@link #runtimes()} read them. */
    public final class Runtimes {
        private final int[] view;

        private Runtimes(int[] view) {
            this.view = view;
        }

        /** The id of the buffer the C runtime's DMA uses (dma_area), 0 for none, -1 for no live buffer. */
        public int buffer(Substream s) {
            return view[2 * sids.get(s)];
        }

        /** Whether the C runtime has a dma-buf attached. */
        public boolean attached(Substream s) {
            return view[2 * sids.get(s) + 1] != 0;
        }
    }

    // ---- plumbing ------------------------------------------------------------------------------------

    /**
     * Takes the substream's runtime->buffer_mutex, as the PCM core does around the calls into the patch, then
     * mirrors the runtime under it: a kernel task of a scheduled group then never sees another's runtime half
     * mirrored. The caller unlocks.
     */
    private int lock(Substream s) {
        harness.pcmLock(sid(s));
        return mirror(s);
    }

    /**
     * A revocation stops the importers of the dma-buf by their state (LIFETIME-REVOKE-DETACH), which the C code
     * must see as the host has it: the host moves a stream (START, PREPARE...) without calling the C.
     */
    private void mirrorImporters() {
        // not while ops are in flight together: the importer's own op may be between its C call and its check
        if (world.inFlightTogether()) {
            return;
        }
        for (DmaBuf d : world.dmaBufs()) {
            for (Attachment a : d.attachments()) {
                mirror(a.substream);
            }
        }
    }

    /** Mirrors the substream into the C shim; returns its id there. */
    private int mirror(Substream s) {
        int sid = sid(s);
        // A buffer the host freed is no sync's business: dropping it keeps its memory from living on here.
        if (world.bufferChanges() != buffersCheckedAt) {
            buffers.values().removeIf(SndDmaBuffer::freed);
            buffersCheckedAt = world.bufferChanges();
        }
        PcmRuntime rt = s.runtime();
        Mirrored m;
        if (rt == null) {
            m = Mirrored.NONE;
        } else {
            SndDmaBuffer b = rt.dmaBuffer();
            if (b != null) {
                buffers.put(b.id, b);
            }
            int access = rt.access() == null ? 0 : Uapi.access(rt.access());
            int info = s.pcm.hw.mmap() ? Uapi.SNDRV_PCM_INFO_MMAP : 0;
            // the C counts the PCM data mappings itself (pcmMmap()): the host's count is compared when no op is
            // between its C call and its own count
            m = new Mirrored(true, Uapi.state(rt.state()), access, info, rt.dmaBytes(),
                    world.inFlightTogether() ? -1 : s.mmapCount(),
                    b == null ? 0 : b.id, b == null ? 0L : b.bytes, b != null && b.contiguous);
        }
        // The same runtime into a C side that nothing changed since it took it: the call would change nothing.
        // Not while ops are in flight together, whose kernel tasks change the C side between this task's calls,
        // nor from an upcall, whose C call goes on changing it after.
        boolean settled = !world.inFlightTogether() && upcalls == 0;
        if (settled && new Mirror(m, harness.changes()).equals(mirrored.get(sid))) {
            return sid;
        }
        harness.setRuntime(sid, m.hasRuntime, m.state, m.access, m.info, m.dmaBytes, m.mmapCount, m.bufferId,
                m.bufferBytes, m.contiguous);
        mirrored.set(sid, settled ? new Mirror(m, harness.changes()) : null);
        checkBugs();
        return sid;
    }

    /** What {@link #mirror} passes harness_set_runtime() for a substream. */
    private record Mirrored(boolean hasRuntime, int state, int access, int info, long dmaBytes, int mmapCount,
            int bufferId, long bufferBytes, boolean contiguous) {
        static final Mirrored NONE = new Mirrored(false, 0, 0, 0, 0L, 0, 0, 0L, false);
    }

    /** A runtime mirrored, and {@link Harness#changes()} right after the call. */
    private record Mirror(Mirrored runtime, long at) {
    }

    /** The substream's id on the C side, which learns of it now if it is new. */
    private int sid(Substream s) {
        Integer known = sids.get(s);
        int sid = known != null ? known : sids.size();
        if (known == null) {
            sids.put(s, sid);
            mirrored.add(null);
            devices.put(s.pcm.index, s.pcm);
            PcmHardware hw = s.pcm.hw;
            int r = harness.addSubstream(sid, s.pcm.index, Uapi.stream(s.stream), hw.contiguous(), hw.coherent(),
                    bufferType(hw), driverProfile(hw.driver()), (hw.optIn().export() ? Harness.CAP_EXPORT : 0)
                            | (hw.optIn().attach() ? Harness.CAP_ATTACH : 0)
                            | (hw.iommu() ? Harness.PLATFORM_IOMMU : 0) | (hw.bounce() ? Harness.PLATFORM_BOUNCE : 0)
                            | (hw.cpuMover() ? Harness.PLATFORM_CPU_MOVES : 0));
            if (r < 0) {
                problem("the harness could not add " + s + " (substream " + sid + " of device " + s.pcm.index
                        + "): errno " + -r);
            }
        }
        return sid;
    }

    /**
     * The SNDRV_DMA_TYPE_* of the device's buffer. A device that names no type gets the harness's plain pages
     * (CONTINUOUS where its DMA moves the data, VMALLOC where the CPU does), not the DEV, DEV_SG, NONCOHERENT or
     * NONCONTIG type the model implies: the harness has modelled the default platform so since it exists. A device
     * behind an IOMMU gets the implied type: it reaches memory only by IOVAs, which the plain pages' physical
     * addresses are not (drivers/iommu/dma-iommu.c), so its driver allocates through the DMA API.
     */
    private static int bufferType(PcmHardware hw) {
        BufferType b = hw.buffer();
        if (b == BufferType.implied(hw.coherent(), hw.contiguous()) && !hw.iommu()) {
            return hw.contiguous() ? BufferType.CONTINUOUS.kernelType : BufferType.VMALLOC.kernelType;
        }
        // FAKE's kernel type 0 is harness.h's HARNESS_BUFFER_FAKE; IOMEM's 4 is SNDRV_DMA_TYPE_DEV_IRAM.
        return b.kernelType;
    }

    private static int driverProfile(DriverProfile p) {
        return switch (p) {
            case MANAGED -> Harness.DRIVER_MANAGED;
            case PREALLOC -> Harness.DRIVER_PREALLOC;
            case FIXED -> Harness.DRIVER_FIXED;
            case KEEPS_ADDR -> Harness.DRIVER_KEEPS_ADDR;
            case DESCRIPTORS -> Harness.DRIVER_DESCRIPTORS;
            case PAGE -> Harness.DRIVER_PAGE;
            case OWN_MMAP -> Harness.DRIVER_OWN_MMAP;
        };
    }

    /** A DMA sync of the C code: the device's cache maintenance on the buffer, as World.syncUsers does it. */
    void dmaSync(int buffer, int device, boolean forDevice, int dir) {
        upcall(() -> sync(buffer, device, forDevice, dir));
    }

    /** Runs what an upcall of the C code does, counted in {@link #upcalls} while it runs. */
    private void upcall(Runnable r) {
        upcalls++;
        try {
            r.run();
        } finally {
            upcalls--;
        }
    }

    private void sync(int buffer, int device, boolean forDevice, int dir) {
        Pcm pcm = devices.get(device);
        SndDmaBuffer b = buffers.get(buffer);
        if (pcm == null || b == null) {
            problem("DMA sync of unknown " + (pcm == null ? "device " + device : "buffer " + buffer));
            return;
        }
        if (forDevice && b == coreWritten) {
            coreCleaned = true;
        }
        // As World.syncUsers: a coherent device that bounces is cleaned like a non-coherent one (syncFree()), which
        // changes nothing it or the CPU sees (its DMA moves the slot) and keeps the memory behind the cache the model's.
        if (pcm.hw.syncFree()) {
            return;
        }
        int words = (int) ((b.bytes + SndDmaBuffer.WORD_BYTES - 1) / SndDmaBuffer.WORD_BYTES);
        if (forDevice) {
            mem.clean(b, 0, words);
        } else if (dir != DmaDirection.TO_DEVICE.ordinal()) {
            mem.invalidate(b, 0, words);
        }
    }

    /**
     * A swiotlb slot operation of the C code's kernel (kernel/dma/swiotlb.c): its slots hold the words a bouncing
     * device DMAs ({@link Swiotlb}); a memory without slots has a device that bounces nowhere to bounce.
     */
    void dmaBounce(int slot, int buffer, int device, int op) {
        upcall(() -> bounce(slot, buffer, device, op));
    }

    private void bounce(int slot, int buffer, int device, int op) {
        SndDmaBuffer b = buffers.get(buffer);
        if (!(mem instanceof Swiotlb swiotlb) || b == null || !devices.containsKey(device)) {
            problem("swiotlb slot " + slot + " of " + (b == null ? "unknown buffer " + buffer : "device " + device)
                    + " with no bounce buffers to hold it");
            return;
        }
        boolean known = switch (op) {
            case Harness.BOUNCE_MAP -> {
                swiotlb.map(slot, device, b);
                yield true;
            }
            case Harness.BOUNCE_TO_SLOT -> swiotlb.toSlot(slot);
            case Harness.BOUNCE_FROM_SLOT -> swiotlb.fromSlot(slot);
            case Harness.BOUNCE_UNMAP -> swiotlb.unmap(slot);
            default -> false;
        };
        if (!known) {
            problem("swiotlb operation " + op + " on slot " + slot + ", which no live mapping holds");
        }
    }

    private Result<Long> result(int ret) {
        checkBugs();
        if (ret >= 0) {
            return Result.ok((long) ret);
        }
        Errno e = Uapi.errno(-ret);
        if (e != null) {
            return Result.err(e);
        }
        problem("the C code answered errno " + -ret + ", which the model has no name for");
        return Result.err(Errno.EIO);
    }

    /**
     * The global locks of the C code that a hw_params, hw_free or close of a substream that never shared its buffer
     * took since the last call (LIFETIME-NEVER-BLOCKED): each makes that stream wait for other cards' exports.
     */
    public List<String> globalLocks() {
        String taken = harness.globalLocks();
        return taken.isEmpty() ? List.of() : List.of(taken.split(","));
    }

    private void checkBugs() {
        int bugs = harness.bugs();
        if (bugs > bugsSeen) {
            problem(harness.lastBug() + (bugs - bugsSeen > 1 ? " (and " + (bugs - bugsSeen - 1) + " more)" : ""));
            bugsSeen = bugs;
        }
    }

    private void problem(String what) {
        problems.add(what);
    }

    private static String stateName(int state) {
        PcmState s = Uapi.state(state);
        return s != null ? s.name() : "#" + state;
    }
}
