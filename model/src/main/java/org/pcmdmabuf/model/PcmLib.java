package org.pcmdmabuf.model;

import static org.pcmdmabuf.model.PcmState.DRAINING;
import static org.pcmdmabuf.model.PcmState.OPEN;
import static org.pcmdmabuf.model.PcmState.PREPARED;
import static org.pcmdmabuf.model.PcmState.RUNNING;
import static org.pcmdmabuf.model.PcmState.SETUP;
import static org.pcmdmabuf.model.PcmState.XRUN;

/**
 * What sound/core/pcm_lib.c does to a substream: hw_ptr catching up with the DMA position and the state
 * checks that follow (stop_threshold xrun, end of drain), the period interrupt, and the read/write transfer
 * with its auto-start and its waits for room. The ioctls reach it from {@link PcmNative}, the interrupt from
 * the simulated DMA ({@link PcmDmaEngine}).
 */
final class PcmLib {
    private static final long NSEC_PER_SEC = 1_000_000_000L;
    /** wait_for_avail() and snd_pcm_drain() give up after 10 s without progress. */
    private static final long WAIT_TIMEOUT_NS = 10 * NSEC_PER_SEC;

    private PcmLib() {
    }

    /** snd_pcm_update_hw_ptr(): hw_ptr catches up with the DMA position, then snd_pcm_update_state(). */
    static Result<Long> updateHwPtr(Substream s) {
        PcmRuntime rt = s.runtime;
        rt.hwPtr = rt.devicePtr;
        if (rt.applPtrWild && s.avail() <= rt.bufferSize) {
            rt.applPtrWild = false;
        }
        return updateState(s);
    }

    /** snd_pcm_update_state(): drain completion, stop_threshold xrun. */
    static Result<Long> updateState(Substream s) {
        PcmRuntime rt = s.runtime;
        long avail = s.avail();
        if (rt.state == DRAINING) {
            if (avail >= rt.bufferSize) {
                PcmNative.stop(s, SETUP);
                return Result.err(Errno.EPIPE);
            }
        } else if (avail >= rt.stopThreshold) {
            xrun(s);
            return Result.err(Errno.EPIPE);
        }
        return Result.ok(0L);
    }

    /** __snd_pcm_xrun(). */
    static void xrun(Substream s) {
        PcmNative.stop(s, XRUN);
        s.pcm.world.bus.xrun(s);
    }

    /**
     * snd_pcm_period_elapsed(), the driver's period interrupt: a stream that is not running ignores it (the
     * kernel's snd_pcm_running() test), a running one updates hw_ptr.
     */
    static void periodElapsed(Substream s) {
        if (!s.running()) {
            return;
        }
        updateHwPtr(s);
        s.pcm.world.bus.periodElapsed(s);
    }

    /**
     * __snd_pcm_lib_xfer(): WRITEI on playback, READI on capture (the ioctl picks by stream, not by name).
     * Playback writes stamped frames; a blocking transfer lets time pass while it waits for room.
     */
    static Result<Long> xfer(Substream s, long size, boolean nonblock, int source) {
        PcmRuntime rt = s.runtime;
        if (rt.state == OPEN) {
            return Result.err(Errno.EBADFD);
        }
        if (rt.access != Access.RW_INTERLEAVED && rt.channels > 1) {
            return Result.err(Errno.EINVAL);
        }
        if (size == 0) {
            return Result.ok(0L);
        }
        Errno e = accessibleState(rt);
        if (e != null) {
            return Result.err(e);
        }
        if (rt.state == RUNNING) {
            updateHwPtr(s);
        }
        boolean playback = s.stream == PcmStream.PLAYBACK;
        if (!playback && rt.state == PREPARED && size >= rt.startThreshold) {
            Result<Long> r = PcmNative.start(s);
            if (!r.isOk()) {
                return r;
            }
        }
        DmabufDriver driver = s.pcm.world.driver();
        long xfer = 0;
        Errno err = null;
        long avail = s.avail();
        while (size > 0) {
            if (avail == 0) {
                if (!playback && rt.state == DRAINING) {
                    PcmNative.stop(s, SETUP);
                    break;
                }
                if (nonblock) {
                    err = Errno.EAGAIN;
                    break;
                }
                Result<Long> w = waitForAvail(s, Math.min(size, Math.max(rt.availMin, 1)));
                if (!w.isOk()) {
                    err = w.errno();
                    break;
                }
                avail = w.value();
                if (avail == 0) {
                    continue;
                }
            }
            long frames = Math.min(size, avail);
            long applPtr = rt.applPtr;
            long applOfs = applPtr % rt.bufferSize;
            frames = Math.min(frames, rt.bufferSize - applOfs);
            Errno busy = driver.beginCopy(s);
            if (busy != null) {
                err = busy;
                break;
            }
            // 6.12 checks the stream and raises the accesses in one hold of the stream lock; the host checks before
            // the raise, whose lock lets other tasks run: an op that moved the stream meanwhile ran first
            if (accessibleState(rt) != null || rt.applPtr != applPtr) {
                driver.endCopy(s);
                e = accessibleState(rt);
                if (e != null) {
                    err = e;
                    break;
                }
                avail = s.avail();
                continue;
            }
            copy(s, applPtr, applOfs, frames, source);
            e = accessibleState(rt);
            if (e != null) {
                err = e;
                break;
            }
            rt.applPtr = rt.wrap(applPtr + frames);
            size -= frames;
            xfer += frames;
            avail -= frames;
            if (playback && rt.state == PREPARED && rt.playbackHwAvail() >= rt.startThreshold) {
                Result<Long> r = PcmNative.start(s);
                if (!r.isOk()) {
                    err = r.errno();
                    break;
                }
            }
        }
        if (xfer > 0 && err == null) {
            updateState(s);
        }
        return xfer > 0 ? Result.ok(xfer) : err != null ? Result.err(err) : Result.ok(0L);
    }

    /**
     * One chunk's copy and sync, which __snd_pcm_lib_xfer() makes with the stream lock dropped and the buffer's
     * accesses raised (DmabufDriver#beginCopy): buffer operations are refused meanwhile, others run. The accesses
     * are lowered after.
     */
    private static void copy(Substream s, long applPtr, long applOfs, long frames, int source) {
        PcmRuntime rt = s.runtime;
        DmabufDriver driver = s.pcm.world.driver();
        try {
            if (s.stream == PcmStream.PLAYBACK) {
                long offset = applOfs * rt.frameBytes();
                s.pcm.world.bus.copyFrames(rt.activeBuffer(), offset, frames, rt.frameBytes(), source, applPtr);
                if (sharedAsDmaBuf(rt)) {
                    PcmDmabuf.coreWrote(s, offset, frames * rt.frameBytes());
                } else {
                    syncForDevice(s);
                }
            } else {
                syncForCpu(s);
            }
        } finally {
            driver.endCopy(s);
        }
    }

    /** pcm_accessible_state(). */
    private static Errno accessibleState(PcmRuntime rt) {
        return switch (rt.state) {
            case PREPARED, RUNNING, PAUSED -> null;
            case XRUN -> Errno.EPIPE;
            case SUSPENDED -> Errno.ESTRPIPE;
            default -> Errno.EBADFD;
        };
    }

    /** wait_for_avail(): time passes a period at a time until twake frames are free or the timeout hits. */
    private static Result<Long> waitForAvail(Substream s, long twake) {
        PcmRuntime rt = s.runtime;
        long waited = 0;
        while (true) {
            if (waited >= waitTimeoutNs(rt)) {
                return Result.err(Errno.EIO);
            }
            long step = periodNanos(rt);
            s.pcm.world.letTimePass(step);
            waited += step;
            switch (rt.state) {
                case SUSPENDED -> {
                    return Result.err(Errno.ESTRPIPE);
                }
                case XRUN -> {
                    return Result.err(Errno.EPIPE);
                }
                case DRAINING -> {
                    return s.stream == PcmStream.PLAYBACK ? Result.err(Errno.EPIPE) : Result.ok(0L);
                }
                case OPEN, SETUP, DISCONNECTED -> {
                    return Result.err(Errno.EBADFD);
                }
                case PAUSED -> {
                    // The kernel sleeps here with no timeout until someone releases the pause; no one
                    // else runs while a script op blocks, so answer as the O_NONBLOCK call would.
                    return Result.err(Errno.EAGAIN);
                }
                default -> {
                }
            }
            long avail = s.avail();
            if (avail >= twake) {
                return Result.ok(avail);
            }
        }
    }

    /**
     * How long a sleeper waits for its next wake-up: until this stream's next period interrupt when its DMA
     * runs (counting the sub-frame time already carried), else one period.
     */
    static long periodNanos(PcmRuntime rt) {
        long frames = rt.dmaRunning ? rt.periodSize - rt.devicePtr % rt.periodSize : rt.periodSize;
        long units = frames * NSEC_PER_SEC - (rt.dmaRunning ? rt.nsRemainder : 0);
        return Math.max(1, (units + rt.rate - 1) / rt.rate);
    }

    static long waitTimeoutNs(PcmRuntime rt) {
        return Math.max(WAIT_TIMEOUT_NS, rt.bufferSize * NSEC_PER_SEC * 11 / 10 / rt.rate);
    }

    /**
     * sound/core/pcm_local.h: snd_pcm_dma_buffer_sync(SNDRV_DMA_SYNC_DEVICE): the core cleans CPU writes made
     * through the PCM fd. Memory shared as a dma-buf is the dma-buf protocol's to sync (DMA_BUF_IOCTL_SYNC);
     * the model does not let the core's syncs cover for a client that skipped it (docs/decisions.md).
     */
    static void syncForDevice(Substream s) {
        if (sharedAsDmaBuf(s.runtime)) {
            return;
        }
        SndDmaBuffer b = s.runtime.dmaBuffer;
        s.pcm.world.bus.touchSync(b);
        b.sync.syncForDevice();
        if (!s.pcm.hw.syncFree()) {
            s.pcm.world.bus.mem.clean(b, 0, b.wordCount);
        }
    }

    /** snd_pcm_dma_buffer_sync(SNDRV_DMA_SYNC_CPU), under the same rule as {@link #syncForDevice}. */
    static void syncForCpu(Substream s) {
        if (sharedAsDmaBuf(s.runtime)) {
            return;
        }
        SndDmaBuffer b = s.runtime.dmaBuffer;
        s.pcm.world.bus.touchSync(b);
        b.sync.syncForCpu();
        if (!s.pcm.hw.syncFree() && s.stream == PcmStream.CAPTURE) {
            s.pcm.world.bus.mem.invalidate(b, 0, b.wordCount);
        }
    }

    private static boolean sharedAsDmaBuf(PcmRuntime rt) {
        return rt.dmaBuffer == null || rt.export != null || rt.attachment != null;
    }
}
