package org.pcmdmabuf.model;

/**
 * struct snd_pcm_runtime: configuration, status (state, hw_ptr) and control (appl_ptr) of an open substream,
 * plus the hardware's own DMA position, which hw_ptr follows only when the core updates it (period interrupt
 * or an explicit hwsync), as snd_pcm_update_hw_ptr0() (sound/core/pcm_lib.c) does.
 */
public final class PcmRuntime {
    PcmState state = PcmState.OPEN;
    PcmState suspendedState = PcmState.OPEN;

    /**
     * runtime->info: the hardware's flags, copied by the first successful hw_params and never cleared (not
     * even by hw_free), so a never-configured runtime has none: PAUSE there is ENOSYS, not EBADFD.
     */
    PcmHardware info;

    Access access;
    Format format;
    int channels;
    int rate;
    long periodSize;
    int periods;
    long bufferSize;
    int frameBits;
    long boundary;

    long startThreshold;
    long stopThreshold;
    long availMin;

    long hwPtr;
    long applPtr;
    /** SYNC_PTR put appl_ptr outside the ring window; an update that brings avail back, PREPARE or RESET settle it. */
    boolean applPtrWild;

    /** Bytes of the buffer the stream uses (runtime->dma_bytes). */
    long dmaBytes;
    /** The buffer this runtime allocated (runtime->dma_buffer_p); one reference held. */
    SndDmaBuffer dmaBuffer;
    /**
     * The dma-buf wrapping dmaBuffer, if exported (runtime->dmabuf): a counted reference on its file, held from
     * EXPORT until hw_free, hw_params or close lets the buffer go (EXPORT-COUNTED-REF).
     */
    DmaBuf export;
    /** This substream's attachment, if ATTACH succeeded; its DMA then runs on the attached dma-buf's memory. */
    Attachment attachment;
    /**
     * Where a driver that programs its DMA at HW_PARAMS (descriptors, a DSP page table) programmed it: the
     * runtime's buffer at HW_PARAMS, other memory only when the PCM core told the driver (ATTACH-DRIVER-TOLD).
     */
    SndDmaBuffer programmed;

    /**
     * The simulated hardware ({@link PcmDmaEngine}): DMA running, its position in hw_ptr space, and sub-frame
     * time carried between advances.
     */
    boolean dmaRunning;
    long devicePtr;
    long nsRemainder;
    long driftRemainder;

    public PcmState state() {
        return state;
    }

    public long hwPtr() {
        return hwPtr;
    }

    public long applPtr() {
        return applPtr;
    }

    public long stopThreshold() {
        return stopThreshold;
    }

    public long startThreshold() {
        return startThreshold;
    }

    public int rate() {
        return rate;
    }

    public long dmaBytes() {
        return dmaBytes;
    }

    public Access access() {
        return access;
    }

    public Attachment attachment() {
        return attachment;
    }

    public SndDmaBuffer dmaBuffer() {
        return dmaBuffer;
    }

    public int frameBytes() {
        return frameBits / 8;
    }

    /** The memory the DMA runs on: the attached dma-buf's, else this runtime's own. */
    public SndDmaBuffer activeBuffer() {
        return attachment != null ? attachment.dmaBuf.buffer : dmaBuffer;
    }

    /**
     * The memory the hardware's DMA really moves: where the driver programmed it, for a driver that programs at
     * HW_PARAMS; otherwise {@code runtime->dma_addr}, which such drivers read at each trigger.
     */
    SndDmaBuffer dmaTarget(PcmHardware hw) {
        return hw.driver().programsAtHwParams() ? programmed : activeBuffer();
    }

    /** snd_pcm_playback_avail() (include/sound/pcm.h). */
    public long playbackAvail() {
        long avail = hwPtr + bufferSize - applPtr;
        if (avail < 0) {
            avail += boundary;
        } else if (avail >= boundary) {
            avail -= boundary;
        }
        return avail;
    }

    /** snd_pcm_capture_avail(). */
    public long captureAvail() {
        long avail = hwPtr - applPtr;
        if (avail < 0) {
            avail += boundary;
        }
        return avail;
    }

    /** snd_pcm_playback_hw_avail(): frames queued for the device. */
    public long playbackHwAvail() {
        return bufferSize - playbackAvail();
    }

    /** snd_pcm_capture_hw_avail(): room left for the device. */
    public long captureHwAvail() {
        return bufferSize - captureAvail();
    }

    long wrap(long ptr) {
        return ptr >= boundary ? ptr - boundary : ptr;
    }

    /** runtime->boundary as snd_pcm_hw_params() computes it with LONG_MAX of a 64-bit kernel. */
    static long boundaryFor(long bufferSize) {
        long b = bufferSize;
        while (b <= (Long.MAX_VALUE - bufferSize) / 2) {
            b *= 2;
        }
        return b;
    }
}
