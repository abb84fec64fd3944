package org.pcmdmabuf.model;

import java.util.List;

/**
 * The seam between the PCM core and the patch's sound/core/pcm_dmabuf.c: every decision and side effect of
 * the dma-buf code, as the hooks and dma_buf_ops the kernel calls. The {@link World} stays the host for every
 * driver (files, fd tables, mappings, the {@link DmaBuf} and {@link Attachment} bookkeeping its invariants
 * check) and applies an outcome only when the driver allows it, so the same host can judge the Java mirror
 * ({@link PcmDmabuf#JAVA}) and the patch's C code in its user-space harness.
 *
 * <p>Hooks are called before the host changes anything, with the runtime as the kernel would show it.
 */
public interface DmabufDriver {
    /** {@link #export} answer for "a new dma-buf": the host creates one. */
    long NEW_DMABUF = -1;

    /**
     * SNDRV_PCM_IOCTL_DMABUF_EXPORT issued on {@code pcmFile} with {@code arg} (its flags ask for an O_RDONLY or
     * an O_RDWR dma-buf file): an errno, or the key of the dma-buf the new fd refers to. A key the host already
     * knows ({@link World#dmaBufKey}) is another fd to that dma-buf; any other key makes a new one.
     */
    Result<Long> export(Substream s, File pcmFile, DmabufArg arg);

    /**
     * Whether the fd the EXPORT just allowed has close-on-exec: revision 2 sets it exactly when the flags hold
     * O_CLOEXEC (UAPI-EXPORT-FLAGS), revision 1 always (UAPI-V1).
     */
    boolean closeOnExec(DmabufArg arg);

    /**
     * Whether the file of a new dma-buf exported asking {@code readOnly} is O_RDONLY: revision 2 gives the access
     * mode asked for (UAPI-EXPORT-FLAGS), revision 1 has no flags and always gives O_RDWR (UAPI-V1).
     */
    boolean readOnlyFile(boolean readOnly);

    /**
     * SNDRV_PCM_IOCTL_DMABUF_ATTACH of {@code file} (null when the fd is not open) with {@code arg}. An
     * attachment a revocation left ({@link Attachment#revoked()}) counts as none: ATTACH drops it first
     * (LIFETIME-REVOKE-DETACH), and the host drops it once the driver answered ({@link #droppedRevoked}).
     */
    Result<Long> attach(Substream s, File file, DmabufArg arg);

    /**
     * Whether the ATTACH that just answered {@code r} dropped the attachment a revocation left: every ATTACH
     * whose argument was copied and checked does, whether it then succeeds or fails (docs/decisions.md,
     * decision 55); one whose argument faulted or was refused changed nothing.
     */
    boolean droppedRevoked(Substream s, DmabufArg arg, Result<Long> r);

    /**
     * Whether ATTACH and DETACH tell the PCM driver that its DMA memory changed, so that a driver that programmed
     * addresses at HW_PARAMS reprograms them (ATTACH-DRIVER-TOLD), rather than only changing
     * {@code runtime->dma_addr} behind its back; the host then moves that driver's DMA.
     */
    boolean tellsDriver();

    /**
     * Whether the ATTACH just allowed maps {@code d} for {@code s}'s device with a streaming DMA mapping:
     * revision 2 maps only memory the device does not own already (ATTACH-OWN-NO-MAPPING), revision 1 every
     * dma-buf.
     */
    boolean streamingMapping(Substream s, DmaBuf d);

    /**
     * Another driver's import of {@code d} (IMPORT-*): dma_buf_attach() for a device of its own, which has a DMA
     * mask if {@code dmaMask}, dma_buf_map_attachment() for its DMA, then the unmap and detach. Answers the map's
     * errno, or 0; nothing the host keeps changes.
     */
    Result<Long> foreignImport(DmaBuf d, boolean dmaMask);

    /** SNDRV_PCM_IOCTL_DMABUF_DETACH. */
    Result<Long> detach(Substream s);

    /**
     * snd_pcm_dmabuf_hw_free(): hw_params, hw_free or close is about to give up the runtime buffer. Answers
     * whether the runtime's export is revoked (LIFETIME-REVOKE: the memory is reused by the driver or card)
     * rather than handed over (LIFETIME-HANDOVER); the host then does the revocation.
     */
    boolean hwFree(Substream s);

    /**
     * snd_pcm_dmabuf_prepare(), from snd_pcm_do_prepare() of each member prepared: drops an attachment a
     * revocation left (LIFETIME-REVOKE-DETACH). Answers whether nothing is attached to the substream afterwards,
     * so that the host drops its attachment too (with ops in flight together, the C may have seen a revocation the
     * host has not run yet); a revocation that comes after the hook, while the driver prepares, leaves it, and the
     * prepare ends in SETUP (snd_pcm_post_prepare()). EBUSY where a revoked attachment is still copied into by a
     * transfer ({@link #beginCopy}): a linked member's, whose accesses the prepare did not block.
     */
    Result<Boolean> prepare(Substream s);

    /** snd_pcm_dmabuf_disconnect(), for each substream of a disconnected card. */
    void disconnect(Substream s);

    /**
     * Whether a card disconnect revokes every export of the card (LIFETIME-DISCONNECT, revision 2), which the
     * host then does, or orphans them (revision 1, kernel-patch decisions 10-11).
     */
    boolean revokesOnDisconnect();

    /**
     * The PCM core copied a write() into words [fromWord, toWord) of {@code b}, the memory {@code s}'s DMA uses,
     * which is shared as a dma-buf: the core's own data must reach every device using that memory, as a client's
     * synced writes would (CACHE-CORE-WRITES-SYNCED).
     */
    void coreWrote(Substream s, SndDmaBuffer b, int fromWord, int toWord);

    /**
     * The PCM core takes the substream's lock around a PCM ioctl (runtime->buffer_mutex for hw_params, hw_free
     * and the dma-buf ioctls, snd_pcm_buffer_access_lock(); the stream lock for the others, which this one
     * lock stands for): a driver whose code runs concurrently (the harness's scheduled kernel tasks) serializes
     * the ioctls of one substream there, the host's checks included. Nothing for a sequential driver.
     */
    default void pcmLock(Substream s) {
    }

    default void pcmUnlock(Substream s) {
    }

    /**
     * snd_pcm_buffer_access_lock() (sound/core/pcm_native.c) of the PCM core's own buffer operations, under the
     * substream's lock ({@link #pcmLock}): snd_pcm_hw_params(), snd_pcm_hw_free() and snd_pcm_action_nonatomic()
     * (PREPARE, RESET) block the buffer's accesses before their state check, which fails with EBUSY while a
     * transfer copies ({@link #beginCopy}). Null for a sequential driver: no transfer is halfway while an op runs.
     */
    default Errno lockBufferAccess(Substream s) {
        return null;
    }

    default void unlockBufferAccess(Substream s) {
    }

    /**
     * snd_pcm_pre_start()'s read of runtime->buffer_accessing (sound/core/pcm_native.c): a START, the transfer's
     * start at its threshold included, is refused with EBADFD while a buffer operation of another task holds the
     * accesses blocked ({@link #lockBufferAccess}, the dma-buf ioctls' own). Asked under the stream lock. False for
     * a sequential driver: no buffer operation is halfway while an op runs.
     */
    default boolean accessesBlocked(Substream s) {
        return false;
    }

    /**
     * __snd_pcm_lib_xfer() (sound/core/pcm_lib.c) copies each chunk and syncs it with the stream lock dropped and
     * runtime->buffer_accessing raised, which fails with EBUSY while a buffer operation holds the accesses blocked
     * ({@link #lockBufferAccess}, the dma-buf ioctls' own). A driver whose code runs concurrently lets other tasks
     * run during the copy. Null for a sequential driver.
     */
    default Errno beginCopy(Substream s) {
        return null;
    }

    default void endCopy(Substream s) {
    }

    /**
     * The substream's stream lock (snd_pcm_stream_lock_irq()) around the host's check or change of its state where
     * the PCM core takes it outside the ioctl's lock (snd_pcm_hw_free()'s check and snd_pcm_set_state(),
     * snd_pcm_dev_disconnect()'s DISCONNECTED): a driver whose code runs concurrently publishes the state its code
     * reads under that lock as it is released. Nothing for a sequential driver.
     */
    default void streamLock(Substream s, boolean lock) {
    }

    /**
     * snd_pcm_action_group()'s locks of a linked action that {@code initiator} runs on {@code members} (list order,
     * the initiator among them), taken before the pre-actions: an atomic action (START, STOP) holds the group's
     * lock and every member's stream lock, a nonatomic one (PREPARE, snd_pcm_action_nonatomic()) every other
     * member's runtime->buffer_mutex. Nothing for a sequential driver.
     */
    default void lockGroup(Substream initiator, List<Substream> members, boolean nonatomic) {
    }

    /**
     * The locks of {@link #lockGroup} released after the post-actions changed the members' states, which a driver
     * with a runtime of its own mirrors first, under those locks.
     */
    default void unlockGroup(Substream initiator, List<Substream> members, boolean nonatomic) {
    }

    /**
     * snd_pcm_mmap_data() past its 6.12 checks: the series' refusal of a PCM data mapping of an attached substream
     * (ATTACH-BLOCKS-PCM-MMAP), then the driver's mmap, then mmap_count raised. Answers whether the mapping is
     * made. 6.12 holds only the mapping mm's mmap_lock there (no buffer_mutex, no stream lock), so a driver whose
     * code runs concurrently answers from its own state.
     */
    default boolean pcmMmap(Substream s) {
        return s.runtime.attachment == null;
    }

    /** snd_pcm_mmap_data_close() of a PCM data mapping the host unmapped. */
    default void pcmMunmap(Substream s) {
    }

    /** dma_buf_ops.release: the host dropped the last reference on the dma-buf's file. */
    void release(DmaBuf d);

    /**
     * snd_pcm_post_prepare()'s question: whether a revocation marked the attached dma-buf while the driver
     * prepared, so that the prepare ends in XRUN, where the revocation takes a prepared stream.
     */
    default boolean postPrepareRevoked(Substream s) {
        return PcmDmabuf.revoked(s);
    }

    /**
     * The task whose syscall the host runs next: its mm is the one the syscall's mappings are made in, and whose
     * mmap_lock it takes. A driver with its own mm per process switches to it; the Java one keeps none.
     */
    default void enter(Task task) {
    }

    /**
     * exit_mm() of an exiting task, its mappings gone (kernel/exit.c): the mm has no users any more, though a
     * record that grabbed it (mmgrab()) still reaches it. A driver with its own mm per process mirrors it.
     */
    default void exitMm(Task task) {
    }

    /**
     * dma_buf_ops.mmap of a mapping of {@code length} bytes from {@code offset} of the dma-buf, made by
     * mm/mmap.c's do_mmap() on its file ({@code write}: PROT_WRITE; {@code shared}: MAP_SHARED, else
     * MAP_PRIVATE). Answers the driver's handle of the mapping, which {@link #munmap} names; the Java driver
     * keeps no mappings and answers 0.
     */
    Result<Long> mmap(DmaBuf d, long offset, long length, boolean write, boolean shared);

    /**
     * munmap(2) of the mapping {@link #mmap} answered {@code handle} for, before its file reference is dropped
     * (mm/mmap.c, remove_vma(): vm_ops->close, then fput()). A driver with its own mm mirrors it.
     */
    default void munmap(DmaBuf d, long handle) {
    }

    /**
     * munmap(2) of the mapping {@code handle} from byte {@code keep} on (mm/vma.c, do_vmi_align_munmap(): the
     * mapping is split, __split_vma() calling vm_ops->open of the part that stays, then the part that goes is
     * zapped and closed). The handle names the part that stays. A driver with its own mm mirrors it.
     */
    default void munmapTail(DmaBuf d, long handle, long keep) {
    }

    /**
     * get_user_pages() of every page of the mapping {@link #mmap} answered {@code handle} for ({@code write}:
     * FOLL_WRITE), as vmsplice(2) or O_DIRECT takes them through it (mm/gup.c): the pages pinned, or EFAULT. A pin
     * is a page reference no zap drops, so a PCM dma-buf mapping must give none (PERM-GUP-EFAULT): the Java driver
     * maps every export with special entries (VM_PFNMAP | VM_IO), which check_vma_flags() refuses.
     */
    default Result<Long> gup(DmaBuf d, long handle, boolean write) {
        return Result.err(Errno.EFAULT);
    }

    /** The release of the pins {@link #gup} took through the mapping {@code handle} (the pipe's pages released). */
    default void unpin(DmaBuf d, long handle) {
    }

    /** dma_buf_ops.begin_cpu_access ({@code begin}) or end_cpu_access, with their cache maintenance. */
    Result<Long> cpuAccess(DmaBuf d, boolean begin, DmaDirection dir);

    /**
     * A reference on a dma-buf's file that the driver does not take itself: an fd (dup, send, close, exit)
     * or a CPU mapping. A driver with its own file counts mirrors it; the Java one needs nothing.
     */
    default void fileReference(DmaBuf d, boolean get) {
    }

    /**
     * A path reference on a dma-buf's dentry taken ({@code get}) or dropped by the O_PATH file {@code path}
     * (PLAT-FILE-LIFETIME): the dma-buf's release waits for the last. A driver with its own dentries mirrors it.
     */
    default void pathReference(File path, DmaBuf d, boolean get) {
    }
}
