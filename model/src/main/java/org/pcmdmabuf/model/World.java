package org.pcmdmabuf.model;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The model's whole system: PCM devices, processes, and every kernel object between them. Its public
 * methods are the system calls and events of DESIGN.md section 4; each one is recorded in the trace and
 * followed by {@link #checkInvariants()}, which throws {@link InvariantViolation} with the trace when the
 * model's own bookkeeping breaks. Client mistakes are errnos or {@link Violation}s, never exceptions.
 */
public final class World {
    final Registry registry;
    final MemoryBus bus;
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

    /**
     * open(2) of a PCM device node: snd_pcm_open() and snd_pcm_attach_substream() (sound/core/pcm.c).
     * Where the kernel would sleep for a free substream the model answers EBUSY, as O_NONBLOCK does: a
     * single-threaded script would wait forever.
     */
    public Result<Long> open(Task task, String device, boolean append, boolean nonblock, boolean readOnly) {
        return step(task, () -> "open " + device + (append ? " append" : "") + (nonblock ? " nonblock" : ""), () -> {
            Pcm pcm = registry.pcm(device);
            if (pcm == null) {
                return Result.err(Errno.ENOENT);
            }
            if (pcm.disconnected) {
                return Result.err(Errno.ENODEV);
            }
            Substream s = null;
            if (append) {
                if (pcm.substreams.size() > 1) {
                    return Result.err(Errno.EINVAL);
                }
                s = pcm.substreams.getFirst();
                if (s.refCount == 0) {
                    return Result.err(Errno.EBADFD);
                }
                s.refCount++;
            } else {
                for (Substream c : pcm.substreams) {
                    if (c.refCount == 0) {
                        s = c;
                        break;
                    }
                }
                if (s == null) {
                    return Result.err(Errno.EBUSY);
                }
                s.runtime = new PcmRuntime();
                s.refCount = 1;
            }
            File f = registry.newFile(new PcmFile(s), true, !readOnly, nonblock, append);
            return Result.ok((long) task.files.install(f));
        });
    }

    /** close(2). */
    public Result<Long> close(Task task, int fd) {
        return step(task, () -> "close " + fd, () -> {
            File f = task.files.remove(fd);
            if (f == null) {
                return Result.err(Errno.EBADF);
            }
            putReference(f);
            return Result.ok(0L);
        });
    }

    /** dup(2). */
    public Result<Long> dup(Task task, int fd) {
        return step(task, () -> "dup " + fd, () -> {
            File f = task.files.get(fd);
            if (f == null) {
                return Result.err(Errno.EBADF);
            }
            getReference(f);
            return Result.ok((long) task.files.install(f));
        });
    }

    /**
     * sendmsg(2) with SCM_RIGHTS from one process and recvmsg(2) in another, as one step: the receiver gets
     * a new fd for the same file. A receiver that has exited closed its socket: EPIPE.
     */
    public Result<Long> send(Task from, int fd, Task to) {
        return step(from, () -> "send " + fd + " to " + to.name, () -> {
            File f = from.files.get(fd);
            if (f == null) {
                return Result.err(Errno.EBADF);
            }
            if (to.exited) {
                return Result.err(Errno.EPIPE);
            }
            getReference(f);
            return Result.ok((long) to.files.install(f));
        });
    }

    /** Process exit: do_exit() tears down the mm (every mapping) before the files. */
    public Result<Long> exit(Task task) {
        return step(task, () -> "exit", () -> {
            for (Vma v : List.copyOf(task.vmas)) {
                unmap(v);
            }
            for (int fd : List.copyOf(task.files.entries().keySet())) {
                putReference(task.files.remove(fd));
            }
            task.exited = true;
            return Result.ok(0L);
        });
    }

    // ---- PCM ioctls ----------------------------------------------------------------------------------

    public Result<Long> hwParams(Task task, int fd, HwParams p) {
        return pcmIoctl(task, fd, () -> "hw_params " + p, (f, s) -> PcmNative.hwParams(s, p));
    }

    public Result<Long> hwFree(Task task, int fd) {
        return pcmIoctl(task, fd, () -> "hw_free", (f, s) -> PcmNative.hwFree(s));
    }

    public Result<Long> swParams(Task task, int fd, SwParams p) {
        return pcmIoctl(task, fd, () -> "sw_params " + p, (f, s) -> PcmNative.swParams(s, p));
    }

    public Result<Long> prepare(Task task, int fd) {
        return pcmIoctl(task, fd, () -> "prepare", (f, s) -> PcmNative.prepare(s));
    }

    public Result<Long> start(Task task, int fd) {
        return pcmIoctl(task, fd, () -> "start", (f, s) -> PcmNative.start(s));
    }

    public Result<Long> drop(Task task, int fd) {
        return pcmIoctl(task, fd, () -> "drop", (f, s) -> PcmNative.drop(s));
    }

    public Result<Long> drain(Task task, int fd) {
        return pcmIoctl(task, fd, () -> "drain", (f, s) -> PcmNative.drain(s, f.nonblock));
    }

    public Result<Long> reset(Task task, int fd) {
        return pcmIoctl(task, fd, () -> "reset", (f, s) -> PcmNative.reset(s));
    }

    public Result<Long> xrun(Task task, int fd) {
        return pcmIoctl(task, fd, () -> "xrun", (f, s) -> PcmNative.xrun(s));
    }

    public Result<Long> hwsync(Task task, int fd) {
        return pcmIoctl(task, fd, () -> "hwsync", (f, s) -> PcmNative.hwsync(s));
    }

    public Result<Long> delay(Task task, int fd) {
        return pcmIoctl(task, fd, () -> "delay", (f, s) -> PcmNative.delay(s));
    }

    public Result<Long> resume(Task task, int fd) {
        return pcmIoctl(task, fd, () -> "resume", (f, s) -> PcmNative.resume(s));
    }

    public Result<Long> pause(Task task, int fd, boolean push) {
        return pcmIoctl(task, fd, () -> "pause " + (push ? "on" : "off"), (f, s) -> PcmNative.pause(s, push));
    }

    /** SNDRV_PCM_IOCTL_SYNC_PTR; {@code applPtr} null only reads the pointers. */
    public Result<Long> syncPtr(Task task, int fd, Long applPtr) {
        return pcmIoctl(task, fd, () -> "sync_ptr " + applPtr, (f, s) -> PcmNative.syncPtr(s, applPtr));
    }

    /** SNDRV_PCM_IOCTL_WRITEI_FRAMES / READI_FRAMES: the stream's direction decides, as in the kernel. */
    public Result<Long> xferi(Task task, int fd, long frames) {
        return xferi(task, fd, frames, task.pid);
    }

    /** A transfer whose written frames carry {@code source} in their stamps (a server copying for a client). */
    public Result<Long> xferi(Task task, int fd, long frames, int source) {
        return pcmIoctl(task, fd, () -> "xferi " + frames, (f, s) -> PcmLib.xfer(s, frames, f.nonblock, source));
    }

    public Result<Long> dmabufExport(Task task, int fd) {
        return pcmIoctl(task, fd, () -> "dmabuf_export", (f, s) -> PcmDmabuf.export(s, task));
    }

    public Result<Long> dmabufAttach(Task task, int fd, int dmabufFd) {
        return pcmIoctl(task, fd, () -> "dmabuf_attach " + dmabufFd, (f, s) -> PcmDmabuf.attach(s, task, dmabufFd));
    }

    public Result<Long> dmabufDetach(Task task, int fd) {
        return pcmIoctl(task, fd, () -> "dmabuf_detach", (f, s) -> PcmDmabuf.detach(s));
    }

    @FunctionalInterface
    private interface PcmOp {
        Result<Long> apply(File file, Substream s);
    }

    /**
     * The path of a PCM ioctl: fdget() (EBADF), a dma-buf's dma_buf_ioctl() answering ENOTTY to a PCM
     * command, a disconnected card's snd_shutdown_f_ops answering ENODEV, then snd_pcm_common_ioctl().
     */
    private Result<Long> pcmIoctl(Task task, int fd, Supplier<String> what, PcmOp op) {
        return step(task, () -> what.get() + " fd " + fd, () -> {
            File f = task.files.get(fd);
            if (f == null) {
                return Result.err(Errno.EBADF);
            }
            return switch (f.privateData) {
                case DmaBuf d -> Result.err(Errno.ENOTTY);
                case PcmFile pf -> pf.substream().pcm.disconnected
                        ? Result.err(Errno.ENODEV) : op.apply(f, pf.substream());
            };
        });
    }

    /** The substream an fd of this task refers to, for reporting its state; null for other fds. */
    public Substream substreamOf(Task task, int fd) {
        File f = task.files.get(fd);
        return f != null && f.privateData instanceof PcmFile pf ? pf.substream() : null;
    }

    // ---- dma-buf ioctls and mappings -----------------------------------------------------------------

    /** DMA_BUF_IOCTL_SYNC, its flags checked exactly as dma_buf_ioctl() (drivers/dma-buf/dma-buf.c). */
    public Result<Long> dmaBufSync(Task task, int fd, long flags) {
        return step(task, () -> "sync fd " + fd + " flags " + flags, () -> {
            File f = task.files.get(fd);
            if (f == null) {
                return Result.err(Errno.EBADF);
            }
            if (!(f.privateData instanceof DmaBuf d)) {
                return ((PcmFile) f.privateData).substream().pcm.disconnected
                        ? Result.err(Errno.ENODEV) : Result.err(Errno.ENOTTY);
            }
            if ((flags & ~DmaBufSync.VALID_FLAGS_MASK) != 0) {
                return Result.err(Errno.EINVAL);
            }
            DmaDirection dir;
            switch ((int) (flags & DmaBufSync.RW)) {
                case DmaBufSync.READ -> dir = DmaDirection.FROM_DEVICE;
                case DmaBufSync.WRITE -> dir = DmaDirection.TO_DEVICE;
                case DmaBufSync.RW -> dir = DmaDirection.BIDIRECTIONAL;
                default -> {
                    return Result.err(Errno.EINVAL);
                }
            }
            return (flags & DmaBufSync.END) != 0
                    ? PcmDmabuf.endCpuAccess(d, dir) : PcmDmabuf.beginCpuAccess(d, dir);
        });
    }

    /**
     * mmap(2) with MAP_SHARED: the mm core's checks (page-aligned offset, non-zero length, PROT_WRITE needs
     * a writable file), then snd_pcm_mmap_data() for a PCM fd or dma_buf_mmap_internal() for a dma-buf.
     */
    public Result<Vma> mmap(Task task, int fd, long offset, long length, boolean read, boolean write) {
        return step(task, () -> "mmap fd " + fd + " off " + offset + " len " + length, () -> {
            File f = task.files.get(fd);
            if (f == null) {
                return Result.err(Errno.EBADF);
            }
            if (offset < 0 || offset % Substream.PAGE_SIZE != 0 || length <= 0) {
                return Result.err(Errno.EINVAL);
            }
            if (!f.readable || (write && !f.writable)) {
                return Result.err(Errno.EACCES);
            }
            long len = PcmDmabuf.pageAlign(length);
            return switch (f.privateData) {
                case PcmFile pf -> mmapPcmData(task, f, pf.substream(), offset, len, read, write);
                case DmaBuf d -> mmapDmaBuf(task, f, d, offset, len, read, write);
            };
        });
    }

    /** snd_pcm_mmap() / snd_pcm_mmap_data(). */
    private Result<Vma> mmapPcmData(Task task, File f, Substream s, long offset, long len, boolean read,
                                    boolean write) {
        if (s.pcm.disconnected) {
            return Result.err(Errno.ENODEV);
        }
        if (s.stream == PcmStream.PLAYBACK ? !(read || write) : !read) {
            return Result.err(Errno.EINVAL);
        }
        PcmRuntime rt = s.runtime;
        if (rt.state == PcmState.OPEN) {
            return Result.err(Errno.EBADFD);
        }
        if (!rt.info.mmap()) {
            return Result.err(Errno.ENXIO);
        }
        if (!rt.access.isMmap()) {
            return Result.err(Errno.EINVAL);
        }
        long dmaBytes = PcmDmabuf.pageAlign(rt.dmaBytes);
        if (len > dmaBytes || offset > dmaBytes - len) {
            return Result.err(Errno.EINVAL);
        }
        // The patch refuses a PCM data mapping of attached memory (kernel-patch decision 4).
        if (rt.attachment != null) {
            return Result.err(Errno.EBUSY);
        }
        s.mmapCount++;
        return Result.ok(newVma(task, f, rt.activeBuffer(), s, offset, len, read, write));
    }

    /** dma_buf_mmap_internal() then the exporter's mmap op. */
    private Result<Vma> mmapDmaBuf(Task task, File f, DmaBuf d, long offset, long len, boolean read,
                                   boolean write) {
        if (offset / Substream.PAGE_SIZE + len / Substream.PAGE_SIZE > d.size / Substream.PAGE_SIZE) {
            return Result.err(Errno.EINVAL);
        }
        Result<Long> r = PcmDmabuf.mmap(d);
        if (!r.isOk()) {
            return r.cast();
        }
        return Result.ok(newVma(task, f, d.buffer, null, offset, len, read, write));
    }

    /** munmap(2) of a whole mapping; unmapping what is no longer mapped is not an error, as in Linux. */
    public Result<Long> munmap(Task task, Vma vma) {
        return step(task, () -> "munmap vma " + vma.id, () -> {
            if (!vma.unmapped) {
                unmap(vma);
            }
            return Result.ok(0L);
        });
    }

    /**
     * The CPU writes stamped data through a mapping (op {@code fill}): every word gets a fresh stamp. A write
     * the protocol does not allow is still done, as hardware would, and recorded as a {@link Violation}.
     * Offsets are in bytes and must be 4-byte aligned (the model's stamp granularity).
     */
    public Result<Long> fill(Task task, Vma vma, long off, long len) {
        return write(task, vma, off, len, bus.freshStamps(len));
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
        int first = (int) ((vma.offset + off) / DmaBuffer.WORD_BYTES);
        return read(task, vma, off, len).map(words -> CheckCounts.of(words, vma.buffer.logical, first,
                bus.frameWords(vma.buffer)));
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
                pcm.substreams.forEach(Substream::disconnect);
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
                    PcmDmaEngine.advanceFrames(s, frames);
                }
            }
            return Result.ok(0L);
        });
    }

    void letTimePass(long ns) {
        for (Pcm pcm : registry.pcmsInOrder()) {
            for (Substream s : pcm.substreams) {
                PcmDmaEngine.advanceNanos(s, ns);
            }
        }
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

    /** What is still alive: op {@code leaks}. */
    public Leaks leaks() {
        return registry.leaks();
    }

    public List<Violation> violations() {
        return registry.violations();
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

    // ---- object lifecycle (package-private: called by the kernel objects) ----------------------------

    /** fput(): at the last reference the file's release runs. */
    void fput(File f) {
        if (!f.put()) {
            return;
        }
        registry.files.remove(f);
        switch (f.privateData) {
            case PcmFile pf -> PcmNative.release(pf.substream());
            case DmaBuf d -> PcmDmabuf.release(d);
        }
    }

    /** A reference an fd or a mapping takes on a file (not the dma-buf code's own). */
    private void getReference(File f) {
        f.get();
        if (f.privateData instanceof DmaBuf d) {
            driver.fileReference(d, true);
        }
    }

    /** Drops a reference {@link #getReference} or an install took. */
    private void putReference(File f) {
        if (f.privateData instanceof DmaBuf d) {
            driver.fileReference(d, false);
        }
        fput(f);
    }

    private Vma newVma(Task task, File f, DmaBuffer b, Substream s, long offset, long len, boolean read,
                       boolean write) {
        getReference(f);
        b.get();
        return registry.newVma(task, f, b, s, offset, len, read, write);
    }

    private void unmap(Vma v) {
        v.unmapped = true;
        registry.removeVma(v);
        if (v.substream != null) {
            v.substream.mmapCount--;
        }
        registry.putBuffer(v.buffer);
        putReference(v.file);
    }

    // ---- steps, trace and invariants -----------------------------------------------------------------

    private <T> Result<T> step(Task task, Supplier<String> what, Supplier<Result<T>> op) {
        registry.countOp();
        Result<T> r = op.get();
        registry.record(task, what, r.errno());
        checkInvariants();
        return r;
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

    Map<File, Integer> fdReferences() {
        return registry.fdReferences();
    }
}
