package org.pcmdmabuf.model;

/**
 * When, within one advance of CPU time, the DMA of a stream has moved its k-th frame: the device's clock runs at
 * {@code rate} frames a second and drifts by {@code driftPpm} against the CPU's, carrying the sub-nanosecond and
 * sub-frame remainders it had when the advance began ({@link PcmDmaEngine#advanceNanos}). Because the remainders
 * carry, a frame's moment is a function of absolute time: the same however that time is cut into advances.
 *
 * @param rate            frames a second of device time
 * @param driftPpm        the device clock's drift against the CPU clock
 * @param nsRemainder     the frame fraction carried into the advance, in device nanoseconds times {@code rate}
 * @param driftRemainder  the drift's carried fraction of a nanosecond, in millionths
 */
public record DmaClock(long rate, long driftPpm, long nsRemainder, long driftRemainder) {
    private static final long NSEC_PER_SEC = 1_000_000_000L;

    /** CPU nanoseconds from the advance's start until the DMA has moved {@code k} (at least 1) frames in it. */
    public long nanosUntil(long k) {
        long device = Math.ceilDiv(k * NSEC_PER_SEC - nsRemainder, rate);
        if (driftPpm == 0) {
            return device;
        }
        // The first CPU nanosecond whose device time reaches it; device time never goes back as CPU time grows.
        long c = Math.max(0, (long) (device / (1 + driftPpm / 1e6)) - 2);
        while (c > 0 && deviceNanos(c - 1) >= device) {
            c--;
        }
        while (deviceNanos(c) < device) {
            c++;
        }
        return c;
    }

    /** Device nanoseconds in {@code ns} CPU nanoseconds from the start, as the engine counts them. */
    long deviceNanos(long ns) {
        return ns + (ns * driftPpm + driftRemainder) / 1_000_000;
    }
}
