package org.pcmdmabuf.sim.cost;

import java.util.Locale;

/**
 * What the CPU pays for the events the simulator counts. The simulator runs in virtual time and charges
 * nothing for a copy or a wake-up, so the CPU time of a path is its counts times these prices. Every price
 * and its source (or the word "assumed") is in docs/cost-model.md; change one there and here together.
 *
 * @param nsPerByteCopied    one byte moved by memcpy/copy_{to,from}_user
 * @param nsPerContextSwitch one switch between processes, with the cache and TLB refill that follows it
 * @param nsPerCacheLine     one cache line walked by a clean (dma_sync_*_for_device) or invalidate (for_cpu)
 */
public record CostModel(double nsPerByteCopied, double nsPerContextSwitch, double nsPerCacheLine) {
    /** The prices docs/cost-model.md argues for: a mid-range arm64 phone SoC, non-coherent audio DMA. */
    public static final CostModel DEFAULT = new CostModel(0.25, 2000, 4);

    /**
     * The dearest price taken, 1000 s: a run's counts are far below 10^9, so every product and sum stays a
     * finite double, which the JSON report can print.
     */
    public static final double MAX_PRICE_NS = 1e12;

    public CostModel {
        for (double price : new double[] {nsPerByteCopied, nsPerContextSwitch, nsPerCacheLine}) {
            if (!(price >= 0 && price <= MAX_PRICE_NS)) {
                throw new IllegalArgumentException("cost model prices must be between 0 and " + MAX_PRICE_NS
                        + " ns: " + price);
            }
        }
    }

    /** CPU nanoseconds of the given counts. */
    public double cpuNs(double bytesCopied, double contextSwitches, double cacheLines) {
        return bytesCopied * nsPerByteCopied + contextSwitches * nsPerContextSwitch + cacheLines * nsPerCacheLine;
    }

    public String describe() {
        return String.format(Locale.ROOT, "%.3f ns per byte copied, %.0f ns per context switch, %.1f ns per cache "
                + "line cleaned or invalidated", nsPerByteCopied, nsPerContextSwitch, nsPerCacheLine);
    }
}
