package org.pcmdmabuf.model;

import java.util.List;

/**
 * The logic of the patch's sound/core/pcm_dmabuf.c. Two halves: the Java driver ({@link #JAVA}: EXPORT,
 * ATTACH and DETACH checks, orphan state, begin/end_cpu_access syncs), and the host's bookkeeping around any
 * {@link DmabufDriver} (the static methods the PCM core and the World call), which applies what the driver
 * allowed. Rules are docs/spec.md section 2 (EXPORT-*, ATTACH-*, DETACH-*); the order of the checks is the
 * patch's, so combined faults give the same errno.
 */
public final class PcmDmabuf {
    /** The Java mirror of pcm_dmabuf.c. */
    public static final DmabufDriver JAVA = new Java();

    private PcmDmabuf() {
    }

    /** The Java driver: pcm_dmabuf.c's checks, its orphan state as the host's flags, its syncs. */
    private static final class Java implements DmabufDriver {
        /**
         * One dma-buf per buffer: a second export while it lives is another fd to it, if it asks for the access
         * mode the dma-buf's one file has (docs/decisions.md, decision 2a). The checks in EXPORT-ORDER's order.
         */
        @Override
        public Result<Long> export(Substream s, File pcmFile, DmabufArg arg) {
            PcmRuntime rt = s.runtime;
            if (arg.exportError() instanceof Errno e) {
                return Result.err(e);
            }
            if (exportable(s) instanceof Errno e) {
                return Result.err(e);
            }
            boolean readOnly = arg.readOnly();
            // A writable dma-buf would let the holder of a read-only PCM fd write the stream's data
            // (EXPORT-RDWR-EACCES), as mmap(PROT_WRITE, MAP_SHARED) of that fd would not.
            if (!readOnly && !pcmFile.writable) {
                return Result.err(Errno.EACCES);
            }
            // The new fd is written back before the dma-buf is got (EXPORT-ORDER's checks passed), and a
            // failed write gives the reserved fd back: nothing made.
            if (arg.pointer() == DmabufArg.Pointer.READ_ONLY) {
                return Result.err(Errno.EFAULT);
            }
            if (rt.export == null) {
                return Result.ok(NEW_DMABUF);
            }
            return rt.export.file.writable == readOnly ? Result.err(Errno.EBUSY) : Result.ok((long) rt.export.id);
        }

        /** EXPORT's checks of the runtime and its driver, before the file's: null when it can be exported. */
        static Errno exportable(Substream s) {
            PcmRuntime rt = s.runtime;
            switch (rt.state) {
                case SETUP, PREPARED -> {
                }
                default -> {
                    return Errno.EBADFD;
                }
            }
            if (!rt.info.mmap()) {
                return Errno.ENXIO;
            }
            if (!rt.access.isMmap()) {
                return Errno.EINVAL;
            }
            // Only the driver's author knows whether its hardware plays from the buffer the core describes
            // (EXPORT-ENXIO-OPT-IN); a buffer without struct pages (snd-dummy's fake buffer, iomem) has nothing
            // an sg table or a user mapping of the dma-buf could describe (EXPORT-ENXIO-BUFFER-TYPE), and a
            // driver that maps its buffer itself may map it otherwise than the dma-buf would
            // (EXPORT-ENXIO-DRIVER-MMAP).
            if (!s.pcm.hw.optIn().export() || !s.pcm.hw.buffer().pages || s.pcm.hw.driver().mapsItself()) {
                return Errno.ENXIO;
            }
            return null;
        }

        @Override
        public boolean closeOnExec(DmabufArg arg) {
            return arg.closeOnExec();
        }

        @Override
        public boolean readOnlyFile(boolean readOnly) {
            return readOnly;
        }

        @Override
        public Result<Long> attach(Substream s, File f, DmabufArg arg) {
            PcmRuntime rt = s.runtime;
            if (arg.attachError() instanceof Errno e) {
                return Result.err(e);
            }
            if (rt.state != PcmState.SETUP) {
                return Result.err(Errno.EBADFD);
            }
            if (f == null) {
                return Result.err(Errno.EBADF);
            }
            // A vendor's buffer fd is no dma-buf a device could import (DESIGN-BUFFER-FD-OPS).
            if (!(f.privateData instanceof DmaBuf d) || d.plain) {
                return Result.err(Errno.EINVAL);
            }
            // A PCM data mapping would keep pointing at the old buffer (patch decision 4).
            if (rt.attachment != null && !rt.attachment.revoked || s.mmapCount > 0) {
                return Result.err(Errno.EBUSY);
            }
            // A driver that has not opted in may program addresses ATTACH cannot tell it about (ATTACH-ENXIO),
            // and one that keeps an address from open cannot take other memory (ATTACH-DRIVER-TOLD). The own
            // export is the memory the driver programmed already: nothing to tell it (docs/decisions.md, 54).
            if (d != rt.export && (!s.pcm.hw.optIn().attach() || !s.pcm.hw.driver().canReprogram())) {
                return Result.err(Errno.ENXIO);
            }
            // Capture DMA writes the memory: the importer needs the right to write it (ATTACH-CAPTURE-EACCES).
            if (s.stream == PcmStream.CAPTURE && !f.writable) {
                return Result.err(Errno.EACCES);
            }
            // Playback memory is written by the kernel too: write() copies into runtime->dma_area
            // (sound/core/pcm_lib.c, __snd_pcm_lib_xfer()), silence fills it in any access mode
            // (snd_pcm_playback_silence()), and a CPU-moving driver may write its buffer. A read-only file is
            // no right to that, except the substream's own export, whose memory is its own buffer
            // (ATTACH-PLAYBACK-EACCES, docs/decisions.md 57).
            if (!f.writable && d.buffer != rt.dmaBuffer) {
                return Result.err(Errno.EACCES);
            }
            if (d.size < rt.dmaBytes) {
                return Result.err(Errno.EINVAL);
            }
            if (!d.live()) {
                return Result.err(Errno.ENODEV);
            }
            // Contiguity is that of the mapped DMA addresses (patch decision 6): one page always is, and an IOMMU
            // maps scattered pages to one IOVA range (iommu_dma_map_sg(), drivers/iommu/dma-iommu.c). Bounce
            // buffers do not: dma_direct_map_sg() (kernel/dma/direct.c) bounces each segment into its own
            // slot (docs/decisions.md, decision 3b).
            // A device whose data the CPU moves reaches any memory through the kernel mapping (PLAT-BOUNCE).
            if (s.pcm.hw.contiguous() && !s.pcm.hw.iommu() && !s.pcm.hw.cpuMovesData() && !d.buffer.contiguous
                    && d.size > Substream.PAGE_SIZE) {
                return Result.err(Errno.EINVAL);
            }
            return Result.ok(0L);
        }

        @Override
        public boolean droppedRevoked(Substream s, DmabufArg arg, Result<Long> r) {
            return arg.attachError() == null;
        }

        /**
         * The own export's memory is the runtime's buffer, which the device already owns: mapping it again would
         * be a second streaming mapping of one buffer (the patch's snd_pcm_dmabuf_is_own() tells them apart). A
         * device whose data the CPU moves has no DMA to map for: the memory is only vmapped, and a sync for the
         * CPU must not copy a bounce slot nobody wrote over the client's writes (PLAT-BOUNCE).
         */
        @Override
        public boolean streamingMapping(Substream s, DmaBuf d) {
            return d.buffer != s.runtime.dmaBuffer && !s.pcm.hw.cpuMovesData();
        }

        /** The patch tells the driver of the new memory before the DMA uses it (ATTACH-DRIVER-TOLD). */
        @Override
        public boolean tellsDriver() {
            return true;
        }

        @Override
        public Result<Long> detach(Substream s) {
            PcmRuntime rt = s.runtime;
            switch (rt.state) {
                case SETUP, PREPARED -> {
                }
                case RUNNING, PAUSED, DRAINING -> {
                    return Result.err(Errno.EBUSY);
                }
                default -> {
                    return Result.err(Errno.EBADFD);
                }
            }
            // what a revocation left is dropped first: nothing attached (LIFETIME-REVOKE-DETACH)
            if (rt.attachment == null || rt.attachment.revoked) {
                return Result.err(Errno.EINVAL);
            }
            return Result.ok(0L);
        }

        /**
         * Memory the driver or card reuses (a preallocated or fixed buffer, an address the driver keeps) must
         * not stay with the dma-buf, or the next runtime's stream would show through its mappings: revoked.
         */
        @Override
        public boolean hwFree(Substream s) {
            return s.runtime.export != null && s.pcm.hw.driver().reusesMemory();
        }

        /** Cleans the words the core wrote for every device using the memory, as SYNC END|WRITE would. */
        @Override
        public void coreWrote(Substream s, SndDmaBuffer b, int fromWord, int toWord) {
            s.pcm.world.bus.syncForDevices(b, fromWord, toWord);
        }

        /** The Java driver keeps its state in the host's objects: nothing of its own to drop. */
        @Override
        public void disconnect(Substream s) {
        }

        /** A revoked attachment goes at the prepare; any other stays. */
        @Override
        public Result<Boolean> prepare(Substream s) {
            return Result.ok(s.runtime.attachment == null || revoked(s));
        }

        /** DMA memory never outlives its device (LIFETIME-DISCONNECT). */
        @Override
        public boolean revokesOnDisconnect() {
            return true;
        }

        @Override
        public void release(DmaBuf d) {
        }

        /**
         * Only runtime-private plain pages may be mapped by a device the PCM core cannot stop: memory the card
         * reuses would go on being written by it, and device memory goes with its device (IMPORT-SHAREABLE).
         */
        @Override
        public Result<Long> foreignImport(DmaBuf d, boolean dmaMask) {
            if (!d.live()) {
                return Result.err(Errno.ENODEV);
            }
            PcmHardware hw = d.exporterPcm.hw;
            boolean plainPages = hw.buffer() == BufferType.CONTINUOUS || hw.buffer() == BufferType.VMALLOC;
            if (!plainPages || hw.driver().reusesMemory() || !dmaMask) {
                return Result.err(Errno.EINVAL);
            }
            return Result.ok(0L);
        }

        /**
         * A private mapping would give its writer copies of the shared memory (PERM-MMAP-SHARED), whatever the
         * dma-buf's state; an orphaned dma-buf gives no new mappings.
         */
        @Override
        public Result<Long> mmap(DmaBuf d, long offset, long length, boolean write, boolean shared) {
            if (!shared) {
                return Result.err(Errno.EINVAL);
            }
            return d.live() ? Result.ok(0L) : Result.err(Errno.ENODEV);
        }

        /**
         * Syncs every device using the memory, for the device at END, for the CPU at START only where the CPU
         * reads (kernel-patch decision 9, snd_pcm_dmabuf_cpu_access()): a START|WRITE alone needs nothing a
         * device wrote, and invalidating for it would drop what the CPU wrote before its window opened.
         */
        @Override
        public Result<Long> cpuAccess(DmaBuf d, boolean begin, DmaDirection dir) {
            if (!d.live()) {
                return Result.err(Errno.ENODEV);
            }
            if (!begin || dir != DmaDirection.TO_DEVICE) {
                d.exporterPcm.world.bus.syncUsers(d, !begin);
            }
            return Result.ok(0L);
        }
    }

    // ---- the host's bookkeeping around any driver ----------------------------------------------------

    private static DmabufDriver driver(Substream s) {
        return s.pcm.world.driver();
    }

    /**
     * SNDRV_PCM_IOCTL_DMABUF_EXPORT on {@code pcmFile}: a new fd of the calling task for the dma-buf the driver
     * names, its file O_RDONLY or O_RDWR as the driver makes it.
     */
    static Result<Long> export(Substream s, File pcmFile, Task task, DmabufArg arg) {
        // The designs are alternatives: a runtime already handing out a vendor's buffer fd exports nothing else.
        if (s.runtime.export != null && s.runtime.export.plain) {
            return Result.err(Errno.EBUSY);
        }
        Result<Long> r = driver(s).export(s, pcmFile, arg);
        if (!r.isOk()) {
            return r;
        }
        PcmRuntime rt = s.runtime;
        World world = s.pcm.world;
        DmaBuf d = world.registry.dmaBufByKey(r.value());
        if (d == null) {
            rt.dmaBuffer.get();
            // The new file's first reference is the runtime's, held until HW_FREE, HW_PARAMS or close lets the
            // buffer go (EXPORT-COUNTED-REF; snd_pcm_dmabuf_get() keeps dma_buf_export()'s reference).
            d = world.registry.newDmaBuf(rt.dmaBuffer, pageAlign(rt.dmaBytes), s, r.value(),
                    !driver(s).readOnlyFile(arg.readOnly()));
            rt.export = d;
        }
        // The new fd's reference (get_dma_buf() before fd_install()).
        d.file.get();
        return Result.ok((long) task.files.install(d.file, driver(s).closeOnExec(arg)));
    }

    /**
     * The vendors' SNDRV_PCM_IOCTL_MMAP_DATA_FD (DESIGN-BUFFER-FD-*): an fd whose mmap maps the runtime's ring
     * buffer. It takes EXPORT's state and access checks and the export's lifetime (a reconfiguration hands the
     * memory over to the fd, LIFETIME-HANDOVER), but its fd answers no DMA_BUF_IOCTL_SYNC, so it never goes
     * through a dma-buf driver: only the model has it.
     */
    static Result<Long> bufferFd(Substream s, Task task) {
        PcmRuntime rt = s.runtime;
        if (rt.export != null && !rt.export.plain) {
            return Result.err(Errno.EBUSY);
        }
        if (Java.exportable(s) instanceof Errno e) {
            return Result.err(e);
        }
        DmaBuf d = rt.export;
        if (d == null) {
            rt.dmaBuffer.get();
            // The runtime holds the first reference, as for an export (EXPORT-COUNTED-REF).
            d = s.pcm.world.registry.newDmaBuf(rt.dmaBuffer, pageAlign(rt.dmaBytes), s, DmabufDriver.NEW_DMABUF, true);
            d.plain = true;
            rt.export = d;
        }
        d.file.get();
        return Result.ok((long) task.files.install(d.file));
    }

    /** SNDRV_PCM_IOCTL_DMABUF_ATTACH of a dma-buf fd of the calling task. */
    static Result<Long> attach(Substream s, Task task, int fd, DmabufArg arg) {
        File f = task.files.get(fd);
        // dma_buf_get(): fget() finds no O_PATH file.
        if (f != null && f.privateData instanceof PathFile) {
            f = null;
        }
        Result<Long> r = driver(s).attach(s, f, arg);
        // The argument is copied and checked before the runtime's buffer_mutex, which the drop needs (revision 4's
        // snd_pcm_dmabuf_ioctl(): no user copy under the lock); past them the drop is done, whatever ATTACH
        // answers next (docs/decisions.md, decision 55). A refused or faulting argument leaves the attachment.
        if (driver(s).droppedRevoked(s, arg, r)) {
            dropRevoked(s);
        }
        if (!r.isOk()) {
            return r;
        }
        DmaBuf d = (DmaBuf) f.privateData;
        f.get();
        Attachment a = s.pcm.world.registry.newAttachment(d, s);
        a.mapped = true;
        a.streaming = driver(s).streamingMapping(s, d);
        d.attachments.add(a);
        s.runtime.attachment = a;
        s.pcm.world.bus.mapped(a);
        tellDriver(s);
        return Result.ok(0L);
    }

    /**
     * A write() the PCM core copied into the memory its DMA uses while that memory is shared as a dma-buf
     * ({@code bytes} from byte {@code offset}): the core's snd_pcm_dma_buffer_sync() leaves shared memory to the
     * dma-buf code (docs/decisions.md, decision 7), which syncs it for the devices using it.
     */
    static void coreWrote(Substream s, long offset, long bytes) {
        SndDmaBuffer b = s.runtime.activeBuffer();
        int w1 = (int) Math.min(b.wordCount, (offset + bytes) / SndDmaBuffer.WORD_BYTES);
        int w0 = (int) Math.min(w1, offset / SndDmaBuffer.WORD_BYTES);
        driver(s).coreWrote(s, b, w0, w1);
    }

    /** SNDRV_PCM_IOCTL_DMABUF_DETACH: PREPARED falls back to SETUP. */
    static Result<Long> detach(Substream s) {
        Result<Long> r = driver(s).detach(s);
        // DETACH dropped first what a revocation left; the host follows once the driver answered, so that the
        // release of a dma-buf this drop lets go comes after the driver's own drop, as it does in the kernel
        dropRevoked(s);
        if (!r.isOk()) {
            return r;
        }
        // a revocation that ran while the driver detached (a concurrent group on the harness) detached it already
        if (s.runtime.attachment != null) {
            detachAttachment(s);
        }
        s.runtime.state = PcmState.SETUP;
        return r;
    }

    /**
     * The driver's DMA memory changed: a driver that programmed addresses at HW_PARAMS reprograms them where the
     * dma-buf code tells it (ATTACH-DRIVER-TOLD), before the DMA runs on the new memory.
     */
    private static void tellDriver(Substream s) {
        if (driver(s).tellsDriver()) {
            s.runtime.programmed = s.runtime.activeBuffer();
        }
    }

    /**
     * The substream drops the attachment a revocation left (LIFETIME-REVOKE-DETACH), first thing in ATTACH (once
     * its argument is copied and checked) and DETACH (snd_pcm_dmabuf_ioctl()) and in PREPARE ({@link #prepare}),
     * with the effect of DETACH: user space finds it detached already.
     */
    private static void dropRevoked(Substream s) {
        Attachment a = s.runtime.attachment;
        if (a != null && a.revoked) {
            detachAttachment(s);
        }
    }

    /**
     * Hook of snd_pcm_do_prepare(), snd_pcm_dmabuf_prepare(), for each member prepared: a substream whose
     * attachment was revoked is prepared for its own buffer; EBUSY refuses the prepare.
     */
    static Errno prepare(Substream s) {
        Result<Boolean> r = driver(s).prepare(s);
        if (!r.isOk()) {
            return r.errno();
        }
        if (r.value() && s.runtime.attachment != null) {
            detachAttachment(s);
        }
        return null;
    }

    /**
     * snd_pcm_dmabuf_revoked(), which snd_pcm_post_prepare() asks: a revocation marked the attachment while the
     * driver prepared, so the prepare ends in XRUN, where the revocation takes a prepared stream.
     */
    static boolean revoked(Substream s) {
        Attachment a = s.runtime.attachment;
        return a != null && a.revoked;
    }

    private static void detachAttachment(Substream s) {
        Attachment a = s.runtime.attachment;
        a.mapped = false;
        s.pcm.world.bus.unmapped(a);
        a.dmaBuf.attachments.remove(a);
        s.runtime.attachment = null;
        tellDriver(s);
        s.pcm.world.registry.removeAttachment(a);
        s.pcm.world.vfs.fput(a.dmaBuf.file);
    }

    /**
     * Hook of do_hw_free() and snd_pcm_hw_params(), snd_pcm_dmabuf_hw_free(): the substream's own attachment goes
     * (LIFETIME-IMPLICIT-DETACH), its export either keeps the memory (LIFETIME-HANDOVER: the dma-buf holds its
     * own reference) or, where the driver reuses that memory, is revoked (LIFETIME-REVOKE), and then the runtime
     * drops its counted reference on the export (EXPORT-COUNTED-REF), the dma-buf's release if it was the last
     * holder (LIFETIME-FREE-LAST). An export a card disconnect revoked already stays revoked. Returns whether
     * memory was handed over.
     */
    static boolean hwFree(Substream s) {
        boolean revoke = driver(s).hwFree(s);
        PcmRuntime rt = s.runtime;
        if (rt.attachment != null) {
            detachAttachment(s);
        }
        DmaBuf d = rt.export;
        if (d == null) {
            return false;
        }
        boolean handOver = !revoke && !d.revoked;
        d.exporter = null;
        rt.export = null;
        if (revoke && !d.revoked) {
            revoke(d);
        }
        s.pcm.world.vfs.fput(d.file);
        return handOver;
    }

    /**
     * Card disconnect: every dma-buf the card exported is revoked (LIFETIME-DISCONNECT), handed-over ones that
     * another card still streams from included, or orphaned where the driver does not revoke (revision 1). A
     * runtime keeps its export, and its counted reference on it, until close lets the buffer go, as
     * snd_pcm_dmabuf_disconnect() revokes runtime->dmabuf without dropping it.
     */
    static void disconnect(Pcm pcm) {
        DmabufDriver driver = pcm.world.driver();
        for (Substream s : pcm.substreams) {
            driver.disconnect(s);
        }
        boolean revoke = driver.revokesOnDisconnect();
        for (DmaBuf d : pcm.world.dmaBufs()) {
            if (d.exporterPcm != pcm || d.released) {
                continue;
            }
            if (!revoke) {
                d.disconnected = true;
                continue;
            }
            // a hw_free running beside the disconnect may have revoked it already (snd_pcm_dmabuf_let_go() sees
            // the DISCONNECTED state): the memory went back once
            if (!d.revoked) {
                revoke(d);
            }
        }
    }

    /**
     * Revocation of a dma-buf whose exporter no longer owns it: its memory goes back to the owner and to no one
     * else. Every CPU mapping is zapped first, as unmap_mapping_range() on the dma-buf file would, so a later
     * access raises SIGBUS (LIFETIME-REVOKE-ZAP) and no mapping holds the memory; the dma-buf lets go of it;
     * then every importer is stopped (LIFETIME-REVOKE-DETACH) and its attachment marked revoked. The importer
     * drops it itself at its next PREPARE, ATTACH, DETACH, HW_PARAMS, HW_FREE or close (its transfers and
     * prepare use the memory without the stream lock the revocation takes), with its reference on the dma-buf's
     * file. A moving importer is stopped in XRUN, as snd_pcm_stop_xrun() (sound/core/pcm_native.c) stops a stream
     * that lost its data, a suspended one too, so that RESUME cannot restart it, and a prepared one (it was
     * prepared for the memory it lost): XRUN is what snd_pcm_recover() prepares again, and the stop wakes the
     * stream's sleepers (docs/decisions.md, decisions 5b and 52).
     */
    static void revoke(DmaBuf d) {
        World world = d.exporterPcm.world;
        d.revoked = true;
        for (Vma v : world.registry.vmasOf(d.file)) {
            v.zapped = true;
            world.registry.putBuffer(v.buffer);
        }
        world.registry.putBuffer(d.buffer);
        for (Attachment a : List.copyOf(d.attachments)) {
            Substream s = a.substream;
            a.revoked = true;
            switch (s.runtime.state) {
                // a prepared one was prepared for memory it no longer has
                case RUNNING, DRAINING, PAUSED, SUSPENDED, PREPARED -> PcmNative.stop(s, PcmState.XRUN);
                default -> {
                }
            }
        }
    }

    /**
     * dma_buf_ops.release: the last file reference went. The exporting runtime's was one of them
     * (EXPORT-COUNTED-REF), so no runtime points at a released export.
     */
    static void release(DmaBuf d) {
        d.exporterPcm.world.driver().release(d);
        d.exporter = null;
        d.released = true;
        d.exporterPcm.world.registry.releaseDmaBuf(d);
    }

    /** Another driver's import of {@code d}: dma_buf_attach(), then dma_buf_map_attachment() (IMPORT-*). */
    static Result<Long> foreignImport(DmaBuf d, boolean dmaMask) {
        return d.exporterPcm.world.driver().foreignImport(d, dmaMask);
    }

    /** dma_buf_mmap_internal() after the core's range check: the exporter's mmap op. */
    static Result<Long> mmap(DmaBuf d, long offset, long length, boolean write, boolean shared) {
        return d.exporterPcm.world.driver().mmap(d, offset, length, write, shared);
    }

    static void munmap(DmaBuf d, long handle) {
        d.exporterPcm.world.driver().munmap(d, handle);
    }

    static void munmapTail(DmaBuf d, long handle, long keep) {
        d.exporterPcm.world.driver().munmapTail(d, handle, keep);
    }

    /** dma_buf_begin_cpu_access(): the exporter syncs, then the protocol opens the CPU's window. */
    static Result<Long> beginCpuAccess(DmaBuf d, DmaDirection dir) {
        Result<Long> r = d.exporterPcm.world.driver().cpuAccess(d, true, dir);
        if (r.isOk()) {
            d.buffer.sync.begin(dir);
        }
        return r;
    }

    /** dma_buf_end_cpu_access(): the exporter syncs, then the protocol closes the CPU's window. */
    static Result<Long> endCpuAccess(DmaBuf d, DmaDirection dir) {
        Result<Long> r = d.exporterPcm.world.driver().cpuAccess(d, false, dir);
        if (r.isOk()) {
            d.buffer.sync.end(dir);
        }
        return r;
    }

    static long pageAlign(long bytes) {
        return (bytes + Substream.PAGE_SIZE - 1) / Substream.PAGE_SIZE * Substream.PAGE_SIZE;
    }
}
