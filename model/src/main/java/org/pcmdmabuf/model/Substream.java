package org.pcmdmabuf.model;

import static org.pcmdmabuf.model.PcmState.DISCONNECTED;
import static org.pcmdmabuf.model.PcmState.DRAINING;
import static org.pcmdmabuf.model.PcmState.OPEN;
import static org.pcmdmabuf.model.PcmState.PAUSED;
import static org.pcmdmabuf.model.PcmState.PREPARED;
import static org.pcmdmabuf.model.PcmState.RUNNING;
import static org.pcmdmabuf.model.PcmState.SETUP;
import static org.pcmdmabuf.model.PcmState.SUSPENDED;

/**
 * struct snd_pcm_substream with the PCM core's ioctls on it. Each method mirrors the function of
 * sound/core/pcm_native.c or pcm_lib.c it is named after: the state checks at the top, in the kernel's
 * order, so the errno a combination of faults gives is the kernel's.
 */
public final class Substream {
    /** PAGE_SIZE of x86_64 and arm64 4K kernels. */
    public static final long PAGE_SIZE = 4096;

    public final Pcm pcm;
    public final int number;
    public final PcmStream stream;
    /** Opens sharing this substream (O_APPEND adds to the first); the runtime lives while it is above 0. */
    int refCount;
    PcmRuntime runtime;
    /** Live PCM-fd data mappings (substream->mmap_count); they block HW_PARAMS and HW_FREE. */
    int mmapCount;

    Substream(Pcm pcm, int number) {
        this.pcm = pcm;
        this.number = number;
        this.stream = pcm.hw.stream();
    }

    public PcmRuntime runtime() {
        return runtime;
    }

    public int mmapCount() {
        return mmapCount;
    }

    /** The state, or null when the substream is closed. */
    public PcmState state() {
        return runtime == null ? null : runtime.state;
    }

    private World world() {
        return pcm.world;
    }

    /** snd_pcm_running(): the DMA is moving. */
    boolean running() {
        return runtime.state == RUNNING || (runtime.state == DRAINING && stream == PcmStream.PLAYBACK);
    }

    long avail() {
        return stream == PcmStream.PLAYBACK ? runtime.playbackAvail() : runtime.captureAvail();
    }

    // ---- configuration ------------------------------------------------------------------------------

    /** snd_pcm_hw_params(). A refused request leaves the substream in OPEN with its buffer freed. */
    Result<Long> hwParams(HwParams p) {
        PcmRuntime rt = runtime;
        switch (rt.state) {
            case OPEN, SETUP, PREPARED -> {
                if (mmapCount > 0) {
                    return Result.err(Errno.EBADFD);
                }
            }
            default -> {
                return Result.err(Errno.EBADFD);
            }
        }
        if (!p.fits(pcm.hw)) {
            rt.state = OPEN;
            PcmDmabuf.hwFree(this);
            freeBuffer();
            return Result.err(Errno.EINVAL);
        }
        // A reconfiguration hands an exported buffer over to its dma-buf (pcm_dmabuf.c hw_free hook) and
        // takes new memory, so apps never see the new stream's data in the old mapping.
        boolean handedOver = PcmDmabuf.hwFree(this);
        long bytes = p.bufferBytes();
        if (rt.dmaBuffer != null && (handedOver || rt.dmaBuffer.bytes < bytes)) {
            freeBuffer();
        }
        if (rt.dmaBuffer == null) {
            rt.dmaBuffer = world().allocBuffer(bytes, pcm.hw.contiguous());
        } else {
            rt.dmaBuffer.clearMemory();
        }
        rt.dmaBytes = bytes;
        rt.info = pcm.hw;
        rt.access = p.access();
        rt.format = p.format();
        rt.channels = p.channels();
        rt.rate = p.rate();
        rt.periodSize = p.periodFrames();
        rt.periods = p.periods();
        rt.bufferSize = p.bufferFrames();
        rt.frameBits = p.format().physicalWidth * p.channels();
        rt.availMin = rt.periodSize;
        rt.startThreshold = 1;
        rt.stopThreshold = rt.bufferSize;
        rt.boundary = PcmRuntime.boundaryFor(rt.bufferSize);
        rt.hwPtr %= rt.boundary;
        rt.applPtr %= rt.boundary;
        rt.devicePtr = rt.hwPtr;
        rt.state = SETUP;
        return Result.ok(0L);
    }

    /** snd_pcm_hw_free(). */
    Result<Long> hwFree() {
        switch (runtime.state) {
            case SETUP, PREPARED -> {
                if (mmapCount > 0) {
                    return Result.err(Errno.EBADFD);
                }
            }
            default -> {
                return Result.err(Errno.EBADFD);
            }
        }
        doHwFree();
        runtime.state = OPEN;
        return Result.ok(0L);
    }

    /** do_hw_free(): stop the DMA, run the dma-buf hook, free the managed buffer. */
    private void doHwFree() {
        runtime.dmaRunning = false;
        PcmDmabuf.hwFree(this);
        freeBuffer();
    }

    /** snd_pcm_lib_free_pages(): drop the runtime's reference; an export keeps the memory alive. */
    private void freeBuffer() {
        PcmRuntime rt = runtime;
        if (rt.dmaBuffer != null) {
            world().putBuffer(rt.dmaBuffer);
            rt.dmaBuffer = null;
        }
        rt.dmaBytes = 0;
    }

    /** snd_pcm_sw_params(). {@link SwParams} fields left null keep their value. */
    Result<Long> swParams(SwParams p) {
        PcmRuntime rt = runtime;
        if (rt.state == OPEN) {
            return Result.err(Errno.EBADFD);
        }
        long availMin = p.availMin() != null ? p.availMin() : rt.availMin;
        if (availMin == 0) {
            return Result.err(Errno.EINVAL);
        }
        rt.availMin = availMin;
        if (p.startThreshold() != null) {
            rt.startThreshold = resolveBoundary(p.startThreshold());
        }
        if (p.stopThreshold() != null) {
            rt.stopThreshold = resolveBoundary(p.stopThreshold());
        }
        if (running()) {
            return PcmLib.updateState(this);
        }
        return Result.ok(0L);
    }

    private long resolveBoundary(long v) {
        return v == SwParams.BOUNDARY ? runtime.boundary : v;
    }

    // ---- actions -------------------------------------------------------------------------------------

    /** snd_pcm_prepare(): PAUSED and SUSPENDED are stopped first, then snd_pcm_pre_prepare/do/post. */
    Result<Long> prepare() {
        PcmRuntime rt = runtime;
        if (rt.state == PAUSED) {
            rt.state = RUNNING;
            rt.dmaRunning = true;
            stop(SETUP);
        } else if (rt.state == SUSPENDED) {
            stop(SETUP);
        }
        if (rt.state == OPEN || rt.state == DISCONNECTED) {
            return Result.err(Errno.EBADFD);
        }
        if (running()) {
            return Result.err(Errno.EBUSY);
        }
        // snd_pcm_do_reset() via snd_pcm_lib_ioctl_reset(): the stream is not running here.
        rt.hwPtr %= rt.bufferSize;
        rt.devicePtr = rt.hwPtr;
        rt.applPtr = rt.hwPtr;
        rt.applPtrWild = false;
        rt.state = PREPARED;
        return Result.ok(0L);
    }

    /** snd_pcm_reset(). */
    Result<Long> reset() {
        PcmRuntime rt = runtime;
        switch (rt.state) {
            case RUNNING, PREPARED, PAUSED, SUSPENDED -> {
            }
            default -> {
                return Result.err(Errno.EBADFD);
            }
        }
        rt.hwPtr = (running() ? rt.devicePtr : rt.hwPtr) % rt.bufferSize;
        rt.devicePtr = rt.hwPtr;
        rt.applPtr = rt.hwPtr;
        rt.applPtrWild = false;
        return Result.ok(0L);
    }

    /** snd_pcm_start() through snd_pcm_pre_start/do_start/post_start. */
    Result<Long> start() {
        return start(RUNNING);
    }

    private Result<Long> start(PcmState to) {
        PcmRuntime rt = runtime;
        if (rt.state != PREPARED) {
            return Result.err(Errno.EBADFD);
        }
        if (stream == PcmStream.PLAYBACK && !playbackData()) {
            return Result.err(Errno.EPIPE);
        }
        rt.dmaRunning = true;
        rt.devicePtr = rt.hwPtr;
        rt.nsRemainder = 0;
        rt.state = to;
        return Result.ok(0L);
    }

    /** snd_pcm_playback_data(). */
    private boolean playbackData() {
        if (runtime.stopThreshold >= runtime.boundary) {
            return true;
        }
        return runtime.playbackHwAvail() > 0;
    }

    /** snd_pcm_stop(): snd_pcm_pre_stop refuses OPEN; the DMA stops; the state becomes {@code to}. */
    Result<Long> stop(PcmState to) {
        PcmRuntime rt = runtime;
        if (rt.state == OPEN) {
            return Result.err(Errno.EBADFD);
        }
        rt.dmaRunning = false;
        rt.state = to;
        return Result.ok(0L);
    }

    /** snd_pcm_drop(). */
    Result<Long> drop() {
        PcmRuntime rt = runtime;
        if (rt.state == OPEN || rt.state == DISCONNECTED) {
            return Result.err(Errno.EBADFD);
        }
        if (rt.state == PAUSED) {
            rt.state = RUNNING;
        }
        stop(SETUP);
        return Result.ok(0L);
    }

    /**
     * snd_pcm_drain(). A blocking drain lets time pass until the queued frames are played, as the kernel's
     * wait loop does; a non-blocking one only starts draining and answers EAGAIN.
     */
    Result<Long> drain(boolean nonblock) {
        PcmRuntime rt = runtime;
        if (rt.state == OPEN) {
            return Result.err(Errno.EBADFD);
        }
        if (rt.state == PAUSED) {
            rt.state = RUNNING;
            rt.dmaRunning = true;
        }
        switch (rt.state) {
            case OPEN, DISCONNECTED, SUSPENDED -> {
                return Result.err(Errno.EBADFD);
            }
            default -> {
            }
        }
        drainInit();
        if (nonblock) {
            return Result.err(Errno.EAGAIN);
        }
        long waited = 0;
        while (stream == PcmStream.PLAYBACK && rt.state == DRAINING) {
            if (waited >= PcmLib.waitTimeoutNs(rt)) {
                stop(SETUP);
                return Result.err(Errno.EIO);
            }
            long step = PcmLib.periodNanos(rt);
            world().letTimePass(step);
            waited += step;
        }
        return Result.ok(0L);
    }

    /** snd_pcm_do_drain_init(). */
    private void drainInit() {
        PcmRuntime rt = runtime;
        if (stream == PcmStream.PLAYBACK) {
            switch (rt.state) {
                case PREPARED -> {
                    if (rt.playbackAvail() < rt.bufferSize) {
                        start(DRAINING);
                    } else {
                        rt.state = SETUP;
                    }
                }
                case RUNNING -> rt.state = DRAINING;
                case XRUN -> rt.state = SETUP;
                default -> {
                }
            }
        } else if (rt.state == RUNNING) {
            stop(rt.captureAvail() > 0 ? DRAINING : SETUP);
        }
    }

    /** snd_pcm_pause(): snd_pcm_pre_pause() tests SNDRV_PCM_INFO_PAUSE in runtime->info before the state. */
    Result<Long> pause(boolean push) {
        PcmRuntime rt = runtime;
        if (rt.info == null || !rt.info.pause()) {
            return Result.err(Errno.ENOSYS);
        }
        if (push ? rt.state != RUNNING : rt.state != PAUSED) {
            return Result.err(Errno.EBADFD);
        }
        rt.dmaRunning = !push;
        rt.state = push ? PAUSED : RUNNING;
        return Result.ok(0L);
    }

    /** snd_pcm_xrun(). */
    Result<Long> xrun() {
        switch (runtime.state) {
            case XRUN -> {
                return Result.ok(0L);
            }
            case RUNNING -> {
                PcmLib.xrun(this);
                return Result.ok(0L);
            }
            default -> {
                return Result.err(Errno.EBADFD);
            }
        }
    }

    /** do_pcm_hwsync(). */
    private Result<Long> doHwsync() {
        switch (runtime.state) {
            case DRAINING -> {
                if (stream == PcmStream.CAPTURE) {
                    return Result.err(Errno.EBADFD);
                }
                return PcmLib.updateHwPtr(this);
            }
            case RUNNING -> {
                return PcmLib.updateHwPtr(this);
            }
            case PREPARED, PAUSED -> {
                return Result.ok(0L);
            }
            case SUSPENDED -> {
                return Result.err(Errno.ESTRPIPE);
            }
            case XRUN -> {
                return Result.err(Errno.EPIPE);
            }
            default -> {
                return Result.err(Errno.EBADFD);
            }
        }
    }

    /** snd_pcm_hwsync(). */
    Result<Long> hwsync() {
        Result<Long> r = doHwsync();
        PcmLib.syncForCpu(this);
        return r;
    }

    /** snd_pcm_delay(): snd_pcm_calc_delay() of the updated pointers. */
    Result<Long> delay() {
        Result<Long> r = doHwsync();
        PcmLib.syncForCpu(this);
        if (!r.isOk()) {
            return r;
        }
        return Result.ok(stream == PcmStream.PLAYBACK ? runtime.playbackHwAvail() : runtime.captureAvail());
    }

    /** snd_pcm_resume(): needs SNDRV_PCM_INFO_RESUME; a stream that was moving moves again. */
    Result<Long> resume() {
        PcmRuntime rt = runtime;
        if (rt.state != SUSPENDED) {
            return Result.err(Errno.EBADFD);
        }
        if (!rt.info.resume()) {
            return Result.err(Errno.ENOSYS);
        }
        PcmState was = rt.suspendedState;
        rt.dmaRunning = was == RUNNING || (was == DRAINING && stream == PcmStream.PLAYBACK);
        rt.state = was;
        return Result.ok(0L);
    }

    /**
     * snd_pcm_sync_ptr() with an appl_ptr to apply (pcm_lib_apply_appl_ptr(): no state check, only the
     * boundary) or null to read. Like the kernel it does not start the stream or check for xrun.
     */
    Result<Long> syncPtr(Long applPtr) {
        PcmRuntime rt = runtime;
        if (applPtr == null) {
            return Result.ok(0L);
        }
        if (applPtr != rt.applPtr) {
            if (applPtr < 0 || applPtr >= rt.boundary) {
                return Result.err(Errno.EINVAL);
            }
            rt.applPtr = applPtr;
            checkApplWindow();
        }
        PcmLib.syncForDevice(this);
        return Result.ok(0L);
    }

    /**
     * The kernel takes any appl_ptr below the boundary (no SNDRV_PCM_INFO_NO_REWINDS here). One outside the
     * ring window is a client bug the next update turns into an xrun; until then the avail invariant is waived.
     */
    private void checkApplWindow() {
        PcmRuntime rt = runtime;
        long a = avail();
        if (rt.bufferSize > 0 && a > rt.bufferSize) {
            rt.applPtrWild = true;
            world().violation(Violation.APPL_PTR_OUT_OF_WINDOW,
                    pcm.name() + ": appl_ptr " + rt.applPtr + " leaves avail " + a + " > buffer " + rt.bufferSize);
        }
    }

    /** snd_pcm_suspend() of one substream: states that cannot resume are skipped. */
    void suspend() {
        PcmRuntime rt = runtime;
        if (rt == null) {
            return;
        }
        switch (rt.state) {
            case SUSPENDED, OPEN, SETUP, DISCONNECTED -> {
                return;
            }
            default -> {
            }
        }
        rt.dmaRunning = false;
        rt.suspendedState = rt.state;
        rt.state = SUSPENDED;
    }

    /** snd_pcm_dev_disconnect() for one substream. */
    void disconnect() {
        if (runtime != null) {
            runtime.dmaRunning = false;
            runtime.state = DISCONNECTED;
        }
    }

    /** snd_pcm_release_substream(): the last close drops, frees and detaches the runtime. */
    void release() {
        if (--refCount > 0) {
            return;
        }
        drop();
        if (runtime.state != OPEN) {
            doHwFree();
        }
        runtime = null;
    }

    @Override
    public String toString() {
        return pcm.name() + "/" + number;
    }
}
