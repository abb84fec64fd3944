package org.pcmdmabuf.model;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The model's whole system: PCM devices, processes, and every kernel object between them. Its public
 * methods are the system calls and events an op script names (docs/op-scripts.md); each one is recorded in
 * the trace and followed by {@link #checkInvariants()}, which throws {@link InvariantViolation} with the trace
 * when the model's own bookkeeping breaks. Client mistakes are errnos or {@link ProtocolViolation}s, never exceptions.
 *
 * <p>The world wires its parts and does none of their work: what exists is the {@link Registry}'s, the system
 * calls are the {@link Vfs}'s, memory accesses the {@link MemoryBus}'s, the PCM ioctls {@link PcmNative}'s
 * and {@link PcmLib}'s, the dma-buf ioctls {@link PcmDmabuf}'s, and the devices' DMA {@link PcmDmaEngine}'s.
 */
public final class World {
    final Registry registry;
    final MemoryBus bus;
    final Vfs vfs;
    private final DmabufDriver driver;
    /** The invariant check's reused counting arrays. */
    private final Invariants.Recount recount = new Invariants.Recount();

    /** A model with no cache: CPU and devices see memory directly. */
    public World() {
        this(MemorySystem.DIRECT);
    }

    /** A model whose CPU and DMA accesses go through {@code mem} (the simulator's cache). */
    public World(MemorySystem mem) {
        this(mem, PcmDmabuf.JAVA);
    }

    /** A model whose dma-buf logic is {@code driver} (the Java mirror, or the patch's C code in its harness). */
    public World(MemorySystem mem, DmabufDriver driver) {
        this.driver = driver;
        this.registry = new Registry(mem);
        this.bus = new MemoryBus(mem, registry);
        this.vfs = new Vfs(registry, driver);
    }

    DmabufDriver driver() {
        return driver;
    }

    /** The key the driver gave {@code d} at EXPORT. */
    public long dmaBufKey(DmaBuf d) {
        return registry.dmaBufKey(d);
    }

    public void setObserver(DmaObserver observer) {
        bus.setObserver(observer);
    }

    /**
     * The live objects of one kind, in creation order, counting their changes: the invariant check runs after
     * every op and copies a set out only when its count moved, so every way to change the set counts (the bulk
     * operations of the collections framework end in add, remove or an iterator's remove).
     */
    static final class Live<E> extends LinkedHashSet<E> {
        private long changes;

        @Override
        public boolean add(E e) {
            changes++;
            return super.add(e);
        }

        @Override
        public boolean remove(Object o) {
            changes++;
            return super.remove(o);
        }

        @Override
        public void clear() {
            changes++;
            super.clear();
        }

        @Override
        public Iterator<E> iterator() {
            Iterator<E> it = super.iterator();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public E next() {
                    return it.next();
                }

                @Override
                public void remove() {
                    changes++;
                    it.remove();
                }
            };
        }

        long changes() {
            return changes;
        }
    }

    // ---- setup ---------------------------------------------------------------------------------------

    public Pcm addDevice(PcmHardware hw) {
        return registry.addDevice(this, hw);
    }

    public Task addTask(String name) {
        return registry.addTask(name);
    }

    public Pcm pcm(String name) {
        return registry.pcm(name);
    }

    public Task task(String name) {
        return registry.task(name);
    }

    /** A count that moves whenever a buffer is allocated or freed. */
    public long bufferChanges() {
        return registry.buffers.changes();
    }

    /** The devices in declaration order. */
    public List<Pcm> pcms() {
        return registry.pcms();
    }

    public List<Task> tasks() {
        return registry.tasks();
    }

    /** The devices in declaration order, not copied: for the invariant check, which runs after every op. */
    List<Pcm> pcmsInOrder() {
        return registry.pcmsInOrder();
    }

    /** The processes in declaration order, not copied, as {@link #pcmsInOrder()}. */
    List<Task> tasksInOrder() {
        return registry.tasksInOrder();
    }

    // ---- files ---------------------------------------------------------------------------------------

    /** open(2) of a PCM device node ({@link Vfs#open}). */
    public Result<Long> open(Task task, String device, boolean append, boolean nonblock, boolean readOnly) {
        return step(task, () -> "open " + device + (append ? " append" : "") + (nonblock ? " nonblock" : ""),
                () -> vfs.open(task, device, append, nonblock, readOnly));
    }

    /** close(2). */
    public Result<Long> close(Task task, int fd) {
        return step(task, () -> "close " + fd, () -> vfs.close(task, fd));
    }

    /**
     * open("/proc/self/fd/FD", O_PATH): an fd whose O_PATH file holds a path reference to FD's file's dentry
     * ({@link PathFile}, PLAT-FILE-LIFETIME).
     */
    public Result<Long> openPath(Task task, int fd) {
        return step(task, () -> "open_path " + fd, () -> vfs.openPath(task, fd));
    }

    /** dup(2). */
    public Result<Long> dup(Task task, int fd) {
        return step(task, () -> "dup " + fd, () -> vfs.dup(task, fd));
    }

    /** An fd passed with SCM_RIGHTS from one process to another ({@link Vfs#send}). */
    public Result<Long> send(Task from, int fd, Task to) {
        return step(from, () -> "send " + fd + " to " + to.name, () -> vfs.send(from, fd, to));
    }

    /** Process exit: every mapping, then every fd. */
    public Result<Long> exit(Task task) {
        return step(task, () -> "exit", () -> vfs.exit(task));
    }

    // ---- PCM ioctls ----------------------------------------------------------------------------------

    public Result<Long> hwParams(Task task, int fd, HwParams p) {
        return control(task, fd, () -> "hw_params " + p, (f, s) -> PcmNative.hwParams(s, p));
    }

    public Result<Long> hwFree(Task task, int fd) {
        return control(task, fd, () -> "hw_free", (f, s) -> PcmNative.hwFree(s));
    }

    public Result<Long> swParams(Task task, int fd, SwParams p) {
        return control(task, fd, () -> "sw_params " + p, (f, s) -> PcmNative.swParams(s, p));
    }

    public Result<Long> prepare(Task task, int fd) {
        return control(task, fd, () -> "prepare", (f, s) -> PcmNative.prepare(s));
    }

    public Result<Long> start(Task task, int fd) {
        return atomic(task, fd, () -> "start", (f, s) -> PcmNative.start(s));
    }

    public Result<Long> drop(Task task, int fd) {
        return atomic(task, fd, () -> "drop", (f, s) -> PcmNative.drop(s));
    }

    public Result<Long> drain(Task task, int fd) {
        return control(task, fd, () -> "drain", (f, s) -> PcmNative.drain(s, f.nonblock));
    }

    public Result<Long> reset(Task task, int fd) {
        return control(task, fd, () -> "reset", (f, s) -> PcmNative.reset(s));
    }

    public Result<Long> xrun(Task task, int fd) {
        return atomic(task, fd, () -> "xrun", (f, s) -> PcmNative.xrun(s));
    }

    public Result<Long> hwsync(Task task, int fd) {
        return pcmIoctl(task, fd, () -> "hwsync", (f, s) -> PcmNative.hwsync(s));
    }

    public Result<Long> delay(Task task, int fd) {
        return pcmIoctl(task, fd, () -> "delay", (f, s) -> PcmNative.delay(s));
    }

    public Result<Long> resume(Task task, int fd) {
        return atomic(task, fd, () -> "resume", (f, s) -> PcmNative.resume(s));
    }

    public Result<Long> pause(Task task, int fd, boolean push) {
        return atomic(task, fd, () -> "pause " + (push ? "on" : "off"), (f, s) -> PcmNative.pause(s, push));
    }

    /** SNDRV_PCM_IOCTL_SYNC_PTR; {@code applPtr} null only reads the pointers. */
    public Result<Long> syncPtr(Task task, int fd, Long applPtr) {
        return pcmIoctl(task, fd, () -> "sync_ptr " + applPtr, (f, s) -> PcmNative.syncPtr(s, applPtr));
    }

    /** SNDRV_PCM_IOCTL_WRITEI_FRAMES / READI_FRAMES: the stream's direction decides, as in the kernel. */
    public Result<Long> xferi(Task task, int fd, long frames) {
        return xferi(task, fd, frames, task.pid);
    }

    /**
     * A transfer whose written frames carry {@code source} in their stamps (a server copying for a client). 6.12
     * runs it under the stream lock, dropped for each chunk's copy (PcmLib#xfer), never runtime->buffer_mutex.
     */
    public Result<Long> xferi(Task task, int fd, long frames, int source) {
        return atomic(task, fd, () -> "xferi " + frames, (f, s) -> PcmLib.xfer(s, frames, f.nonblock, source));
    }

    public Result<Long> dmabufExport(Task task, int fd) {
        return dmabufExport(task, fd, false);
    }

    /** SNDRV_PCM_IOCTL_DMABUF_EXPORT asking for an O_RDONLY dma-buf file ({@code readOnly}) or an O_RDWR one. */
    public Result<Long> dmabufExport(Task task, int fd, boolean readOnly) {
        return dmabufExport(task, fd, DmabufArg.export(readOnly));
    }

    /** SNDRV_PCM_IOCTL_DMABUF_EXPORT with the argument as the caller passed it (UAPI-ARG-FIRST). */
    public Result<Long> dmabufExport(Task task, int fd, DmabufArg arg) {
        return control(task, fd, () -> "dmabuf_export" + (arg.readOnly() ? " rdonly" : "")
                + (arg.equals(DmabufArg.export(arg.readOnly())) ? "" : " " + arg), (f, s) -> PcmDmabuf.export(s, f, task, arg));
    }

    public Result<Long> dmabufAttach(Task task, int fd, int dmabufFd) {
        return dmabufAttach(task, fd, dmabufFd, DmabufArg.ATTACH);
    }

    /** SNDRV_PCM_IOCTL_DMABUF_ATTACH with the argument as the caller passed it (UAPI-ARG-FIRST). */
    public Result<Long> dmabufAttach(Task task, int fd, int dmabufFd, DmabufArg arg) {
        return control(task, fd, () -> "dmabuf_attach " + dmabufFd
                + (arg.equals(DmabufArg.ATTACH) ? "" : " " + arg),
                (f, s) -> PcmDmabuf.attach(s, task, dmabufFd, arg));
    }

    public Result<Long> dmabufDetach(Task task, int fd) {
        return control(task, fd, () -> "dmabuf_detach", (f, s) -> PcmDmabuf.detach(s));
    }

    /** SNDRV_PCM_IOCTL_LINK of {@code fd}'s substream with the PCM file {@code other} names (PcmNative#link). */
    public Result<Long> link(Task task, int fd, int other) {
        return control(task, fd, () -> "link " + other, (f, s) -> PcmNative.link(s, task.files.get(other)));
    }

    /** SNDRV_PCM_IOCTL_UNLINK. */
    public Result<Long> unlink(Task task, int fd) {
        return control(task, fd, () -> "unlink", (f, s) -> PcmNative.unlink(s));
    }

    /**
     * The hypothetical SNDRV_PCM_IOCTL_RESTRICT (docs/spec.md DESIGN-RESTRICT-*), a model-only op.
     */
    public Result<Long> restrict(Task task, int fd, PcmRole role) {
        return control(task, fd, () -> "restrict " + role, (f, s) -> Vfs.restrict(f, s, role));
    }

    /** The vendors' SNDRV_PCM_IOCTL_MMAP_DATA_FD (docs/spec.md DESIGN-BUFFER-FD-*), a model-only op. */
    public Result<Long> bufferFd(Task task, int fd) {
        return control(task, fd, () -> "buffer_fd", (f, s) -> PcmDmabuf.bufferFd(s, task));
    }

    /** A PCM ioctl that changes the stream, refused on a restricted file. */
    private Result<Long> control(Task task, int fd, Supplier<String> what, Vfs.PcmOp op) {
        return pcmIoctl(task, fd, what, Vfs.control(op));
    }

    /** A stream control or transfer that 6.12 runs without runtime->buffer_mutex (Vfs#pcmIoctl). */
    private Result<Long> atomic(Task task, int fd, Supplier<String> what, Vfs.PcmOp op) {
        return step(task, () -> what.get() + " fd " + fd, () -> Vfs.pcmIoctl(task, fd, Vfs.control(op), false));
    }

    private Result<Long> pcmIoctl(Task task, int fd, Supplier<String> what, Vfs.PcmOp op) {
        return step(task, () -> what.get() + " fd " + fd, () -> Vfs.pcmIoctl(task, fd, op));
    }

    /** The substream an fd of this task refers to, for reporting its state; null for other fds. */
    public Substream substreamOf(Task task, int fd) {
        return Vfs.substreamOf(task, fd);
    }

    // ---- dma-buf ioctl and mappings ------------------------------------------------------------------

    /** DMA_BUF_IOCTL_SYNC. */
    public Result<Long> dmaBufSync(Task task, int fd, long flags) {
        return step(task, () -> "sync fd " + fd + " flags " + flags, () -> Vfs.dmaBufSync(task, fd, flags));
    }

    /**
     * Another driver's import of the dma-buf behind {@code fd}, as a DRM PRIME import or a V4L2 DMABUF queue makes
     * one from the fd a process passes it: attach, map for its device's DMA, unmap, detach (IMPORT-*).
     */
    public Result<Long> foreignImport(Task task, int fd, boolean dmaMask) {
        return step(task, () -> "import fd " + fd + (dmaMask ? "" : " nodma"),
                () -> Vfs.foreignImport(task, fd, dmaMask));
    }

    /** mmap(2) with MAP_SHARED of a PCM fd's data or of a dma-buf ({@link Vfs#mmap}). */
    public Result<Vma> mmap(Task task, int fd, long offset, long length, boolean read, boolean write) {
        return mmap(task, fd, offset, length, read, write, true);
    }

    /**
     * mmap(2) with MAP_SHARED, or MAP_PRIVATE when not {@code shared}: of a dma-buf only (PERM-MMAP-SHARED); a
     * private mapping of a PCM fd's data copies on write, which the model does not model.
     */
    public Result<Vma> mmap(Task task, int fd, long offset, long length, boolean read, boolean write,
                            boolean shared) {
        return step(task, () -> "mmap fd " + fd + " off " + offset + " len " + length + (shared ? "" : " private"),
                () -> vfs.mmap(task, fd, offset, length, read, write, shared));
    }

    /** get_user_pages() of every page of a mapping (vmsplice(2), O_DIRECT): PERM-GUP-EFAULT. */
    public Result<Long> gup(Task task, Vma vma, boolean write) {
        return step(task, () -> "gup vma " + vma.id + (write ? " write" : ""), () -> vfs.gup(task, vma, write));
    }

    /** The release of the pins taken through a mapping. */
    public Result<Long> unpin(Task task, Vma vma) {
        return step(task, () -> "unpin vma " + vma.id, () -> vfs.unpin(task, vma));
    }

    /** munmap(2) of a whole mapping; unmapping what is no longer mapped is not an error, as in Linux. */
    public Result<Long> munmap(Task task, Vma vma) {
        return step(task, () -> "munmap vma " + vma.id, () -> vfs.munmap(vma));
    }

    /** munmap(2) of a mapping from byte {@code keep} on: its first {@code keep} bytes stay mapped. */
    public Result<Long> munmapTail(Task task, Vma vma, long keep) {
        return step(task, () -> "munmap vma " + vma.id + " from " + keep, () -> vfs.munmapTail(vma, keep));
    }

    // ---- the CPU through a mapping -------------------------------------------------------------------

    /**
     * The CPU writes stamped data through a mapping (op {@code fill}): every word gets a fresh stamp. A write
     * the protocol does not allow is still done, as hardware would, and recorded as a {@link ProtocolViolation}.
     * Offsets are in bytes and must be 4-byte aligned (the model's stamp granularity).
     */
    public Result<Long> fill(Task task, Vma vma, long off, long len) {
        return step(task, () -> "write vma " + vma.id + " off " + off + " len " + len,
                () -> bus.cpuFill(task, vma, off, len));
    }

    /**
     * The CPU stores {@code values} (one per 4-byte word) at byte {@code off} of a mapping, through the
     * memory system. Words past the end of the buffer (the mapping's page padding) are dropped.
     */
    public Result<Long> write(Task task, Vma vma, long off, long len, long[] values) {
        return step(task, () -> "write vma " + vma.id + " off " + off + " len " + len,
                () -> bus.cpuWrite(task, vma, off, len, values));
    }

    /** The CPU reads through a mapping and classifies what it sees (op {@code check}). */
    public Result<CheckCounts> check(Task task, Vma vma, long off, long len) {
        return step(task, () -> "read vma " + vma.id + " off " + off + " len " + len,
                () -> bus.cpuCheck(task, vma, off, len, bus.frameWords(vma.buffer)));
    }

    /** The CPU loads the words at byte {@code off} of a mapping, through the memory system. */
    public Result<long[]> read(Task task, Vma vma, long off, long len) {
        return step(task, () -> "read vma " + vma.id + " off " + off + " len " + len,
                () -> bus.cpuRead(task, vma, off, len));
    }

    // ---- card events and time ------------------------------------------------------------------------

    /**
     * System suspend and resume of the card: every substream that can be suspended is (snd_pcm_suspend_all()),
     * and the card is powered again at once, so the next ioctl does not wait in snd_power_wait().
     */
    public Result<Long> suspend(Pcm pcm) {
        return step(null, () -> "suspend " + pcm.name(), () -> {
            if (!pcm.disconnected) {
                pcm.substreams.forEach(PcmNative::suspend);
            }
            return Result.ok(0L);
        });
    }

    /** snd_card_disconnect(): streams stop in DISCONNECTED, fds answer ENODEV, exports are orphaned. */
    public Result<Long> disconnect(Pcm pcm) {
        return step(null, () -> "disconnect " + pcm.name(), () -> {
            if (!pcm.disconnected) {
                pcm.disconnected = true;
                // snd_pcm_dev_disconnect() (sound/core/pcm.c) sets each substream's state under its stream lock,
                // under register_mutex and pcm->open_mutex but no buffer_mutex: a hw_free in do_hw_free() runs on
                for (Substream s : pcm.substreams) {
                    driver.streamLock(s, true);
                    s.disconnect();
                    driver.streamLock(s, false);
                }
                PcmDmabuf.disconnect(pcm);
            }
            return Result.ok(0L);
        });
    }

    /** Virtual time passes; every running DMA moves at its rate. */
    public Result<Long> advanceNanos(long ns) {
        return step(null, () -> "advance " + ns + "ns", () -> {
            letTimePass(ns);
            return Result.ok(0L);
        });
    }

    /** Every running DMA moves {@code frames} frames (each at its own rate; no shared clock is implied). */
    public Result<Long> advanceFrames(long frames) {
        return step(null, () -> "advance " + frames + " frames", () -> {
            for (Pcm pcm : registry.pcmsInOrder()) {
                for (Substream s : pcm.substreams) {
                    registry.touch(Registry.DMA_STEP_BYTES);
                    if (bus.observed()) {
                        // frames without time: an observer times them by its own clock
                        bus.advancing(s, 0, null);
                    }
                    PcmDmaEngine.advanceFrames(s, frames);
                }
            }
            return Result.ok(0L);
        });
    }

    void letTimePass(long ns) {
        for (Pcm pcm : registry.pcmsInOrder()) {
            for (Substream s : pcm.substreams) {
                registry.touch(Registry.DMA_STEP_BYTES);
                PcmDmaEngine.advanceNanos(s, ns);
            }
        }
    }

    /**
     * Whether a running playback DMA may read words the CPU wrote and no sync cleaned. MemoryBus.dmaTransfer()
     * reports such a read once per transfer (MISSING_END_WRITE), so while one may happen, how time is cut into
     * advances shows in the violation count.
     */
    public boolean playbackMayReadUncleaned() {
        for (Pcm pcm : registry.pcmsInOrder()) {
            for (Substream s : pcm.substreams) {
                PcmRuntime rt = s.runtime;
                if (rt == null || !rt.dmaRunning || s.stream != PcmStream.PLAYBACK || pcm.hw.syncFree()) {
                    continue;
                }
                SndDmaBuffer b = rt.dmaTarget(pcm.hw);
                if (b != null && b.sync.anyUncleaned()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** CPU-clock nanoseconds to the next period interrupt of any running stream, or -1 if none runs. */
    public long nanosToNextInterrupt() {
        long best = -1;
        for (Pcm pcm : registry.pcmsInOrder()) {
            for (Substream s : pcm.substreams) {
                long n = PcmDmaEngine.nanosToNextInterrupt(s);
                if (n >= 0 && (best < 0 || n < best)) {
                    best = n;
                }
            }
        }
        return best;
    }

    /**
     * What DMA-API debugging (kernel/dma/debug.c) would show of the attachments' streaming mappings: how many
     * there are, and how many map memory the device already owns (its own runtime's buffer), which
     * dma-debug reports as an overlap (ATTACH-OWN-NO-MAPPING, PLAT-DMA-DEBUG).
     */
    public record DmaDebug(int mappings, int overlaps) {
    }

    public DmaDebug dmaDebug() {
        int mappings = 0;
        int overlaps = 0;
        for (Attachment a : registry.attachments) {
            if (a.streaming) {
                mappings++;
                PcmRuntime rt = a.substream.runtime;
                if (rt != null && rt.dmaBuffer == a.dmaBuf.buffer) {
                    overlaps++;
                }
            }
        }
        return new DmaDebug(mappings, overlaps);
    }

    /** What is still alive: op {@code leaks}. */
    public Leaks leaks() {
        return registry.leaks();
    }

    /** Protocol violations recorded since the world was made. */
    public long violationCount() {
        return registry.violationCount();
    }

    /** The protocol violations the last op recorded (earlier ops' are only counted). */
    public List<ProtocolViolation> lastOpViolations() {
        return registry.opViolations();
    }

    /**
     * An op that would record more than {@code limit} protocol violations throws {@link LimitExceeded}: each is
     * a record and a word of output, and a long advance over memory the CPU never cleaned records one per period.
     */
    public void limitViolationsPerOp(int limit) {
        registry.limitViolationsPerOp(limit);
    }

    /**
     * The op that would take the run past {@code bytes} of buffer memory touched throws {@link LimitExceeded}
     * (what counts: {@link Registry#touch}). Each op is bounded, but a script of many ops on big buffers, or a
     * blocking call that waits a period at a time while many devices move, adds up: a wait costs what the
     * whole system does meanwhile, not what the call asked.
     */
    public void limitTouch(long bytes) {
        registry.limitTouch(bytes);
    }

    /**
     * A dma-buf driver with code of its own (the harness's C) cleaned words [fromWord, toWord) of {@code b} for the
     * devices using it when the PCM core wrote them ({@link DmabufDriver#coreWrote}): the cache protocol counts
     * them as synced, as the Java driver's own clean does (CACHE-CORE-WRITES-SYNCED).
     */
    public void coreWritesCleaned(SndDmaBuffer b, int fromWord, int toWord) {
        b.sync.cleaned(fromWord, toWord);
    }

    /** Words a playback DMA read that differ from what was last stored there: stale memory. */
    public long staleDmaReads() {
        return bus.staleDmaReads();
    }

    public List<DmaBuf> dmaBufs() {
        return registry.dmaBufs();
    }

    public List<String> trace() {
        return registry.trace();
    }

    // ---- steps, trace and invariants -----------------------------------------------------------------

    private <T> Result<T> step(Task task, Supplier<String> what, Supplier<Result<T>> op) {
        registry.countOp();
        if (task != null) {
            driver.enter(task);
        }
        Result<T> r = op.get();
        registry.record(task, what, r.errno());
        if (!invariantsDeferred) {
            checkInvariants();
        }
        return r;
    }

    /** Whether ops skip the invariant check: ops in flight together leave each other's state half done. */
    private boolean invariantsDeferred;

    /**
     * Defers the invariant check of every op while ops of a concurrent group are in flight (the harness's
     * scheduled kernel tasks): an op that ends while another is between two of its steps sees a state no
     * sequential history has; the caller checks once the group is over.
     */
    public void deferInvariants(boolean defer) {
        invariantsDeferred = defer;
    }

    /** Whether ops of a concurrent group are in flight ({@link #deferInvariants(boolean)}). */
    public boolean inFlightTogether() {
        return invariantsDeferred;
    }

    /** Throws {@link InvariantViolation} with the recent trace when a model invariant does not hold. */
    public void checkInvariants() {
        Registry r = registry;
        String broken = Invariants.check(this, recount, r.files, r.dmaBufs, r.attachments, r.vmas, r.buffers);
        if (broken != null) {
            throw new InvariantViolation(broken + "\nop trace (most recent last):\n  "
                    + String.join("\n  ", trace().toArray(String[]::new)));
        }
    }

    /**
     * The fast invariant check every op runs and the full recount that otherwise runs only once the fast one
     * found something, both on the current state: for tests that the fast one misses nothing.
     */
    public InvariantVerdicts checkInvariantsBothWays() {
        return Invariants.bothWays(this, recount, registry.files, registry.dmaBufs, registry.attachments, registry.vmas,
                registry.buffers);
    }

    Map<File, Integer> fdReferences() {
        return registry.fdReferences();
    }
}
