package org.pcmdmabuf.model;

import java.util.List;

/**
 * The VFS and the system calls on it: fd tables and the references fds and mappings hold on a struct file
 * (open, close, dup, SCM_RIGHTS, exit, fput()), mmap and munmap, and the ioctl dispatch that hands a PCM
 * ioctl to the PCM core and a dma-buf one to dma_buf_ioctl(). Each method is the body of one system call;
 * {@link World} records it and checks the invariants around it.
 */
final class Vfs {
    private final Registry registry;
    private final DmabufDriver driver;

    Vfs(Registry registry, DmabufDriver driver) {
        this.registry = registry;
        this.driver = driver;
    }

    // ---- files ---------------------------------------------------------------------------------------

    /**
     * open(2) of a PCM device node: snd_pcm_open() and snd_pcm_attach_substream() (sound/core/pcm.c).
     * Where the kernel would sleep for a free substream the model answers EBUSY, as O_NONBLOCK does: a
     * single-threaded script would wait forever.
     */
    Result<Long> open(Task task, String device, boolean append, boolean nonblock, boolean readOnly) {
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
    }

    /** close(2). */
    Result<Long> close(Task task, int fd) {
        File f = task.files.remove(fd);
        if (f == null) {
            return Result.err(Errno.EBADF);
        }
        putReference(f);
        return Result.ok(0L);
    }

    /** dup(2). */
    Result<Long> dup(Task task, int fd) {
        File f = task.files.get(fd);
        if (f == null) {
            return Result.err(Errno.EBADF);
        }
        getReference(f);
        return Result.ok((long) task.files.install(f));
    }

    /**
     * sendmsg(2) with SCM_RIGHTS from one process and recvmsg(2) in another, as one step: the receiver gets
     * a new fd for the same file. A receiver that has exited closed its socket: EPIPE.
     */
    Result<Long> send(Task from, int fd, Task to) {
        File f = from.files.get(fd);
        if (f == null) {
            return Result.err(Errno.EBADF);
        }
        if (to.exited) {
            return Result.err(Errno.EPIPE);
        }
        getReference(f);
        return Result.ok((long) to.files.install(f));
    }

    /**
     * open("/proc/self/fd/FD", O_PATH): proc_fd_link() (fs/proc/fd.c) resolves the magic link to the fd's file's
     * path, and the new O_PATH file holds that path (PathFile). Opened through an O_PATH fd it names that fd's
     * path again.
     */
    Result<Long> openPath(Task task, int fd) {
        File f = task.files.get(fd);
        if (f == null) {
            return Result.err(Errno.ENOENT);
        }
        FilePrivate target = f.privateData instanceof PathFile p ? p.target() : f.privateData;
        File path = registry.newFile(new PathFile(target), false, false, false, false);
        if (target instanceof DmaBuf d) {
            d.pathRefs++;
            driver.pathReference(path, d, true);
        }
        return Result.ok((long) task.files.install(path));
    }

    /**
     * get_user_pages() of every page of {@code v} by its task (mm/gup.c), as vmsplice(2) or O_DIRECT take them: no
     * mapping there (unmapped), or one without the access (check_vma_flags(): PROT_WRITE for a write pin) is
     * EFAULT. A dma-buf mapping answers as its exporter's mmap filled it (PERM-GUP-EFAULT). A PCM data mapping
     * answers as 6.12's snd_pcm_lib_default_mmap() maps its buffer type: pages of a struct-page mapping
     * (vm_insert_page(), a fault handler's page) are pinned, page frames (remap_pfn_range()) are EFAULT; the model
     * counts such pins but does not judge what they keep (the stock PCM mmap's, docs/decisions.md).
     */
    Result<Long> gup(Task task, Vma v, boolean write) {
        if (v.unmapped || v.task != task || (write ? !v.write : !v.read)) {
            return Result.err(Errno.EFAULT);
        }
        Result<Long> r;
        if (v.dmaBuf() instanceof DmaBuf d) {
            r = v.zapped ? Result.err(Errno.EFAULT) : driver.gup(d, v.driverHandle, write);
        } else {
            r = pcmMapsPages(v.substream.pcm.hw) ? Result.ok((v.length + Substream.PAGE_SIZE - 1)
                    / Substream.PAGE_SIZE) : Result.err(Errno.EFAULT);
        }
        if (r instanceof Result.Ok<Long> ok) {
            if (v.pins == 0) {
                task.pinned.add(v);
            }
            v.pins += ok.value();
        }
        return r;
    }

    /**
     * Whether 6.12 maps a PCM's data with struct pages: sound/core/memalloc.c, the vmalloc type
     * (remap_vmalloc_range()) and DEV_SG (snd_dma_sg_fallback_mmap(), vm_map_pages()), and behind an
     * IOMMU the non-contiguous and coherent ones (drivers/iommu/dma-iommu.c, vm_map_pages()); a driver's page
     * callback (snd_pcm_mmap_data_fault()) gives pages too. The others are remap_pfn_range()d.
     */
    private static boolean pcmMapsPages(PcmHardware hw) {
        return switch (hw.buffer()) {
            case VMALLOC, DEV_SG, FAKE -> true;
            case NONCONTIG, DEV, DEV_WC -> hw.iommu();
            default -> false;
        };
    }

    /** The release of the pins {@code v}'s task took through it: EINVAL when it holds none. */
    Result<Long> unpin(Task task, Vma v) {
        if (v.pins == 0 || v.task != task) {
            return Result.err(Errno.EINVAL);
        }
        long n = v.pins;
        release(v);
        return Result.ok(n);
    }

    private void release(Vma v) {
        v.pins = 0;
        v.task.pinned.remove(v);
        if (v.dmaBuf() instanceof DmaBuf d) {
            driver.unpin(d, v.driverHandle);
        }
    }

    /**
     * Process exit: do_exit() tears down the mm (every mapping) before the files, whose last close releases a
     * pipe's pinned pages.
     */
    Result<Long> exit(Task task) {
        for (Vma v : List.copyOf(task.vmas)) {
            unmap(v);
        }
        for (Vma v : List.copyOf(task.pinned)) {
            release(v);
        }
        driver.exitMm(task);
        for (int fd : task.files.entries().keySet()) {
            putReference(task.files.remove(fd));
        }
        task.exited = true;
        return Result.ok(0L);
    }

    /** fput(): at the last reference the file's release runs. */
    void fput(File f) {
        if (!f.put()) {
            return;
        }
        registry.removeFile(f);
        switch (f.privateData) {
            case PcmFile pf -> PcmNative.release(pf.substream());
            // __fput() puts the dentry: the dma-buf's release is its d_release, at the last path reference.
            case DmaBuf d -> {
                if (d.pathRefs == 0) {
                    PcmDmabuf.release(d);
                }
            }
            case PathFile p -> {
                if (p.target() instanceof DmaBuf d) {
                    driver.pathReference(f, d, false);
                    if (--d.pathRefs == 0 && d.file.released()) {
                        PcmDmabuf.release(d);
                    }
                }
            }
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

    // ---- ioctls --------------------------------------------------------------------------------------

    /** A PCM ioctl's handler, given the file and substream the fd resolved to. */
    @FunctionalInterface
    interface PcmOp {
        Result<Long> apply(File file, Substream s);
    }

    /**
     * The path of a PCM ioctl: fdget() (EBADF), a dma-buf's dma_buf_ioctl() answering ENOTTY to a PCM
     * command, a disconnected card's snd_shutdown_f_ops answering ENODEV, then snd_pcm_common_ioctl().
     * Static, as the ioctls below: the world's per-op lambda then captures only the arguments, no world.
     */
    static Result<Long> pcmIoctl(Task task, int fd, PcmOp op) {
        return pcmIoctl(task, fd, op, true);
    }

    /**
     * A PCM ioctl, under the substream's lock ({@code bufferMutex}, DmabufDriver#pcmLock) or not: 6.12 runs an
     * atomic action's ioctl (START, DROP, PAUSE, RESUME, XRUN: snd_pcm_action_lock_irq() and snd_pcm_drop() in
     * sound/core/pcm_native.c) under the stream lock alone, which the action takes (PcmNative#action), so it
     * runs beside a dma-buf ioctl that holds runtime->buffer_mutex.
     */
    static Result<Long> pcmIoctl(Task task, int fd, PcmOp op, boolean bufferMutex) {
        File f = task.files.get(fd);
        if (f == null) {
            return Result.err(Errno.EBADF);
        }
        return switch (f.privateData) {
            case DmaBuf d -> Result.err(Errno.ENOTTY);
            case PcmFile pf -> {
                // The PCM core's lock of the substream around the ioctl (DmabufDriver#pcmLock)
                Substream s = pf.substream();
                if (bufferMutex) {
                    s.pcm.world.driver().pcmLock(s);
                }
                try {
                    yield s.pcm.disconnected ? Result.err(Errno.ENODEV) : op.apply(f, s);
                } finally {
                    if (bufferMutex) {
                        s.pcm.world.driver().pcmUnlock(s);
                    }
                }
            }
            case PathFile p -> Result.err(Errno.EBADF);
        };
    }

    /**
     * A PCM ioctl that changes the stream: a file SNDRV_PCM_IOCTL_RESTRICT narrowed gets EPERM before any
     * state check, as a permission check comes first (DESIGN-RESTRICT-EPERM).
     */
    static PcmOp control(PcmOp op) {
        return (f, s) -> f.role != null ? Result.err(Errno.EPERM) : op.apply(f, s);
    }

    /**
     * The hypothetical SNDRV_PCM_IOCTL_RESTRICT (DESIGN-RESTRICT-*): narrows this struct file, once and for
     * good, to the role that moves its stream's data. Irrevocable because the server hands the fd to a client
     * it does not trust: a second RESTRICT is a stream control {@link #control} refuses. Per file because dup
     * and SCM_RIGHTS share the file.
     */
    static Result<Long> restrict(File f, Substream s, PcmRole role) {
        if (role.stream() != s.stream) {
            return Result.err(Errno.EINVAL);
        }
        f.role = role;
        return Result.ok(0L);
    }

    /** The substream an fd of this task refers to; null for other fds. */
    static Substream substreamOf(Task task, int fd) {
        File f = task.files.get(fd);
        return f != null && f.privateData instanceof PcmFile pf ? pf.substream() : null;
    }

    /** DMA_BUF_IOCTL_SYNC, its flags checked exactly as dma_buf_ioctl() (drivers/dma-buf/dma-buf.c). */
    static Result<Long> dmaBufSync(Task task, int fd, long flags) {
        File f = task.files.get(fd);
        if (f == null || f.privateData instanceof PathFile) {
            return Result.err(Errno.EBADF);
        }
        if (!(f.privateData instanceof DmaBuf d)) {
            return ((PcmFile) f.privateData).substream().pcm.disconnected
                    ? Result.err(Errno.ENODEV) : Result.err(Errno.ENOTTY);
        }
        // The vendors' buffer fd has no cache maintenance ioctl (DESIGN-BUFFER-FD-NO-SYNC).
        if (d.plain) {
            return Result.err(Errno.ENOTTY);
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
        // Counted here, in the host, so that every target's run costs the same whatever its dma-buf code syncs.
        d.exporterPcm.world.bus.touchSync(d.buffer);
        return (flags & DmaBufSync.END) != 0
                ? PcmDmabuf.endCpuAccess(d, dir) : PcmDmabuf.beginCpuAccess(d, dir);
    }

    /**
     * Another driver's import of the dma-buf behind {@code fd} (IMPORT-*): dma_buf_get() as every importer
     * starts (EBADF for no fd or an O_PATH one, EINVAL for a file that is no dma-buf), then the exporter's map.
     */
    static Result<Long> foreignImport(Task task, int fd, boolean dmaMask) {
        File f = task.files.get(fd);
        if (f == null || f.privateData instanceof PathFile) {
            return Result.err(Errno.EBADF);
        }
        if (!(f.privateData instanceof DmaBuf d) || d.plain) {
            return Result.err(Errno.EINVAL);
        }
        return PcmDmabuf.foreignImport(d, dmaMask);
    }

    // ---- mappings ------------------------------------------------------------------------------------

    /**
     * mmap(2) with MAP_SHARED, or MAP_PRIVATE of a dma-buf: the mm core's checks (page-aligned offset, non-zero
     * length, a shared PROT_WRITE mapping needs a writable file), then snd_pcm_mmap_data() for a PCM fd or
     * dma_buf_mmap_internal() for a dma-buf.
     */
    Result<Vma> mmap(Task task, int fd, long offset, long length, boolean read, boolean write, boolean shared) {
        // the system call refuses an offset that is not page-aligned before it looks at the fd (x86_64
        // SYSCALL_DEFINE6(mmap), arch/x86/kernel/sys_x86_64.c, then ksys_mmap_pgoff()'s fget())
        if (offset % Substream.PAGE_SIZE != 0) {
            return Result.err(Errno.EINVAL);
        }
        File f = task.files.get(fd);
        if (f == null || f.privateData instanceof PathFile) {
            return Result.err(Errno.EBADF);
        }
        if (offset < 0 || length <= 0) {
            return Result.err(Errno.EINVAL);
        }
        // do_mmap() (mm/mmap.c): a private mapping only needs FMODE_READ; its writes would go to copies
        if (!f.readable || (shared && write && !f.writable)) {
            return Result.err(Errno.EACCES);
        }
        // A capture stream's consumer reads the data and writes nothing (DESIGN-RESTRICT-ALLOWED).
        if (write && f.role == PcmRole.CONSUMER) {
            return Result.err(Errno.EACCES);
        }
        long len = PcmDmabuf.pageAlign(length);
        return switch (f.privateData) {
            case PcmFile pf when !shared ->
                    throw new IllegalArgumentException("a private mapping of a PCM fd's data (copy on write) is not"
                            + " modelled: op scripts map only dma-bufs privately");
            case PcmFile pf -> mmapPcmData(task, f, pf.substream(), offset, len, read, write);
            case DmaBuf d -> mmapDmaBuf(task, f, d, offset, len, read, write, shared);
            case PathFile p -> throw new IllegalStateException("mmap of an O_PATH file got past EBADF");
        };
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
        // The patch's hook in snd_pcm_mmap_data() (sound/core/pcm_native.c) sits before the access and range
        // checks: an attached runtime is EBUSY whatever the mapping asks (the real kernel's answer, e2e).
        if (rt.attachment != null) {
            return Result.err(Errno.EBUSY);
        }
        if (!rt.access.isMmap()) {
            return Result.err(Errno.EINVAL);
        }
        long dmaBytes = PcmDmabuf.pageAlign(rt.dmaBytes);
        if (len > dmaBytes || offset > dmaBytes - len) {
            return Result.err(Errno.EINVAL);
        }
        // The hook as the driver runs it, in the mmap's own task: an ATTACH may have overtaken the check above.
        if (!s.pcm.world.driver().pcmMmap(s)) {
            return Result.err(Errno.EBUSY);
        }
        s.mmapCount++;
        return Result.ok(newVma(task, f, rt.activeBuffer(), s, offset, len, read, write));
    }

    /** dma_buf_mmap_internal() then the exporter's mmap op. */
    private Result<Vma> mmapDmaBuf(Task task, File f, DmaBuf d, long offset, long len, boolean read,
                                   boolean write, boolean shared) {
        if (offset / Substream.PAGE_SIZE + len / Substream.PAGE_SIZE > d.size / Substream.PAGE_SIZE) {
            return Result.err(Errno.EINVAL);
        }
        Result<Long> r = PcmDmabuf.mmap(d, offset, len, write, shared);
        if (!(r instanceof Result.Ok<Long> ok)) {
            return r.cast();
        }
        Vma v;
        if (d.revoked) {
            // Only a concurrent group on the harness gets here: the exporter mapped, then a revocation that ran
            // while mm/mmap.c linked the mapping waited for it and zapped it (LIFETIME-REVOKE-ZAP). The mapping
            // holds its file but no memory, as every mapping a revocation zapped.
            getReference(f);
            v = registry.newVma(task, f, d.buffer, null, offset, len, read, write);
            v.zapped = true;
        } else {
            v = newVma(task, f, d.buffer, null, offset, len, read, write);
        }
        v.driverHandle = ok.value();
        return Result.ok(v);
    }

    private Vma newVma(Task task, File f, SndDmaBuffer b, Substream s, long offset, long len, boolean read,
                       boolean write) {
        getReference(f);
        b.get();
        return registry.newVma(task, f, b, s, offset, len, read, write);
    }

    /** munmap(2) of a whole mapping; unmapping what is no longer mapped is not an error, as in Linux. */
    Result<Long> munmap(Vma vma) {
        if (!vma.unmapped) {
            unmap(vma);
        }
        return Result.ok(0L);
    }

    /**
     * munmap(2) from byte {@code keep} of a mapping on (mm/vma.c, do_vmi_munmap()): an address not page-aligned
     * is EINVAL; a range past the mapping's end unmaps nothing; else the mapping is split and its tail goes. The
     * part that stays holds the file and the buffer as the whole did: the split's get_file() of the new part and
     * the removed part's fput() cancel, as do a PCM mapping's vm_ops->open and ->close of mmap_count.
     */
    Result<Long> munmapTail(Vma v, long keep) {
        if (keep % Substream.PAGE_SIZE != 0 || keep < 0) {
            return Result.err(Errno.EINVAL);
        }
        if (keep == 0) {
            return munmap(v);
        }
        if (v.unmapped || keep >= v.length) {
            return Result.ok(0L);
        }
        if (v.dmaBuf() != null) {
            PcmDmabuf.munmapTail(v.dmaBuf(), v.driverHandle, keep);
        }
        v.length = keep;
        return Result.ok(0L);
    }

    private void unmap(Vma v) {
        v.unmapped = true;
        registry.removeVma(v);
        if (v.substream != null) {
            v.substream.mmapCount--;
            v.substream.pcm.world.driver().pcmMunmap(v.substream);
        }
        if (!v.zapped) {
            registry.putBuffer(v.buffer);
        }
        if (v.dmaBuf() != null) {
            PcmDmabuf.munmap(v.dmaBuf(), v.driverHandle);
        }
        putReference(v.file);
    }
}
