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
        MemoryBus bus = s.pcm.world.bus;
        if (bus.observed()) {
            bus.advancing(s, ns, new DmaClock(rt.rate, s.pcm.driftPpm, rt.nsRemainder, rt.driftRemainder));
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
        // The estimate leaves out the drift's carried fraction of a nanosecond: with a strong negative drift it
        // can name a nanosecond after the one the boundary is reached at, and the interrupt would fire late by an
        // amount that depends on where the last time step ended. An early estimate only adds a step.
        DmaClock clock = new DmaClock(rt.rate, s.pcm.driftPpm, rt.nsRemainder, rt.driftRemainder);
        while (cpuNs > 1 && clock.deviceNanos(cpuNs - 1) >= deviceNs) {
            cpuNs--;
        }
        return Math.max(1, cpuNs);
    }

    /**
     * The DMA moves {@code frames}, reading (playback) or writing (capture) the active buffer, raising a
     * period interrupt at each period boundary.
     *
     * <p>Nothing but the DMA and its interrupts acts during an advance, so once a whole buffer cycle has run
     * without changing anything but the pointers (no state change, no protocol violation), every following
     * cycle repeats it: playback reads the same memory, capture overwrites what the cycle before wrote, and
     * each interrupt only moves hw_ptr. Such cycles are skipped by ring arithmetic, as
     * snd_pcm_update_hw_ptr0() (sound/core/pcm_lib.c) accounts for a position that moved several periods at
     * once, up to the last one that cannot change the state (stop_threshold, the boundary's wrap); that one
     * runs, so capture memory ends as the cycle before the rest left it. The cost of an advance is then in
     * proportion to its state changes and violations, not to its frames. Not while an observer hears every
     * frame (the simulator).
     */
    static void advanceFrames(Substream s, long frames) {
        PcmRuntime rt = s.runtime;
        MemoryBus bus = s.pcm.world.bus;
        long probeFrames = -1;
        long probeStale = 0;
        long probeViolations = 0;
        boolean probeWild = false;
        while (rt != null && frames > 0 && rt.dmaRunning) {
            if (rt.devicePtr % rt.periodSize == 0 && !bus.observed()) {
                if (probeFrames - frames == rt.bufferSize) {
                    if (rt.state == PcmState.RUNNING && rt.applPtrWild == probeWild
                            && s.pcm.world.registry.violationCount() == probeViolations) {
                        frames -= skipCycles(s, frames, bus.staleDmaReads() - probeStale);
                    }
                    probeFrames = -1;
                }
                if (probeFrames < 0 && frames >= 3 * rt.bufferSize && rt.state == PcmState.RUNNING
                        && rt.hwPtr == rt.devicePtr) {
                    probeFrames = frames;
                    probeStale = bus.staleDmaReads();
                    probeViolations = s.pcm.world.registry.violationCount();
                    probeWild = rt.applPtrWild;
                }
            }
            long step = Math.min(frames, rt.periodSize - rt.devicePtr % rt.periodSize);
            long offset = (rt.devicePtr % rt.bufferSize) * rt.frameBytes();
            s.pcm.world.bus.dmaTransfer(s, rt.dmaTarget(s.pcm.hw), offset, step, rt.devicePtr);
            rt.devicePtr = rt.wrap(rt.devicePtr + step);
            frames -= step;
            if (rt.devicePtr % rt.periodSize == 0) {
                PcmLib.periodElapsed(s);
            }
        }
    }

    /**
     * After a quiet cycle that ended in a period interrupt (hw_ptr at the DMA position): skips the whole cycles
     * that leave at least one more to run and whose interrupts change nothing, each reading {@code stalePerCycle}
     * stale words; returns the frames skipped. avail grows by a buffer per cycle: an interrupt changes the state
     * once it reaches stop_threshold (snd_pcm_update_state()), and wraps at the boundary, where an appl_ptr put
     * out of the window comes back into it.
     */
    private static long skipCycles(Substream s, long frames, long stalePerCycle) {
        PcmRuntime rt = s.runtime;
        long cycle = rt.bufferSize;
        long avail = s.avail();
        long quiet = Math.min(frames / cycle, (rt.boundary - 1 - avail) / cycle);
        if (rt.stopThreshold < rt.boundary) {
            quiet = Math.min(quiet, (rt.stopThreshold - 1 - avail) / cycle);
        }
        long skipped = quiet - 1;
        if (skipped < 1) {
            return 0;
        }
        rt.devicePtr = rt.wrap(rt.devicePtr + skipped * cycle);
        rt.hwPtr = rt.devicePtr;
        s.pcm.world.bus.addStaleDmaReads(skipped * stalePerCycle);
        return skipped * cycle;
    }
}
