package org.pcmdmabuf.model;

/**
 * The simulated device a {@link PcmHardware} declares, at work: its DMA position moves with the device's clock
 * (which drifts from the CPU's by {@link Pcm#driftPpm()}), reads or writes the buffer as it goes and raises
 * a period interrupt at each period boundary. Not kernel code: what the hardware does between the core's
 * calls, which the kernel only sees through the driver's pointer callback and snd_pcm_period_elapsed(). Its
 * state (dmaRunning, devicePtr, the carried remainders) lives in the {@link PcmRuntime}, where the core's
 * trigger and prepare set it.
 */
final class PcmDmaEngine {
    private static final long NSEC_PER_SEC = 1_000_000_000L;

    private PcmDmaEngine() {
    }

    /** The DMA runs for {@code ns} of virtual time at the stream's rate (sub-frame time carries over). */
    static void advanceNanos(Substream s, long ns) {
        PcmRuntime rt = s.runtime;
        if (rt == null || !rt.dmaRunning) {
            return;
        }
        long total = deviceNanos(s, ns) * rt.rate + rt.nsRemainder;
        rt.nsRemainder = total % NSEC_PER_SEC;
        advanceFrames(s, total / NSEC_PER_SEC);
    }

    /** CPU-clock nanoseconds as the device's drifting clock counts them (sub-nanoseconds carried). */
    private static long deviceNanos(Substream s, long ns) {
        long ppm = s.pcm.driftPpm;
        if (ppm == 0) {
            return ns;
        }
        long scaled = ns * ppm + s.runtime.driftRemainder;
        s.runtime.driftRemainder = scaled % 1_000_000;
        return ns + scaled / 1_000_000;
    }

    /**
     * CPU-clock nanoseconds until this stream's next period interrupt, or -1 when its DMA is stopped; used by
     * the simulator to step time from interrupt to interrupt.
     */
    static long nanosToNextInterrupt(Substream s) {
        PcmRuntime rt = s.runtime;
        if (rt == null || !rt.dmaRunning) {
            return -1;
        }
        long frames = rt.periodSize - rt.devicePtr % rt.periodSize;
        long deviceNs = (frames * NSEC_PER_SEC - rt.nsRemainder + rt.rate - 1) / rt.rate;
        long cpuNs = deviceNs * 1_000_000 / (1_000_000 + s.pcm.driftPpm);
        return Math.max(1, cpuNs);
    }

    /**
     * The DMA moves {@code frames}, reading (playback) or writing (capture) the active buffer, raising a
     * period interrupt at each period boundary.
     */
    static void advanceFrames(Substream s, long frames) {
        PcmRuntime rt = s.runtime;
        while (rt != null && frames > 0 && rt.dmaRunning) {
            long step = Math.min(frames, rt.periodSize - rt.devicePtr % rt.periodSize);
            long offset = (rt.devicePtr % rt.bufferSize) * rt.frameBytes();
            s.pcm.world.bus.dmaTransfer(s, rt.activeBuffer(), offset, step, rt.devicePtr);
            rt.devicePtr = rt.wrap(rt.devicePtr + step);
            frames -= step;
            if (rt.devicePtr % rt.periodSize == 0) {
                PcmLib.periodElapsed(s);
            }
        }
    }
}
