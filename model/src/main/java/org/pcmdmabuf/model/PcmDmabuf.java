package org.pcmdmabuf.model;

/**
 * The logic of the patch's sound/core/pcm_dmabuf.c: EXPORT, ATTACH, DETACH, the hw_free and disconnect
 * hooks the PCM core calls, and the dma_buf_ops (release, mmap, begin/end_cpu_access). Rules are
 * DESIGN.md section 3; the order of the checks is the patch's, so combined faults give the same errno.
 */
final class PcmDmabuf {
    private PcmDmabuf() {
    }

    /** SNDRV_PCM_IOCTL_DMABUF_EXPORT: one dma-buf per buffer; a second export is another fd to it. */
    static Result<Long> export(Substream s, Task task) {
        PcmRuntime rt = s.runtime;
        switch (rt.state) {
            case SETUP, PREPARED -> {
            }
            default -> {
                return Result.err(Errno.EBADFD);
            }
        }
        if (!rt.info.mmap()) {
            return Result.err(Errno.ENXIO);
        }
        if (!rt.access.isMmap()) {
            return Result.err(Errno.EINVAL);
        }
        World world = s.pcm.world;
        DmaBuf d = rt.export;
        if (d != null) {
            d.file.get();
        } else {
            rt.dmaBuffer.get();
            d = world.newDmaBuf(rt.dmaBuffer, pageAlign(rt.dmaBytes), s);
            rt.export = d;
        }
        return Result.ok((long) task.files.install(d.file));
    }

    /** SNDRV_PCM_IOCTL_DMABUF_ATTACH of a dma-buf fd of the calling task. */
    static Result<Long> attach(Substream s, Task task, int fd) {
        PcmRuntime rt = s.runtime;
        if (rt.state != PcmState.SETUP) {
            return Result.err(Errno.EBADFD);
        }
        File f = task.files.get(fd);
        if (f == null) {
            return Result.err(Errno.EBADF);
        }
        if (!(f.privateData instanceof DmaBuf d)) {
            return Result.err(Errno.EINVAL);
        }
        // A PCM data mapping would keep pointing at the old buffer (patch decision 4).
        if (rt.attachment != null || s.mmapCount > 0) {
            return Result.err(Errno.EBUSY);
        }
        if (d.size < rt.dmaBytes) {
            return Result.err(Errno.EINVAL);
        }
        if (!d.live()) {
            return Result.err(Errno.ENODEV);
        }
        if (s.pcm.hw.contiguous() && !d.buffer.contiguous) {
            return Result.err(Errno.EINVAL);
        }
        f.get();
        Attachment a = s.pcm.world.newAttachment(d, s);
        a.mapped = true;
        d.attachments.add(a);
        rt.attachment = a;
        return Result.ok(0L);
    }

    /** SNDRV_PCM_IOCTL_DMABUF_DETACH. */
    static Result<Long> detach(Substream s) {
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
        if (rt.attachment == null) {
            return Result.err(Errno.EINVAL);
        }
        detachAttachment(s);
        rt.state = PcmState.SETUP;
        return Result.ok(0L);
    }

    private static void detachAttachment(Substream s) {
        Attachment a = s.runtime.attachment;
        a.mapped = false;
        a.dmaBuf.attachments.remove(a);
        s.runtime.attachment = null;
        s.pcm.world.removeAttachment(a);
        s.pcm.world.fput(a.dmaBuf.file);
    }

    /**
     * Hook of do_hw_free() and snd_pcm_hw_params(): the substream's own attachment goes, and its export is
     * orphaned, keeping the memory (the dma-buf holds its own reference). Returns whether it was exported.
     */
    static boolean hwFree(Substream s) {
        PcmRuntime rt = s.runtime;
        if (rt.attachment != null) {
            detachAttachment(s);
        }
        DmaBuf d = rt.export;
        if (d == null) {
            return false;
        }
        d.exporter = null;
        rt.export = null;
        return true;
    }

    /** Card disconnect: every dma-buf the card exported is orphaned. */
    static void disconnect(Pcm pcm) {
        for (DmaBuf d : pcm.world.dmaBufs()) {
            if (d.exporterPcm == pcm) {
                d.disconnected = true;
            }
        }
    }

    /** dma_buf_ops.release: the last file reference went. */
    static void release(DmaBuf d) {
        if (d.exporter != null && d.exporter.runtime != null && d.exporter.runtime.export == d) {
            d.exporter.runtime.export = null;
        }
        d.exporter = null;
        d.released = true;
        d.exporterPcm.world.releaseDmaBuf(d);
    }

    /** dma_buf_ops.mmap: an orphaned dma-buf gives no new mappings. */
    static Result<Long> mmap(DmaBuf d) {
        return d.live() ? Result.ok(0L) : Result.err(Errno.ENODEV);
    }

    /** dma_buf_ops.begin_cpu_access: sync every mapped attachment for the CPU. */
    static Result<Long> beginCpuAccess(DmaBuf d, DmaDirection dir) {
        if (!d.live()) {
            return Result.err(Errno.ENODEV);
        }
        d.buffer.sync.begin(dir);
        d.exporterPcm.world.syncUsers(d, false);
        return Result.ok(0L);
    }

    /** dma_buf_ops.end_cpu_access: sync every mapped attachment for the device. */
    static Result<Long> endCpuAccess(DmaBuf d, DmaDirection dir) {
        if (!d.live()) {
            return Result.err(Errno.ENODEV);
        }
        d.buffer.sync.end(dir);
        d.exporterPcm.world.syncUsers(d, true);
        return Result.ok(0L);
    }

    static long pageAlign(long bytes) {
        return (bytes + Substream.PAGE_SIZE - 1) / Substream.PAGE_SIZE * Substream.PAGE_SIZE;
    }
}
